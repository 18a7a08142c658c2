"""fetch(): real corpus pages served from a local HTTP server on 127.0.0.1 — nothing else, no internet.

Each test gets its own server (ephemeral port) whose threads are stopped and joined at teardown.
Timeouts are a fraction of a second so the whole module runs in a few seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from disclosure_check import __version__
from disclosure_check.fetch import DEFAULT_USER_AGENT, FetchErrorKind, FetchResult, fetch
from disclosure_check.parsing import parse
from disclosure_check.parsing.outline import render_outline

CORPUS = Path(__file__).parent / "corpus"
UTF8_PAGE = CORPUS / "pingtan-zone-2025.html"
GBK_SOURCE = CORPUS / "shuyang-drc-2023.html"  # every character of it exists in GBK
LAST_MODIFIED = "Wed, 17 Jan 2024 08:30:00 GMT"
ETAG = '"shuyang-2023-v1"'
FIXED_NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# Short limits for a local server; a fixed clock for fetched_at.
fast = partial(fetch, timeout=1.0, deadline=3.0, backoff=0.01, clock=lambda: FIXED_NOW)


def _gbk(html: str, meta: str | None) -> bytes:
    """The page as a GBK site serves it: re-encoded, its <meta charset> set to ``meta`` (or kept)."""
    if meta is not None:
        html = re.sub(r'charset="?utf-8"?', f'charset="{meta}"', html, flags=re.I)
    return html.encode("gbk")


UTF8_BYTES = UTF8_PAGE.read_bytes()
GBK_TEXT = GBK_SOURCE.read_text("utf-8")
GBK_BYTES = _gbk(GBK_TEXT, "gbk")
GBK_LYING_META = _gbk(GBK_TEXT, None)  # still says utf-8: only the HTTP header tells the truth


# --- the local server ------------------------------------------------------------------------


@dataclass
class Site:
    """Routes and per-test state shared with the handler threads."""

    stop: threading.Event = field(default_factory=threading.Event)
    hits: dict[str, int] = field(default_factory=dict)
    user_agents: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, path: str) -> int:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


class Handler(BaseHTTPRequestHandler):
    site: Site  # set on a per-server subclass
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        n = self.site.hit(path)
        self.site.user_agents.append(self.headers.get("User-Agent", ""))
        route = ROUTES.get(path)
        if route is None and path.startswith("/many/"):
            route = _many
        # The client may give up (timeouts, size cap): a broken pipe is expected here.
        with suppress(BrokenPipeError, ConnectionResetError):
            (route or _not_found)(self, n)

    def send(
        self,
        status: int,
        body: bytes = b"",
        *,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _not_found(h: Handler, n: int) -> None:
    h.send(404, "<h1>404 页面不存在</h1>".encode())


def _report(h: Handler, n: int) -> None:
    if h.headers.get("If-None-Match") == ETAG:
        h.send(304, headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED}, length=False)
        return
    h.send(200, UTF8_BYTES, headers={"Last-Modified": LAST_MODIFIED, "ETag": ETAG})


def _gbk_page(h: Handler, n: int) -> None:
    h.send(200, GBK_BYTES, ctype="text/html; charset=gbk")


def _gbk_lying(h: Handler, n: int) -> None:
    h.send(200, GBK_LYING_META, ctype="text/html; charset=GBK")


def _gzip_page(h: Handler, n: int) -> None:
    assert "gzip" in h.headers.get("Accept-Encoding", "")
    h.send(200, gzip.compress(UTF8_BYTES), headers={"Content-Encoding": "gzip"})


def _slow(h: Handler, n: int) -> None:
    h.site.stop.wait(5.0)  # past any client timeout; released at teardown


def _drip(h: Handler, n: int) -> None:
    """Headers at once, then a byte every 0.1 s: each read is quick, the whole never ends."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    while not h.site.stop.wait(0.1):
        h.wfile.write(b"x")
        h.wfile.flush()


def _always_500(h: Handler, n: int) -> None:
    h.send(500, b"<h1>Internal Server Error</h1>")


