"""The small per-document facts that cross-report rules read, computed in the worker so the main
process never holds a whole Document: normalised text per section, the statistics tables' values,
and a bottom-k sketch of the text's character 5-grams (for near-duplicate search)."""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Document, DocumentReport, Paragraph, StatisticsTables
from ..model import Section as DocSection
from ..model.statistics import LayoutSet
from .api import FactsDigest
from .model import DocFacts, Section, TableFacts

if TYPE_CHECKING:
    from ..engine import Checker

NGRAM = 5
SKETCH_SIZE = 128
TABLES = ("table2", "table3", "table4")
# Comparison ignores layout, punctuation and numbers: a copied report differs from last year's
# mostly in years and counts, which must not hide the copy.
_DROP = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
_DIGITS = re.compile(r"[0-9]+")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _DIGITS.sub("0", _DROP.sub("", text))


def shingles(text: str, n: int = NGRAM) -> set[int]:
    """Character n-grams of normalised text as stable 32-bit hashes (crc32: the same in every
    process, unlike ``hash``)."""
    if len(text) < n:
        return {zlib.crc32(text.encode())} if text else set()
    return {zlib.crc32(text[i : i + n].encode()) for i in range(len(text) - n + 1)}


def sketch(grams: Iterable[int], k: int = SKETCH_SIZE) -> list[int]:
    return sorted(heapq.nsmallest(k, grams))


def containment(mine: set[int], other: set[int]) -> float:
    """Share of this text's n-grams that also occur in the other (the 重复率 of this year's text)."""
    return len(mine & other) / len(mine) if mine else 0.0


def jaccard_estimate(
    a: list[int] | set[int], b: list[int] | set[int], k: int = SKETCH_SIZE
) -> float:
    """Jaccard similarity estimated from two bottom-k sketches: the share of the union's k
    smallest values that both hold. (Sets may be given, to save converting them per pair.)"""
    sa = a if isinstance(a, set) else set(a)
    sb = b if isinstance(b, set) else set(b)
    union = sa | sb
    if not union:
        return 0.0
    both = sa & sb
    if len(union) <= k:
        return len(both) / len(union)
    cut = sorted(union)[k - 1]  # the k-th smallest: values are distinct, so ``<=`` is "in the k"
    return sum(1 for h in both if h <= cut) / k


def layout_set(checker: Checker, name: str = "national") -> LayoutSet | None:
    """A layouts file ``layouts/<name>.toml`` shipped by a loaded rule pack (the tables rules
    read the same file), or None when no pack ships one."""
    from ..parsing.statistics import load_layouts  # lazy: only workers need it

    for plugin in checker.plugin_set.manager.get_plugins():
        for folder in getattr(plugin, "__path__", []):
            candidate = Path(folder) / "layouts" / f"{name}.toml"
            if candidate.is_file():
                return load_layouts(candidate)
    return None


def statistics(doc: Document, layouts: LayoutSet | None) -> StatisticsTables:
    """The typed tables: as the parser filled them, else extracted here."""
    given = doc.statistics or StatisticsTables()
    if given.table3 is not None or layouts is None or doc.status.value != "ok":
        return given
    from ..parsing.statistics import extract_statistics

    return extract_statistics(doc, layouts)


def _tables(stats: StatisticsTables) -> dict[str, TableFacts]:
    out: dict[str, TableFacts] = {}
    for key in TABLES:
        table = stats.get(key)
        if table is None:
            out[key] = TableFacts(status="absent")
            continue
        values = {
            row: {col: cell.value for col, cell in cols.items()}
            for row, cols in table.cells.items()
        }
        out[key] = TableFacts(
            status=table.status.value,
            layout=table.layout,
            values=values,
            row_labels=dict(table.row_labels),
            column_labels=dict(table.column_labels),
            column_source=table.column_source,
        )
    return out


def _section_parts(sec: DocSection) -> list[str]:
    """The pieces ``Section.text`` joins with newlines (kept in step with it; a test compares)."""
    parts: list[str] = []
    for s in sec.walk():
        if s is not sec:
            parts.append(s.heading_raw or s.label)
        parts.extend(b.text for b in s.blocks if isinstance(b, Paragraph))
    return parts


def normalised_texts(doc: Document) -> tuple[str, list[str]]:
    """``normalise(doc.text())`` and ``normalise(sec.text())`` of each top-level section, with
    the expensive NFKC step done once per piece of text rather than twice (for the section and
    again for the whole). Exact: NFKC never composes or reorders across the newline that joins
    the pieces, so NFKC of the joined text is the join of the pieces' NFKC; dropping and digit
    folding then run on the joined text, as ``normalise`` does."""
    nfkc = unicodedata.normalize

    def fold(text: str) -> str:
        return _DIGITS.sub("0", _DROP.sub("", text))

    whole = [nfkc("NFKC", b.text) for b in doc.preamble if isinstance(b, Paragraph)]
    sections = []
    for top in doc.sections:
        joined = "\n".join([nfkc("NFKC", p) for p in _section_parts(top)])
        sections.append(fold(joined))
        whole.append(nfkc("NFKC", top.heading_raw or top.label))
        whole.append(joined)
    return fold("\n".join(p for p in whole if p)), sections


def extract_facts(
    doc: Document, report: DocumentReport, digest: str, layouts: LayoutSet | None = None
) -> DocFacts:
    text, section_texts = normalised_texts(doc)
    sections = []
    for number, (sec, sec_text) in enumerate(zip(doc.sections, section_texts, strict=True), 1):
        key = normalise(sec.heading) or f"#{sec.ordinal or number}"
        sections.append(Section(key=key, heading=sec.label, text=sec_text))
    return DocFacts(
        content_hash=digest,
        title=doc.meta.title,
        organ=doc.meta.organ,
        report_year=doc.meta.report_year,
        kind=doc.meta.kind.value,
        profile=report.profile,
        status=doc.status.value,
        text=text,
        sections=sections,
        sketch=sketch(shingles(text)),
        tables=_tables(statistics(doc, layouts)),
    )


def digest(facts: DocFacts) -> FactsDigest:
    """What an audit keeps in memory of a report's facts for the batch rules (see FactsDigest)."""
    return FactsDigest(
        content_hash=facts.content_hash,
        status=facts.status,
        report_year=facts.report_year,
        profile=facts.profile,
        title=facts.title,
        chars=len(facts.text),
        sketch=array("I", facts.sketch),
    )
