"""The audit dashboard (``audit --format html``): structure and determinism of the file, and, in
Debian's Chromium (headless, from file://), sorting, filtering, per-unit details, no console
errors and no network. Saves screenshots to test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_audit_corpus import CORPUS, variant_2026, write_manifest

from disclosure_check.batch.audit import AuditOptions, run_audit
from disclosure_check.batch.dashboard import (
    DASH_TEXT,
    dashboard_context,
    dashboard_data,
    render_html,
    ui,
)
from disclosure_check.batch.model import BatchResult
from disclosure_check.batch.store import AuditStore
from disclosure_check.cli import main
from disclosure_check.config import Config
from disclosure_check.engine import Checker

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
STATIC = Path(__file__).resolve().parents[1] / "src/disclosure_check/batch/static"
# A unit name that would end the data <script> if it were embedded unescaped.
HOSTILE = "测试局</script><script>window.pwned=1</script>"
ROWS: list[list[object]] = [
    ["平潭综合实验区", "350128", "平潭汇总", "政府", 2023, "pingtan-zone-2023.article.html"],
    ["平潭综合实验区", "350128", "平潭汇总", "政府", 2025, "pingtan-zone-2025.html"],
    ["沭阳县发展和改革局", "", "沭阳县", "部门", 2023, "shuyang-drc-2023.html"],
    ["沭阳县", "", "", "政府", 2023, "pingtan-zone-2023.txt"],
]
MORE_ROWS: list[list[object]] = [
    ["平潭综合实验区", "350128", "", "government", 2026, "pingtan-2026.html"],
    ["沭阳县某某局", "", "沭阳县", "部门", 2023, "copy-2023.html"],
    [HOSTILE, "", "沭阳县", "部门", 2023, "pingtan-zone-2025.txt"],
    ["沭阳县缺失局", "", "沭阳县", "部门", 2023, "missing.html"],
]


def _checker() -> Checker:
    return Checker(Config())


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two audits of one manifest into one store (the first with fewer units), so the second
    has a previous audit to compare with; the second is rendered."""
    folder = tmp_path_factory.mktemp("dashboard")
    for name in (
        "pingtan-zone-2023.article.html",
        "pingtan-zone-2025.html",
        "pingtan-zone-2025.txt",
        "shuyang-drc-2023.html",
        "pingtan-zone-2023.txt",
    ):
        shutil.copy(CORPUS / name, folder / name)
    shuyang = (CORPUS / "shuyang-drc-2023.html").read_text(encoding="utf-8")
    (folder / "copy-2023.html").write_text(
        shuyang.replace("沭阳县发展和改革局", "沭阳县某某局"), encoding="utf-8"
    )
    variant_2026(folder)
    db = folder / "audit.db"
    checker = _checker()
    with AuditStore(db) as store:
        run_audit(write_manifest(folder, ROWS), checker, store=store, options=AuditOptions(jobs=1))
        manifest = write_manifest(folder, ROWS + MORE_ROWS)
        result = run_audit(manifest, checker, store=store, options=AuditOptions(jobs=1))
        context = dashboard_context(result, checker, store)
    html = render_html(result, context)
    path = folder / "audit.html"
    path.write_bytes(html.encode("utf-8"))
    return {
        "folder": folder,
        "db": db,
        "manifest": manifest,
        "result": result,
        "context": context,
        "html": html,
        "path": path,
    }


def _blob(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="dc-data">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))


# -- the file --------------------------------------------------------------------------------


def test_self_contained_and_safely_embedded(audit: dict[str, Any]) -> None:
    html: str = audit["html"]
    result: BatchResult = audit["result"]
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    # No network: nothing loaded from anywhere, and a CSP that forbids it anyway.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html
    # The hostile unit name is data, not markup: only the page's own two scripts close.
    assert html.count("</script>") == 2
    assert "\\u003c/script\\u003e" in html
    data = _blob(html)
    assert [e["unit"] for e in data["entries"]] == [e.unit for e in result.entries]
    assert HOSTILE in {e["unit"] for e in data["entries"]}
    assert data["t"]["units"] == "单位列表"
    assert data["previous"] is not None and data["previous"]["totals"]["units"] == 4
    assert data["totals"]["units"] == len(result.entries) == 7
    assert [p["row"] for p in data["problems"]] == [9]  # missing.html


def test_deterministic(audit: dict[str, Any]) -> None:
    result: BatchResult = audit["result"]
    again = BatchResult.model_validate_json(result.model_dump_json())
    assert render_html(again, audit["context"]).encode() == audit["html"].encode()
    assert render_html(result) == render_html(result)


