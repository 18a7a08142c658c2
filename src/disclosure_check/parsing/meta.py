"""Metadata: title, organ, kind, report year, statistics period, publication and signature dates."""

from __future__ import annotations

import re
from datetime import date

from ..model.document import Location, Meta, Paragraph, ReportKind
from .blocks import RawBlock
from .extract import Extracted

# Word lists deciding the kind of organ from its name (data, in one place). Checked in order.
KIND_RULES: tuple[tuple[ReportKind, tuple[str, ...]], ...] = (
    (ReportKind.university, ("大学", "学院", "高等学校", "高校", "职业技术学校")),
    (ReportKind.education_department, ("教育厅", "教育局", "教育体育局", "教育和体育局", "教体局",
                                       "教育委员会", "教委")),
    (ReportKind.government, ("人民政府办公厅", "人民政府办公室", "政府办公厅", "政府办公室",
                             "管委会办公室", "管理委员会办公室", "人民政府", "管委会",
                             "管理委员会")),
)  # fmt: skip
DEPARTMENT_SUFFIXES: tuple[str, ...] = (
    "局",
    "委",
    "厅",
    "办",
    "办公室",
    "委员会",
    "中心",
    "署",
    "部",
)
# An organ named only by its area (平潭综合实验区, 某某县) is the area's government.
AREA_SUFFIXES: tuple[str, ...] = ("省", "市", "县", "区", "旗", "州", "盟", "镇", "乡", "街道", "实验区",
                                  "新区", "开发区")  # fmt: skip

