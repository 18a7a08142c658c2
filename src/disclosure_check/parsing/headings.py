"""Numbered headings → levels → the section tree.

Numbering styles: 第一部分 / 一、 / （一） / 1. 1、 1． / （1）. A heading may be a block of its own
or run into its paragraph ("一、总体情况2021年，我区…"); in a crawler's flattened text the whole body
is one block, so headings are also looked for inside it (after a sentence end or a previous
heading). Levels come from the order in which styles appear (a style stack), so the top level is
whatever the report uses at the top. False headings are kept out by:

* sequence: a heading must continue its list (一 → 二, a gap of one allowed) or start a new one at 1;
* table rows: a label followed by a run of digits ("二、上年结转政府信息公开申请数量0000000");
* table regions in text input: between a table marker ("第二十条第（一）项", "申请人情况", …) and the
  next top-level heading, only top-level headings count (PDF/crawler text garbles table labels).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from ..model.document import (
    Block,
    Diagnostic,
    Location,
    NumberingStyle,
    Paragraph,
    Section,
    SourceFormat,
)
from ._trusted import trusted_copy
from .blocks import RawBlock, SourceIndex, flattened_table

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十"
_AR = "0-9０-９"
_NUM_RE = re.compile(
    rf"(?P<part>第(?P<pn>[{_CN}]{{1,3}})部分[、：:]?)"
    rf"|(?P<cnp>[（(][ \u3000]*(?P<cpn>[{_CN}]{{1,3}})[ \u3000]*[）)][、.．]?)"
    rf"|(?P<arp>(?<![{_AR}])[（(][ \u3000]*(?P<apn>[{_AR}]{{1,2}})[ \u3000]*[）)][、.．]?)"
    rf"|(?P<cnc>(?P<ccn>[{_CN}]{{1,3}})[ \u3000]*[、．.](?![{_AR}]))"
    rf"|(?P<ard>(?<![{_AR}.．])(?P<adn>[{_AR}]{{1,2}})[ \u3000]*[、．.](?![{_AR}]))"
)
_ATTACHMENT_RE = re.compile(
    r"附件[ \u3000]*[0-9０-９一二三四五六七八九十]*[ \u3000]*[:：]"
    r"[^。；\n]{2,60}?(?:统计表|情况表|一览表|明细表|报告)"
)
_RANK = {
    NumberingStyle.part: 0,
    NumberingStyle.cn_comma: 1,
    NumberingStyle.cn_paren: 2,
    NumberingStyle.arabic_dot: 3,
    NumberingStyle.arabic_paren: 4,
}
# Words a heading ends with ("情况", "事项" …); used to find where a run-in heading stops.
_TERMINAL_RE = re.compile(
    r"(?:情况|事项|概述|措施|方面)(?:[及和与][^，。；：:\s]{0,8}?(?:情况|措施|事项))?"
)
_HARD_STOP_RE = re.compile(rf"[。；！？：:;!?]|[（(][ \u3000]*[{_CN}{_AR}]{{1,2}}[ \u3000]*[）)]")
_BOUNDARY_BEFORE = set(" \t\u3000\u00a0。；！？：:;!?")
_LIST_SEPARATORS = set("；：:;")
# Digits right after a label that are not a year/amount/count in a sentence: a table row.
_ROW_DIGITS_RE = re.compile(rf"[ \u3000]*[{_AR}][{_AR} \u3000]*")
_SENTENCE_UNITS = set("年月日号%％.．万亿件条个项次人余多元家名")
# Where a table starts in text input (flattened by a crawler or garbled by PDF extraction).
TABLE_MARKER_RE = re.compile(
    r"第二十条第[（(][一二三四五六七八九十][）)]项"
    r"|[（(]本列数据的勾稽关系"
    r"|申请人情况"
    r"|行政复议[ \u3000]*行政诉讼"
    r"|指标名称[ \u3000]*计量单位"
    r"|信息内容[ \u3000]*本年"
)
MAX_HEADING = 40
WHOLE_BLOCK_HEADING = 50


@dataclass
class Candidate:
    block: int
    pos: int  # where the number starts in the block text
    start: int  # where the heading text starts (after the number)
    end: int  # where the heading text ends
    style: NumberingStyle
    ordinal: int | None
    number: str  # normalised number, e.g. "（一）"
    run_in: bool
    row_label: bool = False
    level: int = 0


def cn_ordinal(cn: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23."""
    if cn == "十":
        return 10
    if "十" in cn:
        tens, _, ones = cn.partition("十")
        t = _CN_DIGITS.get(tens, 1) if tens else 1
        o = _CN_DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o
    return _CN_DIGITS.get(cn) if len(cn) == 1 else None


