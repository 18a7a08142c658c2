"""The audit dashboard: one self-contained HTML file (``audit --format html``).

The page is a static template (``static/dashboard.{html,css,js}``) with the audit embedded as one
JSON blob and rendered by vanilla JS, so it works opened from disk with no network. Everything in
the blob is computed here from the :class:`BatchResult` (plus, optionally, rule titles from the
checker and run times / the previous run from the audit store); the JS only filters, sorts and
displays. Output is deterministic: same inputs, same bytes (sorted keys, no clock reads)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Finding, Outcome, Severity
from .model import AuditEntry, AuditSummary, BatchResult, EntryStatus
from .outputs import LABELS, OUTCOME_TEXT, STATUS_TEXT, pass_rate

if TYPE_CHECKING:
    from ..engine import Checker
    from .store import AuditStore

# Dashboard-only UI strings; merged with the shared audit labels of outputs.py into one
# dictionary per language (``ui``), which is the only source of text the JS uses.
DASH_TEXT: dict[str, dict[str, str]] = {
    "zh_CN": {
        "title": "政府信息公开工作年度报告审核看板",
        "overview": "总览", "units_total": "单位（报告）数", "units_passed": "无错误的单位",
        "units_with_errors": "有错误的单位", "units_review": "需复核的单位",
        "findings_per_unit": "平均每单位问题数", "findings_total": "问题总数",
        "unit_pass_rate": "单位通过率", "rules_errored": "规则运行出错",
        "chart_title": "各规则不通过的单位数", "chart_units": "个单位", "chart_findings": "条问题",
        "chart_empty": "没有规则不通过。", "chart_hint": "点击条形可按该规则筛选单位",
        "compare_title": "与上次审核比较", "compare_then": "上次", "compare_now": "本次",
        "compare_change": "变化", "compare_none": "审核库中没有此前的审核记录。",
        "compare_run": "上次审核", "previous_short": "上次",
        "units": "单位列表", "profile": "报告格式", "needs_review": "需复核", "verdict": "结论",
        "filter_severity": "问题级别", "filter_rule": "规则", "filter_parent": "上级单位",
        "filter_kind": "类型", "filter_text": "搜索单位、上级单位或问题…", "filter_all": "全部",
        "filter_reset": "清除筛选", "shown": "显示 {n} / {total} 个单位",
        "no_rows": "没有符合筛选条件的单位。",
        "sev_has_error": "有错误", "sev_has_warning": "有警告", "sev_has_info": "有提示",
        "sev_review": "需复核", "sev_clean": "无问题", "sev_failed": "检查失败或超时",
        "verdict_failed": "检查失败", "verdict_error": "有错误", "verdict_warning": "有警告",
        "verdict_review": "需复核", "verdict_info": "仅提示", "verdict_clean": "通过",
        "detail_close": "关闭", "detail_findings": "发现的问题", "detail_none": "没有发现问题。",
        "detail_review": "需人工复核的规则", "detail_rule_error": "运行出错的规则",
        "detail_file": "报告文件", "detail_profile_reason": "报告格式选择",
        "detail_rule_pass_rate": "规则通过率", "detail_processing": "处理状态",
        "detail_error": "错误信息", "detail_count": "{n} 条", "location": "位置",
        "line_col": "第 {line} 行", "rules": "按规则查看", "rule_failed_units": "不通过的单位",
        "rule_review_units": "需复核", "rule_none_failed": "没有单位不通过此规则。",
        "problems": "清单问题", "problems_none": "清单没有问题。", "run": "审核",
        "manifest": "清单", "recorded": "审核时间", "generated_by": "由 {tool} {version} 生成",
"noscript": "此看板需要启用 JavaScript。",
        "kind.government": "政府", "kind.department": "部门", "kind.education_department": "教育部门",
        "kind.university": "高校", "kind.unknown": "未知",
        "fetch_status": "抓取状态", "fetch_final": "最终地址", "fetch_modified": "页面最后修改",
    },
    "en": {
        "title": "Disclosure annual report audit",
        "overview": "Overview", "units_total": "Units (reports)", "units_passed": "Units without errors",
        "units_with_errors": "Units with errors", "units_review": "Units needing review",
        "findings_per_unit": "Findings per unit", "findings_total": "Findings",
        "unit_pass_rate": "Unit pass rate", "rules_errored": "Rule crashes",
        "chart_title": "Units failing each rule", "chart_units": "units", "chart_findings": "findings",
        "chart_empty": "No rule failed.", "chart_hint": "Click a bar to filter the units by that rule",
        "compare_title": "Compared with the previous audit", "compare_then": "Then",
        "compare_now": "Now", "compare_change": "Change",
        "compare_none": "The audit store has no earlier audit.", "compare_run": "Previous audit",
        "previous_short": "then",
        "units": "Units", "profile": "Profile", "needs_review": "Review", "verdict": "Verdict",
        "filter_severity": "Severity", "filter_rule": "Rule", "filter_parent": "Parent",
        "filter_kind": "Kind", "filter_text": "Search unit, parent or finding…", "filter_all": "All",
        "filter_reset": "Clear filters", "shown": "{n} of {total} units shown",
        "no_rows": "No unit matches the filters.",
        "sev_has_error": "Has errors", "sev_has_warning": "Has warnings", "sev_has_info": "Has info",
        "sev_review": "Needs review", "sev_clean": "No findings", "sev_failed": "Failed or timed out",
        "verdict_failed": "Not checked", "verdict_error": "Errors", "verdict_warning": "Warnings",
        "verdict_review": "Review", "verdict_info": "Info only", "verdict_clean": "Pass",
        "detail_close": "Close", "detail_findings": "Findings", "detail_none": "No findings.",
        "detail_review": "Rules needing review", "detail_rule_error": "Rules that crashed",
        "detail_file": "Report file", "detail_profile_reason": "Profile chosen",
        "detail_rule_pass_rate": "Rule pass rate", "detail_processing": "Processing",
        "detail_error": "Error", "detail_count": "{n}", "location": "Location",
        "line_col": "line {line}", "rules": "By rule", "rule_failed_units": "Failing units",
        "rule_review_units": "Review", "rule_none_failed": "No unit fails this rule.",
        "problems": "Manifest problems", "problems_none": "The manifest has no problems.",
        "run": "Run", "manifest": "Manifest", "recorded": "Audited",
        "generated_by": "Generated by {tool} {version}",
        "noscript": "This dashboard needs JavaScript.",
        "kind.government": "government", "kind.department": "department",
        "kind.education_department": "education department", "kind.university": "university",
        "kind.unknown": "unknown",
        "fetch_status": "Fetch status", "fetch_final": "Final URL", "fetch_modified": "Last-Modified",
    },
}  # fmt: skip
SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]  # error, warning, info
_STATIC = "static"


def ui(lang: str) -> dict[str, str]:
    """Every string of the page in one language (shared audit labels + dashboard strings)."""
    lang = lang if lang in DASH_TEXT else "zh_CN"
    out = dict(LABELS[lang])
    out.update({f"outcome.{k}": v for k, v in OUTCOME_TEXT[lang].items()})
    out.update({f"status.{k}": v for k, v in STATUS_TEXT[lang].items()})
    out.update({f"sev.{k}": LABELS[lang][k] for k in SEVERITIES})
    out.update(DASH_TEXT[lang])
    return out


@dataclass(frozen=True)
class RunInfo:
    """One audit run as the store recorded it."""

    run_id: int
    started: str | None = None
    manifest: str = ""
    summary: AuditSummary | None = None
    failed_by_rule: dict[str, int] = field(default_factory=dict)  # rule id -> units failing


@dataclass(frozen=True)
class DashboardContext:
    """What the dashboard shows beyond the BatchResult (all optional)."""

    rule_titles: dict[str, str] = field(default_factory=dict)  # rule id -> one-line summary
    current: RunInfo | None = None
    previous: RunInfo | None = None


def rule_titles(checker: Checker, rule_ids: list[str]) -> dict[str, str]:
    """One-line summaries of document and batch rules in the checker's language."""
    titles = {info.id: info.summary for info in checker.rule_catalogue(rule_ids) if info.summary}
    for rid in rule_ids:
        rule = checker.registry.batch_rules.get(rid)
        if rule is not None and rid not in titles:
            doc = rule.docs.get(checker.lang) or next(iter(rule.docs.values()), None)
            if doc is not None and doc.summary.strip():
                titles[rid] = doc.summary.strip()
    return titles


