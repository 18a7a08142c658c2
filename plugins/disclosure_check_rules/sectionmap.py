"""Map a Document's top-level sections to the profile's SectionSpecs, once per document.

Every section rule (DC1xx) reads the same :class:`SectionMap` through :func:`section_map`, which
caches it with ``ctx.cached``. The map is honest about *how* each key was satisfied:

* ``official``    the heading equals the official heading (after normalisation);
* ``variant``     the heading equals one of the accepted variants;
* ``keywords``    the heading contains the topic keywords (free-form 2008-regime headings, or an
                  unlisted wording in a fixed format);
* ``subheadings`` no heading of its own, but sub-headings about the topic sit at the end of the
                  section just before where it belongs (a lost heading line, e.g. a PDF export);
* ``misnumbered`` a heading the parser rejected because its number is out of sequence (a repeated
                  "六、" …); its content sits in the section before it, DC103 reports the number;
* ``statement``   no heading at all, but a sentence about the topic (e.g. "未发生收取费用") in the body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from disclosure_check.model import Document, Location, Profile, Section
from disclosure_check.model.document import Image, NumberingStyle, Paragraph, Table
from disclosure_check.model.profile import SectionSpec
from disclosure_check.rules import RuleContext

Method = Literal["official", "variant", "keywords", "subheadings", "misnumbered", "statement"]
HEADING_METHODS: tuple[Method, ...] = ("official", "variant", "keywords")
NUMBERED_STYLES = (NumberingStyle.cn_comma, NumberingStyle.part)
SNIPPET_LEN = 60

_SPACE_RE = re.compile(r"\s+")
_SENTENCE_ENDS = "。；;!?！？"
_EDGE_PUNCT = "：:。.，,；;、 "
# Contents that say nothing: "无", "暂无", "无。", "没有" …
_NONE_RE = re.compile(r"^(无|暂无|没有|空|略|无此项|无相关情况)$")
_ALLOWED_NONE_RE = re.compile(
    r"^(本(年|年度)?)?(无|没有|暂无)(其他|其它)?(需要|需)?(报告|说明)?的?(事项|情况)?$"
)


def normalize(text: str) -> str:
    """NFKC, no whitespace, no trailing punctuation: "一、 概述：" and "一、概述" compare equal."""
    text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    return text.strip(_EDGE_PUNCT)


def compact(text: str) -> str:
    """Whitespace removed, punctuation kept as printed: statement patterns stop at "，；。"."""
    return _SPACE_RE.sub("", text)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def find_statement(
    paragraphs: Iterable[tuple[Section | None, Paragraph]], patterns: Iterable[str]
) -> tuple[Paragraph, Section | None, str] | None:
    """The first paragraph with a sentence matching one of ``patterns``: (paragraph, section, match)."""
    compiled = [_compiled(p) for p in patterns]
    if not compiled:
        return None
    for sec, para in paragraphs:
        text = compact(para.text)
        for rx in compiled:
            m = rx.search(text)
            if m:
                return para, sec, sentence_at(text, m.start(), m.end())
    return None


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around a match, for evidence."""
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_ENDS) + 1
    rights = [i for i in (text.find(c, end) for c in _SENTENCE_ENDS) if i >= 0]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right][:200]


def body_paragraphs(doc: Document) -> Iterator[tuple[Section | None, Paragraph]]:
    """Paragraphs after the preamble: the preamble's list of parts names topics without reporting them."""
    return ((sec, p) for sec, p in doc.paragraphs() if sec is not None)


_OUT_OF_SEQUENCE = "heading-out-of-sequence"
_LEADING_NUMBER_RE = re.compile(r"^(第)?([一二三四五六七八九十]{1,3})(、|部分)")


@dataclass(frozen=True)
class Rejected:
    """A heading line the parser did not accept because its number is out of sequence."""

    text: str  # as printed, number included
    number: str  # "六"
    heading: str  # without the number
    position: int | None  # the top-level section it ended up in
    location: Location | None


def rejected_headings(doc: Document) -> list[Rejected]:
    """The parser's ``heading-out-of-sequence`` diagnostics (their structured ``data``)."""
    found: list[Rejected] = []
    for diag in doc.diagnostics:
        if diag.code != _OUT_OF_SEQUENCE or not diag.data.get("heading_raw"):
            continue
        text = compact(diag.data["heading_raw"])
        num = _LEADING_NUMBER_RE.match(text)  # 一、 and 第一部分 lists only
        if not num:
            continue
        position = diag.data.get("section_index")
        found.append(Rejected(text, num.group(2), text[num.end() :], position, diag.location))
    return found


@dataclass(frozen=True)
class Match:
    key: str
    method: Method
    section: Section | None  # the report's section (the parent, for ``subheadings``)
    position: int | None  # index among the top-level sections (None for ``statement``)
    evidence: str  # the heading as printed, or the sentence
    location: Location | None

    @property
    def by_heading(self) -> bool:
        return self.method in HEADING_METHODS


