"""DC5xx: cross-report rules, run once over a whole audit (``disclosure-check audit``).

They read the small per-document facts (normalised text per section, statistics tables, a
5-gram sketch) of this batch and, through the audit store, of earlier audits. Only each report's
digest (its sketch among it) is in memory; texts and tables are read from the store per report
or per pair, so an audit's memory does not grow with the batch."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from disclosure_check.batch.api import BatchCatalog, BatchContext, BatchDoc
from disclosure_check.model import Location

# The audit's facts helpers (and the models behind them) are imported when a rule runs, not when
# the pack registers its rules: every Checker loads this module, only an audit runs it.

CROSSDOC = BatchCatalog.load(str(files(__package__).joinpath("catalog", "crossdoc.toml")))
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
SUM_TABLES = ("table3", "table4")  # counts that add up; table 2 mixes amounts and stock figures
SET_BLOCK = 256  # DC504: reports whose sketch sets are built at once (two blocks at a time)


def _option(ctx: BatchContext, doc: BatchDoc, rule_id: str, name: str) -> Any:
    default = CROSSDOC.catalog.entries[rule_id].get("options", {}).get(name)
    return ctx.options(doc).get(name, default)


def _percent(x: float) -> str:
    return f"{x:.0%}"


def _grams(full: Any) -> set[int]:
    from disclosure_check.batch.facts import shingles

    return shingles(full.text)


def _has_numbers(values: dict[str, dict[str, Any]]) -> bool:
    return any(v for cols in values.values() for v in cols.values())


@CROSSDOC.rule("DC501")
def copy_of_previous_year(ctx: BatchContext) -> None:
    for doc in ctx.docs:
        last = ctx.previous(doc)
        if last is None:
            ctx.not_applicable(doc, "no-previous", previous=(doc.year or 1) - 1)
            continue
        from disclosure_check.batch.facts import containment

        limit = float(_option(ctx, doc, "DC501", "threshold"))
        # Texts are read back from the audit store per pair, not kept for the whole batch.
        mine, theirs = doc.full_facts(), last.full_facts()
        overall = containment(_grams(mine), _grams(theirs))
        if overall > limit:
            ctx.report(
                doc,
                "overall",
                previous=last.year,
                percent=_percent(overall),
                limit=_percent(limit),
                data={"overlap": round(overall, 4), "previous_hash": last.digest.content_hash},
            )
        _sections(ctx, doc, last, mine.sections, theirs.sections)
        tables, old_tables = mine.tables, theirs.tables
        for key, name in TABLE_NAMES.items():
            table, before = tables.get(key), old_tables.get(key)
            if not (table and before and table.status == before.status == "found"):
                continue
            if table.values == before.values and _has_numbers(table.values):
                ctx.report(doc, "identical-table", table=name, previous=last.year, anchor=key)


def _sections(
    ctx: BatchContext, doc: BatchDoc, last: BatchDoc, mine: list[Any], theirs: list[Any]
) -> None:
    from disclosure_check.batch.facts import containment, shingles

    limit = float(_option(ctx, doc, "DC501", "section_threshold"))
    min_chars = int(_option(ctx, doc, "DC501", "min_section_chars"))
    before = {s.key: s for s in theirs}
    for sec in mine:
        old = before.get(sec.key)
        if old is None or len(sec.text) < min_chars:
            continue
        overlap = containment(shingles(sec.text), shingles(old.text))
        if overlap > limit:
            ctx.report(
                doc,
                "section",
                heading=sec.heading,
                previous=last.year,
                percent=_percent(overlap),
                limit=_percent(limit),
                location=Location(section=sec.key, snippet=sec.heading),
                anchor=f"section:{sec.key}",
                data={"overlap": round(overlap, 4)},
            )


@CROSSDOC.rule("DC502")
def carry_over_mismatch(ctx: BatchContext) -> None:
    for doc in ctx.docs:
        mine = doc.table("table3")
        if mine is None or mine.status in ("missing", "absent"):
            ctx.not_applicable(doc, "no-table")
            continue
        last = ctx.previous(doc)
        if last is None:
            ctx.not_applicable(doc, "no-previous", previous=(doc.year or 1) - 1)
            continue
        theirs = last.table("table3")
        for year, table in ((doc.year, mine), (last.year, theirs)):
            if table is None or table.status != "found":
                ctx.needs_review(
                    doc, "unreadable", year=year, status=table.status if table else "missing"
                )
                break
        else:
            _compare_carry(ctx, doc, last, mine, theirs)


def _compare_carry(
    ctx: BatchContext, doc: BatchDoc, last: BatchDoc, mine: Any, theirs: Any
) -> None:
    over = mine.values.get(str(_option(ctx, doc, "DC502", "carried_over")), {})
    forward = theirs.values.get(str(_option(ctx, doc, "DC502", "carried_forward")), {})
    unreadable = []
    for column in sorted(set(over) | set(forward)):
        label = mine.column_labels.get(column) or theirs.column_labels.get(column) or column
        current, expected = over.get(column), forward.get(column)
        if current is None or expected is None:
            unreadable.append(label)
        elif current != expected:
            ctx.report(
                doc,
                "mismatch",
                column=label,
                current=current,
                expected=expected,
                previous=last.year,
                anchor=f"carry:{column}",
                data={"column": column, "current": current, "expected": expected},
            )
    if not over or not forward or unreadable:
        ctx.needs_review(doc, "cells-unreadable", cells="、".join(unreadable) or "二/四")


@CROSSDOC.rule("DC503")
def hierarchy_sum(ctx: BatchContext) -> None:
    for doc in ctx.docs:
        kids = ctx.children(doc.unit, doc.year) if doc.year is not None else []
        if not kids:
            ctx.not_applicable(doc, "no-children")
            continue
        found = {k: ctx.doc(k, doc.year) for k in kids}
        # One family's tables at a time, each read from the store once.
        tables = {k: d.tables() for k, d in found.items() if d is not None}
        missing = [
            k
            for k in found
            if k not in tables or any(_status(tables[k], t) != "found" for t in SUM_TABLES)
        ]
        if missing:
            ctx.needs_review(doc, "missing-children", units="、".join(missing))
            continue
        mine = doc.tables()
        for key in SUM_TABLES:
            if _status(mine, key) != "found":
                ctx.needs_review(doc, "unreadable", table=TABLE_NAMES[key])
                break
            kid_tables = [(d.unit, tables[k][key]) for k, d in found.items() if d is not None]
            _compare_sums(ctx, doc, key, mine[key], kid_tables)


def _status(tables: dict[str, Any], key: str) -> str:
    table = tables.get(key)
    return table.status if table else "absent"


def _compare_sums(
    ctx: BatchContext, doc: BatchDoc, key: str, mine: Any, kids: list[tuple[str, Any]]
) -> None:
    """``mine``: the parent's table ``key``; ``kids``: (unit, the same table) per child."""
    cells = []
    for row, cols in sorted(mine.values.items()):
        for col, value in sorted(cols.items()):
            parts = [table.values.get(row, {}).get(col) for _, table in kids]
            if value is None or any(p is None for p in parts):
                continue  # blank cells are other rules' business
            total = sum(parts)
            if total != value:
                label = f"{mine.row_labels.get(row, row)}/{mine.column_labels.get(col, col)}"
                cells.append(
                    {"row": row, "column": col, "label": label, "value": value, "sum": total}
                )
    if cells:
        shown = "；".join(f"{c['label']} {c['value']}≠{c['sum']}" for c in cells[:3])
        ctx.report(
            doc,
            "mismatch",
            table=TABLE_NAMES[key],
            count=len(cells),
            cells=shown,
            anchor=f"sum:{key}",
            data={"cells": cells, "children": [unit for unit, _ in kids]},
        )


