"""Table grids: an HTML ``<table>`` or a Markdown pipe table → a rectangular grid of typed cells.

Only geometry and cell typing happen here (rowspan/colspan expansion, text normalisation, number
parsing). Which table is 表三 and what its labels mean is ``parse.statistics``'s job.

Bounded by construction: spans are clamped to the table's real extent and to hard limits, so a
``colspan="100000"`` costs no more than an ordinary cell; every clamp is noted on the table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model.document import Cell, CellKind, Location, Table, TableStatus
from ._trusted import trusted_builder, trusted_copy
from .blocks import HtmlLocator, element_text, short_text

# Hard limits: HTML itself clamps colspan at 1000 and rowspan at 65534; real report tables are far
# smaller. Beyond these a table is truncated (and noted), never expanded.
MAX_COLSPAN = 1000
MAX_ROWS = 5000
MAX_COLS = 200
MAX_CELLS = 200_000

# A cell whose text is only one of these stands for "nothing / zero" (kind dash, not a number).
_DASH_RE = re.compile(r"^(?:[/\\\-—–―~_]+|无)$")
# Units printed inside a numeric cell. Longest first so "万元" wins over "元".
_UNITS = ("万元", "亿元", "元", "件", "个", "项", "条", "次", "人次", "人", "家", "份", "%", "‰")
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUMBER_RE = re.compile(
    r"^(?P<sign>[+\-])?\s*(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*(?P<unit>"
    + _UNIT_ALT
    + r")?$"
)
_WS_RE = re.compile(r"\s+")
# Whitespace between two CJK characters is layout padding (&nbsp; runs, line breaks inside a label:
# "商业 企业", "三、本年度办 理结果"); Chinese has no inter-word spaces, so it is dropped.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
# Elements whose boundaries separate text (a new line in the rendered cell).
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_SLOW_TAGS = frozenset({"table", "script", "style", "br"})  # need the careful walk below
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\ufe63": "-", "\uff0d": "-"})
# First characters with which a cell can be a number or a dash (besides a digit or whitespace).
_MAYBE_NUMBER_OR_DASH = frozenset("+-\u2212\ufe63\uff0d/\\—–―~_无")


# ---------------------------------------------------------------------------------------------
# Cell text and numbers


def normalize_text(raw: str) -> str:
    """NFKC (full-width digits → ASCII), whitespace collapsed, gaps between CJK removed."""
    if raw.isascii():  # NFKC is the identity and there is no CJK: only the whitespace to fold
        return " ".join(raw.split())
    text = unicodedata.normalize("NFKC", raw)
    # str.split() and re's \s agree on whitespace (U+00A0, U+3000 …): same as sub(" ").strip().
    text = " ".join(text.split())
    return _CJK_GAP_RE.sub("", text)


def classify(text: str) -> tuple[CellKind, float | int | None, str | None]:
    """Type a normalised cell text: (kind, value, unit). "0", blank, "/" and words stay distinct."""
    if not text:
        return CellKind.blank, None, None
    if text.isdigit() and text.isascii():  # the usual number cell: what _NUMBER_RE would give
        return CellKind.number, int(text), None
    first = text[0]
    if first not in _MAYBE_NUMBER_OR_DASH and not first.isdecimal() and not first.isspace():
        return CellKind.text, None, None  # neither pattern can match (labels, sentences)
    compact = text.translate(_MINUS_SIGNS)
    if _DASH_RE.match(compact.replace(" ", "")):
        return CellKind.dash, None, None
    m = _NUMBER_RE.match(compact)
    if m is None:
        return CellKind.text, None, None
    digits = m.group("int").replace(",", "")
    value: float | int
    value = float(digits + m.group("frac")) if m.group("frac") else int(digits)
    if m.group("sign") == "-":
        value = -value
    return CellKind.number, value, m.group("unit")


def make_cell(raw: str, *, header: bool = False, location: Location | None = None) -> Cell:
    text = normalize_text(raw)
    kind, value, unit = classify(text)
    # Every field, in field order, of the field's type (header as a bool): no re-validation.
    return _new_source_cell(
        {
            "text": text,
            "raw": raw.strip(),
            "kind": kind,
            "value": value,
            "unit": unit,
            "header": bool(header),
            "origin": None,
            "location": location,
        }
    )


_new_cell = trusted_builder(Cell)
_new_source_cell = trusted_builder(Cell, unset=frozenset({"origin"}))  # origin left at None


def _element_text(el: Any, notes: set[str], full: str | None = None) -> str:
    """The cell's text as printed: inline pieces joined as-is (Word splits "12" over spans), block
    boundaries (<p>, <br>, <div>) as newlines. Text inside a nested table is skipped.
    ``full``: ``element_text(el)`` when the caller has it already."""
    # Fast path for the common cell (inline text, at most one block): lxml joins the text in C.
    # Comments carry no text there either, so both paths give the same text.
    if _is_simple(el):
        return element_text(el) if full is None else full
    parts: list[str] = []

    def walk(node: Any) -> None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "table":
                notes.add("nested table inside a cell: only the outer grid is read")
            elif tag in ("script", "style"):
                pass
            else:
                if tag in _BLOCK_TAGS:
                    parts.append("\n")
                if child.text and tag:
                    parts.append(child.text)
                walk(child)
                if tag in _BLOCK_TAGS:
                    parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    if el.text:
        parts.append(el.text)
    walk(el)
    # Collapse the newline runs but keep single breaks in raw.
    return re.sub(r"[ \t\r\f\v]*\n[\s]*", "\n", "".join(parts)).strip()


def _is_simple(el: Any) -> bool:
    """No nested table/script/style/<br> and at most one block element below ``el``. A loop
    over the few descendants of a cell beats ``el.iter(*tags)``, which builds a matcher per call."""
    if not len(el):
        return True
    seen_block = False
    for d in el.iterdescendants():
        tag = d.tag
        if tag in _SLOW_TAGS:
            return False
        if tag in _BLOCK_TAGS:
            if seen_block:
                return False
            seen_block = True
    return True


# ---------------------------------------------------------------------------------------------
# HTML tables


@dataclass
class _Src:
    """One printed cell with its (clamped) spans."""

    el: Any
    header: bool
    rowspan: int
    colspan: int


@dataclass
class _Notes:
    notes: list[str] = field(default_factory=list)
    capped: bool = False

    def cap(self, message: str) -> None:
        self.capped = True
        if message not in self.notes:
            self.notes.append(message)


def _own_rows(table_el: Any) -> list[Any]:
    """The table's own <tr> rows (thead/tbody/tfoot included), never those of a nested table."""
    rows: list[Any] = []
    for child in table_el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if isinstance(c.tag, str) and c.tag == "tr")
    return rows


