"""``--format text``: findings one per line (ruff style), then a summary line."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from ..i18n import localized_note, t
from ..model import Diagnostic, DocumentReport, Finding, Outcome, RunResult, Severity
from ..rules import localize

_STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}


def _where(report: DocumentReport, finding: Finding) -> str:
    loc = finding.location
    pos = f":{loc.line}:{loc.column or 1}" if loc.line else ""
    return f"{report.source or '<input>'}{pos}"


def summary_line(result: RunResult, lang: str) -> str:
    counts = {k: 0 for k in ("error", "warning", "info", "needs_review", "error_outcome")}
    for report in result.reports:
        for f in report.findings():
            counts[f.severity.value] += 1
        for o in report.outcomes:
            if o.outcome == Outcome.needs_review:
                counts["needs_review"] += 1
            elif o.outcome == Outcome.error:
                counts["error_outcome"] += 1
    return t(
        "summary",
        lang,
        reports=len(result.reports),
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        review=counts["needs_review"],
        crashed=counts["error_outcome"],
    )


def open_console(buf: io.StringIO, *, color: bool, diagnostics: list[Diagnostic]) -> Console:
    """A console writing to ``buf`` (colour only on a terminal), run diagnostics printed first."""
    console = Console(
        file=buf, force_terminal=color, no_color=not color, width=200, highlight=False
    )
    for diag in diagnostics:
        console.print(Text(f"! {diag.message}", style="magenta"))
    return console


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    buf = io.StringIO()
    console = open_console(buf, color=color, diagnostics=result.diagnostics)
    for report in result.reports:
        header = Text(f"{report.source or '<input>'}", style="bold")
        if report.profile:
            header.append(f"  [{t('label.profile', lang)}: {report.profile}]", style="dim")
        console.print(header)
        if report.status_reason and report.status.value != "ok":
            reason = localize(localized_note(report.status_reason), lang)
            console.print(Text(f"  {report.status.value}: {reason}", style="red"))
        for outcome in report.outcomes:
            for f in outcome.findings:
                line = Text(f"  {_where(report, f)}: ")
                line.append(f"{f.rule_id} ", style=_STYLE[f.severity])
                line.append(f"[{t('severity.' + f.severity.value, lang)}] {f.message}")
                console.print(line)
                if f.suggestion:
                    console.print(
                        Text(f"      {t('label.suggestion', lang)}: {f.suggestion}", style="dim")
                    )
            if outcome.outcome in (Outcome.needs_review, Outcome.error):
                label = t("outcome." + outcome.outcome.value, lang)
                console.print(
                    Text(f"  {outcome.rule_id} ({label}): {outcome.reason or ''}", style="magenta")
                )
    console.print(summary_line(result, lang))
    return buf.getvalue()
