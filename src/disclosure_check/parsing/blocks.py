"""Linearise the article into raw blocks (paragraphs, tables, images) with source locations.

Locations: the XPath comes from ``tree.getpath``; line and column are computed from the decoded
source with a precomputed line-start index (lxml's ``sourceline`` saturates at 65535); the element
offsets come from aligning the tree's elements, in document order, with the start tags found in the
source text. Text input gets line/column from the text itself and no XPath.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..model.document import Image, Location, Table, TableStatus
from ._trusted import trusted_builder
from .extract import Extracted, chrome_prefix_end, is_chrome_line

SNIPPET_LEN = 60
# A text block this long is a crawler's flattened page: headings may sit anywhere inside it.
FLAT_BLOCK_CHARS = 1500
# So is a shorter block that holds nearly all of the body (a short report, or one with a part cut).
FLAT_SHARE, FLAT_MIN_CHARS = 0.8, 500

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "section", "article", "center", "pre", "address", "header", "footer",
        "main", "aside", "nav", "form", "fieldset", "figure", "figcaption", "caption", "hr",
        "ucapcontent",
    }
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD_TAGS = frozenset({"b", "strong"})
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_CENTER_RE = re.compile(r"text-align\s*:\s*center", re.I)
_TAG_SCAN_RE = re.compile(
    r"<(?:!--.*?-->|(script|style)\b[^>]*>.*?</\1\s*>|([a-zA-Z][a-zA-Z0-9:_-]*))", re.S | re.I
)
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_NL_GAP_RE = re.compile(r"\s*\n\s*")
_CJK_CHAR = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’]"
_PAGE_FOOTER_RE = re.compile(r"^\s*[—–\-－]+\s*\d{1,3}\s*[—–\-－]+\s*$")
_SENTENCE_END = "。！？；：:!?;"
_MD_HASH_RE = re.compile(r"^#{1,6}\s+")
_ALIGN_LOOKAHEAD = 64


@dataclass
class RawBlock:
    kind: str  # "para" | "table" | "image"
    text: str = ""
    location: Location = field(default_factory=Location)
    strong: bool = False  # an <h*> or a paragraph printed in bold
    centered: bool = False
    flat: bool = False  # flattened crawler text: headings may be inside it, not only at its start
    table: Table | None = None
    image: Image | None = None
    # Text blocks: (position in ``text``, source offset) where each source line starts.
    segments: list[tuple[int, int]] = field(default_factory=list)

    def source_offset(self, pos: int) -> int | None:
        """The source offset of character ``pos`` of this block's text."""
        if not self.segments:
            return self.location.offset
        i = bisect_right([s[0] for s in self.segments], pos) - 1
        block_pos, src = self.segments[max(i, 0)]
        return src + (pos - block_pos)