def _span(el: Any, attr: str) -> int | None:
    """The span attribute as an int (None when missing/garbage; 0 kept: rowspan=0 = to the end)."""
    value = el.get(attr)
    if value is None:
        return None
    m = re.match(r"\s*(\d+)", value)
    if m is None:
        return None
    digits = m.group(1)
    return 10**9 if len(digits) > 9 else int(digits)  # avoid huge ints from hostile input


def _read_rows(rows: list[Any]) -> list[list[_Src]]:
    out: list[list[_Src]] = []
    n_rows = len(rows)
    for tr in rows:
        row: list[_Src] = []
        for c in tr:
            tag = c.tag  # a comment's tag is a function: never equal to a string
            if tag != "td" and tag != "th":
                continue
            # Most cells carry no span attribute: _span only runs for those that do.
            rowspan = 1 if c.get("rowspan") is None else _span(c, "rowspan")
            colspan = 1 if c.get("colspan") is None else _span(c, "colspan")
            # rowspan="0" means "to the end of the table section" (HTML); treat it as to the end.
            row.append(_Src(c, tag == "th", n_rows if rowspan == 0 else rowspan or 1, colspan or 1))
        out.append(row)
    return out


# Columns the placement simulation tracks at most: absurd spans stacked row after row would
# otherwise make it walk (and remember) hundreds of thousands of columns per row.
_SIM_COLS = 4 * MAX_COLS


def _extent(rows: list[list[_Src]], colspan_limit: int) -> list[int]:
    """Per-row width of a placement simulation (rowspans from above included), at most
    ``_SIM_COLS``: a row that wide is implausible anyway and is capped later."""
    n = len(rows)
    carry: dict[int, int] = {}  # column -> further rows still covered by a rowspan from above
    widths: list[int] = []
    for r, row in enumerate(rows):
        occupied = set(carry)
        col = 0
        width = max(occupied) + 1 if occupied else 0
        new: dict[int, int] = {}
        rows_left = n - r
        for src in row:
            while col in occupied:
                col += 1
            if col >= _SIM_COLS:
                width = _SIM_COLS
                break
            span = src.colspan  # min(colspan, colspan_limit, _SIM_COLS - col), inline
            if span > colspan_limit:
                span = colspan_limit
            if span > _SIM_COLS - col:
                span = _SIM_COLS - col
            below = (src.rowspan if src.rowspan < rows_left else rows_left) - 1
            if below > 0:
                new.update(dict.fromkeys(range(col, col + span), below))
            col += span
            if col > width:
                width = col
        widths.append(width)
        carry = {c: left - 1 for c, left in carry.items() if left > 1}
        carry.update(new)
    return widths