def _run_info(store: AuditStore, run: dict[str, Any]) -> RunInfo:
    summary = AuditSummary.model_validate_json(run["summary"]) if run.get("summary") else None
    try:  # read-only aggregate; a store without the table simply gives no per-rule comparison
        rows = store.conn.execute(
            "SELECT rule_id, count(*) FROM outcomes WHERE run_id = ? AND outcome = ? "
            "GROUP BY rule_id ORDER BY rule_id",
            (run["id"], Outcome.failed.value),
        ).fetchall()
    except sqlite3.Error:
        rows = []
    return RunInfo(
        run_id=int(run["id"]),
        started=run.get("started"),
        manifest=run.get("manifest") or "",
        summary=summary,
        failed_by_rule={r[0]: int(r[1]) for r in rows},
    )


def store_runs(store: AuditStore, result: BatchResult) -> tuple[RunInfo | None, RunInfo | None]:
    """This run and the audit to compare with: the previous run of the same manifest, else the
    latest earlier finished run in the store (last year's audit usually has another manifest)."""
    if result.run_id is None:
        return None, None
    runs = {int(r["id"]): r for r in store.runs()}
    current = _run_info(store, runs[result.run_id]) if result.run_id in runs else None
    prev_id = result.previous_run_id
    if prev_id is None:
        earlier = [i for i, r in runs.items() if i < result.run_id and r.get("finished")]
        prev_id = max(earlier) if earlier else None
    previous = _run_info(store, runs[prev_id]) if prev_id in runs else None
    if previous is not None and previous.summary is None:
        previous = None  # an interrupted run has no summary to compare with
    return current, previous


