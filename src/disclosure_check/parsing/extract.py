"""Find the article inside the page chrome.

HTML: scripts, styles and comments are dropped; the article is the element named by a known CMS
class (a hint list, kept here in one place) or, failing that, found by descending from <body> into
the child that holds most of the non-link CJK text. Plain text / Markdown: a crawler header
("标题: … ==== 正文 ====") is read into fields and removed, and page chrome (breadcrumbs, 字体 大 中 小,
share links) at the start of the body is cut away.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from ..model.document import SourceFormat

# Known CMS containers of the article body (TRS, 我为政府网站找错 ucap, Hanweb, …). Hints only: the
# element must also hold real text. Lower-case; compared with the tag name and class/id tokens.
ARTICLE_HINTS: tuple[str, ...] = (
    "ucapcontent",
    "trs_editor",
    "trs_ueditor",
    "article_content",
    "article-content",
    "custom_unionstyle",
    "zoom",
    "bodylabel",
    "wzy_nr",
    "pages_content",
    "xxgk_content",
    "art_con",
    "content_text",
)

# Page chrome vocabulary: breadcrumbs, font-size switches, share/print/close links.
CHROME_TOKENS: tuple[str, ...] = (
    "当前位置",
    "您的位置",
    "首页",
    "来源[:：]",
    "发布时间[:：]",
    "时间[:：]",
    "字体[:：]?",
    "字号[:：]?",
    "大\\s*中\\s*小",
    "【\\s*[大中小]\\s*】",
    "微信",
    "微博",
    "QQ空间",
    "全真版",
    "文字版",
    "文件下载",
    "相关链接[:：]?",
    "-->",
    "打印(本页)?",
    "关闭(窗口)?",
    "分享到?",
    "浏览次数[:：]?",
    "阅读次数[:：]?",
    "收藏",
)
_CHROME_RE = re.compile("|".join(CHROME_TOKENS))
_DATE_ONLY_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?")

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_CJK_RE = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")
_CRAWLER_SEP_RE = re.compile(r"^=+\s*正文\s*=+\s*$", re.M)
_HEADER_LINE_RE = re.compile(r"^([^:：\n]{1,12})[:：][ \t]*(.*)$")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
_HTML_SNIFF_RE = re.compile(r"<(?:!doctype|html|head|body|div|p|table|meta|span|br)\b", re.I)
_MD_SNIFF_RE = re.compile(r"^(?:#{1,6} |\|.*\|\s*$)", re.M)


@dataclass
class Extracted:
    format: SourceFormat
    text: str  # the whole decoded source
    root: Any = None  # lxml root (HTML only)
    article: Any = None  # the article element (HTML only)
    page_meta: dict[str, str] = field(default_factory=dict)  # <meta name> (lower-case) → content
    page_title: str | None = None
    h1_texts: list[str] = field(default_factory=list)
    chrome: str | None = None  # text sources: the chrome cut from the body
    header: dict[str, str] = field(default_factory=dict)  # crawler header fields
    body_start: int = 0  # offset of the body in ``text`` (text sources)
    notes: list[str] = field(default_factory=list)  # what extraction had to give up (depth …)

    @property
    def chrome_text(self) -> str:
        """Page text outside the article (HTML, computed on demand: it is rarely needed)."""
        if self.chrome is None:
            self.chrome = _outside_text(self.root, self.article) if self.root is not None else ""
        return self.chrome


def sniff_format(text: str, name: str | None) -> SourceFormat:
    """The input's format: a suffix decides between text and Markdown; markup decides HTML."""
    lower = (name or "").lower()
    head = text[:4096]
    if _HTML_SNIFF_RE.search(head) and not lower.endswith((".md", ".markdown", ".txt")):
        return SourceFormat.html
    if lower.endswith((".md", ".markdown")) or _MD_SNIFF_RE.search(text[:200000]):
        return SourceFormat.markdown
    return SourceFormat.text