@dataclass
class SectionMap:
    profile_id: str
    top: list[Section]  # the report's top-level sections, in order
    matches: dict[str, Match] = field(default_factory=dict)  # key -> how it was satisfied
    assigned: dict[int, str] = field(default_factory=dict)  # top position -> key
    repeats: list[Match] = field(default_factory=list)  # further top sections on a matched key
    ambiguous: dict[int, list[str]] = field(default_factory=dict)  # position -> tied keys
    # Lines that look like statutory top-level headings but that the parser kept as paragraphs
    # (and did not report as out of sequence): the outline cannot be trusted.
    unrecognised: list[str] = field(default_factory=list)

    def missing(self, profile: Profile) -> list[SectionSpec]:
        return [s for s in profile.sections if s.required and s.key not in self.matches]

    def ordered_matches(self) -> list[Match]:
        """Heading matches in document order."""
        found = [m for m in self.matches.values() if m.position is not None]
        return sorted(found, key=lambda m: m.position or 0)

    def in_order_keys(self, profile: Profile) -> set[str]:
        """Keys whose sections keep the profile's order: the longest run in profile order
        (a longest increasing subsequence), so one misplaced section does not flag all others."""
        rank = {s.key: i for i, s in enumerate(profile.sections)}
        seq = [(rank[m.key], m.key) for m in self.ordered_matches() if m.key in rank]
        return set(_longest_increasing(seq))

    def numbered(self) -> list[tuple[int, Section]]:
        """(position, section) of the top-level sections numbered 一、/第一部分."""
        return [(i, s) for i, s in enumerate(self.top) if s.style in NUMBERED_STYLES]


def _longest_increasing(seq: list[tuple[int, str]]) -> list[str]:
    """Keys of the longest strictly increasing subsequence of ranks (O(n²); n is tiny)."""
    best: list[list[str]] = []
    for i, (rank, key) in enumerate(seq):
        prev = [best[j] for j in range(i) if seq[j][0] < rank]
        best.append([*max(prev, key=len, default=[]), key])
    return max(best, key=len, default=[])


def _heading_match(sec: Section, spec: SectionSpec) -> Method | None:
    heading = normalize(sec.heading)
    if heading == normalize(spec.heading):
        return "official"
    if any(heading == normalize(v) for v in spec.variants):
        return "variant"
    return None


def keyword_score(text: str, spec: SectionSpec) -> int:
    """Longer keywords are more specific: "行政复议" outweighs the "申请" in "…申请行政复议"."""
    return sum(len(k) for k in spec.keywords if k in text)


def _best_by_keywords(sec: Section, specs: list[SectionSpec]) -> tuple[str | None, list[str]]:
    """The key whose keywords fit the heading best; ties give (None, tied keys)."""
    heading = normalize(sec.heading)
    scores = sorted(
        ((keyword_score(heading, s), s.key) for s in specs), key=lambda x: x[0], reverse=True
    )
    if not scores or scores[0][0] == 0:
        return None, []
    tied = [k for score, k in scores if score == scores[0][0]]
    return (tied[0], []) if len(tied) == 1 else (None, tied)


def _assign_headings(smap: SectionMap, profile: Profile) -> None:
    specs = profile.sections
    for pos, sec in enumerate(smap.top):
        exact = next(((s.key, m) for s in specs if (m := _heading_match(sec, s))), None)
        if exact:
            key, method = exact
        else:
            best, tied = _best_by_keywords(sec, specs)
            if tied:
                smap.ambiguous[pos] = tied
            if best is None:
                continue
            key, method = best, "keywords"
        match = Match(key, method, sec, pos, sec.heading_raw or sec.label, sec.location)
        smap.assigned[pos] = key
        if key in smap.matches:
            smap.repeats.append(match)
        else:
            smap.matches[key] = match


def _orphan_subheadings(smap: SectionMap, spec: SectionSpec) -> Match | None:
    """A numbered section whose heading line was lost leaves its sub-headings at the end of the
    section printed before it. Only the section holding ordinal ``spec.ordinal - 1`` is searched,
    and only its trailing children that are about this topic."""
    if spec.ordinal is None:
        return None
    for pos, sec in smap.numbered():
        if sec.ordinal != spec.ordinal - 1 or pos not in smap.assigned:
            continue
        trailing = _trailing_topic_children(sec, spec)
        if trailing:
            first = trailing[0]
            evidence = first.heading_raw or first.label
            return Match(spec.key, "subheadings", sec, pos, evidence, first.location)
    return None


def _trailing_topic_children(sec: Section, spec: SectionSpec) -> list[Section]:
    run: list[Section] = []
    for child in reversed(sec.children):
        if keyword_score(normalize(child.heading), spec) == 0:
            break
        run.insert(0, child)
    return run


