"""Audit outputs over one BatchResult: a workbook for the provincial office (xlsx), a findings
table (csv) and the batch JSON (``schemas/batch.schema.json``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import DisclosureCheckError
from ..model import Finding, Outcome
from .model import AuditEntry, BatchResult

LABELS = {
    "zh_CN": {
        "unit": "单位", "code": "单位代码", "parent": "上级单位", "kind": "类型", "year": "年度",
        "status": "处理状态", "error": "错误", "warning": "警告", "info": "提示",
        "pass_rate": "通过率", "rule": "规则", "rule_name": "规则名称", "severity": "严重程度",
        "message": "问题", "section": "部分", "line": "行", "snippet": "原文摘录",
        "basis": "依据", "suggestion": "建议", "path": "文件", "row": "清单行号",
        "problem": "问题说明", "failed_rate": "不通过率", "findings": "问题数",
        "summary": "汇总", "findings_sheet": "问题清单", "rules_sheet": "规则统计",
        "problems_sheet": "清单问题",
    },
    "en": {
        "unit": "Unit", "code": "Code", "parent": "Parent", "kind": "Kind", "year": "Year",
        "status": "Status", "error": "Errors", "warning": "Warnings", "info": "Info",
        "pass_rate": "Pass rate", "rule": "Rule", "rule_name": "Rule name", "severity": "Severity",
        "message": "Message", "section": "Section", "line": "Line", "snippet": "Excerpt",
        "basis": "Basis", "suggestion": "Suggestion", "path": "File", "row": "Manifest row",
        "problem": "Problem", "failed_rate": "Failure rate", "findings": "Findings",
        "summary": "Summary", "findings_sheet": "Findings", "rules_sheet": "Rules",
        "problems_sheet": "Manifest problems",
    },
}  # fmt: skip
OUTCOME_TEXT = {
    "zh_CN": {"passed": "通过", "failed": "不通过", "needs_review": "需复核",
              "not_applicable": "不适用", "error": "出错"},
    "en": {"passed": "pass", "failed": "FAIL", "needs_review": "review",
           "not_applicable": "n/a", "error": "error"},
}  # fmt: skip
STATUS_TEXT = {
    "zh_CN": {"checked": "已检查", "cached": "已检查（缓存）", "failed": "检查失败", "timeout": "超时"},
    "en": {"checked": "checked", "cached": "checked (cached)", "failed": "failed", "timeout": "timed out"},
}  # fmt: skip
SEVERITY_TEXT = {"zh_CN": {"error": "错误", "warning": "警告", "info": "提示"}}
FILLS = {  # outcome -> background colour
    "passed": "C6EFCE", "failed": "FFC7CE", "needs_review": "FFEB9C",
    "not_applicable": "EDEDED", "error": "D9B3FF",
}  # fmt: skip


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["zh_CN"])


def rule_columns(result: BatchResult) -> list[tuple[str, str]]:
    return [(s.rule_id, s.rule_name) for s in result.rule_stats]


def pass_rate(entry: AuditEntry) -> float | None:
    """Passed ÷ decided (passed + failed) rules; None when nothing was decided."""
    outcomes = [o for _, _, o, _ in entry.outcomes()]
    decided = [o for o in outcomes if o in (Outcome.passed, Outcome.failed)]
    return sum(o == Outcome.passed for o in decided) / len(decided) if decided else None


def finding_rows(result: BatchResult) -> list[dict[str, Any]]:
    """One row per finding (and one per report that could not be checked), sorted."""
    lang = result.lang
    sev = SEVERITY_TEXT.get(lang, {})
    rows = []
    for e in result.iter_entries():
        base = {"unit": e.unit, "code": e.code, "parent": e.parent, "kind": e.kind, "year": e.year}
        if e.error:
            rows.append({**base, "rule": "", "rule_name": "", "severity": sev.get("error", "error"),
                         "message": e.error, "path": e.path})  # fmt: skip
        for rule_id, name, _outcome, findings in e.outcomes():
            for f in findings:
                rows.append({**base, **_finding_cells(f, rule_id, name, sev), "path": e.path})
    return rows


def _finding_cells(f: Finding, rule_id: str, name: str, sev: dict[str, str]) -> dict[str, Any]:
    return {
        "rule": rule_id,
        "rule_name": name,
        "severity": sev.get(f.severity.value, f.severity.value),
        "message": f.message,
        "section": f.location.section,
        "line": f.location.line,
        "snippet": f.location.snippet,
        "basis": f.basis,
        "suggestion": f.suggestion,
    }


FINDING_COLUMNS = (
    "unit", "code", "parent", "kind", "year", "rule", "rule_name", "severity", "message",
    "section", "line", "snippet", "basis", "suggestion", "path",
)  # fmt: skip


def render_csv(result: BatchResult) -> str:
    labels = _labels(result.lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([labels[c] for c in FINDING_COLUMNS])
    for row in finding_rows(result):
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in FINDING_COLUMNS])
    return out.getvalue()


def render_json(result: BatchResult) -> str:
    """The batch JSON; entries are dumped one at a time (their reports read back from the store
    when the audit streamed them), spliced into the rest exactly as one dump would indent them."""
    if result._load_report is None:
        return result.model_dump_json(indent=2) + "\n"
    head = result.model_copy(update={"entries": []}).model_dump_json(indent=2)
    marker = '\n  "entries": [],\n'
    before, after = head.split(marker, 1)
    parts = [before, '\n  "entries": [']
    for i, entry in enumerate(result.iter_entries()):
        text = entry.model_dump_json(indent=2).replace("\n", "\n    ")
        parts.append(("," if i else "") + "\n    " + text)
    parts.append("\n  ],\n" if result.entries else "],\n")
    return "".join([*parts, after, "\n"])


def write_xlsx(result: BatchResult, path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError as exc:
        raise DisclosureCheckError(
            "the xlsx format needs openpyxl: pip install 'disclosure-check[audit]'"
        ) from exc
    lang = result.lang
    labels, words = _labels(lang), OUTCOME_TEXT.get(lang, OUTCOME_TEXT["zh_CN"])
    status_words = STATUS_TEXT.get(lang, STATUS_TEXT["zh_CN"])
    bold = Font(bold=True)
    fills = {k: PatternFill("solid", start_color=v, end_color=v) for k, v in FILLS.items()}
    book = Workbook()

    # Summary: units × rules, coloured, with counts per severity and the pass rate.
    ws = book.worksheets[0]  # the sheet a new Workbook starts with
    ws.title = labels["summary"]
    rules = rule_columns(result)
    head = [labels[k] for k in ("unit", "code", "parent", "kind", "year", "status")]
    sev_keys = ("error", "warning", "info")
    ws.append([*head, *(r for r, _ in rules), *(labels[k] for k in sev_keys), labels["pass_rate"]])
    for col in range(len(head) + 1, len(head) + len(rules) + 1):
        ws.cell(row=1, column=col).alignment = Alignment(text_rotation=90)
        ws.column_dimensions[get_column_letter(col)].width = 7
    for e in result.iter_entries():
        by_rule = {rid: (o, fs) for rid, _n, o, fs in e.outcomes()}
        counts = dict.fromkeys(sev_keys, 0)
        for _o, fs in by_rule.values():
            for f in fs:
                counts[f.severity.value] += 1
        rate = pass_rate(e)
        ws.append(
            [
                e.unit, e.code, e.parent, e.kind, e.year, status_words[e.status.value],
                *(words[by_rule[r][0].value] if r in by_rule else "" for r, _ in rules),
                *(counts[k] for k in sev_keys),
                None if rate is None else round(rate, 4),
            ]
        )  # fmt: skip
        row = ws.max_row
        for col, (rid, _n) in enumerate(rules, start=len(head) + 1):
            if rid in by_rule:
                ws.cell(row=row, column=col).fill = fills[by_rule[rid][0].value]
        ws.cell(row=row, column=ws.max_column).number_format = "0%"
    _finish_sheet(ws, bold, {1: 24, 3: 18})
    ws.freeze_panes = ws.cell(row=2, column=len(head) + 1).coordinate

    # Findings: one row per finding.
    ws = book.create_sheet(labels["findings_sheet"])
    ws.append([labels[c] for c in FINDING_COLUMNS])
    for row_data in finding_rows(result):
        ws.append([row_data.get(c) for c in FINDING_COLUMNS])
    _finish_sheet(ws, bold, {1: 24, 7: 24, 9: 60, 12: 40, 13: 30, 14: 40})

    # Per-rule statistics.
    ws = book.create_sheet(labels["rules_sheet"])
    outcome_keys = [o.value for o in Outcome]
    ws.append(
        [labels["rule"], labels["rule_name"], *(words[o] for o in outcome_keys),
         *(labels[k] for k in sev_keys), labels["failed_rate"]]
    )  # fmt: skip
    for st in result.rule_stats:
        decided = st.counts["passed"] + st.counts["failed"]
        ws.append(
            [st.rule_id, st.rule_name, *(st.counts[o] for o in outcome_keys),
             *(st.findings[k] for k in sev_keys),
             round(st.counts["failed"] / decided, 4) if decided else None]
        )  # fmt: skip
        ws.cell(row=ws.max_row, column=ws.max_column).number_format = "0%"
    _finish_sheet(ws, bold, {2: 32})

    if result.problems:
        ws = book.create_sheet(labels["problems_sheet"])
        ws.append([labels["row"], labels["unit"], labels["year"], labels["problem"]])
        for p in result.problems:
            ws.append([p.row, p.unit, p.year, p.message])
        _finish_sheet(ws, bold, {2: 24, 4: 60})
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _finish_sheet(ws: Any, bold: Any, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = bold
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


TEXT_FORMATS: dict[str, Callable[[BatchResult], str]] = {"csv": render_csv, "json": render_json}
FORMATS = ("xlsx", "html", *TEXT_FORMATS)  # html: batch/dashboard.py