def _flaky(h: Handler, n: int) -> None:
    if n <= 2:
        h.send(503 if n == 1 else 500, b"busy")
    else:
        h.send(200, UTF8_BYTES)


def _hangup(h: Handler, n: int) -> None:
    h.close_connection = True  # no status line at all


def _redirect(to: str, status: int = 302) -> Callable[[Handler, int], None]:
    def route(h: Handler, n: int) -> None:
        h.send(status, headers={"Location": to})

    return route


def _absolute_redirect(h: Handler, n: int) -> None:
    h.send(307, headers={"Location": f"http://{h.headers['Host']}/report.html"})


def _no_location(h: Handler, n: int) -> None:
    h.send(302, b"moved, but where?")


def _utf8_location(h: Handler, n: int) -> None:
    """A Chinese path sent as raw UTF-8, as many CMSs do (http.server would refuse non-Latin-1)."""
    h.send_response(302)
    h._headers_buffer.append("Location: /年报/2023.html\r\n".encode())  # type: ignore[attr-defined]
    h.send_header("Content-Length", "0")
    h.end_headers()


def _gzip_bomb(h: Handler, n: int) -> None:
    h.send(200, gzip.compress(b"\0" * (4 * 1024 * 1024)), headers={"Content-Encoding": "gzip"})


def _many(h: Handler, n: int) -> None:
    step = int(h.path.rsplit("/", 1)[1])
    h.send(302, headers={"Location": f"/many/{step + 1}"})


def _big_announced(h: Handler, n: int) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(50 * 1024 * 1024))
    h.end_headers()  # and no body: the client must refuse on the header alone


def _big_streamed(h: Handler, n: int) -> None:
    h.send(200, b"<p>" + b"x" * (300 * 1024), length=False)  # no Content-Length: read until close


ROUTES: dict[str, Callable[[Handler, int], None]] = {
    "/report.html": _report,
    "/gbk.html": _gbk_page,
    "/gbk-lying-meta.html": _gbk_lying,
    "/gzip.html": _gzip_page,
    "/slow": _slow,
    "/drip": _drip,
    "/404": _not_found,
    "/500": _always_500,
    "/flaky": _flaky,
    "/hangup": _hangup,
    "/redirect": _redirect("/report.html"),
    "/chain1": _redirect("/chain2", 301),
    "/chain2": _absolute_redirect,
    "/loop-a": _redirect("/loop-b"),
    "/loop-b": _redirect("/loop-a"),
    "/to-ftp": _redirect("ftp://127.0.0.1/report.html"),
    "/no-location": _no_location,
    "/utf8-location": _utf8_location,
    "/%E5%B9%B4%E6%8A%A5/2023.html": _report,
    "/gzip-bomb": _gzip_bomb,
    "/big-announced": _big_announced,
    "/big-streamed": _big_streamed,
}


@dataclass
class Server:
    base: str
    site: Site

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    site = Site()
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = False  # server_close() joins every handler thread
    httpd.block_on_close = True
    port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{port}", site)
    finally:
        site.stop.set()  # releases /slow and /drip handlers
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _outline(doc_source: bytes | Path) -> list[str]:
    # The source label and the encoding line differ by construction; the rest must not.
    lines = render_outline(parse(doc_source)).splitlines()
    return [x for x in lines if not x.startswith(("source:", "format:"))]


# --- success ---------------------------------------------------------------------------------


def test_fetches_a_corpus_page_with_its_headers(server: Server) -> None:
    result = fast(server.url("/report.html"))
    assert result.ok and result.error is None and result.error_kind is None
    assert result.status == 200 and result.reason == "OK"
    assert result.body == UTF8_BYTES
    assert result.sha256 == hashlib.sha256(UTF8_BYTES).hexdigest() and result.size == len(
        UTF8_BYTES
    )
    assert result.content_type == "text/html" and result.charset == "utf-8"
    assert result.last_modified == LAST_MODIFIED
    assert result.last_modified_at == datetime(2024, 1, 17, 8, 30, tzinfo=UTC)
    assert result.etag == ETAG
    assert result.headers["etag"] == ETAG
    assert result.fetched_at == FIXED_NOW
    assert result.final_url == result.url and result.redirects == [] and result.attempts == 1
    assert server.site.user_agents == [DEFAULT_USER_AGENT]
    assert DEFAULT_USER_AGENT.startswith(f"disclosure-check/{__version__} (")


