"""Metadata when the page names no organ in a title: the preamble's compilation statement."""

from __future__ import annotations

from pathlib import Path

from disclosure_check.model.document import ReportKind
from disclosure_check.parsing import parse

CORPUS = Path(__file__).parent / "corpus"


def test_article_fragment_without_title_gets_organ_and_kind_from_its_preamble() -> None:
    doc = parse(CORPUS / "pingtan-zone-2023.article.html")
    assert doc.meta.title is None  # the fragment prints no title
    assert doc.meta.organ == "平潭综合实验区"  # "汇总平潭综合实验区各有关单位…编制而成"
    assert doc.meta.organ_source == "body:compiled-by"
    assert doc.meta.kind is ReportKind.government  # as the zone's 2025 page


def test_compiled_by_organ_is_used_only_without_a_title() -> None:
    seed = (CORPUS / "seed-shanxi-edu-2017.txt").read_text("utf-8")
    untitled = seed.split("\n", 1)[1]  # drop the title line; "由山西省教育厅编制" remains
    doc = parse(untitled, name="seed.txt")
    assert (doc.meta.organ, doc.meta.organ_source) == ("山西省教育厅", "body:compiled-by")
    assert doc.meta.kind is ReportKind.education_department
    assert parse(CORPUS / "seed-shanxi-edu-2017.txt").meta.organ_source == "title"


def test_compiled_by_this_organ_names_no_organ() -> None:
    text = (
        "本报告由本机关编制，统计期限自2022年1月1日起至2022年12月31日止。\n\n一、总体情况\n\n内容。"
    )
    assert parse(text, name="r.txt").meta.organ is None
