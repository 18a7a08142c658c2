"""Typed statistics tables of the national format (表二/表三/表四), read from the table grids.

Two halves:

* the *layouts* (what a table must look like: row and column labels, accepted variants, data vs
  group rows, per format year) and the *identities* that must hold — declared as data in a rule
  pack's TOML file (``plugins/disclosure_check_rules/layouts/national.toml``) and validated by
  :class:`LayoutSet`;
* the *results* (:class:`StatisticsTables`): every value keyed by (row key, column key), found by
  its labels, with its raw text, kind and cell location. Filled by
  ``disclosure_check.parsing.statistics.extract_statistics``.

Keys are English and stable; labels are the Chinese text as printed in the official format.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# document.py imports this module at its end, after defining Cell and Location.
from .document import CellKind, Location


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Layouts (data, from a rule pack)


class ColumnSpec(_Model):
    key: str  # "natural_person", "total", "upheld" …
    label: str  # official label, e.g. "自然人"
    variants: list[str] = Field(default_factory=list)  # accepted other spellings (noted as renamed)
    blocks: list[str] = Field(default_factory=list)  # table 2: the blocks that have this column
    optional: bool = False  # e.g. the 小计 column of table 3
    integer: bool = True  # counts are integers; amounts (万元, 元) may be decimal


class RowSpec(_Model):
    key: str  # "new", "refused.state_secret", "review" …
    label: str  # official label, e.g. "一、本年新收政府信息公开申请数量"
    variants: list[str] = Field(default_factory=list)
    kind: Literal["data", "group"] = "data"  # a group row only heads sub-rows, it has no numbers
    parent: str | None = None  # the group row's key
    block: str | None = None  # table 2: the block (第二十条第（一）项 …) the row belongs to
    optional: bool = False


class BlockSpec(_Model):
    """A band of a table with its own header (table 2's 第二十条第（…）项 blocks)."""

    key: str  # "art20_1" …
    label: str  # "第二十条第（一）项"
    variants: list[str] = Field(default_factory=list)


class TableLayout(_Model):
    """One table in one format year: which labels make it up and how they are arranged."""

    table: Literal["table2", "table3", "table4"]
    layout: str  # "2019" | "2021"
    aliases: list[str] = Field(default_factory=list)  # other format years using the same layout
    title: str  # "收到和处理政府信息公开申请情况"
    section_titles: list[str] = Field(default_factory=list)  # headings of the section it sits in
    # "rows": each grid row is one logical row (tables 2 and 3). "column_groups": the logical rows
    # are column groups of the header (table 4: 行政复议 / 未经复议直接起诉 / 复议后起诉).
    orientation: Literal["rows", "column_groups"] = "rows"
    blocks: list[BlockSpec] = Field(default_factory=list)
    columns: list[ColumnSpec]
    rows: list[RowSpec]
    required_texts: list[str] = Field(default_factory=list)  # e.g. the table-3 header note
    min_label_matches: int = 3  # labels needed to recognise a grid as this table by labels alone

    @model_validator(mode="after")
    def _check_keys(self) -> TableLayout:
        for what, keys in (
            ("row", [r.key for r in self.rows]),
            ("column", [c.key for c in self.columns]),
            ("block", [b.key for b in self.blocks]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"{self.table}/{self.layout}: duplicate {what} keys {dupes}")
        row_keys = {r.key for r in self.rows}
        block_keys = {b.key for b in self.blocks}
        for r in self.rows:
            if r.parent is not None and r.parent not in row_keys:
                raise ValueError(f"{self.table}/{self.layout}: row {r.key}: unknown parent")
            if r.block is not None and r.block not in block_keys:
                raise ValueError(f"{self.table}/{self.layout}: row {r.key}: unknown block")
        for c in self.columns:
            if set(c.blocks) - block_keys:
                raise ValueError(f"{self.table}/{self.layout}: column {c.key}: unknown block")
        return self

    def data_rows(self) -> list[RowSpec]:
        return [r for r in self.rows if r.kind == "data"]

    def row(self, key: str) -> RowSpec | None:
        return next((r for r in self.rows if r.key == key), None)

    def column(self, key: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.key == key), None)

    def columns_for(self, block: str | None) -> list[ColumnSpec]:
        return [c for c in self.columns if not c.blocks or block is None or block in c.blocks]


class Identity(_Model):
    """An arithmetic identity: Σ lhs = Σ rhs, checked once per column (``over = "columns"``: the
    operands are row keys) or once per data row (``over = "rows"``: the operands are column keys).

    ``requires``: keys that must be present in the table for the identity to apply (e.g. the
    optional 小计 column). ``scope``: restrict to these columns/rows (empty = all of the layout's).
    """

    id: str  # "T3-BAL"
    table: Literal["table2", "table3", "table4"]
    layouts: list[str] = Field(default_factory=list)  # empty = every layout of the table
    over: Literal["columns", "rows"]
    lhs: list[str]
    rhs: list[str]
    requires: list[str] = Field(default_factory=list)
    scope: list[str] = Field(default_factory=list)
    description: dict[str, str] = Field(default_factory=dict)  # lang -> text


class LayoutSet(_Model):
    """A rule pack's layouts file: the tables of one family of formats and their identities."""

    id: str  # "national"
    title: str = ""
    tables: list[TableLayout]
    identities: list[Identity] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> LayoutSet:
        seen = [(t.table, t.layout) for t in self.tables]
        if len(seen) != len(set(seen)):
            raise ValueError("duplicate (table, layout) in layout set")
        # One id may be declared per layout (T3-RES differs between 2019 and 2021).
        ids = [(i.id, tuple(sorted(i.layouts))) for i in self.identities]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate identity ids")
        for ident in self.identities:
            for lay in self.for_table(ident.table):
                if ident.layouts and lay.layout not in ident.layouts:
                    continue
                keys = (
                    {r.key for r in lay.rows}
                    if ident.over == "columns"
                    else {c.key for c in lay.columns}
                )
                unknown = sorted(set(ident.lhs + ident.rhs) - keys)
                if unknown:
                    raise ValueError(f"identity {ident.id}: unknown keys {unknown} ({lay.layout})")
        return self

    def for_table(self, table: str) -> list[TableLayout]:
        return [t for t in self.tables if t.table == table]

    def get(self, table: str, layout: str) -> TableLayout | None:
        return next((t for t in self.tables if t.table == table and t.layout == layout), None)

    def identities_for(self, table: str, layout: str | None) -> list[Identity]:
        return [
            i
            for i in self.identities
            if i.table == table and (not i.layouts or layout is None or layout in i.layouts)
        ]


# ---------------------------------------------------------------------------------------------
# Results


class StatTableStatus(StrEnum):
    found = "found"
    missing = "missing"  # no table of this kind in the document
    unreadable = "unreadable"  # present but not machine-checkable (image, flattened text)


class StatValue(_Model):
    """One cell of a statistics table, found by its row and column labels."""

    value: int | float | None = None  # None for blank / dash / text cells
    raw: str = ""  # as printed
    text: str = ""  # normalised
    kind: CellKind = CellKind.blank
    unit: str | None = None
    table_id: str = ""  # the grid (Table.id) it was read from
    grid_row: int = 0
    grid_col: int = 0
    location: Location | None = None
    # "position": the column was assigned by the layout's column order, not by a header label
    # (see StatTable.column_source); rules must not fail a report on such a cell alone.
    placed_by: Literal["labels", "position"] = "labels"


class Unmatched(_Model):
    """A grid row, column or cell that could not be placed by its labels (never guessed)."""

    table_id: str
    grid_row: int | None = None
    grid_col: int | None = None
    label: str = ""  # the label text as printed (may be empty)
    reason: (
        str  # "unknown row label", "no row label", "duplicate row", "value cells without column"…
    )
    values: list[str] = Field(default_factory=list)  # the row's value texts, for the reader


class Renamed(_Model):
    """A row or column found under a label that differs from the official one."""

    key: str
    expected: str
    found: str
    how: Literal["variant", "loose"]  # a declared variant, or equal after dropping numbering/notes


class StatTable(_Model):
    table: Literal["table2", "table3", "table4"]
    status: StatTableStatus = StatTableStatus.missing
    layout: str | None = None  # "2019" | "2021": the layout the labels match best
    compatible_layouts: list[str] = Field(default_factory=list)  # layout + its aliases
    layout_scores: dict[str, int] = Field(default_factory=dict)
    source_tables: list[str] = Field(default_factory=list)  # Table.id values it was read from
    # row key -> column key -> value. Rows/columns absent from the grid are absent here.
    cells: dict[str, dict[str, StatValue]] = Field(default_factory=dict)
    row_labels: dict[str, str] = Field(default_factory=dict)  # row key -> label as printed
    column_labels: dict[str, str] = Field(default_factory=dict)
    missing_rows: list[str] = Field(default_factory=list)  # data-row keys not found
    missing_columns: list[str] = Field(default_factory=list)
    missing_texts: list[str] = Field(default_factory=list)  # required texts (header note) absent
    extra_rows: list[str] = Field(default_factory=list)  # row labels not in the layout
    renamed: list[Renamed] = Field(default_factory=list)
    unmatched: list[Unmatched] = Field(default_factory=list)
    # "labels": every column placed by its header. "position": some grid had a garbled header and
    # its value cells were assigned in the layout's column order because their count matched
    # exactly (PDF-extracted Markdown); rules may prefer needs_review for those.
    column_source: Literal["labels", "position"] = "labels"
    notes: list[str] = Field(default_factory=list)
    location: Location | None = None  # the first source table

    def get(self, row: str, column: str) -> StatValue | None:
        return self.cells.get(row, {}).get(column)

    def value(self, row: str, column: str) -> int | float | None:
        cell = self.get(row, column)
        return None if cell is None else cell.value


class StatisticsTables(_Model):
    """Tables 2, 3 and 4 of a report. Each is ``None`` until extraction ran."""

    table2: StatTable | None = None
    table3: StatTable | None = None
    table4: StatTable | None = None
    notes: list[str] = Field(default_factory=list)

    def get(self, key: str) -> StatTable | None:
        return getattr(self, key, None) if key in ("table2", "table3", "table4") else None


class TableSpec(_Model):
    """A statistics table a profile expects. The layout details live in a rule pack's layouts file
    (``layout_set``); the profile names which layout this report format must use."""

    key: Literal["table2", "table3", "table4"]
    title: str  # the official title, e.g. "收到和处理政府信息公开申请情况"
    section: str | None = None  # the section key it belongs in
    required: bool = True
    layout: str | None = None  # the expected layout, "2019" | "2021"; None = any
    # Layouts that are recognised but outdated for this format (DC202 "outdated format").
    outdated_layouts: list[str] = Field(default_factory=list)
    layout_set: str = "national"  # LayoutSet.id in the rule pack
    identities: list[str] | None = None  # identity ids to check; None = all declared for the table


class IdentityCheck(_Model):
    """One evaluation of an :class:`Identity` at one column (``over="columns"``) or row."""

    id: str
    over: Literal["columns", "rows"]
    at: str  # the column key (over columns) or row key (over rows)
    lhs: float
    rhs: float
    ok: bool | None  # None: an operand is missing or not a number, so undecidable
    missing: list[str] = Field(default_factory=list)  # operand keys without a usable number