def _ar(text: str) -> int:
    return int(unicodedata.normalize("NFKC", text))


def match_number(text: str, pos: int) -> tuple[NumberingStyle, int | None, str, int] | None:
    """(style, ordinal, normalised number, end) of a numbering at ``pos``, or None."""
    m = _NUM_RE.match(text, pos)
    if not m:
        return None
    if m.group("part"):
        n = cn_ordinal(m.group("pn"))
        return NumberingStyle.part, n, f"第{m.group('pn')}部分", m.end()
    if m.group("cnp"):
        n = cn_ordinal(m.group("cpn"))
        return NumberingStyle.cn_paren, n, f"（{m.group('cpn')}）", m.end()
    if m.group("arp"):
        n = _ar(m.group("apn"))
        return NumberingStyle.arabic_paren, n, f"（{n}）", m.end()
    if m.group("cnc"):
        n = cn_ordinal(m.group("ccn"))
        return NumberingStyle.cn_comma, n, f"{m.group('ccn')}、", m.end()
    n = _ar(m.group("adn"))
    return NumberingStyle.arabic_dot, n, f"{n}.", m.end()


def starts_with_number(text: str) -> bool:
    return _NUM_RE.match(text.lstrip()) is not None


def normalize_heading(text: str) -> str:
    """Full-width ASCII → half-width, spaces next to CJK removed, trailing punctuation dropped."""
    out = "".join(
        unicodedata.normalize("NFKC", ch)
        if "\uff01" <= ch <= "\uff5e" and ch not in "（）：；，"
        else ch
        for ch in text
    )
    out = re.sub(r"\s+", " ", out).strip()
    out = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", out)
    return out.rstrip("。：:，,；; ")


# --------------------------------------------------------------------------- candidates


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\u3000\u00a0":
        pos += 1
    return pos


def _extent(text: str, start: int, whole_ok: bool) -> tuple[int, bool]:
    """(end, run_in) of the heading text starting at ``start``."""
    rest = text[start:]
    if whole_ok and len(rest) <= WHOLE_BLOCK_HEADING and "。" not in rest.rstrip("。"):
        return len(text), False
    limit = min(len(text), start + 60)
    hard = limit
    m = _HARD_STOP_RE.search(text, start, limit)
    if m:
        hard = m.start()
    for i in range(start + 2, hard):
        ch = text[i]
        if ch.isspace() or ch.isdigit():
            hard = i
            break
    seg = text[start:hard]
    t = _TERMINAL_RE.search(seg)
    if t:
        return start + t.end(), True
    if hard < limit and len(seg) <= MAX_HEADING:
        return hard, True
    comma = re.search(r"[，,]", seg)
    if comma and comma.start() <= MAX_HEADING:
        return start + comma.start(), True
    return start + min(len(seg), MAX_HEADING), True


def _is_row_label(text: str, end: int) -> bool:
    m = _ROW_DIGITS_RE.match(text, end)
    if not m:
        return False
    nxt = m.end()
    return nxt >= len(text) or text[nxt] not in _SENTENCE_UNITS


