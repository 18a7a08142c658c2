"""The cross-report (batch) rule API.

A :class:`BatchRule` is a :class:`disclosure_check.rules.Rule` whose check reads the whole batch
(:class:`BatchContext`) instead of one document. Its texts live in the same catalog TOML format;
:class:`BatchCatalog` binds check functions to catalog entries and is registered through the
``dc_register_batch_rules`` hook::

    CROSSDOC = BatchCatalog.load("catalog/crossdoc.toml")

    @CROSSDOC.rule("DC501")
    def copy_of_previous_year(ctx: BatchContext) -> None:
        for doc in ctx.docs:
            last = ctx.previous(doc)
            if last is None:
                ctx.not_applicable(doc, "no-previous")
            ...

Unlike a document rule, a batch rule decides for many documents, so verdicts do not end it: each
``report`` / ``needs_review`` / ``not_applicable`` names the document it is about. A document the
rule said nothing about has passed it.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..rules import Catalog, Report, Reporter, Rule

if TYPE_CHECKING:  # annotations only: rule packs import this module at plugin loading, and the
    # pydantic models of the audit need not load unless an audit runs
    from .model import DocFacts, FetchInfo, TableFacts


@dataclass(frozen=True, slots=True)
class FactsDigest:
    """The few facts of a report that batch rules read for every report of the batch: kept in
    memory for the whole audit, so a few hundred bytes each (the sketch as a C array of
    unsigned 32-bit ints, not a list of Python ints). Everything else (texts, tables) stays in
    the audit store and is read back when a rule asks (:meth:`BatchDoc.table`)."""

    content_hash: str
    status: str = "ok"  # DocumentStatus value
    report_year: int | None = None
    profile: str | None = None
    title: str | None = None
    chars: int = 0  # length of the normalised text
    sketch: array[int] = field(default_factory=lambda: array("I"))  # bottom-k 5-gram hashes


class FactsSource(Protocol):
    """Where a report's full facts are read back from (the audit store), by content hash."""

    def facts(self, content_hash: str) -> DocFacts | None: ...

    def tables(self, content_hash: str) -> dict[str, TableFacts]: ...


@dataclass(frozen=True)
class BatchDoc:
    """One report of the batch (or of an earlier audit, from the store) as batch rules see it.
    Only ``digest`` is in memory; texts and tables are read from ``source`` on demand (it
    caches the last few reports read, so a rule that walks the reports in order and looks at
    each one's previous year reads each from the store about once)."""

    unit: str
    year: int | None
    digest: FactsDigest
    code: str | None = None
    parent: str | None = None
    kind: str | None = None
    from_store: bool = False  # an earlier audit's report, not part of this batch
    fetch: FetchInfo | None = None  # how a URL row's page was fetched (None for files)
    source: FactsSource | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.unit, self.year)

    def tables(self) -> dict[str, TableFacts]:
        """The statistics tables' facts ("table2"/"table3"/"table4"), read from the store."""
        return self._source().tables(self.digest.content_hash)

    def table(self, key: str) -> TableFacts | None:
        return self.tables().get(key)

    def full_facts(self) -> DocFacts:
        """All the facts, normalised texts included (read from the store, not kept)."""
        facts = self._source().facts(self.digest.content_hash)
        if facts is None:
            raise LookupError(f"no facts for {self.unit} {self.year} in the audit store")
        return facts

    @property
    def facts(self) -> DocFacts:
        """Same as :meth:`full_facts` (kept for rules written when the facts were in memory)."""
        return self.full_facts()

    def _source(self) -> FactsSource:
        if self.source is None:
            raise LookupError(f"{self.unit} {self.year}: no store to read the facts from")
        return self.source


class History(Protocol):
    """Earlier audits, as the audit store keeps them."""

    def facts(self, unit: str, year: int) -> BatchDoc | None: ...

    def children(self, parent: str, year: int) -> list[str]: ...

    def fetched(self, url: str) -> FetchInfo | None:
        """The latest earlier fetch of ``url`` that gave content."""
        ...


