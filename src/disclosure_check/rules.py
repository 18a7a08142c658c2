"""The rule API that plugins use: a :class:`Rule`, the :class:`RuleContext` it reports through,
and :class:`Catalog`, which builds rules from a TOML file of ids, names, docs and messages.

A rule is a plain function ``check(ctx) -> None``. It reports findings with ``ctx.report(...)``
and, when it cannot decide, ends with ``ctx.needs_review(...)`` or ``ctx.not_applicable(...)``.
The engine turns what happened into exactly one outcome per (report, rule).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .model import Document, Location, Profile, Severity

LANGS = ("zh_CN", "en")
DEFAULT_LANG = "zh_CN"

Localized = Mapping[str, str]  # lang -> text


def localize(text: Localized | None, lang: str) -> str:
    """Pick ``lang`` from a localized mapping, falling back to zh_CN, then to any language."""
    if not text:
        return ""
    return text.get(lang) or text.get(DEFAULT_LANG) or next(iter(text.values()), "")


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, args: Mapping[str, Any]) -> str:
    """``str.format_map`` that leaves unknown placeholders as they are instead of raising."""
    return template.format_map(_SafeDict(args))  # (string.Formatter: same result, 5× slower)


@dataclass(frozen=True)
class RuleDoc:
    """What ``disclosure-check rule ID`` shows, in one language (ruff style)."""

    summary: str
    what: str
    why: str
    example: str
    fix: str


class Verdict(Exception):
    """Raised through ``ctx.needs_review`` / ``ctx.not_applicable`` to end a rule early."""

    def __init__(self, outcome: str, key: str, args: Mapping[str, Any]) -> None:
        super().__init__(key)
        self.outcome = outcome
        self.key = key
        self.arguments = dict(args)  # not `args`: Exception.args is a tuple


@dataclass(frozen=True)
class Rule:
    id: str  # "DC101"; third-party packs use their own prefix
    name: str  # kebab-case, e.g. "required-section-missing"
    severity: Severity
    check: Callable[[RuleContext], None]
    basis: Localized = field(default_factory=dict)  # the article / document the rule rests on
    messages: Mapping[str, Localized] = field(default_factory=dict)  # key -> lang -> template
    suggestions: Mapping[str, Localized] = field(default_factory=dict)  # key -> lang -> template
    docs: Mapping[str, RuleDoc] = field(default_factory=dict)  # lang -> docs
    fixtures: Mapping[str, str] = field(default_factory=dict)  # "pass"/"fail" -> fixture name
    any_status: bool = False  # also runs on documents that are not readable reports (DC9xx)

    def message(self, key: str, lang: str, args: Mapping[str, Any]) -> str:
        template = localize(self.messages.get(key), lang)
        return render(template, localize_args(args, lang)) if template else key

    def suggestion(self, key: str, lang: str, args: Mapping[str, Any]) -> str | None:
        template = localize(self.suggestions.get(key), lang)
        return render(template, localize_args(args, lang)) if template else None


def localize_args(args: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """An argument given as ``{"zh_CN": …, "en": …}`` (text the rule had to compose, such as a
    reason) is rendered in the message's language."""
    return {
        k: localize(v, lang) if isinstance(v, Mapping) and v and set(v) <= set(LANGS) else v
        for k, v in args.items()
    }


@dataclass
class Report:
    """One finding as the rule reported it; the engine renders it into a ``Finding``."""

    key: str
    args: dict[str, Any]
    location: Location | None
    data: dict[str, Any]
    anchor: str | None
    severity: Severity | None


class Reporter:
    """Collects a rule's reports in ``self.reports`` (document rules, and batch rules per
    document)."""

    reports: list[Report]

    def report(
        self,
        key: str,
        *,
        location: Location | None = None,
        data: Mapping[str, Any] | None = None,
        anchor: str | None = None,
        severity: Severity | None = None,
        **args: Any,
    ) -> None:
        """Record a finding. ``anchor`` is the text that identifies it for the fingerprint
        (defaults to the message key and arguments); ``severity`` overrides the rule's default."""
        self.reports.append(Report(key, dict(args), location, dict(data or {}), anchor, severity))


