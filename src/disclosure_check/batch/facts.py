"""The small per-document facts that cross-report rules read, computed in the worker so the main
process never holds a whole Document: normalised text per section, the statistics tables' values,
and a bottom-k sketch of the text's character 5-grams (for near-duplicate search)."""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Document, DocumentReport, StatisticsTables
from ..model.statistics import LayoutSet
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


def jaccard_estimate(a: list[int], b: list[int], k: int = SKETCH_SIZE) -> float:
    """Jaccard similarity estimated from two bottom-k sketches."""
    sa, sb = set(a), set(b)
    union_k = heapq.nsmallest(k, sa | sb)
    return sum(1 for h in union_k if h in sa and h in sb) / len(union_k) if union_k else 0.0


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


def extract_facts(
    doc: Document, report: DocumentReport, digest: str, layouts: LayoutSet | None = None
) -> DocFacts:
    sections = []
    for number, sec in enumerate(doc.sections, start=1):
        key = normalise(sec.heading) or f"#{sec.ordinal or number}"
        sections.append(Section(key=key, heading=sec.label, text=normalise(sec.text())))
    text = normalise(doc.text())
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