def test_data_matches_the_result(audit: dict[str, Any]) -> None:
    result: BatchResult = audit["result"]
    data = dashboard_data(result, audit["context"])
    for e, d in zip(result.entries, data["entries"], strict=True):
        findings = [f for *_, fs in e.outcomes() for f in fs]
        assert len(d["findings"]) == len(findings)
        assert sum(d["counts"].values()) == len(findings)
    dc501 = next(r for r in data["rules"] if r["id"] == "DC501")
    assert [data["entries"][i]["year"] for i in dc501["failedUnits"]] == [2026]
    assert dc501["title"]  # rule summary from the checker


def test_every_ui_string_in_both_languages() -> None:
    assert set(DASH_TEXT["zh_CN"]) == set(DASH_TEXT["en"])
    assert set(ui("zh_CN")) == set(ui("en"))
    js = (STATIC / "dashboard.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([\w.]+)"[,)]', js))
    assert used and used <= set(ui("zh_CN")), used - set(ui("zh_CN"))


def test_cli_writes_dashboard(audit: dict[str, Any]) -> None:
    out = audit["folder"] / "cli" / "audit.html"
    argv = ["audit", str(audit["manifest"]), "--store", str(audit["db"]), "--jobs", "1"]
    code = main([*argv, "--format", "html", "-o", str(out), "--exit-zero", "--lang", "en"])
    assert code == 0
    html = out.read_text(encoding="utf-8")
    data = _blob(html)
    assert '<html lang="en">' in html and data["t"]["units"] == "Units"
    assert data["previous"]["id"] == audit["result"].run_id  # compared with the last run
    assert len(data["entries"]) == 7


# -- in the browser --------------------------------------------------------------------------

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs pip install playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield browser
        browser.close()


class PageLog:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []


@pytest.fixture(scope="module")
def browser_page(browser: Any) -> Any:
    """One tab for the module (a new context costs ~0.4 s); each test reloads the file."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.log = PageLog()
    page.on("console", lambda m: m.type in ("error", "warning") and page.log.errors.append(m.text))
    page.on("pageerror", lambda e: page.log.errors.append(str(e)))
    page.on("requestfailed", lambda r: page.log.errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: page.log.requests.append(r.url))
    yield page
    context.close()


@pytest.fixture
def page(browser_page: Any, audit: dict[str, Any]) -> Any:
    browser_page.log = PageLog()
    browser_page.goto(audit["path"].as_uri())
    browser_page.wait_for_selector("html[data-ready='1']")
    return browser_page


def _rows(page: Any) -> list[dict[str, str]]:
    """The visible units table as dicts of column key -> cell text."""
    return page.eval_on_selector_all(
        "#units-table tbody tr[data-index]",
        "rows => rows.map(r => Object.fromEntries([...r.cells].map(c => [c.dataset.key, c.textContent])))",
    )


def _searchable(e: dict[str, Any]) -> list[str | None]:
    """What the text filter searches: unit, parent, code, profile, file and finding messages."""
    return [e["unit"], e["parent"], e["code"], e["profile"], e["path"]] + [
        f["msg"] for f in e["findings"]
    ]


def _expected(audit: dict[str, Any], keep: Any) -> int:
    return sum(1 for e in dashboard_data(audit["result"])["entries"] if keep(e))


@pytest.mark.browser
def test_loads_without_errors_or_network(page: Any, audit: dict[str, Any]) -> None:
    assert page.log.errors == []
    assert page.log.requests == [audit["path"].as_uri()]  # only the file itself
    assert page.evaluate("window.pwned") is None  # the hostile unit name stayed text
    assert page.inner_text("h1") == "政府信息公开工作年度报告审核看板"
    assert page.locator("#chart .bar-row").count() >= 5
    assert "上次" in page.inner_text("#compare-table")


@pytest.mark.browser
def test_one_row_per_report_and_screenshot(page: Any, audit: dict[str, Any]) -> None:
    rows = _rows(page)
    assert [r["unit"] for r in rows] == [e.unit for e in audit["result"].entries]
    assert page.inner_text("#units-count") == "显示 7 / 7 个单位"
    verdicts = page.eval_on_selector_all("#units-table tbody tr", "rs => rs.map(r => r.className)")
    assert "v-error" in verdicts and "v-warning" in verdicts
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


@pytest.mark.browser
def test_sorting_by_header(page: Any) -> None:
    page.click("#units-table th[data-key=error]")
    errors = [int(r["error"]) for r in _rows(page)]
    assert errors == sorted(errors) and errors[0] < errors[-1]
    assert page.get_attribute("#units-table th[data-key=error]", "aria-sort") == "ascending"
    page.click("#units-table th[data-key=error]")
    assert [int(r["error"]) for r in _rows(page)] == sorted(errors, reverse=True)
    assert page.get_attribute("#units-table th[data-key=error]", "aria-sort") == "descending"
    page.click("#units-table th[data-key=year]")
    years = [int(r["year"]) for r in _rows(page)]
    assert years == sorted(years) and years[-1] == 2026


@pytest.mark.browser
def test_filters_narrow_the_rows(page: Any, audit: dict[str, Any]) -> None:
    total = len(audit["result"].entries)

    def count() -> int:
        return len(_rows(page))

    page.select_option("#f-sev", "error")
    want = _expected(audit, lambda e: e["counts"]["error"] > 0)
    assert 0 < count() == want < total
    page.click("#f-reset")
    page.select_option("#f-rule", "DC504")
    want = _expected(audit, lambda e: "DC504" in e["failed"])
    assert 0 < count() == want < total
    page.click("#f-reset")
    page.select_option("#f-kind", "department")
    assert count() == _expected(audit, lambda e: e["kind"] == "department") == 3
    page.select_option("#f-parent", "沭阳县")  # filters combine
    assert count() == 3
    page.click("#f-reset")
    page.fill("#f-text", "平潭")
    # the text filter searches unit, parent, code, profile, file and finding messages
    assert (
        count() == _expected(audit, lambda e: any("平潭" in (x or "") for x in _searchable(e))) == 4
    )
    page.fill("#f-text", "没有这个单位")
    assert count() == 0 and "没有符合" in page.inner_text("#units-table tbody")
    page.click("#f-reset")
    assert count() == total


@pytest.mark.browser
def test_unit_detail_shows_findings_with_evidence(page: Any, audit: dict[str, Any]) -> None:
    result: BatchResult = audit["result"]
    index = next(i for i, e in enumerate(result.entries) if e.unit == "沭阳县发展和改革局")
    findings = [f for *_, fs in result.entries[index].outcomes() for f in fs]
    page.click(f"#units-table tbody tr[data-index='{index}']")
    assert page.is_visible("#detail")
    assert page.inner_text("#detail-title") == "沭阳县发展和改革局 · 2023"
    assert page.locator("#detail .finding").count() == len(findings)
    # Error groups come first; the first finding carries basis, suggestion, location and excerpt.
    assert page.get_attribute("#detail .rule-group >> nth=0", "data-rule") == "DC203"
    page.click("#detail .rule-group >> nth=0 >> summary")  # 125 findings: collapsed at first
    first = page.locator("#detail .finding").first.inner_text()
    f203 = next(f for f in findings if f.rule_id == "DC203")
    assert f203.message in first and f203.basis in first and f203.suggestion in first
    assert "依据" in first and "建议" in first and "第 " in first and f203.location.snippet in first
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-detail.png"))
    page.click("#detail-close")
    assert not page.is_visible("#detail")


@pytest.mark.browser
def test_rule_lists_failing_units_and_chart_filters(page: Any, audit: dict[str, Any]) -> None:
    failing = [
        f"{e.unit} {e.year}"
        for e in audit["result"].entries
        if any(o.rule_id == "DC504" and o.outcome == "failed" for o in e.batch_outcomes)
    ]
    assert "沭阳县某某局 2023" in failing
    chips = page.locator("#rules-table tr[data-rule=DC504] .chip")
    assert chips.all_text_contents() == failing
    page.click("#chart .bar-row[data-rule=DC501]")
    assert page.input_value("#f-rule") == "DC501"
    assert [r["year"] for r in _rows(page)] == ["2026"]
    page.locator("#rules-table tr[data-rule=DC504] summary").click()
    chips.first.click()
    assert page.is_visible("#detail")


@pytest.mark.browser
def test_english_interface(browser: Any, audit: dict[str, Any]) -> None:
    path = audit["folder"] / "audit-en.html"
    path.write_text(render_html(audit["result"], audit["context"], lang="en"), encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-ready='1']")
    assert page.inner_text("h1") == "Disclosure annual report audit"
    assert page.inner_text("#units-count") == "7 of 7 units shown"
    assert errors == []
    page.close()
