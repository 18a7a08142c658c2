"""DC2xx: the statistics tables (表二/表三/表四) and their arithmetic.

All rules read one extraction per document (``ctx.cached("statistics", …)``) made with the pack's
layouts file (loaded once per process). The identities themselves are data (``layouts/*.toml``)
and evaluated by ``parse.statistics.check_identities``; this module only decides what a result
means for a report:

* a table the profile expects and the report lacks: DC201 fails; the arithmetic rules are
  ``not_applicable`` (there is nothing to add up);
* a table that is there but not machine-checkable (image, flattened text): ``needs_review``,
  never a pass or a failure;
* values placed by column position (garbled PDF→Markdown headers) or rows that could not be
  placed: a failure that rests on them becomes ``needs_review`` with the reason.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from disclosure_check.i18n import localized_note
from disclosure_check.model import Location, Section, Severity
from disclosure_check.model.document import CellKind
from disclosure_check.model.statistics import (
    ColumnSpec,
    Identity,
    IdentityCheck,
    LayoutSet,
    StatisticsTables,
    StatTable,
    StatTableStatus,
    StatValue,
    TableLayout,
    TableSpec,
)
from disclosure_check.parsing.statistics import check_identities, extract_statistics
from disclosure_check.parsing.tables import classify
from disclosure_check.rules import Catalog, RuleContext

from . import sectionmap, textscan


def _catalog() -> Catalog:
    """``catalog/tables.toml`` with its ``[shared.messages]`` merged into every rule (the verdicts
    all table rules share are written once)."""
    path = files(__package__).joinpath("catalog", "tables.toml")
    entries = tomllib.loads(path.read_text("utf-8"))
    shared = entries.pop("shared", {}).get("messages", {})
    for entry in entries.values():
        entry["messages"] = {**shared, **entry.get("messages", {})}
    return Catalog(entries, str(path))


CATALOG = _catalog()

# ---------------------------------------------------------------------------------------------
# Data, layouts and the shared extraction


@cache
def data() -> dict[str, Any]:
    """The pack's ``data/tables.toml`` (patterns, word lists, defaults), loaded once."""
    return tomllib.loads(files(__package__).joinpath("data", "tables.toml").read_text("utf-8"))


@cache
def layout_set(name: str = "national") -> LayoutSet:
    """The layouts file ``layouts/<name>.toml`` of this pack, loaded once per process."""
    path = files(__package__).joinpath("layouts", f"{name}.toml")
    return LayoutSet.model_validate(tomllib.loads(path.read_text("utf-8")))


def statistics(ctx: RuleContext, set_name: str = "national") -> StatisticsTables:
    """Tables 2/3/4 of the document, extracted once and shared by every table rule."""

    def build() -> StatisticsTables:
        given = ctx.doc.statistics
        if set_name == "national" and given is not None and given.table3 is not None:
            return given  # the parser (or a caller) already filled them
        return extract_statistics(ctx.doc, layout_set(set_name))

    key = "statistics" if set_name == "national" else f"statistics:{set_name}"
    return ctx.cached(key, build)


def option(ctx: RuleContext, name: str) -> Any:
    """A rule option: the profile's / config's ``[options.DC2xx]``, else the data file default."""
    return ctx.options.get(name, data()["defaults"][name])


def layout_of(spec: TableSpec, table: StatTable) -> TableLayout | None:
    return layout_set(spec.layout_set).get(table.table, table.layout or "")


# ---------------------------------------------------------------------------------------------
# Which tables a rule looks at


def table_spec(ctx: RuleContext, key: str) -> TableSpec:
    """The profile's spec of table ``key``; ends the rule when the profile expects no such table."""
    if not ctx.profile.tables:
        ctx.not_applicable("no-tables", profile=ctx.profile.id)
    spec = next((s for s in ctx.profile.tables if s.key == key), None)
    if spec is None:
        ctx.not_applicable("not-expected", table=key, profile=ctx.profile.id)
    return spec