class NoHistory:
    def facts(self, unit: str, year: int) -> BatchDoc | None:
        return None

    def children(self, parent: str, year: int) -> list[str]:
        return []

    def fetched(self, url: str) -> FetchInfo | None:
        return None


@dataclass
class DocVerdict:
    outcome: str  # needs_review | not_applicable
    key: str
    args: dict[str, Any]


@dataclass
class BatchContext:
    """What a batch rule may read, and how it reports (always about one document)."""

    docs: list[BatchDoc]  # readable reports of this batch, sorted by unit and year
    manifest_units: list[tuple[str, str | None, int | None]]  # (unit, parent, year) of every row
    history: History = field(default_factory=NoHistory)
    rule_options: Callable[[BatchDoc], dict[str, Any]] = lambda doc: {}
    reports: dict[tuple[str, int | None], list[Report]] = field(default_factory=dict)
    verdicts: dict[tuple[str, int | None], DocVerdict] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # shared by all batch rules of one run

    def __post_init__(self) -> None:
        self._by_key = {d.key: d for d in self.docs}

    # -- reading ----------------------------------------------------------------------------

    def doc(self, unit: str, year: int | None) -> BatchDoc | None:
        """This batch's report of ``unit`` for ``year``, else the store's."""
        found = self._by_key.get((unit, year))
        if found is None and year is not None:
            found = self.history.facts(unit, year)
        return found

    def previous(self, doc: BatchDoc) -> BatchDoc | None:
        """The same unit's report for the year before."""
        return None if doc.year is None else self.doc(doc.unit, doc.year - 1)

    def children(self, parent: str, year: int) -> list[str]:
        """Units whose parent is ``parent``: this manifest's rows of that year, and the units an
        earlier audit had under it for the same year or the year before (so a child that is
        missing this year is noticed)."""
        names = {u for u, p, y in self.manifest_units if p == parent and y in (year, None)}
        names.update(self.history.children(parent, year))
        names.update(self.history.children(parent, year - 1))
        return sorted(names)

    def options(self, doc: BatchDoc) -> dict[str, Any]:
        return self.rule_options(doc)

    def cached(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = build()
        return self.cache[name]

    # -- reporting --------------------------------------------------------------------------

    def report(self, doc: BatchDoc, key: str, /, **kwargs: Any) -> None:
        """Record a finding about ``doc``; keywords as :meth:`RuleContext.report` (location,
        data, anchor, severity, message arguments)."""
        _DocReports(self.reports.setdefault(doc.key, [])).report(key, **kwargs)

    def needs_review(self, doc: BatchDoc, key: str, **args: Any) -> None:
        self.verdicts[doc.key] = DocVerdict("needs_review", key, dict(args))

    def not_applicable(self, doc: BatchDoc, key: str, **args: Any) -> None:
        self.verdicts[doc.key] = DocVerdict("not_applicable", key, dict(args))


class _DocReports(Reporter):
    def __init__(self, reports: list[Report]) -> None:
        self.reports = reports


BatchCheck = Callable[[BatchContext], None]


@dataclass(frozen=True)
class BatchRule(Rule):
    """A cross-report rule: same texts as a Rule, but ``check`` takes a :class:`BatchContext`."""

    check: BatchCheck  # type: ignore[assignment]


class BatchCatalog:
    """Batch rules described in a catalog TOML file (the same format as document rules)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.rules: list[BatchRule] = []

    @classmethod
    def load(cls, path: str | Path) -> BatchCatalog:
        return cls(Catalog.load(path))

    def rule(self, rule_id: str) -> Callable[[BatchCheck], BatchCheck]:
        def bind(func: BatchCheck) -> BatchCheck:
            base = self.catalog.build(rule_id, func)  # type: ignore[arg-type]
            self.rules.append(BatchRule(**{**_fields(base), "check": func}))
            return func

        return bind


def _fields(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in rule.__dataclass_fields__}


__all__ = [
    "BatchCatalog",
    "BatchContext",
    "BatchDoc",
    "BatchRule",
    "FactsDigest",
    "FactsSource",
    "History",
    "NoHistory",
]
