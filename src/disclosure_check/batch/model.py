"""Models of an audit: manifest rows, the small per-document facts that cross-report rules read,
and the batch result every audit output (json, csv, xlsx, later html) renders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ..model import Diagnostic, DocumentReport, Finding, Outcome, Severity
from ..model.fetch import FetchResult, Redirect

Number = int | float | None
TableValues = dict[str, dict[str, Number]]  # row key -> column key -> value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManifestRow(_Model):
    row: int  # 1-based row number in the manifest (the header is row 1 in CSV/XLSX)
    unit: str
    code: str | None = None
    parent: str | None = None
    kind: str | None = None  # a ReportKind value, or None when unknown
    year: int | None = None  # None in directory mode until the report says
    path: str  # absolute path, or an http(s) URL fetched by the worker


class ManifestProblem(_Model):
    row: int | None  # None for a problem with the whole manifest
    unit: str | None = None
    parent: str | None = None  # kept so cross-report rules know a listed child is missing
    year: int | None = None
    message: str


class Section(_Model):
    key: str  # normalised heading (numbering dropped), or "#<ordinal>" when there is none
    heading: str  # as printed
    text: str  # normalised for comparison (see facts.normalise)


class TableFacts(_Model):
    status: str  # found | missing | unreadable | absent (no extraction ran)
    layout: str | None = None
    values: TableValues = Field(default_factory=dict)
    row_labels: dict[str, str] = Field(default_factory=dict)
    column_labels: dict[str, str] = Field(default_factory=dict)
    column_source: str = "labels"


class DocFacts(_Model):
    """What one report contributes to cross-report rules: small, picklable, storable."""

    content_hash: str
    title: str | None = None
    organ: str | None = None
    report_year: int | None = None
    kind: str | None = None
    profile: str | None = None
    status: str = "ok"  # DocumentStatus value
    text: str = ""  # whole report, normalised
    chars: int = 0  # unused (0): kept so that stores written with it still load
    sections: list[Section] = Field(default_factory=list)
    sketch: list[int] = Field(default_factory=list)  # bottom-k of the 5-gram hashes (near-dups)
    tables: dict[str, TableFacts] = Field(default_factory=dict)  # "table2"/"table3"/"table4"


class EntryStatus(StrEnum):
    checked = "checked"
    cached = "cached"  # served from the audit store (same content, rules and config)
    failed = "failed"  # reading, parsing or checking raised
    timeout = "timeout"


class FetchInfo(_Model):
    """How a URL row's page was fetched (the bytes and all headers are in the audit store)."""

    url: str
    final_url: str
    status: int | None = None  # HTTP status of the last response
    redirects: list[Redirect] = Field(default_factory=list)
    content_type: str | None = None
    charset: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    not_modified: bool = False  # 304 to a conditional request: the stored copy was checked
    fetched_at: datetime
    attempts: int = 1
    size: int = 0
    # The bytes the row was checked from: sha256 of the body, or for a 304 the stored copy's.
    content_hash: str | None = None
    error_kind: str | None = None

    @classmethod
    def from_result(cls, result: FetchResult, content_hash: str | None) -> FetchInfo:
        data = result.model_dump(include=set(cls.model_fields) - {"content_hash"})
        return cls(**data, content_hash=content_hash)


class AuditEntry(_Model):
    """One report of the audit: who, which year, what happened, and the document report."""

    unit: str
    code: str | None = None
    parent: str | None = None
    kind: str | None = None
    year: int | None = None
    path: str
    row: int | None = None
    content_hash: str | None = None
    status: EntryStatus
    error: str | None = None
    # Timings are kept in memory and in the store but not in the batch JSON, which must be the
    # same bytes for the same inputs (whatever the executor or the machine's load).
    seconds: float = Field(0.0, exclude=True)
    fetch: FetchInfo | None = None  # URL rows only
    report: DocumentReport | None = None
    batch_outcomes: list[BatchOutcome] = Field(default_factory=list)

    def outcomes(self) -> list[tuple[str, str, Outcome, list[Finding]]]:
        """(rule id, rule name, outcome, findings) for document and batch rules, in id order."""
        rows = (
            [(o.rule_id, o.rule_name, o.outcome, o.findings) for o in self.report.outcomes]
            if self.report
            else []
        )
        rows += [(o.rule_id, o.rule_name, o.outcome, o.findings) for o in self.batch_outcomes]
        return sorted(rows, key=lambda r: r[0])


class BatchOutcome(_Model):
    rule_id: str
    rule_name: str
    outcome: Outcome
    reason: str | None = None
    findings: list[Finding] = Field(default_factory=list)


class RuleStats(_Model):
    rule_id: str
    rule_name: str
    counts: dict[str, int]  # outcome -> number of reports
    findings: dict[str, int]  # severity -> number of findings


class AuditSummary(_Model):
    reports: int = 0
    with_errors: int = 0  # reports with a failed check, a timeout or an error-severity finding
    failed_or_timeout: int = 0
    cached: int = 0
    rules_errored: int = 0  # (report, rule) pairs whose rule crashed
    findings: dict[str, int] = Field(default_factory=lambda: {s.value: 0 for s in Severity})
    seconds: float = Field(0.0, exclude=True)  # not in the JSON: see AuditEntry.seconds


class BatchResult(_Model):
    """The result of one ``audit`` run (the batch JSON output, ``schemas/batch.schema.json``)."""

    tool: str = "disclosure-check"
    tool_version: str = ""
    lang: str = "zh_CN"
    run_id: int | None = None  # the run's id in the audit store
    previous_run_id: int | None = None
    manifest: str = ""
    rules_key: str = ""  # hash of rule packs, versions and configuration (the cache key)
    entries: list[AuditEntry] = Field(default_factory=list)  # sorted by unit, year
    problems: list[ManifestProblem] = Field(default_factory=list)
    rule_stats: list[RuleStats] = Field(default_factory=list)
    summary: AuditSummary = Field(default_factory=AuditSummary)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)  # room for extensions (e.g. dashboard)
    # Set by a streaming audit (entries without their reports): loads one entry's report from
    # the audit store. Use ``iter_entries`` rather than ``entries`` to read reports.
    _load_report: Callable[[AuditEntry], DocumentReport | None] | None = PrivateAttr(None)

    def iter_entries(self) -> Iterator[AuditEntry]:
        """The entries with their document reports, one at a time (loaded from the store when
        the audit streamed them there, so memory stays flat however large the batch)."""
        for entry in self.entries:
            if entry.report is None and self._load_report is not None:
                report = self._load_report(entry)
                if report is not None:
                    yield entry.model_copy(update={"report": report})
                    continue
            yield entry


AuditEntry.model_rebuild()