def test_custom_user_agent(server: Server) -> None:
    fast(server.url("/report.html"), user_agent="office-audit/1 (disclosure-check)")
    assert server.site.user_agents == ["office-audit/1 (disclosure-check)"]


@pytest.mark.parametrize("path", ["/gbk.html", "/gbk-lying-meta.html"])
def test_gbk_page_parses_like_the_file(server: Server, path: str) -> None:
    result = fast(server.url(path))
    assert result.ok and result.charset == "gbk"
    assert result.body == (GBK_BYTES if path == "/gbk.html" else GBK_LYING_META)
    doc = parse(result.body)
    assert doc.meta.encoding == "gb18030"  # GBK widened by the decoder
    assert doc.meta.title == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert _outline(result.body) == _outline(GBK_SOURCE)


def test_gzip_body_is_decoded_and_hashed_decoded(server: Server) -> None:
    result = fast(server.url("/gzip.html"))
    assert result.ok and result.content_encoding == "gzip"
    assert result.body == UTF8_BYTES
    assert result.sha256 == hashlib.sha256(UTF8_BYTES).hexdigest()


def test_conditional_request_gives_not_modified(server: Server) -> None:
    result = fast(server.url("/report.html"), if_none_match=ETAG)
    assert result.ok and result.status == 304 and result.not_modified
    assert result.body == b"" and result.sha256 == "" and result.etag == ETAG


# --- redirects -------------------------------------------------------------------------------


def test_redirect_is_followed_and_recorded(server: Server) -> None:
    result = fast(server.url("/redirect"))
    assert result.ok and result.status == 200 and result.body == UTF8_BYTES
    assert result.final_url == server.url("/report.html")
    assert [(r.url, r.status, r.location) for r in result.redirects] == [
        (server.url("/redirect"), 302, server.url("/report.html"))
    ]


def test_redirect_chain(server: Server) -> None:
    result = fast(server.url("/chain1"))
    assert result.ok and result.final_url == server.url("/report.html")
    assert [r.status for r in result.redirects] == [301, 307]


def test_redirect_loop(server: Server) -> None:
    result = fast(server.url("/loop-a"))
    assert not result.ok and result.error == "redirect loop"
    assert result.error_kind is FetchErrorKind.redirect_loop
    assert result.attempts == 1  # never retried
    assert server.site.hits == {"/loop-a": 1, "/loop-b": 1}


def test_too_many_redirects(server: Server) -> None:
    result = fast(server.url("/many/0"), max_redirects=3)
    assert result.error == "too many redirects (> 3)"
    assert result.error_kind is FetchErrorKind.too_many_redirects
    assert len(server.site.hits) == 4  # /many/0 … /many/3, nothing further


def test_redirect_to_other_scheme_is_refused(server: Server) -> None:
    result = fast(server.url("/to-ftp"))
    assert result.error_kind is FetchErrorKind.invalid_url and "only http and https" in (
        result.error or ""
    )


def test_redirect_without_location(server: Server) -> None:
    result = fast(server.url("/no-location"))
    assert result.error == "HTTP 302 without a Location header" and result.status == 302


def test_utf8_location_is_percent_encoded(server: Server) -> None:
    result = fast(server.url("/utf8-location"))
    assert result.ok and result.body == UTF8_BYTES
    assert result.final_url == server.url("/%E5%B9%B4%E6%8A%A5/2023.html")


# --- HTTP errors and retries -----------------------------------------------------------------


def test_404_is_not_retried(server: Server) -> None:
    result = fast(server.url("/404"), retries=3)
    assert not result.ok and result.error == "HTTP 404" and result.status == 404
    assert result.error_kind is FetchErrorKind.http_status
    assert result.attempts == 1 and server.site.hits == {"/404": 1}
    assert "页面不存在".encode() in result.body  # the error page is kept: it sometimes says why


