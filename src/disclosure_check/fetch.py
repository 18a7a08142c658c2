"""Fetch a report page over HTTP(S): bounded in time, size, retries and redirects; never raises.

Standard library only (``http.client``): one GET per hop on a fresh connection, redirects followed
by hand so each hop is recorded and loops are caught. Every wait is bounded: the connect timeout,
the per-read timeout, and a total deadline enforced by a watchdog that shuts the socket down (a
server dripping one byte a second defeats per-read timeouts alone).

The bytes are not decoded here; the parser does that (``disclosure_check.parsing.parse(result.body)``).
``result.charset`` is the HTTP charset, kept for the caller.

    >>> result = fetch("https://www.example.gov.cn/2023/report.html")  # doctest: +SKIP
    >>> result.ok, result.status, result.sha256, result.error  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

from . import __version__
from .model.fetch import FetchErrorKind, FetchResult, Redirect

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchErrorKind",
    "FetchResult",
    "Redirect",
    "fetch",
]

DEFAULT_USER_AGENT = (
    f"disclosure-check/{__version__} (government information-disclosure report checker; "
    f"Python/{sys.version_info.major}.{sys.version_info.minor})"
)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # the parser's own input limit
_CHUNK = 64 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_BACKOFF = 30.0  # one sleep never exceeds this, whatever the backoff factor
# Characters left as they are when percent-encoding a path or query (RFC 3986 reserved + '%').
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"


@dataclass(frozen=True)
class _Options:
    timeout: float
    connect_timeout: float
    deadline: float
    max_bytes: int
    retries: int
    backoff: float
    user_agent: str
    max_redirects: int
    verify_tls: bool
    extra_headers: dict[str, str] = field(default_factory=dict)


class _Failure(Exception):
    """One failed attempt: a line for the user, a kind, and whether another attempt may help."""

    def __init__(
        self, kind: FetchErrorKind, message: str, *, retry: bool = False, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind, self.message, self.retry, self.status = kind, message, retry, status


@dataclass
class _Response:
    status: int
    reason: str
    headers: Message
    body: bytes = b""
    content_encoding: str | None = None


@dataclass
class _Attempt:
    """State carried across hops of one attempt (and across attempts, for the chain)."""

    final_url: str
    redirects: list[Redirect] = field(default_factory=list)
    response: _Response | None = None


def fetch(
    url: str,
    *,
    timeout: float = 15.0,
    connect_timeout: float | None = None,
    deadline: float = 60.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = 2,
    backoff: float = 0.5,
    user_agent: str = DEFAULT_USER_AGENT,
    max_redirects: int = 5,
    verify_tls: bool = True,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FetchResult:
    """GET ``url`` and return a :class:`FetchResult`; network failures are recorded, never raised.

    ``timeout`` bounds each socket read, ``connect_timeout`` (default: ``timeout``) each connect,
    ``deadline`` the whole call including retries and backoff sleeps. ``retries`` extra attempts
    follow connection errors, timeouts and 5xx answers (never 4xx), after ``backoff * 2**n``
    seconds. ``if_none_match``/``if_modified_since`` make the request conditional (a 304 gives
    ``not_modified=True`` and no body). ``clock`` gives ``fetched_at`` (tests inject one).
    """
    opts = _Options(
        timeout=timeout,
        connect_timeout=connect_timeout if connect_timeout is not None else timeout,
        deadline=deadline,
        max_bytes=max_bytes,
        retries=max(0, retries),
        backoff=max(0.0, backoff),
        user_agent=user_agent,
        max_redirects=max(0, max_redirects),
        verify_tls=verify_tls,
        extra_headers=_conditional_headers(if_none_match, if_modified_since),
    )
    now = clock or (lambda: datetime.now(UTC))
    started = time.monotonic()
    state = _Attempt(final_url=url)
    failure: _Failure | None = None
    attempts = 0
    try:
        start_url = _normalise_url(url)
    except _Failure as exc:
        failure = exc
    else:
        failure, attempts = _run_attempts(start_url, opts, started + opts.deadline, state)
    return _result(url, state, failure, attempts, now(), time.monotonic() - started)


def _run_attempts(
    url: str, opts: _Options, deadline_at: float, state: _Attempt
) -> tuple[_Failure | None, int]:
    """Try up to ``1 + retries`` times; returns the last failure (None on success) and the count."""
    failure: _Failure | None = None
    made = 0
    for attempt in range(opts.retries + 1):
        if attempt:
            pause = min(opts.backoff * 2 ** (attempt - 1), _MAX_BACKOFF)
            if time.monotonic() + pause >= deadline_at:
                break  # no time left for another try: report the last failure
            time.sleep(pause)
        state.redirects, state.final_url, state.response = [], url, None
        made += 1
        try:
            _follow(url, opts, deadline_at, state)
            return None, made
        except _Failure as exc:
            failure = exc
            if not exc.retry:
                break
    return failure, made


def _follow(url: str, opts: _Options, deadline_at: float, state: _Attempt) -> None:
    """GET ``url`` and the redirects it leads to; raises :class:`_Failure` for any failure."""
    seen = {url}
    while True:
        response = _get(url, opts, deadline_at)
        state.response, state.final_url = response, url
        location = response.headers.get("Location")
        if response.status in _REDIRECT_STATUSES and location:
            target = _normalise_url(urljoin(url, _header_text(location)), redirect=True)
            state.redirects.append(Redirect(url=url, status=response.status, location=target))
            if target in seen:
                raise _Failure(FetchErrorKind.redirect_loop, "redirect loop")
            if len(state.redirects) > opts.max_redirects:
                raise _Failure(
                    FetchErrorKind.too_many_redirects,
                    f"too many redirects (> {opts.max_redirects})",
                )
            seen.add(target)
            url = target
            continue
        if response.status in _REDIRECT_STATUSES:
            raise _Failure(
                FetchErrorKind.invalid_response,
                f"HTTP {response.status} without a Location header",
                status=response.status,
            )
        if response.status >= 500:
            raise _Failure(
                FetchErrorKind.http_status,
                f"HTTP {response.status}",
                retry=True,
                status=response.status,
            )
        if response.status >= 300 and response.status != 304:  # 4xx, and 3xx we cannot follow
            raise _Failure(
                FetchErrorKind.http_status, f"HTTP {response.status}", status=response.status
            )
        return


# --- one request -------------------------------------------------------------------------------


def _get(url: str, opts: _Options, deadline_at: float) -> _Response:
    parts = urlsplit(url)
    conn = _connection(parts.scheme, parts.hostname or "", parts.port, opts, deadline_at)
    # Kept here: http.client drops conn.sock once a "Connection: close" response starts.
    sock = conn.sock
    assert sock is not None
    try:
        with _watchdog(sock, opts, deadline_at) as dog:
            try:
                response = _exchange(conn, parts, opts, dog)
            except _Failure:
                raise
            except Exception as exc:  # every network failure becomes one line, never a raise
                if dog.fired or (isinstance(exc, TimeoutError) and dog.clamped):
                    raise _deadline_failure(opts) from None
                raise _classify(exc, opts) from None
            if dog.fired:  # the shutdown looked like a normal end of body: not a complete page
                raise _deadline_failure(opts)
            return response
    finally:
        conn.close()
        sock.close()


def _deadline_failure(opts: _Options) -> _Failure:
    return _Failure(
        FetchErrorKind.timeout, f"timed out after {opts.deadline:g} s (total deadline)", retry=True
    )


def _connection(
    scheme: str, host: str, port: int | None, opts: _Options, deadline_at: float
) -> http.client.HTTPConnection:
    remaining = deadline_at - time.monotonic()
    if remaining <= 0:
        raise _deadline_failure(opts)
    # Bounded by the connect timeout; name resolution (getaddrinfo) has no timeout in the stdlib.
    connect_timeout = min(opts.connect_timeout, remaining)
    conn: http.client.HTTPConnection
    if scheme == "https":
        context = ssl.create_default_context()
        if not opts.verify_tls:  # some government sites serve incomplete chains; opt-in only
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
    try:
        conn.connect()
    except Exception as exc:
        conn.close()
        if isinstance(exc, TimeoutError):
            raise _Failure(
                FetchErrorKind.timeout, f"connect timed out after {connect_timeout:g} s", retry=True
            ) from None
        raise _classify(exc, opts) from None
    return conn


def _exchange(
    conn: http.client.HTTPConnection,
    parts: SplitResult,
    opts: _Options,
    dog: _Watchdog,
) -> _Response:
    dog.arm()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in _request_headers(opts).items():
        conn.putheader(name, value)
    conn.endheaders()
    raw = conn.getresponse()
    try:
        response = _Response(status=raw.status, reason=raw.reason, headers=raw.msg)
        if raw.status in _REDIRECT_STATUSES or raw.status == 304:
            return response  # the body of a redirect or a 304 is never needed
        response.content_encoding = _content_encoding(raw.msg)
        response.body = _read_body(raw, opts, dog, response.content_encoding)
        return response
    finally:
        raw.close()


def _request_headers(opts: _Options) -> dict[str, str]:
    return {
        "User-Agent": opts.user_agent,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "Accept-Encoding": "gzip, identity",
        "Connection": "close",
        **opts.extra_headers,
    }


def _read_body(
    raw: http.client.HTTPResponse,
    opts: _Options,
    dog: _Watchdog,
    encoding: str | None,
) -> bytes:
    """Read at most ``max_bytes`` (decoded) bytes; refuse as soon as the body is known to be larger."""
    announced = raw.getheader("Content-Length")
    if announced and announced.strip().isdigit() and int(announced) > opts.max_bytes:
        raise _too_large(opts)
    # wbits=47: zlib reads either a gzip or a zlib header.
    inflate = zlib.decompressobj(wbits=47) if encoding == "gzip" else None
    out = bytearray()
    received = 0
    while True:
        dog.arm()
        chunk = raw.read1(_CHUNK)  # one recv at most: the deadline is re-checked between reads
        if not chunk:
            break
        received += len(chunk)
        if received > opts.max_bytes:
            raise _too_large(opts)
        out += _inflate(inflate, chunk, opts.max_bytes + 1 - len(out)) if inflate else chunk
        if len(out) > opts.max_bytes:
            raise _too_large(opts)
    if inflate:
        out += inflate.flush()
        if not inflate.eof:
            raise _Failure(FetchErrorKind.invalid_response, "invalid gzip body (truncated)")
        if len(out) > opts.max_bytes:
            raise _too_large(opts)
    return bytes(out)


def _inflate(inflate: zlib._Decompress, chunk: bytes, limit: int) -> bytes:
    # max_length bounds the output: a small compressed body cannot expand past the cap.
    try:
        return inflate.decompress(chunk, max(1, limit))
    except zlib.error:
        raise _Failure(FetchErrorKind.invalid_response, "invalid gzip body") from None


def _content_encoding(headers: Message) -> str | None:
    value = (headers.get("Content-Encoding") or "").strip().lower()
    if value in ("", "identity"):
        return None
    if value in ("gzip", "x-gzip", "deflate"):
        return "gzip"  # zlib's auto-detection reads gzip and zlib ("deflate") framing alike
    raise _Failure(FetchErrorKind.invalid_response, f"unsupported Content-Encoding {value!r}")


def _too_large(opts: _Options) -> _Failure:
    return _Failure(FetchErrorKind.too_large, f"too large (> {_size_text(opts.max_bytes)})")


def _size_text(n: int) -> str:
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n:,} bytes"


class _Watchdog:
    """The deadline of one request: per-read timeouts clamped to it, and a timer that enforces it."""

    def __init__(self, sock: socket.socket, opts: _Options, deadline_at: float) -> None:
        self.sock, self.timeout, self.deadline_at = sock, opts.timeout, deadline_at
        self.fired = False  # the timer shut the socket down
        self.clamped = False  # the last read timeout was cut short by the deadline

    def arm(self) -> None:
        """Set the timeout of the next read: the read timeout, or what is left of the deadline."""
        remaining = self.deadline_at - time.monotonic()
        self.clamped = remaining < self.timeout
        self.sock.settimeout(max(0.001, min(self.timeout, remaining)))

    def fire(self) -> None:
        self.fired = True
        with suppress(OSError):  # already closed
            self.sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def _watchdog(sock: socket.socket, opts: _Options, deadline_at: float) -> Iterator[_Watchdog]:
    """Shut the socket down at the deadline so no blocking read outlives it."""
    dog = _Watchdog(sock, opts, deadline_at)
    timer = threading.Timer(max(0.0, deadline_at - time.monotonic()), dog.fire)
    timer.daemon = True
    timer.start()
    try:
        yield dog
    finally:
        timer.cancel()


def _classify(exc: BaseException, opts: _Options) -> _Failure:
    """One line and a kind for a low-level failure; connection trouble may be retried."""
    if isinstance(exc, TimeoutError):
        return _Failure(FetchErrorKind.timeout, f"timed out after {opts.timeout:g} s", retry=True)
    if isinstance(exc, socket.gaierror):
        return _Failure(FetchErrorKind.dns, f"host not found ({exc.strerror or exc})", retry=True)
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or "verification failed"
        return _Failure(FetchErrorKind.tls, f"TLS certificate not trusted ({detail})")
    if isinstance(exc, ssl.SSLError):
        return _Failure(FetchErrorKind.tls, f"TLS error ({exc.reason or exc})")
    if isinstance(exc, ConnectionRefusedError):
        return _Failure(FetchErrorKind.connection, "connection refused", retry=True)
    if isinstance(exc, http.client.RemoteDisconnected):
        return _Failure(
            FetchErrorKind.connection, "server closed the connection without a response", retry=True
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return _Failure(FetchErrorKind.connection, "connection reset by the server", retry=True)
    if isinstance(exc, http.client.IncompleteRead):
        return _Failure(
            FetchErrorKind.connection, "connection closed before the body was complete", retry=True
        )
    if isinstance(exc, http.client.HTTPException):
        return _Failure(
            FetchErrorKind.invalid_response, f"invalid HTTP response ({type(exc).__name__})"
        )
    if isinstance(exc, OSError):
        return _Failure(
            FetchErrorKind.connection, f"connection failed ({exc.strerror or exc})", retry=True
        )
    return _Failure(
        FetchErrorKind.invalid_response, f"unexpected failure ({type(exc).__name__}: {exc})"
    )


# --- URLs and headers --------------------------------------------------------------------------


def _normalise_url(url: str, *, redirect: bool = False) -> str:
    """An absolute http(s) URL with non-ASCII percent-encoded and no fragment; else a failure."""
    what = "redirect to" if redirect else "not an http(s) URL:"
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise _Failure(FetchErrorKind.invalid_url, f"invalid URL: {url!r}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _Failure(FetchErrorKind.invalid_url, f"{what} {url!r} (only http and https)")
    if not host:
        raise _Failure(FetchErrorKind.invalid_url, f"invalid URL (no host): {url!r}")
    try:
        ascii_host = host.encode("idna").decode("ascii")  # 政府.cn and friends
    except UnicodeError:
        raise _Failure(FetchErrorKind.invalid_url, f"invalid host name in {url!r}") from None
    if ":" in ascii_host:
        ascii_host = f"[{ascii_host}]"  # IPv6 literal
    netloc = ascii_host + (f":{port}" if port else "")
    path = quote(parts.path or "/", safe=_URL_SAFE)
    query = quote(parts.query, safe=_URL_SAFE)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _header_text(value: str) -> str:
    # http.client decodes headers as Latin-1; servers often send UTF-8 (Chinese paths) instead.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


# --- the result --------------------------------------------------------------------------------


def _result(
    url: str,
    state: _Attempt,
    failure: _Failure | None,
    attempts: int,
    fetched_at: datetime,
    elapsed: float,
) -> FetchResult:
    response = state.response
    fields: dict[str, object] = {}
    if response is not None:
        fields = _response_fields(response)
    body = response.body if response is not None and failure is None else b""
    if failure is not None and failure.kind is FetchErrorKind.http_status and response is not None:
        body = response.body  # an error page is small and sometimes says why
    return FetchResult(
        url=url,
        final_url=state.final_url,
        redirects=state.redirects,
        fetched_at=fetched_at,
        elapsed_s=round(elapsed, 3),
        attempts=max(1, attempts),
        body=body,
        size=len(body),
        sha256=_digest(body, failure, response),
        error=failure.message if failure else None,
        error_kind=failure.kind if failure else None,
        **fields,
    )


def _digest(body: bytes, failure: _Failure | None, response: _Response | None) -> str:
    # No hash where there is no content: a failure without a body, or a 304 (nothing new arrived).
    if body or (failure is None and response is not None and response.status != 304):
        return hashlib.sha256(body).hexdigest()
    return ""


def _response_fields(response: _Response) -> dict[str, object]:
    headers = response.headers
    content_type = headers.get_content_type() if headers.get("Content-Type") else None
    charset = headers.get_content_charset() if content_type else None
    last_modified = headers.get("Last-Modified")
    return {
        "status": response.status,
        "reason": response.reason,
        "headers": _header_dict(headers),
        "content_type": content_type,
        "charset": charset,
        "content_encoding": response.content_encoding,
        "last_modified": last_modified,
        "last_modified_at": _http_date(last_modified),
        "etag": headers.get("ETag"),
        "not_modified": response.status == 304,
    }


def _header_dict(headers: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()  # one spelling, so stored headers compare across servers
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