def found_table(ctx: RuleContext, key: str) -> tuple[TableSpec, StatTable]:
    """Table ``key`` as found; ends the rule when it is missing (DC201's job) or unreadable."""
    spec = table_spec(ctx, key)
    table = statistics(ctx, spec.layout_set).get(key)
    if table is None or table.status == StatTableStatus.missing:
        ctx.not_applicable("table-missing", table=spec.title)
    if table.status == StatTableStatus.unreadable:
        ctx.needs_review(
            "table-unreadable", table=spec.title, reason=localized_note(why_unreadable(table))
        )
    return spec, table


def found_tables(ctx: RuleContext, doubts: Doubts) -> list[tuple[TableSpec, StatTable]]:
    """Every expected table that was found; unreadable ones become doubts. Ends the rule when
    the profile expects none, or none is there at all."""
    if not ctx.profile.tables:
        ctx.not_applicable("no-tables", profile=ctx.profile.id)
    out = []
    for spec in ctx.profile.tables:
        table = statistics(ctx, spec.layout_set).get(spec.key)
        if table is None or table.status == StatTableStatus.missing:
            continue
        if table.status == StatTableStatus.unreadable:
            doubts.add(*_unreadable_doubt(spec, table))
            continue
        out.append((spec, table))
    if not out and not doubts:
        ctx.not_applicable("table-missing", table="、".join(s.title for s in ctx.profile.tables))
    return out


def why_unreadable(table: StatTable) -> str:
    return "; ".join(table.notes) or "not machine-checkable"


def _unreadable_doubt(spec: TableSpec, table: StatTable) -> tuple[str, str]:
    """(zh_CN, en) reason for a doubt about an unreadable table."""
    note = localized_note(why_unreadable(table))
    return f"{spec.title}：{note['zh_CN']}", f"{spec.title}: {note['en']}"


def garbled_rows(table: StatTable) -> list[str]:
    """Rows of values that could not be placed by their labels (a damaged grid)."""
    reasons = set(data()["defaults"]["garbled_reasons"])
    return [u.label or "/".join(u.values) for u in table.unmatched if u.reason in reasons]


def is_garbled(table: StatTable) -> bool:
    return table.column_source == "position" or bool(garbled_rows(table))


@dataclass
class Doubts:
    """Reasons a rule could not decide, in both languages. Used at the end of a rule: findings
    win over doubts (a confident failure elsewhere in the table still fails the report)."""

    reasons: list[tuple[str, str]] = field(default_factory=list)  # (zh_CN, en)

    def add(self, zh: str, en: str | None = None) -> None:
        pair = (zh, en if en is not None else zh)
        if pair not in self.reasons:
            self.reasons.append(pair)

    def __bool__(self) -> bool:
        return bool(self.reasons)

    def settle(self, ctx: RuleContext) -> None:
        """No finding but doubts: needs_review listing them; otherwise the outcome stands."""
        if self.reasons and not ctx.reports:
            ctx.needs_review(
                "uncertain",
                reasons_zh="；".join(zh for zh, _ in self.reasons),
                reasons_en="; ".join(en for _, en in self.reasons),
            )


# ---------------------------------------------------------------------------------------------
# Cells: labels, evidence, locations


def row_label(table: StatTable, lay: TableLayout | None, key: str) -> str:
    spec = lay.row(key) if lay else None
    return table.row_labels.get(key) or (spec.label if spec else key)


def column_label(table: StatTable, lay: TableLayout | None, key: str) -> str:
    spec = lay.column(key) if lay else None
    return table.column_labels.get(key) or (spec.label if spec else key)


def cell_data(table: StatTable, lay: TableLayout | None, row: str, col: str) -> dict[str, Any]:
    """One cell as evidence: keys, labels as printed, raw text, value, where it is."""
    v = table.get(row, col)
    out: dict[str, Any] = {
        "row": row,
        "column": col,
        "row_label": row_label(table, lay, row),
        "column_label": column_label(table, lay, col),
    }
    if v is None:
        return {**out, "found": False}
    loc = v.location
    return {
        **out,
        "raw": v.raw,
        "value": v.value,
        "kind": v.kind.value,
        "placed_by": v.placed_by,
        "xpath": loc.xpath if loc else None,
        "line": loc.line if loc else None,
    }


