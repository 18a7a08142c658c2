"""``--format gitlab``: a GitLab Code Quality report (a JSON array of CodeClimate-style issues).

Each finding becomes one issue with ``description``, ``check_name`` (the rule id), ``fingerprint``
(SHA-256 of the report path, the rule and the finding's own line-free fingerprint: stable across
edits elsewhere in the page, unique in the report), ``severity`` and ``location.path`` +
``location.lines.begin``. Severity: error → major, warning → minor, info → info. A rule that needs
a human review becomes an ``info`` issue; rule crashes are not code-quality issues and are left to
the JUnit report and the job log.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..i18n import t
from ..model import Outcome, RunResult, Severity
from .common import finding_key, line_of, outcome_fingerprint, report_path

SEVERITY = {Severity.error: "major", Severity.warning: "minor", Severity.info: "info"}


def _issue(
    description: str, check: str, fingerprint: str, severity: str, path: str, line: int
) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": description,
        "check_name": check,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": line}},
    }


def build(result: RunResult, lang: str) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    used: set[str] = set()

    def unique(fp: str) -> str:
        # two findings with the same anchor in one report: keep both, deterministically apart
        candidate, n = fp, 1
        while candidate in used:
            n += 1
            candidate = hashlib.sha256(f"{fp}#{n}".encode()).hexdigest()
        used.add(candidate)
        return candidate

    for report in result.reports:
        path = report_path(report)
        for outcome in report.outcomes:
            for f in outcome.findings:
                issues.append(
                    _issue(
                        f"{f.rule_id}: {f.message}",
                        f.rule_id,
                        unique(finding_key(report, f)),
                        SEVERITY[f.severity],
                        path,
                        line_of(f.location),
                    )
                )
            if outcome.outcome == Outcome.needs_review:
                label = t("outcome.needs_review", lang)
                text = f"{outcome.rule_id} ({label}): {outcome.reason or ''}".rstrip()
                fp = hashlib.sha256(
                    f"{path}\x1f{outcome_fingerprint(report, outcome)}".encode()
                ).hexdigest()
                issues.append(_issue(text, outcome.rule_id, unique(fp), "info", path, 1))
    return issues


def render(result: RunResult, *, lang: str, color: bool = False) -> str:
    return json.dumps(build(result, lang), ensure_ascii=False, indent=2) + "\n"