class SourceIndex:
    """Line/column lookup over the decoded source text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def location(
        self, offset: int | None, *, xpath: str | None = None, snippet: str = ""
    ) -> Location:
        if offset is None:
            return Location(xpath=xpath, snippet=snippet[:SNIPPET_LEN])
        line = bisect_right(self._starts, offset)
        column = offset - self._starts[line - 1] + 1
        # Every field, in field order, of the field's type: built without re-validation.
        return _new_location(
            {
                "xpath": xpath,
                "line": line,
                "column": column,
                "offset": offset,
                "section": None,
                "snippet": snippet[:SNIPPET_LEN],
            }
        )


_new_location = trusted_builder(Location)


def normalize_inline(text: str) -> str:
    """Collapse whitespace; a line break between two CJK characters is source formatting: dropped."""
    if "\n" in text:  # (without one, the three line-break rules have nothing to do)
        text = _NL_GAP_RE.sub("\n", text)
        text = _CJK_BREAK_RE.sub("", text)
        text = _DATE_BREAK_RE.sub("", text)
        text = text.replace("\n", " ")
    return _WS_RE.sub(" ", text).strip()


_CJK_BREAK_RE = re.compile(rf"(?<={_CJK_CHAR})\n(?={_CJK_CHAR})")
_DATE_BREAK_RE = re.compile(r"(?<=\d)\n(?=[年月日])|(?<=[年月])\n(?=\d)")


# --------------------------------------------------------------------------- HTML


def align_offsets(root: Any, text: str) -> dict[Any, int]:
    """Map each element to the offset of its start tag in ``text`` (implied elements: absent)."""
    names: list[str] = []
    starts: list[int] = []
    for m in _TAG_SCAN_RE.finditer(text):
        group = m.lastindex  # 1: script/style, 2: any other start tag, None: a comment
        if group:
            names.append(m[group].lower())
            starts.append(m.start())
    offsets: dict[Any, int] = {}
    cursor = 0
    n = len(names)
    for el in root.iter(etree.Element):  # elements only: comments and PIs skipped in C
        tag = el.tag.lower()
        if cursor < n and names[cursor] == tag:  # the usual case: the next start tag
            offsets[el] = starts[cursor]
            cursor += 1
            continue
        try:  # an implied element (tbody) or a tag the tree dropped: look a little ahead
            j = names.index(tag, cursor, min(n, cursor + _ALIGN_LOOKAHEAD))
        except ValueError:
            continue
        offsets[el] = starts[j]
        cursor = j + 1
    return offsets


class HtmlLocator:
    """Builds Locations for elements of one parsed page (used by the table module per cell)."""

    def __init__(self, root: Any, index: SourceIndex, offsets: dict[Any, int]) -> None:
        self._tree = root.getroottree()
        self._index = index
        self._offsets = offsets
        self._paths: dict[Any, str] = {}

    def offset(self, el: Any) -> int | None:
        while el is not None:
            off = self._offsets.get(el)
            if off is not None:
                return off
            el = el.getparent()  # an implied element (tbody): its parent's position
        return None

    def xpath(self, el: Any) -> str:
        """``tree.getpath(el)``, computed once per parent for all its children (table cells)."""
        path = self._paths.get(el)
        if path is not None:
            return path
        parent = el.getparent()
        if parent is None:
            return self._tree.getpath(el)
        base = self._paths.get(parent) or self._tree.getpath(parent)
        children = [c for c in parent if isinstance(c.tag, str)]
        totals: dict[str, int] = {}
        for c in children:
            totals[c.tag] = totals.get(c.tag, 0) + 1
        seen: dict[str, int] = {}
        for c in children:
            n = seen[c.tag] = seen.get(c.tag, 0) + 1
            self._paths[c] = f"{base}/{c.tag}[{n}]" if totals[c.tag] > 1 else f"{base}/{c.tag}"
        return self._paths[el]

    def __call__(self, el: Any, snippet: str | None = None) -> Location:
        if snippet is None:
            snippet = short_text(element_text(el))
        return self._index.location(self.offset(el), xpath=self.xpath(el), snippet=snippet)


def element_text(el: Any) -> str:
    """All text below ``el`` (not its tail). The text serialiser is ~6× faster than joining
    ``itertext()``, which builds a "smart" string object per piece; the result is the same."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def short_text(text: str) -> str:
    """A snippet: the first characters of ``text`` with whitespace runs collapsed."""
    return " ".join(text[: SNIPPET_LEN * 4].split())[:SNIPPET_LEN]


def _is_bold(el: Any) -> bool:
    return el.tag in _BOLD_TAGS or bool(_BOLD_STYLE_RE.search(el.get("style", "")))


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.bold_chars = 0
        self.chars = 0
        self.anchor: Any = None

    def add(self, text: str | None, bold: bool, anchor: Any) -> None:
        if not text:
            return
        self.parts.append(text)
        n = len(text.strip())
        self.chars += n
        if bold:
            self.bold_chars += n
        if self.anchor is None and n:
            self.anchor = anchor