def cell_location(table: StatTable, lay: TableLayout | None, row: str, col: str) -> Location | None:
    v = table.get(row, col)
    loc = (v.location if v else None) or table.location
    if loc is None:
        return None
    raw = v.raw if v else ""
    snippet = f"{row_label(table, lay, row)} / {column_label(table, lay, col)}: {raw}".strip()
    return loc.model_copy(update={"snippet": snippet})


def fmt(x: float | int | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def number_or_zero(v: StatValue | None, blank_as_zero: bool) -> float | None:
    """The cell's number; blank/dash as 0 when ``blank_as_zero``; None when unusable."""
    if v is None:
        return None
    if v.kind == CellKind.number and v.value is not None:
        return v.value
    if blank_as_zero and v.kind in (CellKind.blank, CellKind.dash):
        return 0
    return None


# ---------------------------------------------------------------------------------------------
# Identity rules (DC210, DC211, DC212, DC220): one shared evaluation


def _identities(layouts: LayoutSet, table: StatTable) -> dict[str, Identity]:
    """The table's identities by id; the first declared wins, as a search in file order would."""
    found: dict[str, Identity] = {}
    for ident in layouts.identities_for(table.table, table.layout):
        found.setdefault(ident.id, ident)
    return found


def _identity_checks(
    ctx: RuleContext, spec: TableSpec, table: StatTable, blank_as_zero: bool
) -> list[IdentityCheck]:
    """Every identity of the table evaluated once per document (DC210–DC212 share table 3's);
    the rules only read the checks."""
    key = f"identities:{spec.layout_set}:{table.table}:{blank_as_zero}"
    layouts = layout_set(spec.layout_set)
    return ctx.cached(key, lambda: check_identities(table, layouts, blank_as_zero=blank_as_zero))


def _operands(ident: Identity, chk: IdentityCheck) -> list[tuple[str, str]]:
    """(row, column) of every cell the check added up, left side first."""
    keys = [*ident.lhs, *ident.rhs]
    return [(k, chk.at) if chk.over == "columns" else (chk.at, k) for k in keys]


def check_identity_rule(ctx: RuleContext, rule_id: str) -> None:
    """The body of every identity rule: which identities and table come from the rule's catalog
    entry (``table``, ``identities``), restricted by the profile's ``TableSpec.identities``."""
    entry = CATALOG.entries[rule_id]
    spec, table = found_table(ctx, entry["table"])
    wanted = set(entry["identities"])
    if spec.identities is not None:
        wanted &= set(spec.identities)
    if not wanted:
        ctx.not_applicable("not-selected", profile=ctx.profile.id)
    layouts = layout_set(spec.layout_set)
    lay = layout_of(spec, table)
    blank_as_zero = bool(option(ctx, "blank_as_zero"))
    doubts = Doubts()
    undecided: dict[tuple[str, str], list[str]] = {}  # (identity, unusable labels) -> where
    identities = _identities(layouts, table)
    for chk in _identity_checks(ctx, spec, table, blank_as_zero):
        ident = identities.get(chk.id)
        if chk.id not in wanted or ident is None or chk.ok:
            continue
        at = _at_label(table, lay, chk)
        if chk.ok is None:
            labels = "、".join(_labels_of(table, lay, chk, chk.missing))
            undecided.setdefault((chk.id, labels), []).append(at)
            continue
        cells = _operands(ident, chk)
        if any((v := table.get(r, c)) is not None and v.placed_by == "position" for r, c in cells):
            doubts.add(
                f"{chk.id}（{at}）不成立，但相关数值是按列位置推定的",
                f"{chk.id} ({at}) does not hold, but its values were placed by column position",
            )
            continue
        _report_identity(ctx, spec, table, lay, ident, chk, blank_as_zero)
    for (ident_id, labels), ats in undecided.items():
        where = "、".join(ats)
        doubts.add(
            f"{ident_id}（{where}）：{labels} 未找到或不是数字",
            f"{ident_id} ({where}): {labels} not found or not a number",
        )
    doubts.settle(ctx)


def _at_label(table: StatTable, lay: TableLayout | None, chk: IdentityCheck) -> str:
    if chk.over == "columns":
        return column_label(table, lay, chk.at)
    return row_label(table, lay, chk.at)


def _labels_of(
    table: StatTable, lay: TableLayout | None, chk: IdentityCheck, keys: list[str]
) -> list[str]:
    if chk.over == "columns":
        return [row_label(table, lay, k) for k in keys]
    return [column_label(table, lay, k) for k in keys]


def _report_identity(
    ctx: RuleContext,
    spec: TableSpec,
    table: StatTable,
    lay: TableLayout | None,
    ident: Identity,
    chk: IdentityCheck,
    blank_as_zero: bool,
) -> None:
    cells = _operands(ident, chk)
    zero_cells = [
        {"row": r, "column": c}
        for r, c in cells
        if (v := table.get(r, c)) is not None and v.kind in (CellKind.blank, CellKind.dash)
    ]
    at_key = "column" if chk.over == "columns" else "row"
    data = {
        "identity": ident.id,
        "table": table.table,
        "layout": table.layout,
        at_key: chk.at,
        f"{at_key}_label": _at_label(table, lay, chk),
        "expected": chk.rhs,  # the right-hand side (e.g. the sum of the parts) …
        "actual": chk.lhs,  # … against the left-hand side (e.g. the printed total)
        "delta": chk.lhs - chk.rhs,
        "lhs": ident.lhs,
        "rhs": ident.rhs,
        "cells": [cell_data(table, lay, r, c) for r, c in cells],
        "blank_as_zero": blank_as_zero,
        "zero_cells": zero_cells,  # blank or "/" cells counted as 0 (see DC203)
    }
    first = cells[0]
    ctx.report(
        f"{at_key}-mismatch",
        location=cell_location(table, lay, *first),
        data=data,
        anchor=f"{ident.id}:{table.table}:{chk.at}",
        table=spec.title,
        identity=ident.id,
        description_zh=ident.description.get("zh_CN", ""),
        description_en=ident.description.get("en", ""),
        at=data[f"{at_key}_label"],
        lhs_labels=" + ".join(_labels_of(table, lay, chk, ident.lhs)),
        lhs=fmt(chk.lhs),
        rhs=fmt(chk.rhs),
        delta=fmt(chk.lhs - chk.rhs),
        zeros=len(zero_cells),
    )


@CATALOG.rule("DC210")
def t3_balance(ctx: RuleContext) -> None:
    check_identity_rule(ctx, "DC210")


@CATALOG.rule("DC211")
def t3_results_total(ctx: RuleContext) -> None:
    check_identity_rule(ctx, "DC211")


@CATALOG.rule("DC212")
def t3_row_total(ctx: RuleContext) -> None:
    check_identity_rule(ctx, "DC212")


@CATALOG.rule("DC220")
def t4_block_total(ctx: RuleContext) -> None:
    check_identity_rule(ctx, "DC220")


# ---------------------------------------------------------------------------------------------
# DC201 table-missing


def section_of(ctx: RuleContext, key: str | None) -> Section | None:
    """The report's section for a profile section key, through the shared section map."""
    if key is None:
        return None
    match = sectionmap.section_map(ctx).matches.get(key)
    return match.section if match and match.by_heading else None


def section_location(ctx: RuleContext, key: str | None) -> Location | None:
    sec = section_of(ctx, key)
    return sectionmap.location_of(sec) if sec is not None else None


@CATALOG.rule("DC201")
def table_missing(ctx: RuleContext) -> None:
    if not ctx.profile.tables:
        ctx.not_applicable("no-tables", profile=ctx.profile.id)
    doubts = Doubts()
    for spec in ctx.profile.tables:
        table = statistics(ctx, spec.layout_set).get(spec.key)
        status = table.status if table else StatTableStatus.missing
        if status == StatTableStatus.unreadable and table is not None:
            doubts.add(*_unreadable_doubt(spec, table))
        elif status == StatTableStatus.missing and spec.required:
            ctx.report(
                "missing",
                location=section_location(ctx, spec.section),
                data={"table": spec.key, "title": spec.title, "section": spec.section},
                anchor=spec.key,
                table=spec.title,
            )
    doubts.settle(ctx)


# ---------------------------------------------------------------------------------------------
# DC202 table-labels


@CATALOG.rule("DC202")
def table_labels(ctx: RuleContext) -> None:
    doubts = Doubts()
    for spec, table in found_tables(ctx, doubts):
        lay = layout_of(spec, table)
        _check_layout(ctx, spec, table)
        garbled = is_garbled(table)
        if garbled and (table.missing_rows or table.missing_columns or table.extra_rows):
            rows = [row_label(table, lay, k) for k in table.missing_rows]
            rows += [r for r in garbled_rows(table) if r not in rows]
            doubts.add(
                f"{spec.title}：表格错位，无法分清缺少的行列（{'、'.join(rows)}）",
                f"{spec.title}: damaged grid, missing rows/columns cannot be told apart "
                f"({'、'.join(rows)})",
            )
        if not garbled:
            _report_missing_and_extra(ctx, spec, table, lay)
        _report_renamed(ctx, spec, table, lay)
        if table.missing_texts and not garbled:
            ctx.report(
                "missing-note",
                location=table.location,
                severity=Severity.warning,
                data={"table": spec.key, "texts": table.missing_texts},
                anchor=f"note:{spec.key}",
                table=spec.title,
                text="；".join(table.missing_texts),
            )
    doubts.settle(ctx)


def _check_layout(ctx: RuleContext, spec: TableSpec, table: StatTable) -> None:
    if spec.layout is None or spec.layout in table.compatible_layouts:
        return
    key = "outdated" if table.layout in spec.outdated_layouts else "layout"
    ctx.report(
        key,
        location=table.location,
        data={
            "table": spec.key,
            "expected": spec.layout,
            "actual": table.layout,
            "scores": table.layout_scores,
        },
        anchor=f"{key}:{spec.key}",
        table=spec.title,
        expected=spec.layout,
        actual=table.layout or "?",
        year=ctx.doc.meta.report_year or "?",
    )


def _report_missing_and_extra(
    ctx: RuleContext, spec: TableSpec, table: StatTable, lay: TableLayout | None
) -> None:
    for what, keys in (("row", table.missing_rows), ("column", table.missing_columns)):
        for key in keys:
            label = row_label(table, lay, key) if what == "row" else column_label(table, lay, key)
            ctx.report(
                f"missing-{what}",
                location=table.location,
                data={"table": spec.key, what: key, f"{what}_label": label},
                anchor=f"missing:{spec.key}:{key}",
                table=spec.title,
                label=label,
            )
    for label in table.extra_rows:
        ctx.report(
            "extra-row",
            location=table.location,
            data={"table": spec.key, "row_label": label},
            anchor=f"extra:{spec.key}:{label}",
            table=spec.title,
            label=label,
        )


def _report_renamed(
    ctx: RuleContext, spec: TableSpec, table: StatTable, lay: TableLayout | None
) -> None:
    for ren in table.renamed:
        what = "row" if lay is not None and lay.row(ren.key) is not None else "column"
        ctx.report(
            "renamed",
            location=table.location,
            severity=Severity.warning,
            data={"table": spec.key, what: ren.key, "expected": ren.expected, "actual": ren.found},
            anchor=f"renamed:{spec.key}:{ren.key}",
            table=spec.title,
            expected=ren.expected,
            actual=ren.found,
        )


# ---------------------------------------------------------------------------------------------
# DC203 table-cell-invalid

_AMOUNT_UNIT = re.compile(r"(亿元|万元|元)")


def cell_problem(v: StatValue, col: ColumnSpec | None) -> str | None:
    """What is wrong with one value cell, or None. Counts are integers ≥ 0 without a unit;
    amounts (``integer = false``) may be decimal and must be in the column's declared unit."""
    if v.kind == CellKind.blank:
        return "blank"
    if v.kind == CellKind.dash:
        return "dash"
    if v.kind == CellKind.text or v.value is None:
        return "text"
    if v.value < 0:
        return "negative"
    integer = col.integer if col is not None else True
    if integer and not float(v.value).is_integer():
        return "fractional"
    if integer and v.unit:
        return "unit"
    declared = _AMOUNT_UNIT.search(col.label) if col is not None else None
    if not integer and v.unit and declared and v.unit != declared.group(1):
        return "unit-mismatch"
    return None


def _unplaced_problems(table: StatTable) -> list[str]:
    """Value texts of rows that could not be placed which are not valid numbers."""
    reasons = set(data()["defaults"]["garbled_reasons"])
    bad = []
    for u in table.unmatched:
        if u.reason not in reasons:
            continue
        values = list(u.values)
        while values and not values[-1].strip():
            values.pop()  # padding at the end of a Markdown row
        kinds = [classify(t)[0] for t in values]
        if any(k != CellKind.number for k in kinds):
            bad.append(f"{u.label or '?'}: {' | '.join(values)}")
    return bad


@CATALOG.rule("DC203")
def table_cell_invalid(ctx: RuleContext) -> None:
    doubts = Doubts()
    for spec, table in found_tables(ctx, doubts):
        lay = layout_of(spec, table)
        columns = {c.key: c for c in lay.columns} if lay else {}  # (keys are unique)
        for row, cols in table.cells.items():
            for col, v in cols.items():
                problem = cell_problem(v, columns.get(col))
                if problem is None:
                    continue
                if v.placed_by == "position":
                    doubts.add(
                        f"{spec.title}：“{row_label(table, lay, row)}”行的“{v.raw}”按列位置推定",
                        f"{spec.title}: “{v.raw}” in row “{row_label(table, lay, row)}” "
                        "was placed by column position",
                    )
                    continue
                _report_cell(ctx, spec, table, lay, row, col, problem)
        for text in _unplaced_problems(table):
            doubts.add(f"{spec.title}：无法定位的行 {text}", f"{spec.title}: unplaced row {text}")
    doubts.settle(ctx)


def _report_cell(
    ctx: RuleContext,
    spec: TableSpec,
    table: StatTable,
    lay: TableLayout | None,
    row: str,
    col: str,
    problem: str,
) -> None:
    data = {"table": spec.key, "problem": problem, **cell_data(table, lay, row, col)}
    ctx.report(
        problem,
        location=cell_location(table, lay, row, col),
        severity=Severity.warning if problem == "unit" else None,
        data=data,
        anchor=f"{spec.key}:{row}:{col}:{problem}",
        table=spec.title,
        row=data["row_label"],
        column=data["column_label"],
        raw=data.get("raw", ""),
    )


# ---------------------------------------------------------------------------------------------
# DC230 text-table-mismatch


_SPACE_RE = re.compile(r"\s+")
_DIGIT_RE = re.compile(r"\d")


def compact(text: str) -> str:
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Stated:
    """A number (or a claim) the text states, with the sentence it was read from."""

    key: str  # a statement key of data/tables.toml [[DC230.statements]], or "all_closed"
    n: int | None
    sentence: str
    unit: textscan.TextUnit

    def location(self) -> Location:
        section = self.unit.location.section or (self.unit.top.label if self.unit.top else None)
        return self.unit.location.model_copy(update={"snippet": self.sentence, "section": section})


def _sentences(ctx: RuleContext) -> Iterator[tuple[str, textscan.TextUnit]]:
    """Sentences about disclosure requests: anchored (in the sentence or its section heading)
    and free of the skip words (other years, running totals, other kinds of requests)."""
    conf = data()["DC230"]
    headings: dict[int, str] = {}  # id(section) -> its compacted heading, shared by its units
    for unit in textscan.units(ctx):
        if unit.heading:
            continue
        sec = unit.section
        if sec is None:
            heading = ""
        elif (heading := headings.get(id(sec))) is None:
            heading = headings[id(sec)] = compact(sec.heading)
        for sentence in re.split(conf["sentence_split"], compact(unit.text)):
            if not any(a in sentence or a in heading for a in conf["anchors"]):
                continue
            if any(w in sentence for w in conf["skip_words"]):
                continue
            yield sentence, unit


def stated_numbers(ctx: RuleContext) -> list[Stated]:
    conf = data()["DC230"]
    year = ctx.doc.meta.report_year
    found: list[Stated] = []
    for sentence, unit in _sentences(ctx):
        for clause in re.split(conf["clause_split"], sentence):
            # A stated number is int(group "n"), which needs a digit: skip clauses without one.
            for st in conf["statements"] if _DIGIT_RE.search(clause) else ():
                n = _first_number(clause, st, year)
                if n is not None:
                    stated = Stated(st["key"], n, sentence, unit)
                    if stated not in found:
                        found.append(stated)
            closed = conf["all_closed"]
            if any(textscan.rx(p).search(clause) for p in closed["patterns"]) and not any(
                w in clause for w in closed["clause_skip"]
            ):
                found.append(Stated("all_closed", None, sentence, unit))
    return found


def _first_number(clause: str, st: dict[str, Any], year: int | None) -> int | None:
    for pattern in st["patterns"]:
        for m in textscan.rx(pattern).finditer(clause):
            stated_year = m.groupdict().get("year")
            if stated_year and (
                year is None or int(stated_year) != year + st.get("year_offset", 0)
            ):
                continue  # "结转至2030年": not the year after this report's
            return int(m.group("n"))
    return None


@dataclass
class _Sum:
    value: float | None  # None: a cell is missing or not a number
    positional: bool
    cells: list[tuple[str, str]]


def _sum(table: StatTable, cells: list[list[str]], blank_as_zero: bool) -> _Sum:
    total: float = 0
    positional = False
    for row, col in cells:
        v = table.get(row, col)
        x = number_or_zero(v, blank_as_zero)
        if x is None:
            return _Sum(None, False, [(r, c) for r, c in cells])
        positional |= v is not None and v.placed_by == "position"
        total += x
    return _Sum(total, positional, [(r, c) for r, c in cells])


@CATALOG.rule("DC230")
def text_table_mismatch(ctx: RuleContext) -> None:
    if not ctx.profile.tables:
        ctx.not_applicable("no-tables", profile=ctx.profile.id)
    conf = data()["DC230"]
    stats = statistics(ctx)
    readable = {
        k: t
        for k in ("table3", "table4")
        if (t := stats.get(k)) is not None and t.status == StatTableStatus.found
    }
    doubts = Doubts()
    for spec in ctx.profile.tables:
        t = stats.get(spec.key)
        if spec.key in ("table3", "table4") and t is not None and t.status == "unreadable":
            doubts.add(*_unreadable_doubt(spec, t))
    if not readable and not doubts:
        ctx.not_applicable(
            "table-missing", table="收到和处理政府信息公开申请情况、行政复议行政诉讼情况"
        )
    blank_as_zero = bool(option(ctx, "blank_as_zero"))
    statements = {st["key"]: st for st in conf["statements"]}
    for stated in stated_numbers(ctx):
        if stated.key == "all_closed":
            _check_all_closed(ctx, readable, stated, conf["all_closed"], blank_as_zero, doubts)
        else:
            _check_stated(ctx, readable, stated, statements[stated.key], blank_as_zero, doubts)
    doubts.settle(ctx)


def _check_stated(
    ctx: RuleContext,
    readable: dict[str, StatTable],
    stated: Stated,
    st: dict[str, Any],
    blank_as_zero: bool,
    doubts: Doubts,
) -> None:
    table = readable.get(st["table"])
    if table is None:
        return  # missing (DC201) or unreadable (already a doubt)
    sums = [_sum(table, alt, blank_as_zero) for alt in st["accept"]]
    if any(s.value is not None and s.value == stated.n for s in sums):
        return
    label = st["label"]["zh_CN"]
    if any(s.value is None for s in sums):
        doubts.add(
            f"正文{label} {stated.n}：对应的表格单元格无法读取",
            f"{st['label']['en']} {stated.n}: the table cells to compare with are not readable",
        )
        return
    if any(s.positional for s in sums):
        doubts.add(
            f"正文{label} {stated.n}：与按列位置推定的单元格不一致",
            f"{st['label']['en']} {stated.n}: differs from cells placed by column position",
        )
        return
    lay = layout_set().get(table.table, table.layout or "")
    first = sums[0]
    ctx.report(
        "mismatch",
        location=stated.location(),
        data={
            "statement": stated.key,
            "sentence": stated.sentence,
            "table": table.table,
            "expected": first.value,
            "actual": stated.n,
            "accepted": [s.value for s in sums],
            "cells": [cell_data(table, lay, r, c) for r, c in first.cells],
        },
        anchor=f"{stated.key}:{stated.sentence}",
        what_zh=label,
        what_en=st["label"]["en"],
        stated=stated.n,
        expected=fmt(first.value),
        cells=" + ".join(
            f"{row_label(table, lay, r)}/{column_label(table, lay, c)}" for r, c in first.cells
        ),
        sentence=stated.sentence,
    )


def _check_all_closed(
    ctx: RuleContext,
    readable: dict[str, StatTable],
    stated: Stated,
    conf: dict[str, Any],
    blank_as_zero: bool,
    doubts: Doubts,
) -> None:
    table = readable.get(conf["table"])
    if table is None:
        return
    row, col = conf["cell"]
    v = table.get(row, col)
    value = number_or_zero(v, blank_as_zero)
    if value is None:  # the statement cannot be checked: say so rather than pass
        doubts.add(
            f"“{stated.sentence}”无法与结转下年度单元格核对（单元格缺失或不是数字）",
            f"“{stated.sentence}” cannot be checked: the carried-forward cell is missing or not a number",
        )
        return
    if value == 0:
        return
    if v is not None and v.placed_by == "position":
        doubts.add(
            f"“{stated.sentence}”与按列位置推定的结转数不一致",
            f"“{stated.sentence}” vs a carried-forward value placed by column position",
        )
        return
    lay = layout_set().get(table.table, table.layout or "")
    ctx.report(
        "all-closed",
        location=stated.location(),
        data={
            "statement": "all_closed",
            "sentence": stated.sentence,
            "table": table.table,
            "expected": 0,
            "actual": value,
            "cells": [cell_data(table, lay, row, col)],
        },
        anchor=f"all_closed:{stated.sentence}",
        sentence=stated.sentence,
        value=fmt(value),
        label=row_label(table, lay, row),
    )


# ---------------------------------------------------------------------------------------------
# DC231 fee-table-link


def _mentions_fees(text: str) -> bool:
    conf = data()["DC231"]
    text = compact(text)
    for word in conf["not_fee_words"]:
        text = text.replace(word, "")
    return any(w in text for w in conf["fee_words"])


@CATALOG.rule("DC231")
def fee_table_link(ctx: RuleContext) -> None:
    conf = data()["DC231"]
    spec, table = found_table(ctx, "table3")
    lay = layout_of(spec, table)
    if lay is None or lay.row(conf["row"]) is None:
        ctx.not_applicable("no-fee-row", layout=table.layout or "?")
    sec = section_of(ctx, conf["section"])
    # Without a section 六, a fee statement anywhere in the report still links the table.
    if _mentions_fees(sec.text() if sec is not None else textscan.doc_text(ctx)):
        return
    v = table.get(conf["row"], conf["column"])
    value = number_or_zero(v, bool(option(ctx, "blank_as_zero")))
    label = row_label(table, lay, conf["row"])
    if value is None:
        ctx.needs_review("row-unreadable", label=label)
    if value == 0:
        return
    if v is not None and v.placed_by == "position":
        ctx.needs_review("row-positional", label=label, value=fmt(value))
    ctx.report(
        "no-fee-statement",
        location=section_location(ctx, conf["section"])
        or cell_location(table, lay, conf["row"], conf["column"]),
        data={
            "table": "table3",
            "row": conf["row"],
            "row_label": label,
            "actual": value,
            "section": conf["section"] if sec is not None else None,
            "cells": [cell_data(table, lay, conf["row"], conf["column"])],
        },
        anchor="fee-link",
        value=fmt(value),
        label=label,
        where_zh="“六、其他需要报告的事项”" if sec is not None else "全文",
        where_en="part 6 (other matters)" if sec is not None else "the report",
    )
