"""Helpers shared by the CI formats: report paths as CI systems want them, positions, fingerprints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..model import DocumentReport, Finding, Location, RuleOutcome

NO_SOURCE = "<input>"


def report_path(report: DocumentReport) -> str:
    """The report's path as CI systems match it against the repository: relative to the working
    directory when it lies below it, with forward slashes (also on Windows)."""
    source = report.source or NO_SOURCE
    if source.startswith("<"):
        return source
    path = Path(source)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return path.as_posix()
    return PurePosixPath(*path.parts).as_posix() if path.parts else source


def uri_for(path: str) -> tuple[str, str | None]:
    """A percent-encoded URI for a report path and the ``uriBaseId`` it is relative to.

    Relative paths are relative to ``%SRCROOT%`` (GitHub code scanning resolves them against the
    checkout); an absolute path outside the working directory becomes a ``file:`` URI."""
    encoded = quote(path, safe="/")  # UTF-8 percent-encoding: 年度报告.html -> %E5%B9%B4...
    if os.path.isabs(path):
        return "file://" + (encoded if encoded.startswith("/") else "/" + encoded), None
    return encoded, "%SRCROOT%"


def line_of(location: Location | None) -> int:
    """A 1-based line for every finding: a finding about the whole document points at line 1."""
    return location.line if location is not None and location.line else 1


def column_of(location: Location | None) -> int | None:
    return location.column if location is not None and location.column else None


def outcome_fingerprint(report: DocumentReport, outcome: RuleOutcome) -> str:
    """For an outcome without findings (needs_review, error): stable while the reason is."""
    text = f"{outcome.rule_id}\x1f{outcome.outcome.value}\x1f{outcome.reason or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def finding_key(report: DocumentReport, finding: Finding) -> str:
    """Unique across a run: the report path plus the finding's own (path-free) fingerprint."""
    text = f"{report_path(report)}\x1f{finding.rule_id}\x1f{finding.fingerprint}"
    return hashlib.sha256(text.encode()).hexdigest()


def snippet_line(location: Location | None, limit: int = 120) -> str:
    if location is None or not location.snippet:
        return ""
    text = " ".join(location.snippet.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