def html_blocks(
    ex: Extracted,
    locate: HtmlLocator,
    make_table: Callable[[Any, str], Table],
) -> list[RawBlock]:
    """Walk the article once (iteratively) and cut it into blocks at block-level elements."""
    blocks: list[RawBlock] = []
    block_stack: list[Any] = [ex.article]
    buf = _Buffer()
    bold_depth = 0

    def flush() -> None:
        nonlocal buf
        text = normalize_inline("".join(buf.parts))
        if text and not is_chrome_line(text):
            anchor = buf.anchor if buf.anchor is not None else block_stack[-1]
            block_el = _enclosing_block(anchor, block_stack)
            blocks.append(
                RawBlock(
                    kind="para",
                    text=text,
                    location=locate(block_el, text),
                    strong=block_el.tag in _HEADING_TAGS
                    or (buf.chars > 0 and buf.bold_chars >= 0.8 * buf.chars),
                    centered=_is_centered(block_el),
                )
            )
        buf = _Buffer()

    bold_stack: list[bool] = []
    walker = etree.iterwalk(ex.article, events=("start", "end"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if not tag:
                continue
            if tag == "table":
                flush()
                blocks.append(RawBlock(kind="table", table=make_table(el, "t0")))
                walker.skip_subtree()
                buf.add(el.tail, bold_depth > 0, block_stack[-1])
                continue
            if tag in _BLOCK_TAGS or tag == "br":
                flush()
                if tag in _BLOCK_TAGS:
                    block_stack.append(el)
            elif tag == "img":
                flush()
                blocks.append(_image_block(el, locate))
            bold = _is_bold(el)
            bold_stack.append(bold)  # popped at the element's end event (same skips as here)
            if bold:
                bold_depth += 1
            buf.add(el.text, bold_depth > 0, block_stack[-1])
        else:
            if not tag or tag == "table":
                continue
            if bold_stack.pop():
                bold_depth -= 1
            if tag in _BLOCK_TAGS:
                flush()
                if len(block_stack) > 1 and block_stack[-1] is el:
                    block_stack.pop()
            if el is not ex.article:
                buf.add(el.tail, bold_depth > 0, block_stack[-1])
    flush()
    return blocks


def _enclosing_block(anchor: Any, stack: list[Any]) -> Any:
    return anchor if anchor is not None else stack[-1]


def _is_centered(el: Any) -> bool:
    return (el.get("align", "").lower() == "center") or bool(_CENTER_RE.search(el.get("style", "")))


def _image_block(el: Any, locate: HtmlLocator) -> RawBlock:
    image = Image(src=el.get("src"), alt=el.get("alt"), location=locate(el, el.get("alt") or ""))
    return RawBlock(kind="image", image=image, location=image.location)


# --------------------------------------------------------------------------- text / Markdown


@dataclass
class _Line:
    offset: int  # source offset of the first kept character
    text: str


def _body_lines(ex: Extracted, chrome: list[str]) -> list[_Line | None]:
    """Body lines (None = blank), chrome and page footers removed."""
    out: list[_Line | None] = []
    pos = ex.body_start
    body = ex.text[ex.body_start :]
    first = True
    for raw in body.split("\n"):
        line_start = pos
        pos += len(raw) + 1
        stripped = raw.strip()
        if not stripped:
            out.append(None)
            continue
        lead = len(raw) - len(raw.lstrip())
        offset = line_start + lead
        if first:
            first = False
            if stripped == "正文":  # PDF→Markdown artefact
                continue
            cut = chrome_prefix_end(stripped)
            if cut:
                chrome.append(stripped[:cut])
                rest = stripped[cut:]
                offset += cut + (len(rest) - len(rest.lstrip()))
                stripped = rest.strip()
                if not stripped:
                    continue
        if _PAGE_FOOTER_RE.match(stripped):
            continue
        if is_chrome_line(stripped):
            chrome.append(stripped)
            continue
        out.append(_Line(offset, stripped))
    return out


def _typical_width(lines: list[_Line | None]) -> int:
    widths = sorted(len(li.text) for li in lines if li is not None and not li.text.startswith("|"))
    if not widths:
        return 0
    return widths[int(len(widths) * 0.8) - 1 if len(widths) > 1 else 0]


def _ends_block(line: _Line, width: int) -> bool:
    n = len(line.text)
    if n < 0.5 * width:
        return True
    return n < 0.9 * width and line.text[-1] in _SENTENCE_END


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def text_blocks(
    ex: Extracted,
    index: SourceIndex,
    starts_heading: Callable[[str], bool],
    make_md_table: Callable[[list[str], Location], Table],
) -> list[RawBlock]:
    """Lines → blocks: blank lines, short lines and numbered lines end/start blocks."""
    chrome: list[str] = []
    lines = _body_lines(ex, chrome)
    ex.chrome = " ".join(chrome)
    width = _typical_width(lines)
    blocks: list[RawBlock] = []
    cur: RawBlock | None = None
    prev_ended = True
    i = 0
    while i < len(lines):
        line = lines[i]
        if line is None:
            cur, prev_ended = _close(blocks, cur), True
            i += 1
            continue
        if line.text.startswith("|"):
            cur = _close(blocks, cur)
            j = i
            while j < len(lines) and (nxt := lines[j]) is not None and nxt.text.startswith("|"):
                j += 1
            run = [li.text for li in lines[i:j] if li is not None]
            loc = index.location(line.offset, snippet=run[0])
            blocks.append(RawBlock(kind="table", table=make_md_table(run, loc), location=loc))
            i, prev_ended = j, True
            continue
        text = _MD_HASH_RE.sub("", line.text) if ex.format == "markdown" else line.text
        if cur is not None and starts_heading(text) and _prev_allows_heading(cur.text):
            cur = _close(blocks, cur)
        if cur is None:
            cur = RawBlock(
                kind="para",
                text=text,
                location=index.location(line.offset, snippet=text),
                segments=[(0, line.offset + (len(line.text) - len(text)))],
            )
        else:
            cur.segments.append((len(cur.text), line.offset))
            cur.text = _join(cur.text, text)
        prev_ended = (_ends_block(line, width) if width else True) or (
            len(cur.segments) == 1 and starts_heading(text) and _heading_line(text)
        )
        if prev_ended:
            cur = _close(blocks, cur)
        i += 1
    _close(blocks, cur)
    total = sum(len(b.text) for b in blocks)
    for b in blocks:
        if b.kind == "para" and len(b.text) >= max(FLAT_MIN_CHARS, FLAT_SHARE * total):
            b.flat = True
    return blocks


def _heading_line(text: str) -> bool:
    """A short numbered line without a sentence in it is a heading line of its own."""
    return len(text) <= 40 and not any(ch in text for ch in "。；")


def _prev_allows_heading(prev: str) -> bool:
    """A numbered line starts a new block only after a sentence end (not mid-sentence wraps)."""
    return bool(prev) and prev[-1] in _SENTENCE_END


def _close(blocks: list[RawBlock], cur: RawBlock | None) -> RawBlock | None:
    """Finish the current block (if any) and return the new current block: always None."""
    if cur is not None and cur.text:
        cur.text = _WS_RE.sub(" ", cur.text).strip()
        cur.flat = len(cur.text) >= FLAT_BLOCK_CHARS
        blocks.append(cur)
    return None


def flattened_table(text: str, location: Location, note: str) -> Table:
    """A table whose cells a crawler ran together: kept as evidence, never guessed at."""
    loc = location.model_copy(update={"snippet": text[:SNIPPET_LEN]})
    return Table(
        id="t0",
        caption=None,
        status=TableStatus.flattened,
        notes=[note, f"flattened text ({len(text)} characters): {text[:200]}"],
        location=loc,
    )