def cjk_len(text: str | None) -> int:
    # Deleting the rest builds one string; findall would build one object per character.
    return len(_NON_CJK_RE.sub("", text)) if text else 0


# --------------------------------------------------------------------------- HTML


def extract_html(text: str) -> Extracted:
    # Plain lxml.etree elements: lxml.html's per-element class lookup costs more than the parse.
    # Parsing UTF-8 bytes is twice as fast as parsing a Python str.
    source = (_XML_DECL_RE.sub("", text, count=1) or "<html/>").encode("utf-8", "surrogatepass")
    root = etree.fromstring(source, _PARSER)
    # libxml2 stops building the tree at depth 256 and says so only in its error log.
    notes = [DEPTH_NOTE] if any("Excessive depth" in e.message for e in _PARSER.error_log) else []
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    _drop_non_content(root)
    page_meta = {
        (m.get("name") or "").strip().lower(): (m.get("content") or "").strip()
        for m in root.iter("meta")
        if m.get("name")
    }
    title_el = root.find(".//title")
    title = _clean(all_text(title_el)) if title_el is not None else None
    h1s = [_clean(all_text(h)) for h in root.iter("h1")]
    article = find_article(root)
    return Extracted(
        format=SourceFormat.html,
        text=text,
        root=root,
        article=article,
        page_meta=page_meta,
        page_title=title or None,
        h1_texts=[h for h in h1s if h],
        notes=notes,
    )


DEPTH_NOTE = (
    "the page nests elements more than 255 levels deep; everything below that level was dropped"
)
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)


def all_text(el: Any) -> str:
    """All text below ``el`` (not its tail): lxml's text serialiser, several times faster than
    joining ``itertext()`` (one "smart" string object per piece) and the same text."""
    if el is None:
        return ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _drop_non_content(root: Any) -> None:
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)  # C speed; tails stay


def _hint_of(el: Any) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in ARTICLE_HINTS:
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if _hint_inside(ARTICLE_HINTS).search(names) is None:
        return False  # the usual class: no hint even as a substring, so none as a token
    return any(n in ARTICLE_HINTS for n in names.split())


@functools.lru_cache(maxsize=4)
def _hint_inside(hints: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, hints)))


def _text_weights(root: Any) -> tuple[dict[Any, int], dict[Any, int]]:
    """Per element: CJK characters below it outside links, and inside links (no recursion)."""
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    plain: dict[Any, int] = {}
    linked: dict[Any, int] = {}
    for el in reversed(elements):  # children before their parents
        own = cjk_len(el.text)
        if el.tag == "a":
            linked[el] = linked.get(el, 0) + own + plain.get(el, 0)
            plain[el] = 0
        else:
            plain[el] = plain.get(el, 0) + own
        parent = el.getparent()
        if parent is not None:
            tail = cjk_len(el.tail)
            plain[parent] = plain.get(parent, 0) + plain[el] + tail
            linked[parent] = linked.get(parent, 0) + linked.get(el, 0)
    return plain, linked


_BLOCKISH_STOP = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "span", "font", "a"})
_TABLEISH = frozenset({"table", "tbody", "thead", "tfoot", "tr"})


def _hinted(start: Any) -> list[Any]:
    """Elements named by a hint (only elements with a class or id are looked at)."""
    found = cast("list[Any]", _CLASSED(start))  # an XPath returning elements
    return [el for el in found if _hint_of(el)]


# Elements with a class or id, and <ucapcontent>, in document order (the union is faster in
# libxml2 than one predicate with self::ucapcontent; same node set).
_CLASSED = etree.XPath(".//*[@class or @id] | .//ucapcontent")


