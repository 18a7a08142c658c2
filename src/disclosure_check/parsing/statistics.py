"""Typed statistics tables (表二/表三/表四) read from a Document's table grids, by their labels.

``extract_statistics(doc, layouts)`` is a pure function over the Document's Table blocks and a
:class:`LayoutSet` (rule-pack data). The parser never calls it; the engine/rules do, and cache it.

Every value is placed by the labels of its row and column — never by its position in a stream of
numbers. The single exception is recorded: when a grid's header is garbled (PDF→Markdown) and a
labelled row has exactly as many value cells as the layout has columns, the values are placed in
the layout's column order and the table says ``column_source = "position"``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..model.document import (
    Cell,
    CellKind,
    Document,
    Image,
    Paragraph,
    Section,
    Table,
    TableStatus,
)
from ..model.statistics import (
    ColumnSpec,
    Identity,
    IdentityCheck,
    LayoutSet,
    Renamed,
    RowSpec,
    StatisticsTables,
    StatTable,
    StatTableStatus,
    StatValue,
    TableLayout,
    Unmatched,
)

TABLE_KEYS = ("table2", "table3", "table4")
_VALUE_KINDS = (CellKind.number, CellKind.blank, CellKind.dash)


def load_layouts(path: str | Path) -> LayoutSet:
    """Read and validate a layouts TOML file (e.g. the rule pack's ``layouts/national.toml``)."""
    with open(path, "rb") as fh:
        return LayoutSet.model_validate(tomllib.load(fh))


# ---------------------------------------------------------------------------------------------
# Label matching

_DROP_RE = re.compile(r"[\s/／“”\"'‘’「」『』]+")
_PAREN_RE = re.compile(r"\([^()]*\)")
_NUMBERING_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")


# Memoised: the same labels and cell texts are keyed thousands of times per report (every layout
# reads every cell); the bound keeps a long audit's memory flat.
@lru_cache(maxsize=16384)
def label_key(text: str) -> str:
    """Strict matching form: NFKC, no whitespace, no "/" or quote marks, no trailing colon."""
    return _DROP_RE.sub("", unicodedata.normalize("NFKC", text)).rstrip(":")


@lru_cache(maxsize=16384)
def loose_key(text: str) -> str:
    """Looser form: also without numbering ("一、", "(三)", "1.") and parenthetical notes."""
    key = _PAREN_RE.sub("", label_key(text))
    return _NUMBERING_RE.sub("", key)


@dataclass
class _Match:
    spec: RowSpec | ColumnSpec
    how: str  # "exact" | "variant" | "loose"


class _Index:
    """Label → specs, strict and loose, for the rows or the columns of one layout."""

    def __init__(self, specs: list[RowSpec] | list[ColumnSpec]) -> None:
        self.strict: dict[str, list[_Match]] = {}
        self.loose: dict[str, list[RowSpec | ColumnSpec]] = {}
        for spec in specs:
            self.strict.setdefault(label_key(spec.label), []).append(_Match(spec, "exact"))
            for v in spec.variants:
                self.strict.setdefault(label_key(v), []).append(_Match(spec, "variant"))
            for text in (spec.label, *spec.variants):
                lst = self.loose.setdefault(loose_key(text), [])
                if spec not in lst:
                    lst.append(spec)

    def find(self, text: str, *, loose: bool, ok: set[str] | None = None) -> _Match | None:
        """The single spec this label names (restricted to keys in ``ok``), or None."""
        hits = [m for m in self.strict.get(label_key(text), []) if ok is None or m.spec.key in ok]
        if not hits and loose and loose_key(text):
            hits = [
                _Match(s, "loose")
                for s in self.loose.get(loose_key(text), [])
                if ok is None or s.key in ok
            ]
        keys = {m.spec.key for m in hits}
        return hits[0] if len(keys) == 1 else None


@dataclass
class _Compiled:
    lay: TableLayout
    rows: _Index
    cols: _Index
    blocks: dict[str, str]  # label key -> block key
    labels: frozenset[str]  # every strict row, column and block label key
    _block_ok: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, lay: TableLayout) -> _Compiled:
        blocks: dict[str, str] = {}
        for b in lay.blocks:
            for text in (b.label, *b.variants):
                blocks[label_key(text)] = b.key
        rows, cols = _Index(lay.rows), _Index(lay.columns)
        return cls(lay, rows, cols, blocks, frozenset([*rows.strict, *cols.strict, *blocks]))

    def label_hits(self, text_keys: set[str]) -> int:
        """How many distinct layout labels appear (strictly) in a grid whose text cells have
        ``text_keys`` (see :func:`_text_keys`): recognition score."""
        return len(text_keys & self.labels)

    def block_ok(self, block: str, kind: str) -> set[str]:
        """Row or column keys allowed in ``block`` (memoised: asked for every cell of the block)."""
        ok = self._block_ok.get((block, kind))
        if ok is None:
            if kind == "row":
                ok = {r.key for r in self.lay.rows if r.block in (None, block)}
            else:
                ok = {c.key for c in self.lay.columns_for(block)}
            self._block_ok[(block, kind)] = ok
        return ok


