"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

How outcomes map (one ``run`` for the whole check):

* ``failed`` → one ``result`` per finding (``kind: fail``; level error / warning / note from the
  finding's severity), with ``partialFingerprints`` from ``Finding.fingerprint`` so alerts survive
  edits elsewhere in the page.
* ``needs_review`` → one ``result`` with ``kind: review`` and ``level: none`` (the SARIF way of
  saying "a human must decide"); it shows up as an alert that can be dismissed once reviewed.
* ``error`` (the rule crashed), a file that could not be read, parser diagnostics and run-wide
  diagnostics (a plugin that failed to load) → ``invocations[0].toolExecutionNotifications``;
  ``executionSuccessful`` is false when one of them is an error.
* ``passed`` / ``not_applicable`` → nothing (their counts are in ``run.properties.outcomes``).

Every result has a physical location: a finding about the whole document points at line 1.
URIs are relative to ``%SRCROOT%`` and percent-encoded (report file names are often Chinese);
columns count Unicode code points, as Python strings do (``columnKind: unicodeCodePoints``).
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..i18n import t
from ..model import (
    Diagnostic,
    DocumentReport,
    Finding,
    Location,
    Outcome,
    RuleInfo,
    RuleOutcome,
    RunResult,
    Severity,
)
from .common import column_of, line_of, outcome_fingerprint, report_path, uri_for

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "disclosureCheck/v1"
LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def _text(value: str) -> dict[str, str]:
    return {"text": value}


def _physical(report: DocumentReport, location: Location | None) -> dict[str, Any]:
    uri, base = uri_for(report_path(report))
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    region: dict[str, Any] = {"startLine": line_of(location)}
    column = column_of(location)
    if column:
        region["startColumn"] = column
    if location is not None and location.snippet:
        region["snippet"] = _text(location.snippet)
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _location(report: DocumentReport, location: Location | None) -> dict[str, Any]:
    loc = _physical(report, location)
    if location is not None and (location.section or location.xpath):
        logical: dict[str, Any] = {"kind": "section" if location.section else "element"}
        if location.section:
            logical["name"] = location.section
        if location.xpath:
            logical["fullyQualifiedName"] = location.xpath
        loc["logicalLocations"] = [logical]
    return loc


def _descriptor(info: RuleInfo) -> dict[str, Any]:
    summary = info.summary or info.name
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "shortDescription": _text(summary),
        "fullDescription": _text(info.description or summary),
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {"precision": "high"},
    }
    if info.help:
        descriptor["help"] = {"text": info.help, "markdown": info.help}
    if info.basis:
        descriptor["properties"]["basis"] = info.basis
    return descriptor


def _rule_infos(result: RunResult) -> list[RuleInfo]:
    """The run's catalogue, plus bare entries for rules it does not describe (hand-built runs)."""
    known = {info.id: info for info in result.rules}
    for report in result.reports:
        for o in report.outcomes:
            if o.rule_id not in known:
                severity = max(
                    (f.severity for f in o.findings), key=lambda s: s.rank, default=Severity.error
                )
                known[o.rule_id] = RuleInfo(id=o.rule_id, name=o.rule_name, severity=severity)
    return [known[k] for k in sorted(known)]


def _finding_result(
    report: DocumentReport, finding: Finding, index: int, lang: str
) -> dict[str, Any]:
    message = finding.message
    if finding.suggestion:
        message += f"\n{t('label.suggestion', lang)}: {finding.suggestion}"
    props: dict[str, Any] = {"messageKey": finding.message_key}
    if finding.basis:
        props["basis"] = finding.basis
    if finding.data:
        props["data"] = finding.data
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVEL[finding.severity],
        "message": _text(message),
        "locations": [_location(report, finding.location)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": props,
    }


def _review_result(
    report: DocumentReport, outcome: RuleOutcome, index: int, lang: str
) -> dict[str, Any]:
    label = t("outcome.needs_review", lang)
    message = f"{label}: {outcome.reason}" if outcome.reason else label
    return {
        "ruleId": outcome.rule_id,
        "ruleIndex": index,
        "kind": "review",
        "level": "none",
        "message": _text(message),
        "locations": [_location(report, None)],
        "partialFingerprints": {FINGERPRINT_KEY: outcome_fingerprint(report, outcome)},
    }


def _notification(
    level: str,
    code: str,
    message: str,
    report: DocumentReport | None = None,
    location: Location | None = None,
    rule: tuple[str, int] | None = None,
) -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "descriptor": {"id": code}, "message": _text(message)}
    if report is not None:
        note["locations"] = [_physical(report, location)]
    if rule is not None:
        note["associatedRule"] = {"id": rule[0], "index": rule[1]}
    return note


def _diagnostic_notes(
    diagnostics: list[Diagnostic], level: str, report: DocumentReport | None = None
) -> list[dict[str, Any]]:
    return [_notification(level, d.code, d.message, report, d.location) for d in diagnostics]


def build(result: RunResult, lang: str) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it; tests validate it against the schema)."""
    infos = _rule_infos(result)
    index = {info.id: i for i, info in enumerate(infos)}
    results: list[dict[str, Any]] = []
    notes = _diagnostic_notes(result.diagnostics, "warning")
    counts = {o.value: 0 for o in Outcome}
    for report in result.reports:
        if not report.outcomes and report.status.value != "ok":
            notes.append(
                _notification(
                    "error", "input-error", report.status_reason or report.status.value, report
                )
            )
        notes.extend(_diagnostic_notes(report.diagnostics, "note", report))
        for outcome in report.outcomes:
            counts[outcome.outcome.value] += 1
            i = index[outcome.rule_id]
            if outcome.outcome == Outcome.needs_review:
                results.append(_review_result(report, outcome, i, lang))
            elif outcome.outcome == Outcome.error:
                notes.append(
                    _notification(
                        "error",
                        "rule-error",
                        f"{outcome.rule_id}: {outcome.reason or ''}",
                        report,
                        rule=(outcome.rule_id, i),
                    )
                )
            results.extend(_finding_result(report, f, i, lang) for f in outcome.findings)
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(n["level"] == "error" for n in notes)
    }
    if notes:
        invocation["toolExecutionNotifications"] = notes
    driver: dict[str, Any] = {
        "name": result.tool,
        "version": result.tool_version or __version__,
        "semanticVersion": result.tool_version or __version__,
        "language": lang.replace("_", "-"),
        "rules": [_descriptor(info) for info in infos],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"outcomes": counts},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    return json.dumps(build(result, lang), ensure_ascii=False, indent=2) + "\n"