def find_candidates(blocks: list[RawBlock]) -> list[Candidate]:
    out: list[Candidate] = []
    for bi, block in enumerate(blocks):
        if block.kind != "para":
            continue
        text = block.text
        positions = [m.start() for m in _NUM_RE.finditer(text)] if block.flat else [0]
        for pos in positions:
            found = match_number(text, pos)
            if not found:
                continue
            style, ordinal, number, num_end = found
            start = _skip_spaces(text, num_end)
            if start >= len(text) or not re.match(r"[\u3400-\u9fff0-9０-９“《]", text[start]):
                continue
            end, run_in = _extent(text, start, whole_ok=(pos == 0 and not block.flat))
            if end <= start:
                continue
            out.append(
                Candidate(
                    block=bi,
                    pos=pos,
                    start=start,
                    end=end,
                    style=style,
                    ordinal=ordinal,
                    number=number,
                    run_in=run_in,
                    row_label=run_in and _is_row_label(text, end),
                )
            )
        for m in _ATTACHMENT_RE.finditer(text) if block.flat or _ATTACHMENT_RE.match(text) else ():
            out.append(
                Candidate(
                    block=bi,
                    pos=m.start(),
                    start=m.start(),
                    end=m.end(),
                    style=NumberingStyle.none,
                    ordinal=None,
                    number="",
                    run_in=m.end() < len(text),
                )
            )
    out.sort(key=lambda c: (c.block, c.pos))
    return out


def _boundary_ok(block: RawBlock, cand: Candidate, prev_end: tuple[int, int] | None) -> bool:
    if cand.pos == 0:
        return True
    if prev_end == (cand.block, cand.pos):
        return True  # right after the previous heading ("…情况（一）主动公开…")
    return block.text[cand.pos - 1] in _BOUNDARY_BEFORE


# --------------------------------------------------------------------------- acceptance


