"""DC1xx: the structure of a report — its sections, their order, numbering and content.

All rules read the one :class:`~.sectionmap.SectionMap` of the document (see sectionmap.py), so
they agree on which printed section is which canonical key and how it was recognised.
"""

from __future__ import annotations

import re
from typing import Any

from disclosure_check.model import Location, Profile
from disclosure_check.model.document import Section, Table
from disclosure_check.model.profile import SectionSpec
from disclosure_check.rules import RuleContext

from .common import catalog
from .sectionmap import (
    NUMBERED_STYLES,
    Match,
    SectionMap,
    body_paragraphs,
    compact,
    find_statement,
    is_empty,
    location_of,
    normalize,
    rejected_headings,
    require_outline,
    sentence_at,
    snippet,
)

CATALOG = catalog("sections")

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (ordinals of report parts stay below 100)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def parse_number(text: str) -> int | None:
    """ "9" / "九" / "十二" → int; None when it is not a small number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS + "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)


def at(loc: Location | None, key: str | None) -> Location | None:
    """The location, tagged with the canonical key (so fingerprints survive renumbering)."""
    if loc is None:
        return None
    return loc.model_copy(update={"section": key or loc.section})


def spec_location(smap: SectionMap, profile: Profile, spec: SectionSpec) -> Location | None:
    """Where a missing section belongs: the next present section in profile order, else the last."""
    keys = [s.key for s in profile.sections]
    after = keys[keys.index(spec.key) + 1 :]
    nxt = next((smap.matches[k] for k in after if k in smap.matches), None)
    if nxt is not None and nxt.section is not None:
        return location_of(nxt.section, nxt.location)
    return location_of(smap.top[-1]) if smap.top else None


def heading_with_ordinal(spec: SectionSpec) -> str:
    return f"{cn_number(spec.ordinal)}、{spec.heading}" if spec.ordinal else spec.heading


# -- DC101 ------------------------------------------------------------------------------------


@CATALOG.rule("DC101")
def required_section_missing(ctx: RuleContext) -> None:
    smap = require_outline(ctx)
    missing = smap.missing(ctx.profile)
    uncertain = {k for keys in smap.ambiguous.values() for k in keys}
    certain = [s for s in missing if s.key not in uncertain]
    if missing and not certain:
        ctx.needs_review("ambiguous", keys="、".join(s.key for s in missing))
    for spec in certain:
        ctx.report(
            "missing",
            heading=heading_with_ordinal(spec),
            location=at(spec_location(smap, ctx.profile, spec), spec.key),
            anchor=spec.key,
            data={"section": spec.key, "heading": spec.heading, "ordinal": spec.ordinal},
        )


# -- DC102 ------------------------------------------------------------------------------------


@CATALOG.rule("DC102")
def section_out_of_order(ctx: RuleContext) -> None:
    if not ctx.profile.ordered:
        ctx.not_applicable("free-order")
    smap = require_outline(ctx)
    in_order = smap.in_order_keys(ctx.profile)
    keys = [s.key for s in ctx.profile.sections]
    found = smap.ordered_matches()
    for m in found:
        if m.key in in_order:
            continue
        before = [
            f.key for f in found if keys.index(f.key) < keys.index(m.key) and f.key in in_order
        ]
        after = before[-1] if before else None
        spec = ctx.profile.section(m.key)
        prev = ctx.profile.section(after) if after else None
        ctx.report(
            "out-of-order" if prev else "out-of-order-first",
            heading=m.evidence,
            expected_after=prev.heading if prev else "",
            location=at(location_of(m.section, m.location), m.key),
            anchor=m.key,
            data={
                "section": m.key,
                "expected_after": after,
                "official": spec.heading if spec else None,
            },
        )


# -- DC103 ------------------------------------------------------------------------------------


def _numbering_problems(smap: SectionMap) -> list[tuple[str, Section, dict[str, Any]]]:
    """Gaps, duplicates, restarts and a bad start in the top-level numbering, in order."""
    problems: list[tuple[str, Section, dict[str, Any]]] = []
    prev: int | None = None
    for _pos, sec in smap.numbered():
        n = sec.ordinal
        if n is None:
            continue
        if prev is None and n != 1:
            problems.append(("start", sec, {"found": n}))
        elif prev is not None and n == prev:
            problems.append(("duplicate", sec, {"found": n}))
        elif prev is not None and n < prev:
            problems.append(
                ("restart" if n == 1 else "backwards", sec, {"found": n, "after": prev})
            )
        elif prev is not None and n > prev + 1:
            gap = list(range(prev + 1, n))
            problems.append(("gap", sec, {"found": n, "after": prev, "missing": gap}))
        prev = n
    return problems


def _subheading_note(smap: SectionMap, ordinals: list[int], profile: Profile) -> Match | None:
    """A section recognised only by its orphaned sub-headings, for one of the missing ordinals."""
    for spec in profile.sections:
        m = smap.matches.get(spec.key)
        if m and m.method == "subheadings" and spec.ordinal in ordinals:
            return m
    return None


def _report_sequence(ctx: RuleContext, smap: SectionMap) -> None:
    # A heading rejected for its number (a repeated 六) leaves a gap after it: that gap is its echo.
    explained = {r.position for r in rejected_headings(ctx.doc)}
    for kind, sec, data in _numbering_problems(smap):
        pos = smap.top.index(sec)
        if kind == "gap" and pos > 0 and pos - 1 in explained:
            continue
        args: dict[str, Any] = {"number": cn_number(data["found"])}
        if "after" in data:
            args["after"] = cn_number(data["after"])
        if kind == "gap":
            args["missing"] = "、".join(cn_number(n) for n in data["missing"])
            orphan = _subheading_note(smap, data["missing"], ctx.profile)
            if orphan:
                kind = "gap-heading-lost"
                args["subheading"] = orphan.evidence
                data = {**data, "section": orphan.key, "content_under": orphan.evidence}
        ctx.report(
            kind,
            heading=sec.heading_raw or sec.label,
            location=at(location_of(sec), smap.assigned.get(smap.top.index(sec))),
            anchor=f"{kind}:{sec.label}",
            data=data,
            **args,
        )


def _classify(found: int, after: int) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {"found": found, "after": after}
    if found == after:
        return "duplicate", data
    if found == 1:
        return "restart", data
    if found < after:
        return "backwards", data
    return "gap", {**data, "missing": list(range(after + 1, found))}


def _report_rejected(ctx: RuleContext, smap: SectionMap) -> None:
    """Headings the parser rejected as out of sequence (a repeated "六、", a restart at "一、")."""
    for rej in rejected_headings(ctx.doc):
        found = parse_number(rej.number)
        owner = smap.top[rej.position] if rej.position is not None else None
        if found is None or owner is None or owner.ordinal is None:
            continue
        kind, data = _classify(found, owner.ordinal)
        args: dict[str, Any] = {"number": rej.number, "after": cn_number(owner.ordinal)}
        if kind == "gap":
            args["missing"] = "、".join(cn_number(n) for n in data["missing"])
        key = smap.assigned.get(rej.position) if rej.position is not None else None
        ctx.report(
            kind,
            heading=rej.text,
            location=at(rej.location, key),
            anchor=f"{kind}:{rej.text}",
            data={**data, "heading": rej.text, "rejected_by_parser": True},
            **args,
        )


def _report_wrong_ordinals(ctx: RuleContext, smap: SectionMap) -> None:
    """A statutory heading under another number (e.g. "一、主动公开政府信息情况"). Sections that are
    out of order are left to DC102."""
    in_order = smap.in_order_keys(ctx.profile)
    for m in smap.ordered_matches():
        spec = ctx.profile.section(m.key)
        sec = m.section
        if not (spec and spec.ordinal and sec and m.by_heading and m.key in in_order):
            continue
        if sec.ordinal is not None and sec.ordinal != spec.ordinal:
            ctx.report(
                "wrong-ordinal",
                heading=m.evidence,
                expected=cn_number(spec.ordinal),
                location=at(location_of(sec), m.key),
                anchor=f"wrong-ordinal:{m.key}",
                data={"section": m.key, "found": sec.ordinal, "expected": spec.ordinal},
            )


@CATALOG.rule("DC103")
def section_numbering(ctx: RuleContext) -> None:
    smap = require_outline(ctx)
    numbered = smap.numbered()
    if not numbered:
        ctx.not_applicable("unnumbered")
    styles = sorted({sec.style.value for _, sec in numbered})
    if len(styles) > 1:
        ctx.report("mixed-styles", styles="、".join(styles), data={"styles": styles})
    _report_sequence(ctx, smap)
    _report_rejected(ctx, smap)
    _report_wrong_ordinals(ctx, smap)


# -- DC104 ------------------------------------------------------------------------------------


@CATALOG.rule("DC104")
def section_empty(ctx: RuleContext) -> None:
    smap = require_outline(ctx)
    for m in [*smap.ordered_matches(), *smap.repeats]:
        spec = ctx.profile.section(m.key)
        if m.section is None or spec is None or not m.by_heading:
            continue
        state = is_empty(m.section, spec.allow_none)
        if state:
            ctx.report(
                state,
                heading=m.evidence,
                location=at(location_of(m.section), m.key),
                anchor=f"{state}:{m.key}:{normalize(m.evidence)}",
                data={"section": m.key, "content": snippet(m.section.text())},
            )


# -- DC105 ------------------------------------------------------------------------------------


def _fee_patterns(ctx: RuleContext) -> list[str]:
    patterns = ctx.options.get("patterns")
    if patterns:
        return list(patterns)
    fees = ctx.profile.section("fees")
    return list(fees.statement_patterns) if fees else []


@CATALOG.rule("DC105")
def fee_statement_missing(ctx: RuleContext) -> None:
    if not ctx.options.get("required", False):
        ctx.not_applicable("not-required", profile=ctx.profile.id)
    patterns = _fee_patterns(ctx)
    if not patterns:
        ctx.not_applicable("no-patterns", profile=ctx.profile.id)
    smap = require_outline(ctx)
    if find_statement(body_paragraphs(ctx.doc), patterns):
        return
    fees = smap.matches.get("fees")
    if fees is not None and fees.section is not None:
        ctx.report(
            "no-statement-in-section",
            heading=fees.evidence,
            location=at(location_of(fees.section), "fees"),
            anchor="fees-section",
            data={"section": "fees", "searched": "body"},
        )
        return
    host = next(
        (smap.matches[k] for k in ctx.options.get("sections", []) if k in smap.matches), None
    )
    if host and host.section:
        where = location_of(host.section, host.location)
    elif fees_spec := ctx.profile.section("fees"):
        where = spec_location(smap, ctx.profile, fees_spec)
    else:
        where = location_of(smap.top[-1])
    ctx.report(
        "missing",
        location=at(where, "fees"),
        anchor="fees",
        data={"section": "fees", "expected_in": host.key if host else None},
    )


# -- DC106 ------------------------------------------------------------------------------------

_REVIEW_RE = re.compile(r"行政复议|复议")
_LITIGATION_RE = re.compile(r"行政诉讼|诉讼|起诉")
# Row labels of the 2008-era statistics table are counts, not a report on the topic.
_TABLE_LABEL_RE = re.compile(r"(行政复议|行政诉讼|行政申诉)数")


def _mentions(ctx: RuleContext) -> dict[str, str | None]:
    """The first body sentence mentioning 复议 and the first mentioning 诉讼 (evidence for the message)."""
    found: dict[str, str | None] = {"review": None, "litigation": None}
    for _sec, para in body_paragraphs(ctx.doc):
        text = _TABLE_LABEL_RE.sub("", compact(para.text))
        for name, rx in (("review", _REVIEW_RE), ("litigation", _LITIGATION_RE)):
            m = rx.search(text)
            if found[name] is None and m:
                found[name] = snippet(sentence_at(text, m.start(), m.end()))
    return found


def _section_covers(sec: Section) -> bool:
    text = normalize(sec.text())
    tables = any(isinstance(b, Table) for b in sec.iter_blocks())
    return tables or bool(_REVIEW_RE.search(text) or _LITIGATION_RE.search(text))


@CATALOG.rule("DC106")
def review_litigation_missing(ctx: RuleContext) -> None:
    key = ctx.options.get("section", "review_litigation")
    spec = ctx.profile.section(key)
    if spec is None:
        ctx.not_applicable("no-topic", profile=ctx.profile.id)
    smap = require_outline(ctx)
    m = smap.matches.get(key)
    if m is not None and (m.method == "statement" or (m.section and _section_covers(m.section))):
        return
    mentions = _mentions(ctx)
    absent = [name for name, where in mentions.items() if where is None]
    if len(absent) == 2:
        kind = "missing"
    else:  # one of the two is mentioned somewhere, but the topic is not reported
        kind = "only-review" if absent == ["litigation"] else "only-litigation"
    ctx.report(
        kind,
        mention=mentions["review"] or mentions["litigation"] or "",
        location=at(spec_location(smap, ctx.profile, spec), key),
        anchor=key,
        data={
            "section": key,
            "review_mentioned": mentions["review"],
            "litigation_mentioned": mentions["litigation"],
        },
    )


# -- DC107 ------------------------------------------------------------------------------------

_STATED_PARTS_RE = re.compile(
    r"(包括|包含|分为|共分|由|分)[^。]{0,400}?(共|等|计)?\s*(?P<n>[一二三四五六七八九十]{1,3}|\d{1,2})\s*个?部分"
)


def _stated_parts(ctx: RuleContext) -> tuple[int, str, Location] | None:
    """The count of parts the preamble announces: (count, sentence, location)."""
    for block in ctx.doc.preamble:
        text = normalize(getattr(block, "text", "") or "")
        m = _STATED_PARTS_RE.search(text)
        n = parse_number(m.group("n")) if m else None
        if m and n:
            return n, "…" + text[max(m.start(), m.end() - 40) : m.end()], block.location
    return None


@CATALOG.rule("DC107")
def stated_parts_mismatch(ctx: RuleContext) -> None:
    smap = require_outline(ctx)
    stated = _stated_parts(ctx)
    if stated is None:
        ctx.not_applicable("no-statement")
    count, sentence, loc = stated
    # headings rejected for their number are still parts of the report
    numbered = len(smap.numbered()) + len(rejected_headings(ctx.doc))
    attachments = len(smap.top) - numbered
    data = {"stated": count, "numbered": numbered, "attachments": attachments, "sentence": sentence}
    if count == numbered:
        return
    if attachments and count == numbered + attachments:
        extra = next(s for s in smap.top if s.style not in NUMBERED_STYLES)
        ctx.report(
            "attachment-counted",
            severity="info",
            stated=count,
            numbered=numbered,
            attachment=extra.heading_raw or extra.label,
            location=at(location_of(extra), None),
            anchor="attachment-counted",
            data=data,
        )
        return
    ctx.report("mismatch", stated=count, found=numbered, location=loc, anchor="mismatch", data=data)


# -- DC108 ------------------------------------------------------------------------------------


@CATALOG.rule("DC108")
def heading_variant(ctx: RuleContext) -> None:
    if ctx.profile.headings != "official":
        ctx.not_applicable("free-headings", profile=ctx.profile.id)
    smap = require_outline(ctx)
    for m in smap.ordered_matches():
        spec = ctx.profile.section(m.key)
        if spec is None or m.method not in ("variant", "keywords"):
            continue
        ctx.report(
            m.method,
            heading=m.evidence,
            official=heading_with_ordinal(spec),
            location=at(location_of(m.section, m.location), m.key),
            anchor=f"{m.key}:{normalize(m.evidence)}",
            data={"section": m.key, "official": spec.heading, "method": m.method},
        )