@CROSSDOC.rule("DC504")
def near_duplicate_units(ctx: BatchContext) -> None:
    by_year: dict[int | None, list[BatchDoc]] = {}
    for doc in ctx.docs:
        min_chars = int(_option(ctx, doc, "DC504", "min_chars"))
        chars = doc.digest.chars
        if chars < min_chars:
            ctx.not_applicable(doc, "too-short", chars=chars)
        else:
            by_year.setdefault(doc.year, []).append(doc)
    for year, docs in by_year.items():
        if year is None:
            continue
        links = _similar_pairs(ctx, docs)
        for doc in docs:
            similar = sorted(links.get(doc.key, []), key=lambda x: (-x[1], x[0]))
            if not similar:
                continue
            names = [u for u, _ in similar]
            shown = "、".join(names[:5]) + (f"等{len(names)}个单位" if len(names) > 5 else "")
            ctx.report(
                doc,
                "near-duplicate",
                units=shown,
                year=year,
                percent=_percent(similar[0][1]),
                anchor="near-duplicate",
                data={"similar": [{"unit": u, "similarity": round(s, 3)} for u, s in similar[:50]]},
            )


def _similar_pairs(
    ctx: BatchContext, docs: list[BatchDoc]
) -> dict[tuple[str, int | None], list[tuple[str, float]]]:
    """All pairs of different units at or above the threshold, estimated from the sketches;
    a cheap intersection of the sketch sets skips most pairs before the estimate (and is the
    estimate's own intersection for the pairs that pass). Sets are fast to intersect but ~20
    times the size of a sketch, so they are made for two blocks of reports at a time (memory
    bounded whatever the batch size; each set is rebuilt once per block pair, a small cost)."""
    links: dict[tuple[str, int | None], list[tuple[str, float]]] = {}
    for top in range(0, len(docs), SET_BLOCK):
        rows = range(top, min(top + SET_BLOCK, len(docs)))
        row_sets = [set(docs[i].digest.sketch) for i in rows]
        for left in range(top, len(docs), SET_BLOCK):
            cols = range(left, min(left + SET_BLOCK, len(docs)))
            col_sets = row_sets if left == top else [set(docs[j].digest.sketch) for j in cols]
            for i, a_set in zip(rows, row_sets, strict=True):
                _link(ctx, docs, i, a_set, cols, col_sets, links)
    return links


