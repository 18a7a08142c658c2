"""A report format as data: the sections, tables and rule settings a report of one kind and year needs.

Profiles are TOML files validated by :class:`Profile`; ``extends`` merges a parent profile first.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .document import ReportKind
from .statistics import TableSpec


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionSpec(_Model):
    key: str  # canonical key: overview, proactive, requests, fees, review_litigation, problems, other …
    heading: str  # the official heading without its number, e.g. "总体情况"
    ordinal: int | None = None  # the official position (一 = 1) when the format fixes one
    variants: list[str] = Field(default_factory=list)  # accepted variant headings (warned about)
    keywords: list[str] = Field(default_factory=list)  # topic keywords for free-form headings
    # A statement about the topic anywhere in the text satisfies a section that has no heading of its
    # own in free-form (2008-regime) reports, e.g. "未收取费用" for fees. Empty: a heading is needed.
    statement_patterns: list[str] = Field(default_factory=list)
    required: bool = True
    # "无" (or "无其他需要报告的事项") is an acceptable content, e.g. for 其他需要报告的事项.
    allow_none: bool = False


class AutoSelect(_Model):
    """When ``--profile auto`` picks this profile. The most specific match wins (highest priority)."""

    kinds: list[ReportKind] = Field(default_factory=list)  # empty = any kind
    year_min: int | None = None
    year_max: int | None = None
    organ_pattern: str | None = None  # regex on the issuing organ / title (for provincial profiles)
    priority: int = 0


class Profile(_Model):
    id: str
    title: dict[str, str] = Field(default_factory=dict)  # lang -> title
    description: dict[str, str] = Field(default_factory=dict)
    extends: str | None = None
    regime: str | None = None  # "2008" | "2019" | "2021" | "university"
    basis: dict[str, str] = Field(default_factory=dict)  # lang -> the legal basis of the format
    auto: AutoSelect | None = None  # None: never chosen automatically
    # "official": the format fixes the headings, another wording is a variant (DC108);
    # "topic": headings are free-form (2008 regime) and only their topic keywords matter.
    headings: Literal["official", "topic"] = "official"
    ordered: bool = True  # the sections must appear in the order listed (DC102)
    sections: list[SectionSpec] = Field(default_factory=list)
    tables: list[TableSpec] = Field(default_factory=list)
    # Rule ids / prefixes that apply. ALL by default, so third-party rules apply under first-party
    # profiles too; a profile narrows with ``ignore`` (e.g. gov-2008 ignores the DC2 table rules).
    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)  # rule id -> its settings
    source: str | None = None  # where the profile was loaded from (set by the loader)

    def section(self, key: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.key == key), None)

    def rule_options(self, rule_id: str) -> dict[str, Any]:
        return dict(self.options.get(rule_id, {}))


def merge_sections(base: list[dict[str, Any]], child: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A child profile's ``sections`` list is complete and ordered, but each entry inherits the
    fields it leaves out from the parent's section with the same key, so a province can write
    ``{ key = "fees", required = false }`` instead of repeating headings, keywords and patterns."""
    parents = {s["key"]: s for s in base if isinstance(s, dict) and "key" in s}
    return [{**parents.get(s.get("key"), {}), **s} if isinstance(s, dict) else s for s in child]
