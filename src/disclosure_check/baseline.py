"""Baselines: accept today's findings so that CI fails only on new ones.

A baseline file is JSON: for every accepted finding its report path, rule id and fingerprint
(the fingerprint has no line numbers, so edits elsewhere in the page keep it valid) plus the
message for the human reader. The same fingerprint may be accepted several times (``count``).

``apply_baseline`` removes accepted findings from a run (an outcome left without findings
becomes ``passed``) and returns the entries that matched nothing in the reports that were
checked: stale entries, whose defect was fixed and which can be dropped with ``baseline create``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .formats.common import report_path
from .model import Diagnostic, Outcome, RunResult

BASELINE_VERSION = 1

Key = tuple[str, str, str]  # (report path, rule id, fingerprint)


@dataclass
class Baseline:
    accepted: Counter[Key]
    messages: dict[Key, str]


@dataclass(frozen=True)
class StaleEntry:
    path: str
    rule_id: str
    fingerprint: str
    message: str
    count: int


def _keys(result: RunResult) -> tuple[Counter[Key], dict[Key, str]]:
    counts: Counter[Key] = Counter()
    messages: dict[Key, str] = {}
    for report in result.reports:
        path = report_path(report)
        for f in report.findings():
            key = (path, f.rule_id, f.fingerprint)
            counts[key] += 1
            messages.setdefault(key, f.message)
    return counts, messages


def create_baseline(result: RunResult) -> dict[str, Any]:
    """The baseline document that accepts every finding of ``result`` (sorted: stable diffs)."""
    counts, messages = _keys(result)
    entries = [
        {"path": k[0], "rule": k[1], "fingerprint": k[2], "count": n, "message": messages[k]}
        for k, n in sorted(counts.items())
    ]
    return {"version": BASELINE_VERSION, "tool": result.tool, "findings": entries}


def write_baseline(result: RunResult, path: Path) -> int:
    """Write the baseline for ``result``; returns the number of accepted findings."""
    data = create_baseline(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return sum(e["count"] for e in data["findings"])


def load_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ConfigError(f"baseline {path}: not a version {BASELINE_VERSION} baseline file")
    accepted: Counter[Key] = Counter()
    messages: dict[Key, str] = {}
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        raise ConfigError(f"baseline {path}: 'findings' must be a list")
    for entry in findings:
        try:
            key = (str(entry["path"]), str(entry["rule"]), str(entry["fingerprint"]))
            accepted[key] += int(entry.get("count", 1))
            messages.setdefault(key, str(entry.get("message", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"baseline {path}: malformed entry {entry!r}") from exc
    return Baseline(accepted, messages)


def apply_baseline(result: RunResult, baseline: Baseline) -> list[StaleEntry]:
    """Drop accepted findings from ``result`` in place; return the stale entries.

    Only entries for reports checked in this run can be stale: checking one file of a folder
    does not call the baseline entries of the other files stale."""
    remaining = Counter(baseline.accepted)
    checked = set()
    for report in result.reports:
        path = report_path(report)
        checked.add(path)
        for outcome in report.outcomes:
            kept = []
            for f in outcome.findings:
                key = (path, f.rule_id, f.fingerprint)
                if remaining[key] > 0:
                    remaining[key] -= 1
                else:
                    kept.append(f)
            if outcome.findings and not kept and outcome.outcome == Outcome.failed:
                outcome.outcome = Outcome.passed
            outcome.findings = kept
    stale = [
        StaleEntry(k[0], k[1], k[2], baseline.messages.get(k, ""), n)
        for k, n in sorted(remaining.items())
        if n > 0 and k[0] in checked
    ]
    for entry in stale:
        result.diagnostics.append(
            Diagnostic(
                code="baseline-stale",
                message=(
                    f"baseline entry no longer matches: {entry.path} {entry.rule_id} "
                    f"{entry.fingerprint} ({entry.message})"
                ),
            )
        )
    return stale