def dashboard_context(
    result: BatchResult, checker: Checker | None = None, store: AuditStore | None = None
) -> DashboardContext:
    ids = [s.rule_id for s in result.rule_stats]
    current, previous = store_runs(store, result) if store is not None else (None, None)
    return DashboardContext(
        rule_titles=rule_titles(checker, ids) if checker is not None else {},
        current=current,
        previous=previous,
    )


# -- the data blob ---------------------------------------------------------------------------


def _finding(f: Finding, rule_id: str) -> dict[str, Any]:
    loc = f.location
    return {
        "rule": rule_id,
        "sev": f.severity.value,
        "msg": f.message,
        "basis": f.basis,
        "sugg": f.suggestion,
        "section": loc.section,
        "line": loc.line,
        "snippet": loc.snippet,
    }


def _verdict(entry: AuditEntry, counts: dict[str, int], review: list[str]) -> str:
    """One word per unit, the row colour: the worst thing about it."""
    if entry.status in (EntryStatus.failed, EntryStatus.timeout):
        return "failed"
    for sev in ("error", "warning"):
        if counts[sev]:
            return sev
    if review:
        return "review"
    return "info" if counts["info"] else "clean"


def _file_link(path: str) -> str | None:
    if re.match(r"https?://", path):
        return path
    p = Path(path)
    return p.as_uri() if p.is_absolute() else None


def _fetch(entry: AuditEntry) -> dict[str, Any] | None:
    """URL rows: how the page was fetched (HTTP status, final URL, Last-Modified)."""
    info = getattr(entry, "fetch", None)
    if info is None:
        return None
    return {
        "status": info.status,
        "finalUrl": info.final_url,
        "lastModified": info.last_modified,
        "error": info.error_kind,
    }


