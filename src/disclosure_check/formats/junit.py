"""``--format junit``: JUnit XML for GitLab, Jenkins, Azure and the like.

One ``testsuite`` per report, one ``testcase`` per (report, rule) with ``classname`` = the report
path and ``name`` = ``"<id> <name>"`` (unique per pair: GitLab drops test cases whose classname and
name repeat). Outcomes map to:

* ``passed`` → a plain test case;
* ``failed`` → ``<failure>`` listing every finding with its line, message and suggestion;
* ``error`` (the rule crashed) → ``<error>``; a file that could not be read at all gets a single
  ``read`` test case with ``<error>``;
* ``not_applicable`` → ``<skipped>`` with the reason;
* ``needs_review`` → ``<skipped>`` too, its message starting with "needs review": a human has to
  decide, which is neither a pass nor a failure (``check`` does not fail on it either).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..i18n import t
from ..model import DocumentReport, Outcome, RuleOutcome, RunResult
from .common import column_of, line_of, report_path

_COUNTED = {
    Outcome.failed: "failures",
    Outcome.error: "errors",
    Outcome.not_applicable: "skipped",
    Outcome.needs_review: "skipped",
}


def _failure_text(path: str, outcome: RuleOutcome, lang: str) -> str:
    lines = []
    for f in outcome.findings:
        col = column_of(f.location)
        where = f"{path}:{line_of(f.location)}" + (f":{col}" if col else "")
        lines.append(
            f"{where}: {f.rule_id} [{t('severity.' + f.severity.value, lang)}] {f.message}"
        )
        if f.suggestion:
            lines.append(f"    {t('label.suggestion', lang)}: {f.suggestion}")
    return "\n".join(lines)


def _testcase(
    suite: ET.Element, classname: str, name: str, path: str, outcome: RuleOutcome, lang: str
) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name, file=path, time="0")
    label = t("outcome." + outcome.outcome.value, lang)
    reason = f"{label}: {outcome.reason}" if outcome.reason else label
    if outcome.outcome == Outcome.failed:
        first = outcome.findings[0].message if outcome.findings else label
        more = len(outcome.findings) - 1
        message = first + (f" (+{more})" if more > 0 else "")
        worst = max((f.severity for f in outcome.findings), key=lambda s: s.rank, default=None)
        node = ET.SubElement(
            case, "failure", message=message, type=worst.value if worst else "failed"
        )
        node.text = _failure_text(path, outcome, lang)
    elif outcome.outcome == Outcome.error:
        ET.SubElement(case, "error", message=reason, type="rule-error").text = outcome.reason or ""
    elif outcome.outcome in (Outcome.not_applicable, Outcome.needs_review):
        ET.SubElement(case, "skipped", message=reason)


def _suite(report: DocumentReport, lang: str, seen: set[tuple[str, str]]) -> ET.Element:
    path = report_path(report)
    suite = ET.Element("testsuite", name=path)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("status", report.status.value),
        ("profile", report.profile or ""),
        ("profile_reason", report.profile_reason or ""),
    ):
        ET.SubElement(props, "property", name=key, value=value)

    def unique(name: str) -> str:
        candidate, n = name, 1
        while (path, candidate) in seen:  # the same file given twice on the command line
            n += 1
            candidate = f"{name} #{n}"
        seen.add((path, candidate))
        return candidate

    if not report.outcomes and report.status.value != "ok":
        case = ET.SubElement(suite, "testcase", classname=path, name=unique("read"), file=path)
        reason = report.status_reason or report.status.value
        ET.SubElement(case, "error", message=reason, type="input-error").text = reason
        counts["tests"] += 1
        counts["errors"] += 1
    for outcome in report.outcomes:
        name = unique(f"{outcome.rule_id} {outcome.rule_name}")
        _testcase(suite, path, name, path, outcome, lang)
        counts["tests"] += 1
        if outcome.outcome in _COUNTED:
            counts[_COUNTED[outcome.outcome]] += 1
    for key, count in counts.items():
        suite.set(key, str(count))
    suite.set("time", "0")
    return suite


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    root = ET.Element("testsuites", name=result.tool)
    seen: set[tuple[str, str]] = set()
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in result.reports:
        suite = _suite(report, lang, seen)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