def _assign_rejected(smap: SectionMap, profile: Profile, doc: Document) -> None:
    """Headings rejected for their number still show where a topic's content is."""
    for rej in rejected_headings(doc):
        probe = Section(heading=rej.heading)
        exact = next(
            ((s.key, m) for s in profile.sections if (m := _heading_match(probe, s))), None
        )
        key = exact[0] if exact else _best_by_keywords(probe, profile.sections)[0]
        if key is None or key in smap.matches:
            continue
        section = smap.top[rej.position] if rej.position is not None else None
        smap.matches[key] = Match(key, "misnumbered", section, rej.position, rej.text, rej.location)


def _assign_statements(smap: SectionMap, profile: Profile, doc: Document) -> None:
    for spec in profile.sections:
        if spec.key in smap.matches or not spec.statement_patterns:
            continue
        found = find_statement(body_paragraphs(doc), spec.statement_patterns)
        if found:
            para, _sec, sentence = found
            smap.matches[spec.key] = Match(
                spec.key, "statement", None, None, sentence, para.location
            )


_HEADING_LINE_RE = re.compile(r"^(第)?[一二三四五六七八九十]{1,3}(、|部分)(?P<h>[^。；;]{2,40})$")


def _unrecognised_headings(doc: Document, profile: Profile) -> list[str]:
    rejected = {r.text for r in rejected_headings(doc)}
    lines = []
    for _sec, para in doc.paragraphs():
        text = compact(para.text)
        m = _HEADING_LINE_RE.match(text)
        if not m or text in rejected:
            continue
        probe = Section(heading=m.group("h"))
        if any(
            _heading_match(probe, s) or keyword_score(normalize(m.group("h")), s)
            for s in profile.sections
        ):
            lines.append(text)
    return lines


def build_section_map(doc: Document, profile: Profile) -> SectionMap:
    smap = SectionMap(profile_id=profile.id, top=list(doc.sections))
    smap.unrecognised = _unrecognised_headings(doc, profile)
    _assign_headings(smap, profile)
    for spec in profile.sections:
        if spec.key not in smap.matches and (orphan := _orphan_subheadings(smap, spec)):
            smap.matches[spec.key] = orphan
    _assign_rejected(smap, profile, doc)
    _assign_statements(smap, profile, doc)
    return smap


def section_map(ctx: RuleContext) -> SectionMap:
    """The shared mapping for this document and profile (built once, used by every DC1xx rule)."""
    return ctx.cached(
        f"sectionmap:{ctx.profile.id}", lambda: build_section_map(ctx.doc, ctx.profile)
    )


def require_outline(ctx: RuleContext) -> SectionMap:
    """The mapping, or ``needs_review`` when the parser found no top-level headings at all:
    then every section would look missing, which says more about the parse than the report."""
    smap = section_map(ctx)
    if not smap.top:
        ctx.needs_review("no-outline")
    if smap.unrecognised:
        ctx.needs_review("outline-uncertain", lines="；".join(smap.unrecognised[:3]))
    return smap


# -- helpers on a section's content ----------------------------------------------------------


def content_text(sec: Section) -> str:
    """The section's own text and its children's (headings included), normalised."""
    return normalize(sec.text())


def has_non_text_content(sec: Section) -> bool:
    return any(isinstance(b, Table | Image) for b in sec.iter_blocks())


_DATE_LINE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_ORGAN_LINE_RE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,30}(厅|局|委|办|政府|委员会|办公室|管委会|中心|院|校|大学|学院)$"
)


def _signature_trimmed(texts: list[str]) -> list[str]:
    """The last section also holds the signature ("山西省教育厅" / "2018年3月5日"): not content."""
    while texts and (_DATE_LINE_RE.match(texts[-1]) or _ORGAN_LINE_RE.match(texts[-1])):
        texts = texts[:-1]
    return texts


def is_empty(sec: Section, allow_none: bool) -> Literal["empty", "none"] | None:
    """ "empty": no content (sub-headings alone are no content); "none": only "无"-like text.
    ``allow_none``: "无"/"无其他需要报告的事项" is an acceptable answer for this section."""
    if has_non_text_content(sec):
        return None
    texts = [normalize(b.text) for s in sec.walk() for b in s.blocks if isinstance(b, Paragraph)]
    text = "".join(_signature_trimmed([t for t in texts if t])).strip(_EDGE_PUNCT)
    if not text:
        return "empty"
    if allow_none:
        return None
    return "none" if _NONE_RE.match(text) or _ALLOWED_NONE_RE.match(text) else None


def snippet(text: str) -> str:
    text = _SPACE_RE.sub(" ", text).strip()
    return text if len(text) <= SNIPPET_LEN else text[: SNIPPET_LEN - 1] + "…"


def location_of(sec: Section | None, fallback: Location | None = None) -> Location | None:
    if sec is None:
        return fallback
    return sec.location.model_copy(update={"snippet": sec.location.snippet or snippet(sec.label)})