def _text_keys(table: Table) -> set[str]:
    return {
        label_key(cell.text) for row in table.grid for cell in row if cell.kind == CellKind.text
    }


@dataclass
class _Prepared:
    """What extraction derives from a LayoutSet, computed once per LayoutSet (layouts are data
    and never change after loading)."""

    compiled: dict[int, _Compiled]  # id(TableLayout) -> its indexes
    for_table: dict[str, list[TableLayout]]
    section_titles: dict[str, set[str]]  # table key -> label keys of its sections' headings
    caption_titles: dict[str, list[str]]  # table key -> label keys of its layouts' titles
    text_labels: dict[str, set[str]]  # table key -> long row labels (flattened-table detection)

    @classmethod
    def of(cls, layouts: LayoutSet) -> _Prepared:
        for_table = {key: layouts.for_table(key) for key in TABLE_KEYS}
        return cls(
            compiled={id(lay): _Compiled.of(lay) for lay in layouts.tables},
            for_table=for_table,
            section_titles={
                key: {label_key(t) for lay in lays for t in lay.section_titles}
                for key, lays in for_table.items()
            },
            caption_titles={
                key: [label_key(lay.title) for lay in lays] for key, lays in for_table.items()
            },
            text_labels={
                key: {
                    label_key(r.label)
                    for lay in lays
                    for r in lay.rows
                    if len(label_key(r.label)) >= 6
                }
                for key, lays in for_table.items()
            },
        )


_PREPARED: dict[int, _Prepared] = {}


def _prepared(layouts: LayoutSet) -> _Prepared:
    prep = _PREPARED.get(id(layouts))
    if prep is None:
        prep = _PREPARED[id(layouts)] = _Prepared.of(layouts)
        weakref.finalize(layouts, _PREPARED.pop, id(layouts), None)  # before the id is reused
    return prep


# ---------------------------------------------------------------------------------------------
# Reading one layout over the fragments of one table


@dataclass(frozen=True, slots=True)
class _Pending:
    """A value placed while reading one layout. Every table is read with each of its layouts
    and all but the best are discarded, so StatValues are only made for the winner."""

    cell: Cell
    table_id: str
    r: int
    c: int
    placed_by: str = "labels"

    def value(self) -> StatValue:
        cell = self.cell
        src_r, src_c = cell.origin or (self.r, self.c)
        return StatValue(  # (validating is faster than pydantic's pure-Python model_construct)
            value=cell.value,
            raw=cell.raw,
            text=cell.text,
            kind=cell.kind,
            unit=cell.unit,
            table_id=self.table_id,
            grid_row=src_r,
            grid_col=src_c,
            location=cell.location,
            placed_by=self.placed_by,
        )


_Cells = dict[str, dict[str, _Pending]]  # row key -> column key -> value (StatTable.cells to be)


@dataclass
class _State:
    out: StatTable
    cells: _Cells = field(default_factory=dict)
    block: str | None = None
    colmap: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # col -> (row?, col)
    colmap_width: int = 0
    band: list[list[Cell]] = field(default_factory=list)  # current run of header rows


