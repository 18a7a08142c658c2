"""What a check produces: findings, one outcome per (report, rule), reports for one or many documents."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .document import Diagnostic, DocumentStatus, Location, Meta


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Outcome(StrEnum):
    passed = "passed"
    failed = "failed"
    needs_review = "needs_review"  # the rule could not decide (e.g. the table is an image)
    not_applicable = "not_applicable"
    error = "error"  # the rule itself crashed


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Model):
    rule_id: str
    rule_name: str
    severity: Severity
    message: str  # rendered in the report's language
    message_key: str
    args: dict[str, Any] = Field(default_factory=dict)
    basis: str | None = None  # the article or document the rule rests on, rendered
    suggestion: str | None = None
    location: Location = Field(default_factory=Location)
    data: dict[str, Any] = Field(default_factory=dict)
    fingerprint: str = ""  # stable across edits that do not touch the finding (no line numbers)


class RuleOutcome(_Model):
    rule_id: str
    rule_name: str
    outcome: Outcome
    reason: str | None = None  # why not_applicable / needs_review / error, rendered
    findings: list[Finding] = Field(default_factory=list)


class ProfileChoice(_Model):
    id: str
    reason: (
        str  # why this profile was used (auto-selection explained, or "given on the command line")
    )


class DocumentReport(_Model):
    source: str | None = None
    status: DocumentStatus = DocumentStatus.ok
    status_reason: str | None = None
    profile: str | None = None
    profile_reason: str | None = None
    lang: str = "zh_CN"
    meta: Meta = Field(default_factory=Meta)
    outcomes: list[RuleOutcome] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    tool_version: str = ""

    def findings(self) -> list[Finding]:
        return [f for o in self.outcomes for f in o.findings]

    def counts(self) -> dict[str, int]:
        """Outcome counts plus finding counts per severity, with every key present."""
        out: dict[str, int] = {o.value: 0 for o in Outcome}
        for o in self.outcomes:
            out[o.outcome.value] += 1
        for sev in Severity:
            out[sev.value] = 0
        for f in self.findings():
            out[f.severity.value] += 1
        return out


class RuleInfo(_Model):
    """A rule as the run knew it, rendered in the run's language, so that formatters (SARIF rule
    descriptors, JUnit names) need no registry."""

    id: str
    name: str
    severity: Severity
    summary: str = ""  # one line
    description: str = ""  # what the rule checks
    help: str = ""  # the rule's docs (what / why / example / fix) as Markdown
    basis: str | None = None
    plugin: str | None = None  # the plugin that registered it


class RunResult(_Model):
    """The result of one ``check`` run over one or more files (the JSON output of ``check``)."""

    tool: str = "disclosure-check"
    tool_version: str = ""
    lang: str = "zh_CN"
    reports: list[DocumentReport] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)  # run-wide: plugin load failures …
    rules: list[RuleInfo] = Field(default_factory=list)  # every rule with an outcome, in id order
