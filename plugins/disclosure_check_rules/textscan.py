"""Helpers of the content rules (dates.py, content.py): the pack's data file, the report's text
units with their locations, regime and organ level, and a small section lookup.

Rules search text through :func:`text_units` so that every finding points at the paragraph or
heading where the problem is, with a snippet around the match.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

from disclosure_check.model import Document, Location, Paragraph, ReportKind, Section
from disclosure_check.rules import RuleContext

SNIPPET_CONTEXT = 24  # characters kept on each side of a match in a finding's snippet
CJK = re.compile(r"[\u4e00-\u9fff]")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Any bracket pair around a four-digit year in a document number becomes 〔〕 (中办发[2016]8号).
_YEAR_BRACKETS = re.compile(r"[\[［【（(〔]((?:19|20)\d{2})[\]］】）)〕]")


@cache
def data() -> dict[str, Any]:
    """The pack's data file ``data/content.toml`` (loaded once per process)."""
    path = files(__package__).joinpath("data", "content.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Numbered backreferences and conditionals would change meaning once groups are renumbered.
_GROUP_NUMBER_REF = re.compile(r"\\[1-9]|\(\?\(")


@cache
def rx_any(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation that finds a match exactly when one of ``patterns`` would: a single scan
    tells which texts need the per-pattern scans. None when the patterns cannot be combined."""
    if not patterns or any(_GROUP_NUMBER_REF.search(p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:  # e.g. the same group name in two patterns
        return None


def normalize_numbers(text: str) -> str:
    """Unify how document numbers are printed; keeps the length, so match offsets stay valid."""
    text = text.translate(_FULLWIDTH_DIGITS)
    return _YEAR_BRACKETS.sub(lambda m: "〔" + m.group(1) + "〕", text)


_SPACE_RE = re.compile(r"\s+")


def compact(text: str) -> str:
    return _SPACE_RE.sub("", text)


# -- text units ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextUnit:
    """A heading or paragraph: its text, where it is, and the top-level section holding it."""

    text: str
    location: Location
    section: Section | None  # the innermost section (None: preamble)
    top: Section | None  # the top-level section (None: preamble)
    heading: bool = False

    def locate(self, start: int = 0, end: int | None = None) -> Location:
        """This unit's location with a snippet around ``text[start:end]``."""
        end = len(self.text) if end is None else end
        lo = max(0, start - SNIPPET_CONTEXT)
        hi = min(len(self.text), end + SNIPPET_CONTEXT)
        snippet = ("…" if lo else "") + self.text[lo:hi] + ("…" if hi < len(self.text) else "")
        section = self.location.section or (self.top.label if self.top else None)
        return self.location.model_copy(update={"snippet": snippet.strip(), "section": section})

    @cached_property
    def normalized(self) -> str:
        """:func:`normalize_numbers` of the text, computed once (several rules search it)."""
        return normalize_numbers(self.text)


def text_units(doc: Document, *, headings: bool = True) -> Iterator[TextUnit]:
    """The preamble's paragraphs, then each section's heading and paragraphs, in document order."""
    for block in doc.preamble:
        if isinstance(block, Paragraph):
            yield TextUnit(block.text, block.location, None, None)
    for top in doc.sections:
        for sec in top.walk():
            if headings:
                yield TextUnit(sec.heading_raw or sec.label, sec.location, sec, top, heading=True)
            for block in sec.blocks:
                if isinstance(block, Paragraph):
                    yield TextUnit(block.text, block.location, sec, top)


def units(ctx: RuleContext) -> list[TextUnit]:
    """:func:`text_units` of the document, shared by the rules of one document."""
    return ctx.cached("textscan.units", lambda: list(text_units(ctx.doc)))


def search(
    units_: Iterable[TextUnit], pattern: re.Pattern[str], *, normalize: bool = False
) -> Iterator[tuple[TextUnit, re.Match[str]]]:
    for unit in units_:
        text = unit.normalized if normalize else unit.text
        for match in pattern.finditer(text):
            yield unit, match


def doc_text(ctx: RuleContext) -> str:
    """``Document.text()``, joined once per document for all the rules that search it."""
    return ctx.cached("textscan.doc_text", ctx.doc.text)


def first_location(doc: Document) -> Location:
    """Where a finding about the whole report goes: the first paragraph (usually the intro)."""
    for unit in text_units(doc, headings=False):
        return unit.locate(0, min(len(unit.text), 40))
    return Location(line=1, column=1, snippet=doc.meta.title or "")


# -- report year, regime, organ --------------------------------------------------------------

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:[-—至]\s*(?:19|20)?\d{2,4}\s*)?(?:学年|年度|年)")


def title_year(doc: Document) -> int | None:
    m = _TITLE_YEAR.search(doc.meta.title or "")
    return int(m.group(1)) if m else None


def regime(ctx: RuleContext) -> str | None:
    """The profile's regime ("2008", "2019", "2021", "university"); else derived from the year."""
    if ctx.profile.regime:
        return ctx.profile.regime
    if ctx.doc.meta.kind == ReportKind.university:
        return "university"
    year = ctx.doc.meta.report_year
    if year is None:
        return None
    return "2008" if year < 2019 else "2019" if year < 2021 else "2021"


def organ_name(doc: Document) -> str:
    """The issuing organ: Meta.organ, else the title's text before the year / before 政府信息公开."""
    if doc.meta.organ:
        return compact(doc.meta.organ)
    title = compact(doc.meta.title or "")
    title = re.sub(r"^(?:19|20)\d{2}年度?", "", title)
    m = re.match(r"(.+?)(?:(?:19|20)\d{2}年|政府信息公开|信息公开)", title)
    return m.group(1) if m else ""


def organ_level(doc: Document) -> str:
    """ "government" (a 人民政府 itself), "government_like" (a regional 管委会), "department",
    or "unknown". Patterns come from the data file's [organ] table."""
    patterns = data()["organ"]
    name = organ_name(doc)
    if name:
        for level in ("government", "government_like", "department"):
            if rx(patterns[level]).search(name):
                return level
    if doc.meta.kind == ReportKind.government and not name:
        return "government"
    if doc.meta.kind in (ReportKind.department, ReportKind.education_department):
        return "department"
    return "unknown"


# -- sections --------------------------------------------------------------------------------


def _heading_matches(sec: Section, words: Iterable[str]) -> bool:
    heading = compact(sec.heading)
    return any(w in heading for w in words)


def find_sections(ctx: RuleContext, key: str) -> list[Section]:
    """The sections holding topic ``key`` ("overview", "problems", "other").

    Tries, in order: the shared section map (``sectionmap.py``, cached per document); a top-level
    section whose heading is the profile's heading or a variant for ``key``, or contains one of
    the data file's heading words; else any nested section whose heading contains those words
    (e.g. the subheads of 五 when its own heading line was lost).
    """
    mapped = _sectionmap_lookup(ctx, key)
    if mapped:
        return mapped
    words: list[str] = list(data()["sections"].get(key, []))
    spec = ctx.profile.section(key)
    if spec is not None:
        words = [compact(spec.heading), *(compact(v) for v in spec.variants), *words]
    top = [s for s in ctx.doc.sections if _heading_matches(s, words)]
    if top:
        return top[:1]
    return [s for s in ctx.doc.walk() if s.level > 1 and _heading_matches(s, words)]


# Profile section keys that hold each topic (university profiles merge 问题 into 新做法…问题).
_TOPIC_KEYS = {"problems": ("problems", "practices_problems")}


def _sectionmap_lookup(ctx: RuleContext, key: str) -> list[Section]:
    """The shared section map's section for ``key``: a heading match gives that section; a lost
    heading (``subheadings``) gives the trailing sub-sections about the topic; a bare statement
    gives nothing (there is no section to examine)."""
    from .sectionmap import keyword_score, normalize, section_map

    smap = section_map(ctx)
    for topic_key in _TOPIC_KEYS.get(key, (key,)):
        match = smap.matches.get(topic_key)
        spec = ctx.profile.section(topic_key)
        if match is None or match.section is None or spec is None:
            continue
        if match.by_heading:
            return [match.section]
        if match.method == "subheadings":
            children = match.section.children
            start = next((i for i, c in enumerate(children) if c.location == match.location), None)
            tail = children[start:] if start is not None else []
            return [c for c in tail if keyword_score(normalize(c.heading), spec) > 0] or tail
    return []


def section_units(ctx: RuleContext, sections: list[Section]) -> list[TextUnit]:
    """The text units inside ``sections`` (their own headings excluded)."""
    ids = {id(s) for sec in sections for s in sec.walk()}
    heads = {id(s) for s in sections}
    return [
        u
        for u in units(ctx)
        if u.section is not None
        and id(u.section) in ids
        and not (u.heading and id(u.section) in heads)
    ]


def section_location(section: Section) -> Location:
    loc = section.location
    return loc.model_copy(
        update={
            "snippet": loc.snippet or section.heading_raw or section.label,
            "section": section.label,
        }
    )


def cjk_count(text: str) -> int:
    return len(CJK.findall(text))


def any_word(text: str, words: Iterable[str]) -> str | None:
    return next((w for w in words if w in text), None)
