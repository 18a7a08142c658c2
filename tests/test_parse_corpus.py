"""Every corpus report parses to the outline and metadata a careful reader finds (labels.json)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from disclosure_check.model.document import (
    Document,
    DocumentStatus,
    NumberingStyle,
    ReportKind,
    TableStatus,
)
from disclosure_check.parsing import parse
from disclosure_check.parsing.headings import normalize_heading

CORPUS = Path(__file__).parent / "corpus"
LABELS = {d["file"]: d for d in json.loads((CORPUS / "labels.json").read_text("utf-8"))}

# The kind follows from the organ (domain knowledge, not parser output): a 人民政府/管委会 or its
# 办公厅 is a government; 教育厅 an education department; 发展和改革局 a department.
KINDS = {
    "seed-shanxi-edu-2017.txt": ReportKind.education_department,
    "pingtan-county-2012.txt": ReportKind.government,
    "shuyang-drc-2023.html": ReportKind.department,
    "shanghai-office-2025.md": ReportKind.government,
}


def _label_heading(text: str) -> str:
    """labels.json prints headings as printed ("一、 概述"); compare normalised."""
    return re.sub(r"(?<=、)\s+", "", text)


@pytest.fixture(scope="module", params=sorted(LABELS))
def case(request: pytest.FixtureRequest) -> tuple[dict, Document]:
    name = request.param
    return LABELS[name], parse(CORPUS / name)


def test_status_ok(case: tuple[dict, Document]) -> None:
    _, doc = case
    assert doc.status is DocumentStatus.ok, doc.status_reason


def test_top_level_outline(case: tuple[dict, Document]) -> None:
    label, doc = case
    expected = [_label_heading(h["heading"]) for h in label["headings"]]
    assert [s.label for s in doc.sections] == expected
    assert all(s.level == 1 for s in doc.sections)


def test_heading_raw_kept(case: tuple[dict, Document]) -> None:
    _, doc = case
    for sec in doc.walk():
        assert sec.heading_raw.replace(" ", "").replace("\u3000", "")
        assert normalize_heading(sec.heading) == sec.heading


def test_title(case: tuple[dict, Document]) -> None:
    label, doc = case
    if label.get("title_in_file") is False:
        assert doc.meta.title is None or "2023" in doc.meta.title
        return
    assert doc.meta.title == label["title"]


def test_report_year(case: tuple[dict, Document]) -> None:
    label, doc = case
    assert doc.meta.report_year == label["year_reported"]


def test_statistics_period(case: tuple[dict, Document]) -> None:
    label, doc = case
    period = label["statistics_period"]
    assert doc.meta.period_start == date.fromisoformat(period["from"])
    assert doc.meta.period_end == date.fromisoformat(period["to"])
    assert doc.meta.period_text
    assert doc.meta.period_location is not None and doc.meta.period_location.line


def test_publication_date(case: tuple[dict, Document]) -> None:
    label, doc = case
    expected = label["publication_date"]
    if expected is None:
        assert doc.meta.published is None
    else:
        assert doc.meta.published == date.fromisoformat(expected)
        assert doc.meta.published_source


def test_signature_date(case: tuple[dict, Document]) -> None:
    label, doc = case
    sig = label.get("signature")
    if sig:
        assert doc.meta.signature_date == date.fromisoformat(sig["date"])


def test_organ(case: tuple[dict, Document]) -> None:
    label, doc = case
    if label.get("title_in_file") is False:
        return
    expected = label["organ"].split(" (")[0]
    assert doc.meta.organ == expected


def test_kind(case: tuple[dict, Document]) -> None:
    label, doc = case
    name = label["file"]
    expected = KINDS.get(name)
    if (
        expected is None
        and name.startswith("pingtan-zone")
        and label.get("title_in_file") is not False
    ):
        expected = ReportKind.government  # 平潭综合实验区: the zone's government
    if expected is not None:
        assert doc.meta.kind is expected


def test_locations_point_into_source(case: tuple[dict, Document]) -> None:
    label, doc = case
    source = (CORPUS / label["file"]).read_text("utf-8")
    lines = source.split("\n")
    for sec in doc.walk():
        loc = sec.location
        assert loc.line is not None and loc.column is not None and loc.offset is not None
        # line/column agree with the offset
        assert sum(len(x) + 1 for x in lines[: loc.line - 1]) + loc.column - 1 == loc.offset
        if doc.meta.source_format.value == "html":
            assert loc.xpath and loc.xpath.startswith("/html")
            assert source[loc.offset] == "<"  # the start tag of the heading's element
        else:
            assert loc.xpath is None
            assert source[loc.offset : loc.offset + 1] == sec.heading_raw[:1]


def test_tables_flattened_or_read(case: tuple[dict, Document]) -> None:
    label, doc = case
    tables = list(doc.tables())
    assert [t.id for t in tables] == [f"t{i}" for i in range(1, len(tables) + 1)]
    if label["format"].startswith("txt") and label["file"] != "seed-shanxi-edu-2017.txt":
        assert tables and all(t.status is TableStatus.flattened for t in tables)
        assert all(t.n_rows == 0 and t.grid == [] and t.notes for t in tables)


# --------------------------------------------------------------------------- second level

SECOND_LEVEL = {
    "pingtan-zone-2025.html": (
        "一、总体情况",
        ["（一）主动公开方面", "（二）依申请公开方面", "（三）政府信息管理方面",
         "（四）信息公开平台建设方面", "（五）监督保障方面"],
    ),
    "shuyang-drc-2023.html": (
        "一、总体情况",
        ["（一）主动公开政府信息情况", "（二）依申请公开政府信息情况",
         "（三）完善公开制度规范，加强政府信息管理", "（四）加强平台建设，扩展公开渠道",
         "（五）及时回应关切，自觉接受监督"],
    ),
    "pingtan-zone-2021.txt": (
        "一、总体情况",
        ["（一）主动公开方面", "（二）依申请公开方面", "（三）政府信息管理方面",
         "（四）平台载体建设方面", "（五）监督保障方面"],
    ),
    "shanghai-office-2025.md": (
        "四、政府信息公开行政复议、行政诉讼情况",
        ["（一）2024年工作中存在问题的改进情况", "（二）2025年工作中存在的主要问题"],
    ),
    "pingtan-zone-2019.wordhtml.html": ("一、总体情况", ["（一）基本情况", "（二）主要做法"]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SECOND_LEVEL))
def test_second_level(name: str) -> None:
    parent, children = SECOND_LEVEL[name]
    doc = parse(CORPUS / name)
    sec = next(s for s in doc.sections if s.label == parent)
    assert [c.label for c in sec.children] == children
    assert all(c.level == 2 and c.style is NumberingStyle.cn_paren for c in sec.children)


def test_third_level_arabic_under_paren() -> None:
    doc = parse(CORPUS / "pingtan-zone-2019.wordhtml.html")
    practice = doc.sections[0].children[1]
    assert [c.label for c in practice.children][:3] == [
        "1.加强组织领导，健全工作机制",
        "2.把握工作重点，扎实推进信息公开",
        "3.创新公开形式，拓展公开范围",
    ]
    assert [c.number for c in practice.children[1].children][:3] == ["（1）", "（2）", "（3）"]


# --------------------------------------------------------------------------- false headings


def test_table_row_labels_in_flattened_text_are_not_headings() -> None:
    for name in ("pingtan-zone-2019.txt", "pingtan-zone-2021.txt", "pingtan-zone-2025.txt"):
        doc = parse(CORPUS / name)
        labels = [s.label for s in doc.walk()]
        assert not any(
            "上年结转" in x or "结转下年度" in x or "本年度办理结果" in x for x in labels
        )
        assert not any(x.startswith("1.属于") for x in labels)
        # the flattened table text is kept under its section, not lost
        requests = doc.sections[2]
        assert any(t.status is TableStatus.flattened for t in requests.blocks if t.type == "table")


def test_attachment_after_signature_is_unnumbered_section() -> None:
    doc = parse(CORPUS / "pingtan-county-2012.txt")
    last = doc.sections[-1]
    assert last.style is NumberingStyle.none and last.number == ""
    assert last.heading.startswith("附件1：")
    assert [t.status for t in last.blocks if t.type == "table"] == [TableStatus.flattened]
    # no other document grows an unnumbered section
    for name in LABELS:
        if name != "pingtan-county-2012.txt":
            assert all(s.style is not NumberingStyle.none for s in parse(CORPUS / name).walk())


def test_markdown_no_invented_fifth_section_and_no_table_fragments() -> None:
    doc = parse(CORPUS / "shanghai-office-2025.md")
    labels = [s.label for s in doc.walk()]
    assert not any(x.startswith("五、") for x in labels)
    assert "三、本法提供" not in labels
    assert not any(
        x.startswith(("（二）部分公开", "（四）无", "（六）其", "1.申请人")) for x in labels
    )
    assert not any("— 1 —" in p.text for _, p in doc.paragraphs())


def test_crawler_chrome_removed_and_header_used() -> None:
    doc = parse(CORPUS / "pingtan-zone-2021.txt")
    text = doc.text()
    assert "当前位置" not in text and "QQ空间" not in text
    assert (
        doc.meta.url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm"
    )
    assert doc.meta.published_source == "crawler-header"


def test_html_chrome_not_in_article() -> None:
    doc = parse(CORPUS / "pingtan-zone-2025.html")
    text = doc.text()
    for chrome in ("当前位置", "字体", "打印", "关闭"):
        assert chrome not in text
    assert doc.meta.url and doc.meta.url.endswith("t20260313_105587.htm")
    # only the three report tables, no layout tables
    assert len(list(doc.tables())) == 3


def test_shuyang_metadata_table_is_not_a_report_table() -> None:
    doc = parse(CORPUS / "shuyang-drc-2023.html")
    tables = list(doc.tables())
    assert len(tables) == 3
    assert not any("索引号" in c.text for t in tables for row in t.grid for c in row)


def test_xpaths_resolve_to_the_heading_element() -> None:
    import lxml.html

    for name in ("pingtan-zone-2025.html", "shuyang-drc-2023.html"):
        doc = parse(CORPUS / name)
        tree = lxml.html.parse(str(CORPUS / name))
        for sec in doc.walk():
            (el,) = tree.xpath(sec.location.xpath)
            assert sec.heading_raw[:4] in "".join(el.itertext()).replace("\n", "")
        table = next(doc.tables())
        (el,) = tree.xpath(table.location.xpath)
        assert el.tag == "table"
