"""DC40x: content quality — template residue, what sections 一/五/六 must say, the 人民政府
accountability items, duplicated words and contact details.

Word lists and thresholds are in ``data/content.toml``; which items apply to a report format is in
the profile (``[options.DC40x]``), with defaults by regime documented in the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from disclosure_check.model import Location, Section, Severity
from disclosure_check.rules import RuleContext

from .common import catalog
from .textscan import (
    TextUnit,
    any_word,
    cjk_count,
    compact,
    data,
    doc_text,
    find_sections,
    first_location,
    organ_level,
    regime,
    rx,
    rx_any,
    section_location,
    section_units,
    units,
)

CATALOG = catalog("content")

# -- DC401 -----------------------------------------------------------------------------------


def _allowed_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for p in data()["placeholders"]["allow"] for m in rx(p).finditer(text)]


def _title_unit(ctx: RuleContext) -> list[TextUnit]:
    title = ctx.doc.meta.title
    if not title:
        return []
    return [TextUnit(title, Location(line=1, column=1, snippet=title), None, None, heading=True)]


@CATALOG.rule("DC401")
def placeholder_text(ctx: RuleContext) -> None:
    patterns = [rx(p) for p in data()["placeholders"]["patterns"]]
    any_pattern = rx_any(tuple(data()["placeholders"]["patterns"]))
    for unit in [*_title_unit(ctx), *units(ctx)]:
        if any_pattern is not None and not any_pattern.search(unit.text):
            continue  # most units hold no placeholder: one scan instead of one per pattern
        allowed: list[tuple[int, int]] | None = None  # found on the first hit: most units have none
        taken: list[tuple[int, int]] = []
        for pattern in patterns:
            for m in pattern.finditer(unit.text):
                span = m.span()
                if allowed is None:
                    allowed = _allowed_spans(unit.text)
                if _overlaps(span, allowed) or _overlaps(span, taken):
                    continue
                taken.append(span)
                ctx.report(
                    "placeholder",
                    token=m.group(0),
                    location=unit.locate(*span),
                    data={"token": m.group(0)},
                    anchor=f"{m.group(0)}|{unit.text[max(0, span[0] - 10) : span[1] + 10]}",
                )


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < hi and lo < span[1] for lo, hi in spans)


# -- DC402 -----------------------------------------------------------------------------------


def _require_sections(ctx: RuleContext, key: str, heading: str) -> list[Section]:
    sections = find_sections(ctx, key)
    if not sections:
        ctx.not_applicable("no-section", heading=heading)
    return sections


def _joined(units_: list[TextUnit]) -> str:
    return "\n".join(u.text for u in units_)


@CATALOG.rule("DC402")
def problems_section_thin(ctx: RuleContext) -> None:
    table = data()["problems"]
    sections = _require_sections(ctx, "problems", "存在的主要问题及改进情况")
    text = _joined(section_units(ctx, sections))
    where = section_location(sections[0])
    chars = cjk_count(text)
    min_chars = int(ctx.options.get("min_chars", table["min_chars"]))
    if compact(text) in table["empty_texts"] or chars == 0:
        ctx.report("empty", location=where, data={"chars": chars})
        return
    if chars < min_chars:
        ctx.report("short", chars=chars, min_chars=min_chars, location=where, data={"chars": chars})
        return
    if not any_word(text, table["problem_words"]):
        ctx.report("no-problems", location=where)
    if not any_word(text, table["measure_words"]):
        ctx.report("no-measures", location=where)
    if _wants_last_year(ctx) and not _mentions_last_year(ctx, text, table["last_year_words"]):
        ctx.report("no-last-year", location=where, severity=Severity.info)


def _wants_last_year(ctx: RuleContext) -> bool:
    # The national format asks how last year's problems were fixed; older formats did not.
    default = regime(ctx) in ("2019", "2021")
    return bool(ctx.options.get("last_year", default))


def _mentions_last_year(ctx: RuleContext, text: str, words: list[str]) -> bool:
    year = ctx.doc.meta.report_year
    prev = str(year - 1) if year else "上年"
    return any_word(text, [w.replace("{prev}", prev) for w in words]) is not None


# -- DC403 / DC404 / DC405: required items ---------------------------------------------------


def _items(
    ctx: RuleContext, table: str, applies: bool, option: str = "items"
) -> list[dict[str, Any]]:
    """The data file's ``table`` entries this report must state: the profile's option names the
    keys; without it, all entries when ``applies`` (the regime default), else none."""
    entries: list[dict[str, Any]] = data()[table]
    chosen = ctx.options.get(option)
    if chosen is None:
        return entries if applies else []
    return [e for e in entries if e["key"] in set(chosen)]


def _missing(entries: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [e for e in entries if not any_word(text, e["words"])]


def _item_text(entry: dict[str, Any], lang: str) -> str:
    return entry["item"].get(lang) or entry["item"]["zh_CN"]


@CATALOG.rule("DC403")
def other_matters_items(ctx: RuleContext) -> None:
    entries = _items(ctx, "other_items", regime(ctx) == "2021")
    if not entries:
        ctx.not_applicable("not-required")
    sections = _require_sections(ctx, "other", "其他需要报告的事项")
    text = _joined(section_units(ctx, sections))
    whole = doc_text(ctx)
    for entry in _missing(entries, text):
        # Stated in another section (e.g. 要点 under 监督保障): misplaced, not missing.
        elsewhere = any_word(whole, entry["words"]) is not None
        ctx.report(
            "item-elsewhere" if elsewhere else "missing-item",
            item=_item_text(entry, "zh_CN"),
            item_en=_item_text(entry, "en"),
            location=section_location(sections[0]),
            data={"item": entry["key"], "elsewhere": elsewhere},
            anchor=entry["key"],
            severity=Severity.info if elsewhere else None,
        )


@CATALOG.rule("DC404")
def government_accountability(ctx: RuleContext) -> None:
    year = ctx.doc.meta.report_year
    since = int(ctx.options.get("since_year", 2019))
    if (year is not None and year < since) or regime(ctx) in ("2008", "university"):
        ctx.not_applicable("old-regime")
    level = organ_level(ctx.doc)
    if level == "government_like" and not ctx.options.get("government_like", False):
        ctx.needs_review("government-like")
    if level not in ("government", "government_like"):
        ctx.not_applicable("not-government", level=level)
    entries = _items(ctx, "accountability", True)
    missing = _missing(entries, doc_text(ctx))
    if missing:
        overview = find_sections(ctx, "overview")
        ctx.report(
            "missing",
            items="、".join(_item_text(e, "zh_CN") for e in missing),
            items_en=", ".join(_item_text(e, "en") for e in missing),
            location=section_location(overview[0]) if overview else first_location(ctx.doc),
            data={"missing": [e["key"] for e in missing]},
            anchor="missing",
        )


@CATALOG.rule("DC405")
def overview_aspects(ctx: RuleContext) -> None:
    entries = _items(ctx, "overview_aspects", regime(ctx) == "2021", option="aspects")
    if not entries:
        ctx.not_applicable("not-required")
    sections = _require_sections(ctx, "overview", "总体情况")
    text = _joined(section_units(ctx, sections))
    for entry in _missing(entries, text):
        ctx.report(
            "missing-aspect",
            aspect=_item_text(entry, "zh_CN"),
            aspect_en=_item_text(entry, "en"),
            location=section_location(sections[0]),
            data={"aspect": entry["key"]},
            anchor=entry["key"],
        )


# -- DC406 -----------------------------------------------------------------------------------


def _duplicate_allowed(unit_text: str, table: dict[str, Any]) -> bool:
    whole = unit_text + unit_text
    return any(a in whole for a in table["allow"]) or any(
        w in unit_text for w in table["allow_units_containing"]
    )


@CATALOG.rule("DC406")
def duplicated_words(ctx: RuleContext) -> None:
    table = data()["duplicates"]
    body = list(units(ctx))
    for unit in body:
        taken: list[tuple[int, int]] = []
        for key in ("long_pattern", "pattern"):
            for m in rx(table[key]).finditer(unit.text):
                span = m.span()
                if _overlaps(span, taken) or _duplicate_allowed(m.group("unit"), table):
                    continue
                taken.append(span)
                ctx.report(
                    "duplicated",
                    text=m.group(0),
                    location=unit.locate(*span),
                    data={"unit": m.group("unit")},
                    anchor=m.group(0),
                )
    _ascii_commas(ctx, body, table)


def _ascii_commas(ctx: RuleContext, body: list[TextUnit], table: dict[str, Any]) -> None:
    pattern = rx(table["ascii_comma"])
    hits = [(u, m) for u in body for m in pattern.finditer(u.text)]
    full = sum(u.text.count("，") for u in body)
    if not hits or len(hits) > float(table["ascii_comma_max_share"]) * (len(hits) + full):
        return  # none, or the whole text is half-width (a converted copy): not a typo
    for unit, m in hits[: int(table["ascii_comma_max_report"])]:
        ctx.report(
            "ascii-comma",
            location=unit.locate(*m.span()),
            severity=Severity.info,
            anchor=f"ascii-comma|{unit.text[max(0, m.start() - 8) : m.end() + 8]}",
        )


# -- DC407 -----------------------------------------------------------------------------------


@CATALOG.rule("DC407")
def contact_missing(ctx: RuleContext) -> None:
    text = doc_text(ctx)
    if any(rx(p).search(text) for p in data()["contact"]["patterns"]):
        return
    ctx.report("missing", location=first_location(ctx.doc))
