"""Audits of URL manifests against real corpus pages served on 127.0.0.1 (test_fetch's server):
every fetch failure is reported on its row and never stops the audit, the good rows are checked,
the fetched bytes and headers are kept in the store, and DC505 notices a page that changed."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_fetch import GBK_BYTES, ROUTES, UTF8_BYTES, Handler, Server, server  # noqa: F401

from disclosure_check.batch.audit import AuditOptions, run_audit
from disclosure_check.batch.model import BatchResult, EntryStatus
from disclosure_check.batch.runner import FetchOptions
from disclosure_check.batch.store import AuditStore
from disclosure_check.cli import main
from disclosure_check.engine import Checker
from disclosure_check.model import Outcome
from disclosure_check.model.fetch import FetchResult
from disclosure_check.parsing import parse

# Short limits: the slow route answers after 5 s, the loop never ends, the big page is 300 KB.
LIMITS = FetchOptions(timeout=0.5, deadline=2.0, retries=1, backoff=0.01, max_bytes=256 * 1024)


class Page:
    """A report page whose content the test changes between audits (ETag per version)."""

    body = UTF8_BYTES
    version = 1

    @classmethod
    def route(cls, h: Handler, n: int) -> None:
        etag = f'"v{cls.version}"'
        if h.headers.get("If-None-Match") == etag:
            h.send(304, headers={"ETag": etag}, length=False)
        else:
            h.send(200, cls.body, headers={"ETag": etag, "Last-Modified": "Wed, 17 Jan 2024"})


def _no_etag(h: Handler, n: int) -> None:
    h.send(200, Page.body)  # no validators: every audit gets the whole page again


@pytest.fixture
def site(server: Server) -> Server:  # noqa: F811 - the fixture imported from test_fetch
    Page.body, Page.version = UTF8_BYTES, 1
    extra: dict[str, Callable[[Handler, int], None]] = {
        "/audit/report.html": Page.route,
        "/audit/plain.html": _no_etag,
    }
    ROUTES.update(extra)  # new paths only; test_fetch's routes are untouched
    return server


def manifest(folder: Path, rows: list[tuple[str, int, str]]) -> Path:
    path = folder / "urls.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位名称", "年度", "网址"])
        w.writerows(rows)
    return path


def audit(path: Path, store: AuditStore, **kw: object) -> BatchResult:
    opts = AuditOptions(jobs=2, fetch=LIMITS, timeout=60, **kw)  # type: ignore[arg-type]
    return run_audit(path, Checker(), store=store, options=opts)


def entry(result: BatchResult, unit: str):
    return next(e for e in result.entries if e.unit == unit)


def dc505(result: BatchResult, unit: str):
    return next(o for o in entry(result, unit).batch_outcomes if o.rule_id == "DC505")


def test_every_failure_is_reported_on_its_row(site: Server, tmp_path: Path) -> None:
    rows = [
        ("平潭", 2025, site.url("/audit/report.html")),
        ("沭阳", 2023, site.url("/gbk.html")),
        ("慢", 2023, site.url("/slow")),
        ("不存在", 2023, site.url("/404")),
        ("出错", 2023, site.url("/500")),
        ("循环", 2023, site.url("/loop-a")),
        ("太大", 2023, site.url("/big-streamed")),
    ]
    with AuditStore(tmp_path / "audit.db") as store:
        result = audit(manifest(tmp_path, rows), store)
        fetches = store.conn.execute("SELECT url, status, error FROM fetches").fetchall()
        sources = store.source(hashlib.sha256(GBK_BYTES).hexdigest())
    assert result.problems == []
    status = {e.unit: (e.status, e.error) for e in result.entries}
    assert status["平潭"] == (EntryStatus.checked, None)
    assert status["沭阳"] == (EntryStatus.checked, None)
    failed = {u: err for u, (st, err) in status.items() if st == EntryStatus.failed}
    assert set(failed) == {"慢", "不存在", "出错", "循环", "太大"}
    assert all(err.startswith("fetch failed: ") and "\n" not in err for err in failed.values())
    kinds = {e.unit: e.fetch.error_kind for e in result.entries if e.fetch}
    assert kinds["慢"] == "timeout" and kinds["循环"] == "redirect_loop"
    assert kinds["不存在"] == kinds["出错"] == "http_status" and kinds["太大"] == "too_large"
    assert entry(result, "不存在").fetch.status == 404 and "404" in failed["不存在"]
    assert entry(result, "出错").fetch.status == 500
    # The good rows are checked like files: the GBK page decoded, its rules run.
    gbk = entry(result, "沭阳")
    assert gbk.fetch.charset == "gbk" and gbk.report is not None
    assert gbk.report.outcomes and "沭阳县" in (
        gbk.report.meta.organ or gbk.report.meta.title or ""
    )
    good = entry(result, "平潭")
    assert good.fetch.etag == '"v1"' and good.fetch.last_modified == "Wed, 17 Jan 2024"
    assert good.fetch.content_hash == good.content_hash == hashlib.sha256(UTF8_BYTES).hexdigest()
    assert result.summary.failed_or_timeout == 5 and result.summary.reports == 7
    # Every fetch is in the store (failures too); fetched bytes and headers reproduce the page.
    assert len(fetches) == 7 and {f[1] for f in fetches} >= {200, 404, 500}
    assert sources is not None
    data, meta = sources
    rebuilt = FetchResult.model_validate({**meta["headers"], "body": data})
    assert (
        rebuilt.charset == "gbk" and parse(rebuilt.body).meta.organ == parse(GBK_BYTES).meta.organ
    )


def test_dc505_report_changed_after_publication(site: Server, tmp_path: Path) -> None:
    rows = [
        ("平潭", 2025, site.url("/audit/report.html")),
        ("平潭二", 2025, site.url("/audit/plain.html")),
    ]
    path = manifest(tmp_path, rows)
    db = tmp_path / "audit.db"
    with AuditStore(db) as store:
        first = audit(path, store)
    assert dc505(first, "平潭").outcome == Outcome.not_applicable  # nothing to compare with yet
    assert entry(first, "平潭").status == EntryStatus.checked

    # Unchanged: a conditional request gets a 304 (the stored report is reused); the page
    # without validators is fetched again, with the same bytes.
    with AuditStore(db) as store:
        second = audit(path, store)
    same = entry(second, "平潭")
    assert same.fetch.not_modified and same.fetch.status == 304
    assert same.status == EntryStatus.cached and same.report is not None
    assert same.content_hash == entry(first, "平潭").content_hash
    assert dc505(second, "平潭").outcome == Outcome.passed
    assert dc505(second, "平潭二").outcome == Outcome.passed
    assert entry(second, "平潭二").fetch.status == 200

    # Changed after publication: a new version of both pages.
    Page.body, Page.version = UTF8_BYTES.replace("主动公开".encode(), "依法主动公开".encode(), 2), 2
    with AuditStore(db) as store:
        third = audit(path, store)
        kept = store.conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    for unit in ("平潭", "平潭二"):
        changed = dc505(third, unit)
        assert changed.outcome == Outcome.failed, unit
        [finding] = changed.findings
        assert finding.data["previous_hash"] == hashlib.sha256(UTF8_BYTES).hexdigest()
        assert finding.data["hash"] == hashlib.sha256(Page.body).hexdigest()
        assert finding.data["previous_fetched_at"] <= finding.data["fetched_at"]
        assert "/audit/" in finding.message and "SHA-256" in finding.message
    assert kept == 2  # both versions of the page are kept (once each), so both can be compared


def test_cli_fetch_limits(site: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = manifest(
        tmp_path, [("平潭", 2025, site.url("/audit/report.html")), ("慢", 2025, site.url("/slow"))]
    )
    out = tmp_path / "out.json"
    code = main(
        ["audit", str(path), "--format", "json", "-o", str(out), "--no-config",
         "--store", str(tmp_path / "cli.db"), "--jobs", "1",
         "--fetch-timeout", "0.5", "--fetch-deadline", "1.5", "--fetch-retries", "0",
         "--user-agent", "office-audit/1"]
    )  # fmt: skip
    assert code == 2  # a row could not be fetched
    data = json.loads(out.read_text(encoding="utf-8"))
    slow = next(e for e in data["entries"] if e["unit"] == "慢")
    assert slow["status"] == "failed" and slow["fetch"]["error_kind"] == "timeout"
    assert "office-audit/1" in site.site.user_agents
    assert "2 reports" in capsys.readouterr().err