class _Evidence:
    """Positions of table evidence (table blocks, table markers) in text input."""

    def __init__(self, blocks: list[RawBlock]) -> None:
        self.points: list[tuple[int, int]] = []
        for bi, b in enumerate(blocks):
            if b.kind == "table":
                self.points.append((bi, 0))
            elif b.kind == "para":
                self.points.extend((bi, m.start()) for m in TABLE_MARKER_RE.finditer(b.text))

    def between(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        i = bisect_left(self.points, a)
        return i < len(self.points) and self.points[i] < b


def _usable(blocks: list[RawBlock], c: Candidate, strict: bool = False) -> bool:
    """At a block start or after a sentence boundary (a number inside a sentence is not a heading);
    ``strict``: not after "：" or "；" either, where in-sentence enumerations run ("…：二、…；三、…")."""
    if not c.pos:
        return True
    before = blocks[c.block].text[c.pos - 1]
    return before in _BOUNDARY_BEFORE and not (strict and before in _LIST_SEPARATORS)


def _chain(
    blocks: list[RawBlock], group: list[Candidate], first: int, evidence: _Evidence | None
) -> list[Candidate]:
    """The list ``accept`` would build from ``group`` (one style) starting at ``first``: each item
    continues it by +1 or +2 (one item missing) and stands after a sentence end, not a list
    separator. In text input an item after table evidence needs no boundary (table cells run into
    the next heading: "…00006四、政府信息公开行政复议…")."""
    chain: list[Candidate] = []
    for c in group:
        n = c.ordinal or 0
        if not chain:
            if n == first and _usable(blocks, c, strict=True):
                chain.append(c)
            continue
        prev = chain[-1]
        last = prev.ordinal or 0
        if not last < n <= last + 2:
            continue
        in_table = evidence is not None and evidence.between(
            (prev.block, prev.pos), (c.block, c.pos)
        )
        if in_table or _usable(blocks, c, strict=True):
            chain.append(c)
    return chain


def _nested(a: Candidate, b: Candidate, cands: list[Candidate], blocks: list[RawBlock]) -> bool:
    """Does a deeper list start between ``a`` and ``b`` (sub-headings of ``a``)?"""
    return any(
        (a.block, a.pos) < (c.block, c.pos) < (b.block, b.pos)
        and _RANK.get(c.style, -1) > _RANK[a.style]
        and c.ordinal == 1
        and _usable(blocks, c)
        for c in cands
    )


def top_style(
    blocks: list[RawBlock], cands: list[Candidate], evidence: _Evidence | None = None
) -> tuple[NumberingStyle, int] | None:
    """The top-level numbering style and the ordinal its list starts at.

    The lowest-rank style with a 1 followed (anywhere later) by a 2; failing that, one whose list
    survives a missing item: 1 → 3 → 4 or 1 → (一)… → 3 (an item missing after the first, its
    sub-headings in between) or, when no 1 is printed at all, 2 → 3 → 4 (the first item missing).
    The weaker evidence needs three items or sub-headings, so a stray pair ("一、…三、" in a
    table, "二、…" in a sentence) does not make an outline.
    """
    groups: dict[NumberingStyle, list[Candidate]] = {}
    for c in cands:
        if c.style is not NumberingStyle.none and not c.row_label:
            groups.setdefault(c.style, []).append(c)
    qualified: list[tuple[NumberingStyle, int]] = []
    ones: list[NumberingStyle] = []
    for style, group in groups.items():
        usable = [c.ordinal for c in group if _usable(blocks, c)]
        if 1 in usable:
            ones.append(style)
            if 2 in usable[usable.index(1) + 1 :]:
                qualified.append((style, 1))
                continue
            chain = _chain(blocks, group, 1, evidence)
            if len(chain) >= 3 or (len(chain) == 2 and _nested(chain[0], chain[1], cands, blocks)):
                qualified.append((style, 1))
        elif len(_chain(blocks, group, 2, evidence)) >= 3:
            qualified.append((style, 2))
    if qualified:
        return min(qualified, key=lambda q: _RANK[q[0]])
    return (min(ones, key=_RANK.__getitem__), 1) if ones else None


@dataclass
class Rejected:
    """A top-level numbered line refused because its number breaks the sequence."""

    cand: Candidate
    section_index: int  # the top-level section it stays in (as text)
    after: int  # that section's ordinal


def accept(
    blocks: list[RawBlock], cands: list[Candidate], fmt: SourceFormat
) -> tuple[list[Candidate], list[Rejected]]:
    """The candidates that are real headings, with levels; and the rejected top-level ones."""
    text_input = fmt is not SourceFormat.html
    evidence = _Evidence(blocks) if text_input else None
    found = top_style(blocks, cands, evidence)
    if found is None:
        return [], []
    top, first = found
    tops = [c for c in cands if c.style is top and not c.row_label]
    stack: list[NumberingStyle] = []
    last: list[int] = []
    accepted: list[Candidate] = []
    rejected: list[Rejected] = []
    n_top = 0
    prev_end: tuple[int, int] | None = None
    last_top: tuple[int, int] | None = None
    for c in cands:
        block = blocks[c.block]
        here = (c.block, c.pos)
        in_region = bool(evidence and last_top is not None and evidence.between(last_top, here))
        if c.row_label:
            continue
        if c.style is top:
            if not (_boundary_ok(block, c, prev_end) or in_region):
                continue
            ordinal = c.ordinal or 0
            ok = ordinal == first if not stack else last[0] < ordinal <= last[0] + 2
            if not ok:
                if stack and not in_region:
                    rejected.append(Rejected(c, n_top - 1, last[0]))
                continue
            stack, last = [top], [ordinal]
            c.level = 1
            last_top = here
            n_top += 1
        elif c.style is NumberingStyle.none:
            if not stack or not (_boundary_ok(block, c, prev_end) or in_region):
                continue
            stack, last = [NumberingStyle.none], [last[0] if last else 0]
            c.level = 1
            last_top = here
            n_top += 1
        else:
            if not stack or not _boundary_ok(block, c, prev_end):
                continue
            if in_region and (block.flat or _table_follows(c, tops, last, evidence)):
                continue
            if stack[0] is NumberingStyle.none:
                continue  # an attachment has no numbered outline of its own
            ordinal = c.ordinal or 0
            if c.style in stack:
                k = stack.index(c.style)
                if k == 0:
                    continue
                if not (last[k] < ordinal <= last[k] + 2 or ordinal == 1):
                    continue
                del stack[k + 1 :]
                del last[k + 1 :]
                last[k] = ordinal
                c.level = k + 1
            else:
                if ordinal != 1:
                    continue
                stack.append(c.style)
                last.append(1)
                c.level = len(stack)
        accepted.append(c)
        prev_end = (c.block, _skip_spaces(block.text, c.end))
    return accepted, rejected


def _table_follows(
    c: Candidate, tops: list[Candidate], last: list[int], evidence: _Evidence | None
) -> bool:
    """Is there more table evidence after ``c`` before the next top-level heading?"""
    if evidence is None:
        return False
    here = (c.block, c.pos)
    nxt = (1 << 30, 0)
    for t in tops:
        if (t.block, t.pos) > here and t.ordinal is not None and t.ordinal > last[0]:
            nxt = (t.block, t.pos)
            break
    return evidence.between((c.block, c.pos + 1), nxt)


# --------------------------------------------------------------------------- tree


def build_tree(
    blocks: list[RawBlock],
    accepted: list[Candidate],
    index: SourceIndex,
) -> tuple[list[Block], list[Section]]:
    """Split blocks at headings (and flattened tables) and nest sections by level."""
    preamble: list[Block] = []
    roots: list[Section] = []
    path: list[Section] = []
    by_block: dict[int, list[Candidate]] = {}
    for c in accepted:
        by_block.setdefault(c.block, []).append(c)

    def emit(block: Block) -> None:
        target = path[-1].blocks if path else preamble
        if path:
            block.location.section = path[-1].label
        target.append(block)

    for bi, raw in enumerate(blocks):
        if raw.kind == "table" and raw.table is not None:
            emit(raw.table)
            continue
        if raw.kind == "image" and raw.image is not None:
            emit(raw.image)
            continue
        heads = by_block.get(bi, [])
        cursor = 0
        for c in heads:
            _emit_text(raw, cursor, c.pos, index, emit)
            section = _section(raw, c, index)
            while path and path[-1].level >= c.level:
                path.pop()
            (path[-1].children if path else roots).append(section)
            path.append(section)
            cursor = _skip_spaces(raw.text, c.end)
        _emit_text(raw, cursor, len(raw.text), index, emit)
    return preamble, roots


def _location(raw: RawBlock, pos: int, index: SourceIndex, snippet: str) -> Location:
    if raw.segments:
        return index.location(raw.source_offset(pos), snippet=snippet)
    return trusted_copy(raw.location, {"snippet": snippet[:60]})


def _section(raw: RawBlock, c: Candidate, index: SourceIndex) -> Section:
    heading_raw = raw.text[c.pos : c.end].strip()
    return Section(
        number=c.number,
        ordinal=c.ordinal,
        style=c.style,
        heading=normalize_heading(raw.text[c.start : c.end]),
        heading_raw=heading_raw,
        level=c.level,
        run_in=c.run_in,
        location=_location(raw, c.pos, index, heading_raw),
    )


def _emit_text(raw: RawBlock, a: int, b: int, index: SourceIndex, emit: Any) -> None:
    """Text between headings: a paragraph, or (flattened input) paragraph + flattened table."""
    a = _skip_spaces(raw.text, a)
    if a >= b:
        return
    if raw.flat:
        m = TABLE_MARKER_RE.search(raw.text, a, b)
        if m:
            _emit_text(
                raw.__class__(
                    kind="para",
                    text=raw.text[: m.start()],
                    location=raw.location,
                    segments=raw.segments,
                ),
                a,
                m.start(),
                index,
                emit,
            )
            body = raw.text[m.start() : b].strip()
            loc = _location(raw, m.start(), index, body)
            emit(
                flattened_table(
                    body, loc, "table cells were run together in the source text; not read"
                )
            )
            return
    text = raw.text[a:b].strip()
    if text:
        emit(Paragraph(text=text, location=_location(raw, a, index, text)))


def diagnostics_from(
    blocks: list[RawBlock], rejected: list[Rejected], index: SourceIndex
) -> list[Diagnostic]:
    """``heading-out-of-sequence`` diagnostics with structured data (rules read ``data``)."""
    out = []
    for r in rejected:
        c, raw = r.cand, blocks[r.cand.block]
        printed = raw.text[c.pos : c.end]
        heading_raw = printed.strip()
        out.append(
            Diagnostic(
                code="heading-out-of-sequence",
                message=f"numbering out of sequence: {printed!r}",
                location=_location(raw, c.pos, index, heading_raw),
                data={
                    "number": c.number,
                    "ordinal": c.ordinal,
                    "heading": normalize_heading(raw.text[c.start : c.end]),
                    "heading_raw": heading_raw,
                    "section_index": r.section_index,
                    "after": r.after,
                },
            )
        )
    return out