def test_500_recovers_on_retry(server: Server) -> None:
    result = fast(server.url("/flaky"), retries=2)
    assert result.ok and result.status == 200 and result.body == UTF8_BYTES
    assert result.attempts == 3


def test_permanent_500(server: Server) -> None:
    result = fast(server.url("/500"), retries=2)
    assert not result.ok and result.error == "HTTP 500" and result.status == 500
    assert result.attempts == 3 and server.site.hits == {"/500": 3}


def test_backoff_grows_exponentially(server: Server) -> None:
    started = time.monotonic()
    fetch(server.url("/500"), retries=2, timeout=1.0, deadline=3.0, backoff=0.1)
    assert time.monotonic() - started >= 0.1 + 0.2  # slept 0.1 then 0.2


def test_server_hanging_up_is_a_connection_error(server: Server) -> None:
    result = fast(server.url("/hangup"), retries=1)
    assert result.error == "server closed the connection without a response"
    assert result.error_kind is FetchErrorKind.connection and result.attempts == 2


def test_connection_refused() -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fast(f"http://127.0.0.1:{port}/", retries=1)
    assert result.error == "connection refused" and result.status is None
    assert result.error_kind is FetchErrorKind.connection and result.attempts == 2


# --- time and size limits --------------------------------------------------------------------


def test_slow_server_times_out(server: Server) -> None:
    started = time.monotonic()
    result = fetch(
        server.url("/slow"), timeout=0.3, retries=0, deadline=3.0, clock=lambda: FIXED_NOW
    )
    assert time.monotonic() - started < 1.5
    assert result.error == "timed out after 0.3 s" and result.error_kind is FetchErrorKind.timeout


def test_timeouts_are_retried(server: Server) -> None:
    result = fetch(server.url("/slow"), timeout=0.2, retries=1, backoff=0.01, deadline=3.0)
    assert result.attempts == 2 and server.site.hits == {"/slow": 2}


def test_total_deadline_stops_a_dripping_server(server: Server) -> None:
    started = time.monotonic()
    result = fetch(server.url("/drip"), timeout=0.5, deadline=0.6, retries=3, backoff=0.01)
    assert time.monotonic() - started < 1.5
    assert result.error == "timed out after 0.6 s (total deadline)"
    assert result.error_kind is FetchErrorKind.timeout and result.body == b""


def test_announced_oversize_body_is_refused_unread(server: Server) -> None:
    result = fast(server.url("/big-announced"))
    assert result.error == "too large (> 20 MB)" and result.error_kind is FetchErrorKind.too_large
    assert result.attempts == 1 and result.body == b""


def test_streamed_oversize_body_stops_at_the_cap(server: Server) -> None:
    result = fast(server.url("/big-streamed"), max_bytes=256 * 1024)
    assert result.error == "too large (> 256 KB)" and result.body == b""
    ok = fast(server.url("/big-streamed"), max_bytes=1024 * 1024)
    assert ok.ok and ok.size == 300 * 1024 + 3


def test_decompression_is_capped(server: Server) -> None:
    result = fast(server.url("/gzip-bomb"), max_bytes=1024 * 1024)  # ~4 KB on the wire
    assert result.error == "too large (> 1 MB)" and result.error_kind is FetchErrorKind.too_large


# --- bad input and the model -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/a.html", "file:///etc/passwd", "report.html", "http://", "http://[::1"]
)
def test_only_http_urls(url: str) -> None:
    result = fast(url)
    assert not result.ok and result.error_kind is FetchErrorKind.invalid_url
    assert result.attempts == 1 and result.status is None


def test_json_dump_leaves_bytes_out_and_round_trips(server: Server) -> None:
    result = fast(server.url("/redirect"))
    record = result.model_dump(mode="json")
    assert "body" not in record and record["ok"] is True
    assert record["fetched_at"] == "2025-03-01T09:00:00Z"
    again = FetchResult.model_validate({**record, "body": result.body})
    assert again == result
    with pytest.raises(ValueError, match="sha256"):
        FetchResult.model_validate({**record, "body": b"tampered"})
