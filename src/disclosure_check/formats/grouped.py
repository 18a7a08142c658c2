"""``--format grouped``: human text grouped by report, then by rule: a header per report with its
profile and counts, each failed rule with its findings (line:column, message, suggestion), then
the rules that need review or crashed; a summary line at the end."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from ..i18n import t
from ..model import DocumentReport, Outcome, RunResult
from .common import column_of, line_of, report_path, snippet_line
from .text import _STYLE, open_console, summary_line

_OUTCOME_STYLE = {Outcome.needs_review: "magenta", Outcome.error: "bold magenta"}


def _header(report: DocumentReport, lang: str) -> Text:
    counts = report.counts()
    header = Text(report_path(report), style="bold underline")
    if report.profile:
        header.append(f"  [{t('label.profile', lang)}: {report.profile}]", style="dim")
    parts = [
        f"{counts[key]} {t('severity.' + key, lang)}"
        for key in ("error", "warning", "info")
        if counts[key]
    ]
    if counts["needs_review"]:
        parts.append(f"{counts['needs_review']} {t('outcome.needs_review', lang)}")
    # counts()["error"] is the error *severity*; crashed rules are counted here
    crashed = sum(1 for o in report.outcomes if o.outcome == Outcome.error)
    if crashed:
        parts.append(f"{crashed} {t('outcome.error', lang)}")
    header.append("  " + ("; ".join(parts) if parts else t("outcome.passed", lang)))
    return header


def _report(console: Console, report: DocumentReport, lang: str) -> None:
    console.print(_header(report, lang))
    if report.status.value != "ok":
        reason = report.status_reason or report.status.value
        console.print(Text(f"  {report.status.value}: {reason}", style="red"))
    for diag in report.diagnostics:
        console.print(Text(f"  ! {diag.code}: {diag.message}", style="dim"))
    for outcome in report.outcomes:
        if outcome.findings:
            worst = max((f.severity for f in outcome.findings), key=lambda s: s.rank)
            head = Text("  ")
            head.append(f"{outcome.rule_id} {outcome.rule_name}", style=_STYLE[worst])
            head.append(f"  ({len(outcome.findings)})", style="dim")
            console.print(head)
            for f in outcome.findings:
                col = column_of(f.location)
                pos = f"{line_of(f.location)}:{col or 1}"
                sev = t("severity." + f.severity.value, lang)
                console.print(Text(f"    {pos:>9}  [{sev}] {f.message}"))
                snippet = snippet_line(f.location)
                if snippet:
                    console.print(Text(f"{'':15}“{snippet}”", style="dim"))
                if f.suggestion:
                    label = t("label.suggestion", lang)
                    console.print(Text(f"{'':15}{label}: {f.suggestion}", style="dim"))
        if outcome.outcome in _OUTCOME_STYLE:
            label = t("outcome." + outcome.outcome.value, lang)
            line = Text(f"  {outcome.rule_id} {outcome.rule_name} ({label}): ")
            line.append(outcome.reason or "", style=_OUTCOME_STYLE[outcome.outcome])
            console.print(line)


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    buf = io.StringIO()
    console = open_console(buf, color=color, diagnostics=result.diagnostics)
    for i, report in enumerate(result.reports):
        if i:
            console.print()
        _report(console, report, lang)
    console.print()
    console.print(summary_line(result, lang))
    return buf.getvalue()