def _entry(entry: AuditEntry) -> dict[str, Any]:
    counts = dict.fromkeys(SEVERITIES, 0)
    findings: list[dict[str, Any]] = []
    failed: list[str] = []
    review: list[Any] = []
    crashed: list[Any] = []
    reasons: dict[str, str] = {}
    batch_reasons = {o.rule_id: o.reason for o in entry.batch_outcomes}
    doc_reasons = {o.rule_id: o.reason for o in entry.report.outcomes} if entry.report else {}
    for rule_id, _name, outcome, rule_findings in entry.outcomes():
        for f in rule_findings:
            counts[f.severity.value] += 1
            findings.append(_finding(f, rule_id))
        if outcome == Outcome.failed:
            failed.append(rule_id)
        elif outcome in (Outcome.needs_review, Outcome.error):
            (review if outcome == Outcome.needs_review else crashed).append(rule_id)
            reason = doc_reasons.get(rule_id) or batch_reasons.get(rule_id)
            if reason:
                reasons[rule_id] = reason
    rate = pass_rate(entry)
    report = entry.report
    return {
        "unit": entry.unit,
        "code": entry.code,
        "parent": entry.parent,
        "kind": entry.kind or (report.meta.kind.value if report else None),
        "year": entry.year,
        "profile": report.profile if report else None,
        "profileReason": report.profile_reason if report else None,
        "status": entry.status.value,
        "error": entry.error or (report.status_reason if report else None),
        "path": entry.path,
        "href": _file_link(entry.path),
        "row": entry.row,
        "counts": counts,
        "review": review,
        "crashed": crashed,
        "reasons": reasons,
        "failed": failed,
        "rate": None if rate is None else round(rate, 4),
        "verdict": _verdict(entry, counts, review),
        "fetch": _fetch(entry),
        "findings": findings,
    }


def _totals(summary: AuditSummary) -> dict[str, Any]:
    n = summary.reports
    return {
        "units": n,
        "withErrors": summary.with_errors,
        "passRate": round((n - summary.with_errors) / n, 4) if n else None,
        "findings": sum(summary.findings.values()),
        "findingsPerUnit": round(sum(summary.findings.values()) / n, 2) if n else None,
    }


def _run(run: RunInfo | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.run_id,
        "started": run.started,
        "manifest": run.manifest,
        "totals": _totals(run.summary) if run.summary else None,
        "failedByRule": run.failed_by_rule,
    }


def dashboard_data(result: BatchResult, context: DashboardContext | None = None) -> dict[str, Any]:
    """The JSON the page renders: everything precomputed, in the audit's order."""
    ctx = context or DashboardContext()
    # iter_entries loads each report from the store when a streaming audit left them there
    each = getattr(result, "iter_entries", None)
    entries = [_entry(e) for e in (each() if each else result.entries)]
    rules = []
    for st in result.rule_stats:
        rules.append(
            {
                "id": st.rule_id,
                "name": st.rule_name,
                "title": ctx.rule_titles.get(st.rule_id, ""),
                "counts": st.counts,
                "findings": st.findings,
                "failedUnits": [i for i, e in enumerate(entries) if st.rule_id in e["failed"]],
                "reviewUnits": [i for i, e in enumerate(entries) if st.rule_id in e["review"]],
            }
        )
    return {
        "lang": result.lang if result.lang in DASH_TEXT else "zh_CN",
        "tool": result.tool,
        "version": result.tool_version,
        "manifest": result.manifest,
        "runId": result.run_id,
        "totals": {
            **_totals(result.summary),
            "bySeverity": result.summary.findings,
            "review": sum(1 for e in entries if e["review"]),
            "rulesErrored": result.summary.rules_errored,
        },
        "current": _run(ctx.current),
        "previous": _run(ctx.previous),
        "rules": rules,
        "entries": entries,
        "problems": [p.model_dump(mode="json") for p in result.problems],
    }


# -- the page ---------------------------------------------------------------------------------


def _script_json(data: Any) -> str:
    """JSON safe inside <script>: no ``</script>``, ``<!--`` or line separators can end it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _static(name: str) -> str:
    return (resources.files(__package__) / _STATIC / name).read_text(encoding="utf-8")


def render_html(
    result: BatchResult, context: DashboardContext | None = None, *, lang: str | None = None
) -> str:
    data = dashboard_data(result, context)
    if lang is not None:
        data["lang"] = lang if lang in DASH_TEXT else "zh_CN"
    words = ui(data["lang"])
    data["t"] = words
    parts = {
        "lang": "zh-CN" if data["lang"] == "zh_CN" else "en",
        "title": escape(f"{words['title']} · {Path(result.manifest).name or 'audit'}"),
        "noscript": escape(words["noscript"]),
        "css": _static("dashboard.css"),
        "js": _static("dashboard.js"),
        "data": _script_json(data),
    }
    # One pass over the template only: inserted CSS/JS/data are never rescanned for placeholders.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m[1]], _static("dashboard.html"))


def write_html(result: BatchResult, path: Path, context: DashboardContext | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_html(result, context).encode("utf-8"))  # "\n" on every platform