def _table_width(rows: list[list[_Src]]) -> int:
    """The real width: the widest row whose colspans are plausible next to the cell counts.

    ``w0`` is the width if every colspan were 1; a legitimate header colspan cannot make a row
    much wider than that. Rows pushed far beyond it by an absurd colspan do not set the width.
    """
    w0 = max(_extent(rows, 1), default=0)
    limit = 2 * w0 + 8
    plausible = [w for w in _extent(rows, limit + 1) if w <= limit]
    return min(max([w0, *plausible]), MAX_COLS)


def table_from_element(el: Any, *, table_id: str, locate: Callable[[Any], Location]) -> Table:
    """An lxml HTML ``<table>`` element → a rectangular :class:`Table` grid.

    Spanned positions get copies of the source cell with ``origin=(row, col)`` of the source and the
    source's location. Spans beyond the table's extent are clamped (status ``capped``, noted).
    """
    log = _Notes()
    text_notes: set[str] = set()
    tr_elements = _own_rows(el)
    if len(tr_elements) > MAX_ROWS:
        log.cap(f"table has {len(tr_elements)} rows; only the first {MAX_ROWS} were read")
        tr_elements = tr_elements[:MAX_ROWS]
    rows = _read_rows(tr_elements)
    n_rows = len(rows)
    width = _table_width(rows)
    if n_rows and width and n_rows * width > MAX_CELLS:
        keep = max(1, MAX_CELLS // width)
        log.cap(f"table of {n_rows}×{width} cells; only the first {keep} rows were read")
        rows = rows[:keep]
        n_rows = keep

    make = _cell_maker(locate, text_notes)
    grid: list[list[Cell | None]] = [[None] * width for _ in range(n_rows)]
    for r, row in enumerate(rows):
        col = 0
        grid_row = grid[r]
        for i, src in enumerate(row):
            while col < width and grid_row[col] is not None:
                col += 1
            if col >= width:
                # More cells than the table is wide (a row overhanging the rest): noted, dropped.
                log.cap(
                    f"row {r + 1} has cells beyond the table's width {width}; they were dropped"
                )
                break
            # Leave one column for each later cell of the row, so an absurd colspan cannot push
            # its neighbours off the grid.
            colspan = src.colspan
            if colspan > width - col:
                colspan = max(1, width - col - (len(row) - i - 1))
            rowspan = min(src.rowspan, n_rows - r)
            if colspan < src.colspan and src.colspan > 1:
                log.cap(f"colspan={src.colspan} at row {r + 1} capped to {colspan} (width {width})")
            if rowspan < src.rowspan and src.el.get("rowspan", "").strip() != "0":
                log.cap(
                    f"rowspan={src.rowspan} at row {r + 1} capped to {rowspan} "
                    f"(table has {n_rows} rows)"
                )
            cell = make(src.el, src.header)
            if rowspan == 1 and colspan == 1:
                grid_row[col] = cell  # free: the loop above stopped on an empty position
            else:
                _place(grid, cell, r, col, rowspan, colspan)
            col += colspan

    final = [[c if c is not None else _pad_cell() for c in row] for row in grid]
    notes = log.notes + sorted(text_notes)
    if any(c.origin is None and c.location is None for row in final for c in row):
        notes.append("rows shorter than the table were padded with blank cells")
    return Table(
        id=table_id,
        status=TableStatus.capped if log.capped else TableStatus.ok,
        n_rows=n_rows,
        n_cols=width,
        grid=final,
        notes=notes,
        location=locate(el),
    )


def _cell_maker(locate: Callable[[Any], Location], notes: set[str]) -> Callable[[Any, bool], Cell]:
    """``(td, header) -> Cell`` with its location. With the page's :class:`HtmlLocator` the cell's
    text is serialised once: for the snippet and (a simple cell) the cell text itself."""
    if not isinstance(locate, HtmlLocator):

        def make_generic(el: Any, header: bool) -> Cell:
            location = locate(el)
            return make_cell(_element_text(el, notes), header=header, location=location)

        return make_generic
    html_locate = locate

    def make(el: Any, header: bool) -> Cell:
        full = element_text(el)
        location = html_locate(el, short_text(full))
        return make_cell(_element_text(el, notes, full), header=header, location=location)

    return make


def _place(
    grid: list[list[Cell | None]], cell: Cell, r: int, c: int, rowspan: int, colspan: int
) -> None:
    for rr in range(r, r + rowspan):
        for cc in range(c, c + colspan):
            if grid[rr][cc] is not None:
                continue  # overlapping spans (malformed HTML): the first cell keeps the position
            if rr == r and cc == c:
                grid[rr][cc] = cell
            else:  # a copy: the same fields (the same Location object) and origin set
                grid[rr][cc] = _new_cell({**cell.__dict__, "origin": (r, c)})


def _pad_cell() -> Cell:
    return Cell(text="", raw="", kind=CellKind.blank)


def _copy(cell: Cell, **changes: Any) -> Cell:
    """A shallow copy with some fields changed (values are ours: no re-validation needed)."""
    return trusted_copy(cell, changes)


# ---------------------------------------------------------------------------------------------
# Markdown pipe tables

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _split_pipe_row(line: str) -> list[tuple[int, str]]:
    """Cells of one ``| a | b |`` line as (0-based column in the line, text); ``\\|`` is a pipe."""
    s = line.rstrip("\n")
    cells: list[tuple[int, str]] = []
    start = 0
    i = 0
    lead = len(s) - len(s.lstrip())
    if s[lead : lead + 1] == "|":
        start = i = lead + 1
    buf: list[str] = []
    while i < len(s):
        ch = s[i]
        if ch == "\\" and s[i + 1 : i + 2] == "|":
            buf.append("|")
            i += 2
            continue
        if ch == "|":
            cells.append((start, "".join(buf)))
            buf = []
            start = i + 1
        else:
            buf.append(ch)
        i += 1
    tail = "".join(buf)
    if tail.strip():  # a row without the closing pipe
        cells.append((start, tail))
    return cells


def table_from_markdown(lines: list[str], *, table_id: str, location: Location) -> Table:
    """Markdown pipe-table lines → a :class:`Table`.

    Cells are taken exactly as printed: a row with fewer cells is padded with blanks at its end,
    never shifted or re-aligned (PDF extractions displace label cells; guessing is for nobody).
    The row before a ``|---|`` separator is the header row.
    """
    notes: list[str] = []
    capped: set[str] = set()
    rows: list[list[Cell]] = []
    header_rows: set[int] = set()
    n_cells = 0
    for offset, line in enumerate(lines):
        if _SEPARATOR_RE.match(line):
            if len(rows) == 1:
                header_rows.add(0)
            continue
        if "|" not in line:
            if line.strip():
                notes.append(f"line {offset + 1} is not a table row and was skipped")
            continue
        cells_here: list[Cell] = []
        pieces = list(_split_pipe_row(line))
        if len(pieces) > MAX_COLS:
            capped.add(f"rows wider than {MAX_COLS} cells were cut")
        for col, text in pieces[:MAX_COLS]:  # cells past the cap are never built
            cell_loc = _md_location(location, offset, col, text)
            cells_here.append(make_cell(text, location=cell_loc))
        rows.append(cells_here)
        n_cells += len(cells_here)
        if len(rows) >= MAX_ROWS or n_cells >= MAX_CELLS:
            capped.add(f"only the first {len(rows)} rows ({n_cells:,} cells) were read")
            break
    width = min(max((len(r) for r in rows), default=0), MAX_COLS)
    if any(len(r) != width for r in rows):
        notes.append("rows have different numbers of cells; short rows were padded at the end")
    grid = [
        [
            _copy(c, header=i in header_rows)
            for c in (row[:width] + [_pad_cell() for _ in range(width - len(row))])
        ]
        for i, row in enumerate(rows)
    ]
    notes += sorted(capped)
    return Table(
        id=table_id,
        status=TableStatus.capped if capped else TableStatus.ok,
        n_rows=len(grid),
        n_cols=width,
        grid=grid,
        notes=notes,
        location=location,
    )


def _md_location(base: Location, line_offset: int, col: int, text: str) -> Location:
    line = base.line + line_offset if base.line is not None else None
    lead = len(text) - len(text.lstrip())
    return Location(
        line=line,
        column=col + lead + 1 if line is not None else None,
        section=base.section,
        snippet=text.strip()[:60],
    )


def iter_cells(table: Table) -> Iterable[tuple[int, int, Cell]]:
    """Every (row, col, cell) of the grid, copies included."""
    for r, row in enumerate(table.grid):
        for c, cell in enumerate(row):
            yield r, c, cell