def find_article(root: Any) -> Any:
    body = root.find("body")
    start = body if body is not None else root
    weights = {el: cjk_len(all_text(el)) for el in _hinted(start)}
    hinted = [el for el, w in weights.items() if w >= 100]
    if hinted:
        best = max(hinted, key=weights.__getitem__)
        # Prefer the innermost hinted element that still holds nearly all of the text.
        inner = [
            el
            for el in hinted
            if el is not best and weights[el] >= 0.85 * weights[best] and _is_inside(el, best)
        ]
        if inner:
            best = max(inner, key=lambda el: len(list(el.iterancestors())))
        return best
    plain, _linked = _text_weights(root)
    return _descend(start, plain)


def _is_inside(el: Any, ancestor: Any) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def _descend(start: Any, plain: dict[Any, int]) -> Any:
    """Walk down into the child that holds most (≥60 %) of the text; never stop inside a table."""
    current = best = start
    for _ in range(300):  # lxml caps depth at 255; a bound all the same
        total = plain.get(current, 0)
        children = [c for c in current if isinstance(c.tag, str)]
        if not children or total == 0:
            break
        child = max(children, key=lambda c: plain.get(c, 0))
        if plain.get(child, 0) < 0.6 * total or child.tag in _BLOCKISH_STOP:
            break
        current = child
        if current.tag not in _TABLEISH:
            best = current
    return best if current.tag in _TABLEISH else current


def _outside_text(root: Any, article: Any) -> str:
    """Page text outside the article (bylines with 发布时间, metadata tables), bounded."""
    page = _pieces(root)
    inner = _pieces(article) if article is not None else ""
    if inner:
        page = page.replace(inner, " ", 1)
    return page[:200_000]


def _pieces(el: Any) -> str:
    """The text pieces below ``el``, stripped, empty ones dropped, joined by one space."""
    nodes = cast("list[str]", _TEXT_NODES(el))  # an XPath returning text nodes
    return " ".join(t for t in map(str.strip, nodes) if t)


# The text pieces ``itertext()`` yields, as plain strings (no per-piece "smart" string objects).
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


# --------------------------------------------------------------------------- text / Markdown


def extract_text(text: str, fmt: SourceFormat) -> Extracted:
    out = Extracted(format=fmt, text=text)
    sep = _CRAWLER_SEP_RE.search(text[:20000])
    if sep:
        out.header = _read_header(text[: sep.start()])
        out.body_start = sep.end() + 1 if text[sep.end() : sep.end() + 1] == "\n" else sep.end()
    return out


def _read_header(head: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in head.splitlines():
        m = _HEADER_LINE_RE.match(line.strip())
        if m:
            fields[m.group(1).strip()] = m.group(2).strip()
    return fields


def chrome_prefix_end(text: str, window: int = 600) -> int:
    """End offset of a run of chrome tokens at the very start of ``text`` (0 when none).

    Chrome counts only when it starts near the beginning and at least three tokens follow one
    another closely ("当前位置： 首页… 来源：… 时间：… 微信 微博 … 相关链接： -->").
    """
    matches = list(_CHROME_RE.finditer(text, 0, min(len(text), window)))
    if not matches or matches[0].start() > 20:
        return 0
    end = matches[0].end()
    count = 1
    for m in matches[1:]:
        if m.start() - end > 80:
            break
        end = m.end()
        count += 1
        # A date right after 时间： belongs to the chrome.
        date = _DATE_ONLY_RE.match(text, _skip_spaces(text, end))
        if date:
            end = date.end()
    return end if count >= 3 else 0


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\u3000":
        pos += 1
    return pos


def is_chrome_line(line: str) -> bool:
    """A short line made of page chrome ("时间:2018-03-05 来源:山西省教育厅 字体: 关闭")."""
    s = line.strip()
    if not s or len(s) > 160 or "。" in s:
        return False
    tokens = _CHROME_RE.findall(s)
    if len(tokens) >= 2:
        return True
    return bool(re.fullmatch(r"(【?\s*(打印|关闭|分享|收藏|返回顶部)\s*】?\s*)+", s))