_REPORT_TITLE_RE = re.compile(r"\d{4}\s*年.{0,40}?(?:年度报告|年报)|(?:年度报告|年报)")
_TITLE_LINE_RE = re.compile(r"^.{0,40}?\d{4}\s*年\s*度?.{0,40}?(?:年度报告|年报)$")
_TITLE_YEAR_RE = re.compile(r"(\d{4})\s*年\s*(度)?")
_TITLE_TAIL_RE = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度报告|年报).*$")
_TITLE_SPLIT_RE = re.compile(r"\s*(?:[_|]|\s[-—–]\s|-(?=[^\d]))\s*")
_DATE = r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_DATE_RE = re.compile(_DATE)
_CN_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PAGE_DATE_LABELS = ("发布时间", "发布日期", "公开日期", "发文日期", "成文日期", "时间")
_PAGE_DATE_RE = re.compile(r"(" + "|".join(_PAGE_DATE_LABELS) + r")\s*[:：]?\s*" + _DATE)
# The preamble's statement of who compiled the report, the organ when no title names it (an
# article fragment): "汇总平潭综合实验区各有关单位…编制而成", "由山西省教育厅编制".
_COMPILED_BY_RE = re.compile(
    r"汇总(?P<area>[\u3400-\u9fff]{2,30}?)(?:各有关单位|各单位|各部门|所属各)"
    r"|由(?P<organ>[\u3400-\u9fff]{2,30}?)(?:负责)?(?:汇总)?编制"
)
_PERIOD_RE = re.compile(
    r"统计(?:期限|时限|时间|区间|周期)[^。；\d]{0,8}?"
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*"
    r"[至到—\-~～]\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)


def _mkdate(y: str | int, m: str | int, d: str | int) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def title_from_blocks(blocks: list[RawBlock]) -> str | None:
    """A title printed in the body: one or two short paragraphs before any long one."""
    paras = [b for b in blocks[:6] if b.kind == "para"]
    for i, b in enumerate(paras[:4]):
        text = _squash(b.text)
        if _TITLE_LINE_RE.match(text):
            return text
        if i + 1 < len(paras) and len(text) <= 40:
            joined = text + _squash(paras[i + 1].text)
            if _TITLE_LINE_RE.match(joined) and len(joined) <= 60:
                return joined
        # Flattened text: the title runs into the first paragraph ("…年度报告 根据《条例》…").
        m = re.match(r"^(\S{4,60}?(?:年度报告|年报))\s", b.text)
        if m and _TITLE_LINE_RE.match(m.group(1)):
            return m.group(1)
        if len(text) > 80:
            break
    return None


def _page_title(ex: Extracted) -> tuple[str | None, str | None]:
    for h in ex.h1_texts:
        if _TITLE_LINE_RE.match(_squash(h)):
            return _squash(h), "heading"
    art = ex.page_meta.get("articletitle")
    if art:
        return _squash(art), "meta:ArticleTitle"
    if ex.header.get("标题"):
        return _squash(ex.header["标题"]), "crawler-header"
    if ex.page_title:
        first = _TITLE_SPLIT_RE.split(ex.page_title.strip())[0]
        return _squash(first) or None, "title"
    return None, None


def organ_from_title(title: str) -> str | None:
    """The organ is what the title says besides the year and "政府信息公开工作年度报告"."""
    rest = _TITLE_TAIL_RE.sub("", title)
    rest = _TITLE_YEAR_RE.sub("", rest, count=1).strip(" 　-—_")
    return rest or None


def organ_from_body(paragraphs: list[Paragraph]) -> str | None:
    """The organ a preamble says compiled the report (the first paragraphs only)."""
    for p in paragraphs[:3]:
        m = _COMPILED_BY_RE.search(p.text)
        organ = m and (m.group("area") or m.group("organ"))
        if organ and not organ.startswith(("本", "我")):  # "由本机关编制" names no one
            return organ
    return None


def kind_of(organ: str | None) -> ReportKind:
    if not organ:
        return ReportKind.unknown
    for kind, words in KIND_RULES:
        if any(w in organ for w in words):
            return kind
    if organ.endswith(DEPARTMENT_SUFFIXES):
        return ReportKind.department
    if organ.endswith(AREA_SUFFIXES):
        return ReportKind.government
    return ReportKind.unknown


def find_period(
    paragraphs: list[Paragraph],
) -> tuple[date | None, date | None, str | None, Location | None]:
    for p in paragraphs:
        m = _PERIOD_RE.search(p.text)
        if not m:
            continue
        y1, m1, d1, y2, m2, d2 = m.groups()
        start = _mkdate(y1, m1, d1)
        end = _mkdate(y2 or y1, m2, d2)  # "自2017年1月1日起至12月31日止": the end year is implied
        sentence = _sentence_around(p.text, m.start(), m.end())
        return start, end, sentence, p.location.model_copy(update={"snippet": sentence[:60]})
    return None, None, None, None


def _sentence_around(text: str, a: int, b: int) -> str:
    left = max(text.rfind(ch, 0, a) for ch in "。；\n") + 1
    ends = [i for i in (text.find(ch, b) for ch in "。；\n") if i != -1]
    right = min(ends) + 1 if ends else len(text)
    return text[left:right].strip()


def signature_date(paragraphs: list[Paragraph]) -> date | None:
    """A date standing alone (or after the organ's name) among the last paragraphs."""
    for p in reversed(paragraphs[-6:]):
        text = p.text.strip()
        ms = list(_CN_DATE_RE.finditer(text))
        if not ms:
            continue
        m = ms[-1]
        tail = text[m.end() :].strip()
        if len(text) <= 40 or (not tail and len(text) - m.start() <= 14):
            return _mkdate(*m.groups())
    # Flattened text: "…工作常规化、日常化。 平潭县人民政府 2013年1月16日 附件1：…".
    for p in reversed(paragraphs[-3:]):
        m2 = re.search(r"。\s*\S{2,30}\s+" + _CN_DATE_RE.pattern + r"\s*$", p.text)
        if m2:
            return _mkdate(*m2.groups()[-3:])
    return None


def published_date(ex: Extracted, signed: date | None) -> tuple[date | None, str | None]:
    pub = ex.page_meta.get("pubdate") or ex.page_meta.get("publishdate")
    if pub:
        m = _DATE_RE.search(pub)
        if m and (d := _mkdate(*m.groups())):
            return d, "meta:PubDate"
    head = ex.header.get("发布时间")
    if head:
        m = _DATE_RE.search(head)
        if m and (d := _mkdate(*m.groups())):
            return d, "crawler-header"
    found: dict[str, date] = {}
    for m in _PAGE_DATE_RE.finditer(ex.chrome_text[:200_000]):
        d = _mkdate(*m.groups()[1:])
        if d and m.group(1) not in found:
            found[m.group(1)] = d
    for label in _PAGE_DATE_LABELS:
        if label in found:
            return found[label], f"page:{label}"
    if signed:
        return signed, "signature"
    return None, None


def build_meta(
    ex: Extracted, blocks: list[RawBlock], paragraphs: list[Paragraph], meta: Meta
) -> Meta:
    """Fill ``meta`` (encoding fields already set) from the page and the parsed body."""
    body_title = title_from_blocks(blocks)
    page_title, page_source = _page_title(ex)
    if body_title:
        meta.title, meta.title_source = body_title, "body"
    elif page_title:
        meta.title, meta.title_source = page_title, page_source
    if meta.title:
        organ = organ_from_title(meta.title)
        if organ:
            meta.organ, meta.organ_source = organ, "title"
    if not meta.organ:
        src = ex.page_meta.get("contentsource") or ex.header.get("发布机构")
        if src:
            meta.organ, meta.organ_source = src, "meta:ContentSource"
    if not meta.organ and (organ := organ_from_body(paragraphs)):
        meta.organ, meta.organ_source = organ, "body:compiled-by"
    meta.kind = kind_of(meta.organ)

    start, end, text, loc = find_period(paragraphs)
    meta.period_start, meta.period_end, meta.period_text, meta.period_location = (
        start,
        end,
        text,
        loc,
    )
    year = _TITLE_YEAR_RE.search(meta.title or "")
    if year:
        meta.report_year, meta.report_year_source = int(year.group(1)), "title"
    elif start:
        meta.report_year, meta.report_year_source = start.year, "period"

    meta.signature_date = signature_date(paragraphs)
    meta.published, meta.published_source = published_date(ex, meta.signature_date)
    meta.url = ex.page_meta.get("url") or ex.header.get("原文链接") or None
    return meta


def looks_like_report(title: str | None, headings: list[str], text_head: str) -> bool:
    """A disclosure report names itself so, or has the statutory parts."""
    if title and _NAMES_ITSELF_RE.search(title):
        return True
    n_topics = sum(any(t in h for t in STATUTORY_TOPICS) for h in headings)
    if n_topics >= 3:
        return True
    return n_topics >= 2 and bool(_NAMES_ITSELF_RE.search(text_head))


_NAMES_ITSELF_RE = re.compile(r"信息公开.{0,12}(?:年度报告|年报)")
# Words of the statutory parts (R2008 Art. 32, R2019 Art. 50) as they appear in headings.
STATUTORY_TOPICS = ("主动公开", "依申请", "收到和处理", "行政复议", "存在的主要问题", "其他需要报告",
                    "概述", "总体情况")  # fmt: skip
