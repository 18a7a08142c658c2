"""An audit over real corpus reports plus generated variants: workbook, store, cross-report
findings (DC501–DC504), interruption and re-run, and the CLI."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from disclosure_check.batch.audit import AuditOptions, run_audit
from disclosure_check.batch.model import BatchResult, EntryStatus
from disclosure_check.batch.outputs import write_xlsx
from disclosure_check.batch.store import AuditStore
from disclosure_check.cli import main
from disclosure_check.config import Config
from disclosure_check.engine import Checker
from disclosure_check.model import Outcome

CORPUS = Path(__file__).parent / "corpus"
CARRY_ROW = "二、上年结转政府信息公开申请数量"
FIELDS = ["单位名称", "单位代码", "上级单位", "类型", "年度", "文件"]


def variant_2026(folder: Path, carry: list[int] | None = None) -> Path:
    """Pingtan 2025 re-labelled as 2026 with a few sentences changed; ``carry`` rewrites table 3
    row 二 (otherwise it keeps 2025's zeros, which do not match 2025's 结转下年度 of 6)."""
    html = (CORPUS / "pingtan-zone-2025.html").read_text(encoding="utf-8").replace("2025", "2026")
    html = html.replace("主动公开", "主动公开发布", 3)
    if carry is not None:
        start = html.index(CARRY_ROW)
        cells = list(re.finditer(r'(<p style="text-indent: 0em;">)(\d+)(</p>)', html[start:]))[:7]
        for m, value in reversed(list(zip(cells, carry, strict=True))):
            a, b = start + m.start(2), start + m.end(2)
            html = html[:a] + str(value) + html[b:]
    out = folder / ("pingtan-2026.html" if carry is None else "pingtan-2026-fixed.html")
    out.write_text(html, encoding="utf-8")
    return out


def write_manifest(folder: Path, rows: list[list[object]]) -> Path:
    path = folder / "manifest.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FIELDS)
        w.writerows(rows)
    return path


@pytest.fixture
def audit_dir(tmp_path: Path) -> Path:
    for name in (
        "pingtan-zone-2023.article.html",
        "pingtan-zone-2025.html",
        "shuyang-drc-2023.html",
        "pingtan-zone-2023.txt",
    ):
        shutil.copy(CORPUS / name, tmp_path / name)
    shutil.copy(CORPUS / "pingtan-zone-2025.html", tmp_path / "summary-2025.html")
    shuyang = (CORPUS / "shuyang-drc-2023.html").read_text(encoding="utf-8")
    (tmp_path / "copy-2023.html").write_text(
        shuyang.replace("沭阳县发展和改革局", "沭阳县某某局"), encoding="utf-8"
    )
    variant_2026(tmp_path)
    write_manifest(
        tmp_path,
        [
            [
                "平潭综合实验区",
                "350128",
                "平潭汇总",
                "政府",
                2023,
                "pingtan-zone-2023.article.html",
            ],
            ["平潭综合实验区", "350128", "平潭汇总", "政府", 2025, "pingtan-zone-2025.html"],
            ["平潭综合实验区", "350128", "", "government", 2026, "pingtan-2026.html"],
            ["平潭汇总", "", "", "政府", 2025, "summary-2025.html"],
            ["平潭汇总", "", "", "政府", 2023, "shuyang-drc-2023.html"],
            ["沭阳县发展和改革局", "", "沭阳县", "部门", 2023, "shuyang-drc-2023.html"],
            ["沭阳县某某局", "", "沭阳县", "部门", 2023, "copy-2023.html"],
            ["沭阳县", "", "", "政府", 2023, "pingtan-zone-2023.txt"],
            ["沭阳县缺失局", "", "沭阳县", "部门", 2023, "missing.html"],
            ["某单位", "", "", "神秘机构", 2023, "shuyang-drc-2023.html"],
            ["平潭综合实验区", "", "", "政府", 2025, "pingtan-zone-2025.html"],
            ["某单位", "", "", "部门", "二〇二三", "shuyang-drc-2023.html"],
        ],
    )
    return tmp_path


def checker() -> Checker:
    return Checker(Config())


def outcome(result: BatchResult, unit: str, year: int, rule: str):
    entry = next(e for e in result.entries if e.unit == unit and e.year == year)
    return next(o for o in entry.batch_outcomes if o.rule_id == rule)


@pytest.fixture
def audited(audit_dir: Path) -> tuple[Path, BatchResult]:
    with AuditStore(audit_dir / "audit.db") as store:
        result = run_audit(
            audit_dir / "manifest.csv", checker(), store=store, options=AuditOptions(jobs=2)
        )
    return audit_dir, result


def test_bad_rows_are_reported_with_row_numbers(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    problems = {p.row: p.message for p in result.problems}
    assert sorted(problems) == [10, 11, 12, 13]
    assert "not found" in problems[10]
    assert "unknown kind" in problems[11]
    assert "duplicate" in problems[12] and "row 3" in problems[12]
    assert "year" in problems[13]
    assert len(result.entries) == 8  # the good rows all ran
    assert all(e.status == EntryStatus.checked for e in result.entries)


def test_entries_sorted_by_unit_and_year(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    keys = [(e.unit, e.year) for e in result.entries]
    assert keys == sorted(keys)
    for e in result.entries:
        assert [o.rule_id for o in e.batch_outcomes] == [
            "DC501",
            "DC502",
            "DC503",
            "DC504",
            "DC505",
        ]


def test_dc501_copy_of_previous_year(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    dc501 = outcome(result, "平潭综合实验区", 2026, "DC501")
    assert dc501.outcome == Outcome.failed
    keys = {f.message_key for f in dc501.findings}
    assert {"overall", "identical-table"} <= keys
    overall = next(f for f in dc501.findings if f.message_key == "overall")
    assert overall.data["overlap"] > 0.9 and "2025" in overall.message
    # 2023 → 2025 is not consecutive: nothing to compare.
    assert outcome(result, "平潭综合实验区", 2025, "DC501").outcome == Outcome.not_applicable


def test_dc502_carry_over_mismatch(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    dc502 = outcome(result, "平潭综合实验区", 2026, "DC502")
    assert dc502.outcome == Outcome.failed
    total = [f for f in dc502.findings if f.data["column"] == "total"]
    assert total and total[0].data == {"column": "total", "current": 0, "expected": 6}


def test_dc502_passes_when_carry_matches(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "pingtan-zone-2025.html", tmp_path / "p2025.html")
    # 2025's 四、结转下年度继续办理: 4 natural persons + 2 commercial enterprises = 6.
    fixed = variant_2026(tmp_path, carry=[4, 2, 0, 0, 0, 0, 6])
    manifest = write_manifest(
        tmp_path, [["平潭", "", "", "", 2025, "p2025.html"], ["平潭", "", "", "", 2026, fixed.name]]
    )
    result = run_audit(manifest, checker(), options=AuditOptions(jobs=1))
    assert outcome(result, "平潭", 2026, "DC502").outcome == Outcome.passed


def test_dc503_hierarchy_sum(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    # The 2025 summary is the only child's report: sums hold.
    assert outcome(result, "平潭汇总", 2025, "DC503").outcome == Outcome.passed
    # 2023: the summary's tables differ from its only child's.
    failed = outcome(result, "平潭汇总", 2023, "DC503")
    assert failed.outcome == Outcome.failed
    assert failed.findings[0].data["children"] == ["平潭综合实验区"]
    # 沭阳县: a listed child has no report → needs_review naming it.
    review = outcome(result, "沭阳县", 2023, "DC503")
    assert review.outcome == Outcome.needs_review
    assert "沭阳县缺失局" in (review.reason or "")
    assert outcome(result, "沭阳县某某局", 2023, "DC503").outcome == Outcome.not_applicable


def test_dc504_near_duplicate_units(audited: tuple[Path, BatchResult]) -> None:
    _, result = audited
    dup = outcome(result, "沭阳县某某局", 2023, "DC504")
    assert dup.outcome == Outcome.failed
    similar = {s["unit"] for s in dup.findings[0].data["similar"]}
    assert "沭阳县发展和改革局" in similar
    # The 2023 Pingtan report appears twice (HTML fragment and crawler text) under two units:
    # the same report, so near-duplicate; it is not similar to the Shuyang reports.
    pingtan = outcome(result, "平潭综合实验区", 2023, "DC504")
    assert {s["unit"] for s in pingtan.findings[0].data["similar"]} == {"沭阳县"}


def test_workbook(audited: tuple[Path, BatchResult]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    folder, result = audited
    path = folder / "audit.xlsx"
    write_xlsx(result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "问题清单", "规则统计", "清单问题"]
    summary = book["汇总"]
    header = [c.value for c in summary[1]]
    assert header[:6] == ["单位", "单位代码", "上级单位", "类型", "年度", "处理状态"]
    assert {"DC501", "DC504", "错误", "警告", "通过率"} <= set(header)
    col = header.index("DC501") + 1
    row = next(
        r for r in range(2, summary.max_row + 1)
        if summary.cell(r, 1).value == "平潭综合实验区" and summary.cell(r, 5).value == 2026
    )  # fmt: skip
    cell = summary.cell(row, col)
    assert cell.value == "不通过" and cell.fill.start_color.rgb.endswith("FFC7CE")
    findings = book["问题清单"]
    assert [c.value for c in findings[1]][:3] == ["单位", "单位代码", "上级单位"]
    assert any(r[5] == "DC502" for r in findings.iter_rows(min_row=2, values_only=True))
    stats = {r[0]: r for r in book["规则统计"].iter_rows(min_row=2, values_only=True)}
    assert stats["DC501"][3] >= 1  # failed count
    assert [r[0] for r in book["清单问题"].iter_rows(min_row=2, values_only=True)] == [
        10,
        11,
        12,
        13,
    ]


def test_store_keeps_runs_and_serves_cache(audited: tuple[Path, BatchResult]) -> None:
    folder, first = audited
    with AuditStore(folder / "audit.db") as store:
        second = run_audit(folder / "manifest.csv", checker(), store=store)
        runs = store.runs()
    assert second.summary.cached == len(second.entries) == 8
    assert [r["id"] for r in runs] == [first.run_id, second.run_id]
    assert all(r["finished"] for r in runs)
    assert second.previous_run_id == first.run_id

    def strip(r: BatchResult) -> list[object]:
        return [
            (e.unit, e.year, e.report.outcomes if e.report else None, e.batch_outcomes)
            for e in r.entries
        ]

    assert strip(first) == strip(second)


def test_next_year_compares_with_store_when_files_are_gone(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "pingtan-zone-2025.html", tmp_path / "p2025.html")
    db = tmp_path / "audit.db"
    with AuditStore(db) as store:
        run_audit(
            write_manifest(tmp_path, [["平潭", "", "", "", 2025, "p2025.html"]]),
            checker(),
            store=store,
        )
    (tmp_path / "p2025.html").unlink()
    variant_2026(tmp_path)
    manifest = write_manifest(tmp_path, [["平潭", "", "", "", 2026, "pingtan-2026.html"]])
    with AuditStore(db) as store:
        result = run_audit(manifest, checker(), store=store)
    assert outcome(result, "平潭", 2026, "DC501").outcome == Outcome.failed
    assert outcome(result, "平潭", 2026, "DC502").outcome == Outcome.failed


def test_interrupted_audit_redoes_only_the_missing(audit_dir: Path) -> None:
    db = audit_dir / "audit.db"
    seen: list[str] = []

    def stop_after_three(entry, done: int, total: int) -> None:
        seen.append(entry.path)
        if done == 3:
            raise KeyboardInterrupt

    with AuditStore(db) as store, pytest.raises(KeyboardInterrupt):
        run_audit(
            audit_dir / "manifest.csv", checker(), store=store,
            options=AuditOptions(jobs=1, progress=stop_after_three),
        )  # fmt: skip
    with AuditStore(db) as store:
        result = run_audit(audit_dir / "manifest.csv", checker(), store=store)
        runs = store.runs()
    cached = {e.path for e in result.entries if e.status == EntryStatus.cached}
    assert set(seen) <= cached  # everything finished before the kill is served from the store
    # …and only content not seen before the kill is checked again (a second unit listing the
    # same file is served from the store too: the cache key is the content, not the path).
    seen_hashes = {e.content_hash for e in result.entries if e.path in seen}
    checked = [e for e in result.entries if e.status == EntryStatus.checked]
    assert len(checked) == 8 - len(cached) >= 4
    assert not {e.content_hash for e in checked} & seen_hashes
    assert runs[0]["finished"] is None and runs[1]["finished"]  # the old run is not rewritten


def test_cli_audit_writes_outputs(audit_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = audit_dir / "out.json"
    code = main(
        ["audit", str(audit_dir / "manifest.csv"), "--format", "json", "-o", str(out),
         "--store", str(audit_dir / "cli.db"), "--jobs", "2", "--no-config"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code in (0, 1)  # 1 when document rules found errors; never 2 (all reports checked)
    assert "row 10:" in err and "8 reports" in err and "rules errored" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["reports"] == 8
    xlsx = audit_dir / "out.xlsx"
    assert (
        main(
            [
                "audit",
                str(audit_dir / "manifest.csv"),
                "-o",
                str(xlsx),
                "--no-store",
                "--exit-zero",
                "--no-config",
            ]
        )
        == 0
    )
    assert xlsx.stat().st_size > 0
