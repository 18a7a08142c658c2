"""DC101–DC108 on the real corpus, on mutated seed text, and on hand-built Documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from disclosure_check import Checker
from disclosure_check.model import Document, DocumentReport
from disclosure_check.model.document import Meta, NumberingStyle, Paragraph, ReportKind, Section

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
LABELS = {e["file"]: e for e in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))}
SEED = (CORPUS / "seed-shanxi-edu-2017.txt").read_text(encoding="utf-8")
NINE = [
    "overview",
    "proactive",
    "key_areas",
    "requests",
    "consultation",
    "review_litigation",
    "fees",
    "grassroots_pilot",
    "problems",
]

# What a careful reader (labels.json) implies for the section rules: (rule, message key, section).
EXPECTED: dict[str, list[tuple[str, str, str | None]]] = {
    "pingtan-county-2012.txt": [
        ("DC101", "missing", "fees"),
        ("DC101", "missing", "review_litigation"),
        ("DC105", "missing", "fees"),
        ("DC106", "only-review", "review_litigation"),
        ("DC107", "attachment-counted", None),  # labels: the 5th part is printed as 附件1
    ],
    "pingtan-zone-2018.article.html": [
        ("DC101", "missing", "fees"),
        ("DC105", "missing", "fees"),
    ],
    "shuyang-drc-2023.html": [("DC108", "keywords", "problems")],
    "shanghai-office-2025.md": [("DC103", "gap-heading-lost", "problems")],
}


def findings(report: DocumentReport) -> list[tuple[str, str, str | None]]:
    return sorted(
        (f.rule_id, f.message_key, f.data.get("section"))
        for o in report.outcomes
        for f in o.findings
    )


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(select=["DC1"])


@pytest.mark.parametrize("name", sorted(LABELS))
def test_corpus_section_findings_match_the_labels(checker: Checker, name: str) -> None:
    report = checker.check(CORPUS / name)
    assert findings(report) == sorted(EXPECTED.get(name, []))
    missing = {f.data["section"] for f in report.findings() if f.rule_id == "DC101"}
    assert missing == {m["key"] for m in LABELS[name]["missing_sections"]}
    assert not [o for o in report.outcomes if o.outcome.value in ("error", "needs_review")]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_fee_rule_agrees_with_the_labelled_fee_statement(checker: Checker, name: str) -> None:
    outcome = {o.rule_id: o for o in checker.check(CORPUS / name).outcomes}["DC105"]
    label = LABELS[name]["fee_statement"]
    if outcome.outcome.value == "not_applicable":  # the 2019 format asks for no fee statement
        assert LABELS[name]["regime"] == "gov-2019"
    else:
        assert (outcome.outcome.value == "passed") == label


def test_seed_passes_shanxi_2017_with_all_nine_parts(checker: Checker) -> None:
    from disclosure_check_rules.sectionmap import build_section_map

    doc = checker.parse(CORPUS / "seed-shanxi-edu-2017.txt")
    report = checker.check(doc)
    assert report.profile == "shanxi-2017"
    assert all(o.outcome.value in ("passed", "not_applicable") for o in report.outcomes)
    smap = build_section_map(doc, checker.registry.profile("shanxi-2017"))
    assert [m.key for m in smap.ordered_matches()] == NINE
    assert all(m.method in ("official", "keywords") for m in smap.matches.values())


def test_seed_passes_gov_2008_too(checker: Checker) -> None:
    report = checker.check(CORPUS / "seed-shanxi-edu-2017.txt", profile="gov-2008")
    assert report.findings() == []


def _seed_without(part: int) -> str:
    """The seed with its part ``part`` (1…9) removed: heading and content, not the signature."""
    pieces = re.split(r"(?m)^(?=  [一二三四五六七八九]、)", SEED)
    assert len(pieces) == 10
    if part == 9:
        pieces[9] = "\n \n" + pieces[9].split("\n \n", 1)[1]
    else:
        pieces[part] = ""
    return "".join(pieces)


@pytest.mark.parametrize("part", range(1, 10), ids=NINE)
def test_deleting_one_part_of_the_seed_names_exactly_that_part(
    checker: Checker, part: int, tmp_path: Path
) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(_seed_without(part), encoding="utf-8")
    report = Checker(select=["DC101"]).check(path, profile="shanxi-2017")
    [outcome] = report.outcomes
    assert [f.data["section"] for f in outcome.findings] == [NINE[part - 1]]
    assert outcome.findings[0].location is not None


# -- hand-built documents: edge cases the corpus does not have ----------------------------------


def _doc(headings: list[tuple[str, str]], year: int = 2022, **extra: Any) -> Document:
    """A Document with top-level sections "一、heading" and one paragraph each."""
    sections = []
    for number, heading in headings:
        ordinal = "一二三四五六七八九十".index(number) + 1
        body = extra.get(heading, f"{heading}的内容。")
        sections.append(
            Section(
                number=f"{number}、",
                ordinal=ordinal,
                style=NumberingStyle.cn_comma,
                heading=heading,
                heading_raw=f"{number}、{heading}",
                blocks=[Paragraph(text=body)] if body else [],
            )
        )
    meta = Meta(
        title=f"某局{year}年政府信息公开工作年度报告", kind=ReportKind.department, report_year=year
    )
    return Document(meta=meta, sections=sections)


OFFICIAL = [
    ("一", "总体情况"),
    ("二", "主动公开政府信息情况"),
    ("三", "收到和处理政府信息公开申请情况"),
    ("四", "政府信息公开行政复议、行政诉讼情况"),
    ("五", "存在的主要问题及改进情况"),
    ("六", "其他需要报告的事项"),
]


def _run(doc: Document, rule: str, profile: str = "gov-2021") -> list[tuple[str, dict[str, Any]]]:
    report = Checker(select=[rule]).check(doc, profile=profile)
    [outcome] = report.outcomes
    return [(f.message_key, f.data) for f in outcome.findings]


def test_a_clean_2021_document_passes_every_section_rule() -> None:
    doc = _doc(OFFICIAL, **{"其他需要报告的事项": "2022年，本机关未收取信息处理费。"})
    report = Checker(select=["DC1"]).check(doc, profile="gov-2021")
    assert report.findings() == []


def test_swapped_sections_are_out_of_order_once() -> None:
    swapped = [
        OFFICIAL[0],
        OFFICIAL[1],
        ("三", OFFICIAL[3][1]),
        ("四", OFFICIAL[2][1]),
        *OFFICIAL[4:],
    ]
    assert [k for k, _ in _run(_doc(swapped), "DC102")] == ["out-of-order"]
    # the section left in order keeps its ordinal complaint; the misplaced one is DC102's
    assert [d["section"] for _, d in _run(_doc(swapped), "DC103")] == ["review_litigation"]


def test_statutory_heading_under_the_wrong_ordinal() -> None:
    shifted = [("一", "主动公开政府信息情况"), ("二", OFFICIAL[2][1]), ("三", OFFICIAL[3][1])]
    found = _run(_doc(shifted), "DC103")
    assert [(k, d["section"], d["found"], d["expected"]) for k, d in found] == [
        ("wrong-ordinal", "proactive", 1, 2),
        ("wrong-ordinal", "requests", 2, 3),
        ("wrong-ordinal", "review_litigation", 3, 4),
    ]


def test_numbering_that_does_not_start_at_one_or_jumps() -> None:
    found = _run(_doc([("二", "总体情况"), ("五", "主动公开政府信息情况")]), "DC103")
    assert [k for k, _ in found][:2] == ["start", "gap"]


def test_problems_section_with_only_none_is_empty_but_other_may_say_none() -> None:
    doc = _doc(OFFICIAL, **{"存在的主要问题及改进情况": "无。", "其他需要报告的事项": "无。"})
    assert [(k, d["section"]) for k, d in _run(doc, "DC104")] == [("none", "problems")]
    empty = _doc(OFFICIAL, **{"总体情况": ""})
    assert [(k, d["section"]) for k, d in _run(empty, "DC104")] == [("empty", "overview")]


def test_variant_heading_names_the_official_one() -> None:
    varied = [*OFFICIAL[:3], ("四", "政府信息公开行政复议和行政诉讼情况"), *OFFICIAL[4:]]
    [(key, data)] = _run(_doc(varied), "DC108")
    assert key == "variant" and data["official"] == "政府信息公开行政复议、行政诉讼情况"


def test_fee_statements_and_table_labels() -> None:
    def fees(text: str) -> list[str]:
        doc = _doc(OFFICIAL, **{"其他需要报告的事项": text, "总体情况": "概况。"})
        return [k for k, _ in _run(doc, "DC105")]

    assert fees("2023年度，县发展和改革局政府信息公开未发生收费情况。") == []
    assert (
        fees("依据《政府信息公开信息处理费管理办法》规定，2025年全市实际收取信息处理费共计400元。")
        == []
    )
    assert fees("2024年，市科委未发生政府信息公开收费事项。") == []
    assert fees("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请0件。") == [
        "missing"
    ]
    assert fees("行政事业性收费24252.31万元。") == ["missing"]


def test_review_litigation_statement_in_a_2008_report() -> None:
    headings = [
        ("一", "概述"),
        ("二", "主动公开情况"),
        ("三", "依申请公开情况"),
        ("四", "存在问题及改进措施"),
    ]
    said = _doc(
        headings,
        year=2015,
        **{"依申请公开情况": "全年未发生因政府信息公开引起的行政复议、行政诉讼。"},
    )
    assert _run(said, "DC106", "gov-2008") == []
    assert "review_litigation" not in {d["section"] for _, d in _run(said, "DC101", "gov-2008")}
    silent = _doc(headings, year=2015)
    assert [k for k, _ in _run(silent, "DC106", "gov-2008")] == ["missing"]


def test_no_outline_needs_review_instead_of_guessing() -> None:
    doc = Document(meta=Meta(report_year=2022), preamble=[Paragraph(text="一段没有标题的文字。")])
    report = Checker(select=["DC1"]).check(doc, profile="gov-2021")
    outcomes = {o.rule_id: o.outcome.value for o in report.outcomes}
    assert outcomes["DC101"] == "needs_review"
    assert report.findings() == []


def test_stated_parts_count() -> None:
    doc = _doc(OFFICIAL[:5])
    doc.preamble = [Paragraph(text="本报告包括总体情况、主动公开政府信息情况等六个部分。")]
    [(key, data)] = _run(doc, "DC107")
    assert key == "mismatch" and (data["stated"], data["numbered"]) == (6, 5)