def _distinct(texts: list[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        if t and (not out or out[-1] != t):
            out.append(t)
    return out


def _value(cell: Cell, table: Table, r: int, c: int, placed_by: str = "labels") -> _Pending:
    return _Pending(cell, table.id, r, c, placed_by)


def _block_ok(comp: _Compiled, block: str | None, kind: str) -> set[str] | None:
    if not comp.lay.blocks or block is None:
        return None
    return comp.block_ok(block, kind)


def _column_map(comp: _Compiled, st: _State) -> dict[int, tuple[str | None, str]]:
    """Header band → grid column → (logical row key for column groups, column key)."""
    width = max((len(r) for r in st.band), default=0)
    ok_cols = _block_ok(comp, st.block, "col")
    group_rows = {r.key for r in comp.lay.rows if r.kind == "data"}
    mapping: dict[int, tuple[str | None, str]] = {}
    for c in range(width):
        path = _distinct([row[c].text for row in st.band if c < len(row)])
        col_key: str | None = None
        row_key: str | None = None
        for text in reversed(path):
            if col_key is None:
                m = comp.cols.find(text, loose=False, ok=ok_cols)
                if m is not None:
                    col_key = m.spec.key
                    _note_rename(st.out, m, text)
                    continue
            if comp.lay.orientation == "column_groups" and row_key is None:
                m = comp.rows.find(text, loose=False, ok=group_rows)
                if m is not None:
                    row_key = m.spec.key
                    _note_rename(st.out, m, text)
        if col_key is None:
            continue
        if comp.lay.orientation == "column_groups" and row_key is None:
            continue
        mapping[c] = (row_key, col_key)
        st.out.column_labels.setdefault(col_key, path[-1] if path else "")
    return mapping


def _note_rename(out: StatTable, m: _Match, found: str) -> None:
    if m.how == "exact" or any(r.key == m.spec.key for r in out.renamed):
        return
    out.renamed.append(Renamed(key=m.spec.key, expected=m.spec.label, found=found, how=m.how))


def _is_header_row(comp: _Compiled, st: _State, row: list[Cell]) -> bool:
    if any(c.kind == CellKind.number for c in row):
        return False
    ok_cols = _block_ok(comp, st.block, "col")
    groups = comp.lay.orientation == "column_groups"  # 行政复议 / 行政诉讼 head column groups
    return any(
        c.kind == CellKind.text
        and (
            comp.cols.find(c.text, loose=False, ok=ok_cols) is not None
            or (groups and comp.rows.find(c.text, loose=False) is not None)
        )
        for c in row
    )


def _block_of(comp: _Compiled, row: list[Cell]) -> str | None:
    for cell in row:
        if cell.kind == CellKind.text and label_key(cell.text) in comp.blocks:
            return comp.blocks[label_key(cell.text)]
    return None


def _read_fragment(comp: _Compiled, table: Table, st: _State) -> None:
    if st.colmap and table.n_cols != st.colmap_width:
        st.colmap = {}  # a continuation grid of another shape: the old header does not apply
    for r, row in enumerate(table.grid):
        block = _block_of(comp, row) if comp.lay.blocks else None
        if block is not None:
            st.block, st.colmap, st.band = block, {}, []
            continue
        if _is_header_row(comp, st, row):
            st.band.append(row)
            st.colmap = _column_map(comp, st)
            st.colmap_width = table.n_cols
            continue
        st.band = []
        if comp.lay.orientation == "column_groups":
            _read_group_row(comp, table, st, r, row)
        else:
            _read_data_row(comp, table, st, r, row)


def _trim(cells: list[tuple[int, Cell]]) -> list[tuple[int, Cell]]:
    """Drop trailing blank cells (Markdown '|  |' ends, padding) before counting positions."""
    while cells and cells[-1][1].kind == CellKind.blank:
        cells = cells[:-1]
    return cells


def _read_data_row(comp: _Compiled, table: Table, st: _State, r: int, row: list[Cell]) -> None:
    out = st.out
    mapped = st.colmap
    if mapped:
        label_cells = [cell for c, cell in enumerate(row) if c not in mapped]
        values = [(c, row[c]) for c in sorted(mapped) if c < len(row)]
    else:
        last_label = max(
            (c for c, cell in enumerate(row) if cell.kind == CellKind.text), default=-1
        )
        label_cells = row[: last_label + 1]
        values = _trim(list(enumerate(row))[last_label + 1 :])
    path = _distinct([c.text for c in label_cells if c.kind == CellKind.text])
    value_texts = [cell.text for _, cell in values]
    has_numbers = any(cell.kind == CellKind.number for _, cell in values)
    if not path:
        if has_numbers:
            out.unmatched.append(
                Unmatched(table_id=table.id, grid_row=r, reason="no row label", values=value_texts)
            )
        return
    leaf = path[-1]
    m = comp.rows.find(leaf, loose=True, ok=_block_ok(comp, st.block, "row"))
    if m is None:
        if has_numbers or any(cell.kind in _VALUE_KINDS for _, cell in values):
            if _is_required_text(comp, leaf):
                return
            out.extra_rows.append(leaf)
            out.unmatched.append(
                Unmatched(
                    table_id=table.id,
                    grid_row=r,
                    label=leaf,
                    reason="unknown row label",
                    values=value_texts,
                )
            )
        return
    spec = m.spec
    assert isinstance(spec, RowSpec)
    if spec.kind == "group":
        if has_numbers:
            out.unmatched.append(
                Unmatched(
                    table_id=table.id,
                    grid_row=r,
                    label=leaf,
                    reason="numbers on a group row",
                    values=value_texts,
                )
            )
        return
    if spec.key in st.cells:
        out.unmatched.append(
            Unmatched(
                table_id=table.id,
                grid_row=r,
                label=leaf,
                reason="duplicate row",
                values=value_texts,
            )
        )
        return
    _note_rename(out, m, leaf)
    placed = _place_row(comp, table, st, r, row, values)
    if placed is None:
        out.unmatched.append(
            Unmatched(
                table_id=table.id,
                grid_row=r,
                label=leaf,
                reason="value cells without column labels",
                values=value_texts,
            )
        )
        return
    st.cells[spec.key] = placed
    out.row_labels[spec.key] = leaf


def _place_row(
    comp: _Compiled,
    table: Table,
    st: _State,
    r: int,
    row: list[Cell],
    values: list[tuple[int, Cell]],
) -> dict[str, _Pending] | None:
    placed: dict[str, _Pending] = {}
    if st.colmap:
        seen_src: set[tuple[int, int]] = set()
        for c, cell in values:
            key = st.colmap[c][1]
            src = cell.origin or (r, c)
            if key in placed or src in seen_src:
                continue  # a span copy of a cell already placed
            seen_src.add(src)
            placed[key] = _value(cell, table, r, c)
        return placed
    # Garbled or missing header: place by the layout's column order only on an exact count.
    cols = [c for c in comp.lay.columns_for(st.block) if not c.optional]
    if len(values) != len(cols) or not values:
        return None
    st.out.column_source = "position"
    for spec, (c, cell) in zip(cols, values, strict=True):
        placed[spec.key] = _value(cell, table, r, c, "position")
    return placed


def _read_group_row(comp: _Compiled, table: Table, st: _State, r: int, row: list[Cell]) -> None:
    """Table 4: one printed row carries all logical rows (one per column group)."""
    out = st.out
    if st.colmap:
        if not any(row[c].kind in _VALUE_KINDS for c in st.colmap if c < len(row)):
            return  # a note or label row under the header
    elif not any(cell.kind == CellKind.number for cell in row):
        return
    if st.colmap:
        if any(rk in st.cells for rk, _ in st.colmap.values()):
            out.unmatched.append(
                Unmatched(
                    table_id=table.id,
                    grid_row=r,
                    reason="a second data row",
                    values=[c.text for c in row],
                )
            )
            return
        seen: set[tuple[int, int]] = set()
        for c, (rk, ck) in sorted(st.colmap.items()):
            if c >= len(row) or rk is None:
                continue
            cell = row[c]
            src = cell.origin or (r, c)
            if src in seen or ck in st.cells.get(rk, {}):
                continue
            seen.add(src)
            st.cells.setdefault(rk, {})[ck] = _value(cell, table, r, c)
        return
    values = _trim([(c, cell) for c, cell in enumerate(row) if cell.kind in _VALUE_KINDS])
    data_rows = comp.lay.data_rows()
    cols = [c for c in comp.lay.columns if not c.optional]
    if len(values) != len(data_rows) * len(cols) or any(k.key in st.cells for k in data_rows):
        out.unmatched.append(
            Unmatched(
                table_id=table.id,
                grid_row=r,
                reason="value cells without column labels",
                values=[cell.text for _, cell in values],
            )
        )
        return
    out.column_source = "position"
    it = iter(values)
    for rspec in data_rows:
        for cspec in cols:
            c, cell = next(it)
            value = _value(cell, table, r, c, "position")
            st.cells.setdefault(rspec.key, {})[cspec.key] = value


def _is_required_text(comp: _Compiled, text: str) -> bool:
    return any(label_key(t) in label_key(text) for t in comp.lay.required_texts)


def _read_layout(comp: _Compiled, fragments: list[Table]) -> tuple[StatTable, _Cells]:
    lay = comp.lay
    out = StatTable(
        table=lay.table,
        status=StatTableStatus.found,
        layout=lay.layout,
        compatible_layouts=[lay.layout, *lay.aliases],
        source_tables=[t.id for t in fragments],
        location=fragments[0].location if fragments else None,
    )
    st = _State(out=out)
    for table in fragments:
        _read_fragment(comp, table, st)
    _finish(comp, fragments, out, st.cells)
    return out, st.cells


def _finish(comp: _Compiled, fragments: list[Table], out: StatTable, cells: _Cells) -> None:
    lay = comp.lay
    if lay.orientation == "column_groups":
        for rspec in lay.data_rows():
            if rspec.key in cells:
                out.row_labels.setdefault(rspec.key, rspec.label)
    out.missing_rows = [r.key for r in lay.data_rows() if r.key not in cells and not r.optional]
    present_cols = {k for row in cells.values() for k in row}
    out.missing_columns = [
        c.key for c in lay.columns if not c.optional and c.key not in present_cols
    ]
    all_text = "".join(label_key(c.text) for t in fragments for row in t.grid for c in row)
    out.missing_texts = [t for t in lay.required_texts if label_key(t) not in all_text]
    for t in fragments:
        out.notes.extend(f"{t.id}: {n}" for n in t.notes)
        if t.status == TableStatus.capped:
            out.notes.append(f"{t.id}: spans were capped; values may be incomplete")
    if out.column_source == "position":
        out.notes.append(
            "header labels unreadable: some values were placed in the layout's column order "
            "because their count matched exactly"
        )


def _score(t: StatTable, cells: _Cells) -> int:
    matched_rows = len(cells)
    matched_cols = len({k for row in cells.values() for k in row})
    return (
        matched_rows
        + matched_cols
        - len(t.missing_rows)
        - len(t.missing_columns)
        - len(t.unmatched)
    )


def _best_layout(prep: _Prepared, layouts: list[TableLayout], fragments: list[Table]) -> StatTable:
    results = [_read_layout(prep.compiled[id(lay)], fragments) for lay in layouts]
    scores = {t.layout or "": _score(t, cells) for t, cells in results}
    # Highest score; ties go to the later format year (layouts are listed newest first per table
    # in the national file, but sort explicitly so file order does not matter).
    best, cells = max(results, key=lambda tc: (scores[tc[0].layout or ""], tc[0].layout or ""))
    best.cells = {row: {col: p.value() for col, p in cols.items()} for row, cols in cells.items()}
    best.layout_scores = dict(sorted(scores.items()))
    return best


# ---------------------------------------------------------------------------------------------
# Finding the tables in a Document


@dataclass
class _Placed:
    block: Table | Image | Paragraph
    headings: list[str]  # label keys of the enclosing section headings, outermost first


def _walk_blocks(doc: Document) -> Iterator[_Placed]:
    for block in doc.preamble:
        yield _Placed(block, [])

    def walk(sec: Section, path: list[str]) -> Iterator[_Placed]:
        here = [*path, label_key(sec.heading)]
        for block in sec.blocks:
            yield _Placed(block, here)
        for child in sec.children:
            yield from walk(child, here)

    for top in doc.sections:
        yield from walk(top, [])


def _section_key(prep: _Prepared, headings: list[str]) -> str | None:
    for key in TABLE_KEYS:
        titles = prep.section_titles[key]
        if any(t and t in h for h in headings for t in titles):
            return key
    return None


def _caption_key(prep: _Prepared, table: Table) -> str | None:
    if not table.caption:
        return None
    cap = label_key(table.caption)
    for key in TABLE_KEYS:
        if any(title in cap for title in prep.caption_titles[key]):
            return key
    return None


def _label_key_for(layouts: LayoutSet, prep: _Prepared, table: Table) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    keys = _text_keys(table)
    for lay in layouts.tables:
        hits = prep.compiled[id(lay)].label_hits(keys)
        if hits >= lay.min_label_matches and hits > best[1]:
            best = (lay.table, hits)
    return best


def _assign(doc: Document, layouts: LayoutSet) -> tuple[dict[str, list[Table]], dict[str, str]]:
    """Group the document's tables by statistics table; note unreadable ones per key."""
    prep = _prepared(layouts)
    groups: dict[str, list[Table]] = {k: [] for k in TABLE_KEYS}
    unreadable: dict[str, str] = {}
    previous: tuple[str | None, list[str]] = (None, [])
    flattened_text: dict[str, int] = dict.fromkeys(TABLE_KEYS, 0)
    key: str | None
    for placed in _walk_blocks(doc):
        block = placed.block
        section_key = _section_key(prep, placed.headings)
        if isinstance(block, Image):
            if section_key and not groups[section_key]:
                unreadable.setdefault(section_key, "the table is an image")
            continue
        if isinstance(block, Paragraph):
            for name in TABLE_KEYS:
                flattened_text[name] += _labels_in_text(prep, name, block.text)
            continue
        table = block
        if table.status in (TableStatus.image, TableStatus.flattened):
            key = (
                _label_key_for(layouts, prep, table)[0] or section_key or _caption_key(prep, table)
            )
            if key:
                unreadable.setdefault(key, f"table {table.id} is {table.status.value}")
            continue
        key = _label_key_for(layouts, prep, table)[0] or _caption_key(prep, table)
        if key is None and previous[0] and placed.headings == previous[1]:
            # A grid without recognisable labels right after a fragment of table K, in the same
            # section: a continuation of K (split tables, PDF extractions).
            key = previous[0]
        if key is None and section_key and table.n_rows:
            key = section_key  # a garbled grid inside the table's own section
        if key is not None:
            groups[key].append(table)
        previous = (key, placed.headings)
    for key, hits in flattened_text.items():
        if not groups[key] and hits >= 3:
            unreadable.setdefault(key, "the table's labels appear only as running text (flattened)")
    return groups, unreadable


def _labels_in_text(prep: _Prepared, key: str, text: str) -> int:
    flat = label_key(text)
    if len(flat) < 20:
        return 0
    return sum(1 for lab in prep.text_labels[key] if lab in flat)


def extract_statistics(doc: Document, layouts: LayoutSet) -> StatisticsTables:
    """Tables 2, 3 and 4 of ``doc``, typed by the labels declared in ``layouts``."""
    groups, unreadable = _assign(doc, layouts)
    prep = _prepared(layouts)
    result = StatisticsTables()
    for key in TABLE_KEYS:
        lays = prep.for_table[key]
        if not lays:
            continue
        if groups[key]:
            table = _best_layout(prep, lays, groups[key])
        else:
            status = StatTableStatus.unreadable if key in unreadable else StatTableStatus.missing
            table = StatTable(table=key, status=status)
            if key in unreadable:
                table.notes.append(unreadable[key])
        setattr(result, key, table)
    return result


# ---------------------------------------------------------------------------------------------
# Identities


def check_identities(
    table: StatTable, layouts: LayoutSet, *, blank_as_zero: bool = False
) -> list[IdentityCheck]:
    """Evaluate the layout set's identities for one extracted table, one check per column/row.

    ``ok`` is None when an operand is missing or not a number (blank, "/", text) — unless
    ``blank_as_zero`` counts blank and dash cells as 0 (as a careful reader might).
    """
    if table.status != StatTableStatus.found or table.layout is None:
        return []
    lay = layouts.get(table.table, table.layout)
    if lay is None:
        return []
    checks: list[IdentityCheck] = []
    present_cols = {k for row in table.cells.values() for k in row}
    for ident in layouts.identities_for(table.table, table.layout):
        if ident.requires and not set(ident.requires) <= (present_cols | set(table.cells)):
            continue
        for at in _identity_scope(ident, lay):
            optional = lay.column(at) if ident.over == "columns" else None
            if optional is not None and optional.optional and at not in present_cols:
                continue
            checks.append(_check_one(table, ident, at, blank_as_zero))
    return checks


def _identity_scope(ident: Identity, lay: TableLayout) -> list[str]:
    if ident.scope:
        return list(ident.scope)
    if ident.over == "columns":
        return [c.key for c in lay.columns]
    return [r.key for r in lay.data_rows()]


def _check_one(table: StatTable, ident: Identity, at: str, blank_as_zero: bool) -> IdentityCheck:
    def cell(k: str) -> StatValue | None:
        return table.get(k, at) if ident.over == "columns" else table.get(at, k)

    missing: list[str] = []
    sums = []
    for side in (ident.lhs, ident.rhs):
        total: float = 0
        for k in side:
            v = cell(k)
            if v is not None and v.kind == CellKind.number and v.value is not None:
                total += v.value
            elif v is not None and blank_as_zero and v.kind in (CellKind.blank, CellKind.dash):
                continue
            else:
                missing.append(k)
        sums.append(total)
    lhs, rhs = sums
    ok = None if missing else abs(lhs - rhs) < 1e-9
    return IdentityCheck(
        id=ident.id, over=ident.over, at=at, lhs=lhs, rhs=rhs, ok=ok, missing=missing
    )