def _link(
    ctx: BatchContext,
    docs: list[BatchDoc],
    i: int,
    a_set: set[int],
    cols: range,
    col_sets: list[set[int]],
    links: dict[tuple[str, int | None], list[tuple[str, float]]],
) -> None:
    """Pairs (i, j) for the j > i in ``cols`` (a block of ``docs`` whose sets are ``col_sets``)."""
    from disclosure_check.batch.facts import SKETCH_SIZE

    a = docs[i]
    limit = float(_option(ctx, a, "DC504", "threshold"))
    need = int(limit * len(a.digest.sketch) * 0.8)  # sketches of near-duplicates share most values
    for j, b_set in zip(cols, col_sets, strict=True):
        b = docs[j]
        if j <= i or a.unit == b.unit:
            continue
        both = a_set & b_set
        if len(both) < need:
            continue
        if a.digest.content_hash == b.digest.content_hash:
            sim = 1.0
        else:  # facts.jaccard_estimate, reusing the intersection
            union = a_set | b_set
            if len(union) <= SKETCH_SIZE:
                sim = len(both) / len(union) if union else 0.0
            else:
                cut = sorted(union)[SKETCH_SIZE - 1]
                sim = sum(1 for h in both if h <= cut) / SKETCH_SIZE
        if sim >= limit:
            links.setdefault(a.key, []).append((b.unit, sim))
            links.setdefault(b.key, []).append((a.unit, sim))


@CROSSDOC.rule("DC505")
def report_changed(ctx: BatchContext) -> None:
    for doc in ctx.docs:
        now = doc.fetch
        if now is None:
            ctx.not_applicable(doc, "not-fetched")
            continue
        before = ctx.history.fetched(now.url)
        if before is None:
            ctx.not_applicable(doc, "first-fetch")
            continue
        # A 304 is the server's word that nothing changed; otherwise compare the bytes.
        if now.not_modified or now.content_hash == before.content_hash:
            continue
        ctx.report(
            doc,
            "changed",
            url=now.url,
            previous=before.fetched_at.date().isoformat(),
            old=(before.content_hash or "")[:12],
            new=(now.content_hash or "")[:12],
            anchor=f"changed:{now.url}:{now.content_hash}",  # a later change is a new finding
            data={
                "url": now.url,
                "previous_hash": before.content_hash,
                "hash": now.content_hash,
                "previous_fetched_at": before.fetched_at.isoformat(),
                "fetched_at": now.fetched_at.isoformat(),
                "previous_last_modified": before.last_modified,
                "last_modified": now.last_modified,
                "previous_size": before.size,
                "size": now.size,
            },
        )