@dataclass
class RuleContext(Reporter):
    """Everything a rule may read, and the only way it reports."""

    doc: Document
    profile: Profile
    options: dict[str, Any]  # this rule's settings: the profile's, overridden by the config's
    cache: dict[str, Any]  # shared by the rules of one document (e.g. extracted tables)
    reports: list[Report] = field(default_factory=list)

    def needs_review(self, key: str, **args: Any) -> NoReturn:
        raise Verdict("needs_review", key, args)

    def not_applicable(self, key: str, **args: Any) -> NoReturn:
        raise Verdict("not_applicable", key, args)

    def cached(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = build()
        return self.cache[name]


def _localized(table: Mapping[str, Any], where: str) -> dict[str, str]:
    if isinstance(table, str):
        return {DEFAULT_LANG: table}
    if not isinstance(table, Mapping):
        raise ValueError(f"{where}: expected a table of languages, got {type(table).__name__}")
    return {str(k): str(v) for k, v in table.items()}


class Catalog:
    """Rules described in a TOML file, bound to their check functions with ``@catalog.rule``.

    The file has one table per rule id::

        [DC101]
        name = "required-section-missing"
        severity = "error"
        basis = { zh_CN = "…", en = "…" }
        fixtures = { pass = "seed-shanxi-edu-2017.txt", fail = "pingtan-county-2012.txt" }
        [DC101.docs.zh_CN]
        summary = "…"; what = "…"; why = "…"; example = "…"; fix = "…"
        [DC101.messages.missing]
        zh_CN = "缺少“{heading}”部分"
        en = "Section “{heading}” is missing"
        [DC101.suggestions.missing]
        zh_CN = "…"
    """

    def __init__(self, entries: Mapping[str, Mapping[str, Any]], source: str = "<catalog>") -> None:
        self.entries = dict(entries)
        self.source = source
        self.rules: list[Rule] = []

    @classmethod
    def load(cls, path: str | Path) -> Catalog:
        with open(path, "rb") as fh:
            return cls(tomllib.load(fh), str(path))

    def rule(self, rule_id: str) -> Callable[[Callable[[RuleContext], None]], Callable[..., None]]:
        def bind(func: Callable[[RuleContext], None]) -> Callable[[RuleContext], None]:
            self.rules.append(self.build(rule_id, func))
            return func

        return bind

    def build(self, rule_id: str, check: Callable[[RuleContext], None]) -> Rule:
        entry = self.entries.get(rule_id)
        if entry is None:
            raise ValueError(f"{self.source}: no entry for rule {rule_id}")
        where = f"{self.source}[{rule_id}]"
        docs = {
            lang: RuleDoc(**{k: str(v) for k, v in body.items()})
            for lang, body in entry.get("docs", {}).items()
        }
        return Rule(
            id=rule_id,
            name=entry["name"],
            severity=Severity(entry.get("severity", "error")),
            check=check,
            basis=_localized(entry.get("basis", {}), where),
            messages={k: _localized(v, where) for k, v in entry.get("messages", {}).items()},
            suggestions={k: _localized(v, where) for k, v in entry.get("suggestions", {}).items()},
            docs=docs,
            fixtures={str(k): str(v) for k, v in entry.get("fixtures", {}).items()},
            any_status=bool(entry.get("any_status", False)),
        )


def specificity(rule_id: str, selectors: Iterable[str]) -> int:
    """Ruff-style selection: a selector is an id or an id prefix ("DC1", "DC", "ALL"). The length
    of the longest selector matching ``rule_id`` (-1 when none matches): the more specific of
    select and ignore wins."""
    best = -1
    for s in selectors:
        if s == "ALL":
            best = max(best, 0)
        elif rule_id.startswith(s):
            best = max(best, len(s))
    return best
