"""``--format github``: GitHub Actions workflow commands, one annotation per line.

``::error file=…,line=…,col=…,title=…::message`` for error findings, ``::warning`` for warnings,
``::notice`` for info findings and for rules that need a human review; a rule that crashed and
a file that could not be read are ``::error`` without a rule title prefix. Escaping follows the
Actions toolkit: in the message ``%``, CR and LF are percent-encoded; in property values ``:`` and
``,`` are encoded as well.
"""

from __future__ import annotations

from ..i18n import t
from ..model import Outcome, RunResult, Severity
from .common import column_of, line_of, report_path

COMMAND = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    command: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    props = [
        f"{key}={escape_property(str(value))}"
        for key, value in (("file", file), ("line", line), ("col", col), ("title", title))
        if value is not None
    ]
    head = f"::{command} {','.join(props)}" if props else f"::{command}"
    return f"{head}::{escape_data(message)}"


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    lines = [annotation("warning", d.message, title=d.code) for d in result.diagnostics]
    for report in result.reports:
        path = report_path(report)
        if not report.outcomes and report.status.value != "ok":
            reason = report.status_reason or report.status.value
            lines.append(annotation("error", reason, file=path, line=1, title="disclosure-check"))
        for outcome in report.outcomes:
            title = f"{outcome.rule_id} {outcome.rule_name}"
            for f in outcome.findings:
                message = f.message
                if f.suggestion:
                    message += f"\n{t('label.suggestion', lang)}: {f.suggestion}"
                lines.append(
                    annotation(
                        COMMAND[f.severity],
                        message,
                        file=path,
                        line=line_of(f.location),
                        col=column_of(f.location),
                        title=title,
                    )
                )
            if outcome.outcome in (Outcome.needs_review, Outcome.error):
                command = "notice" if outcome.outcome == Outcome.needs_review else "error"
                label = t("outcome." + outcome.outcome.value, lang)
                lines.append(
                    annotation(
                        command,
                        outcome.reason or label,
                        file=path,
                        line=1,
                        title=f"{title} ({label})",
                    )
                )
    return "".join(line + "\n" for line in lines)
