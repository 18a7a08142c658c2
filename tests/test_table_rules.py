"""DC2xx table rules on the corpus: the outcome a careful reader gives, identity findings that
match a manual check of the arithmetic (labels.json), single-cell mutations of a real report,
unreadable tables, Shuyang's blank cells and Shanghai's positional values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from disclosure_check import Checker
from disclosure_check.model import Document, Outcome, Paragraph, Section
from disclosure_check.model.document import Image, Meta
from disclosure_check.model.results import DocumentReport, RuleOutcome
from disclosure_check.parsing import parse
from disclosure_check.parsing.statistics import extract_statistics, load_layouts

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
LAYOUTS = load_layouts(
    TESTS.parent / "plugins" / "disclosure_check_rules" / "layouts" / "national.toml"
)
LABELS = {e["file"]: e for e in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))}
RULES = ["DC201", "DC202", "DC203", "DC210", "DC211", "DC212", "DC220", "DC230", "DC231"]
IDENTITY_RULES = ["DC210", "DC211", "DC212", "DC220"]

P, F, R, N = "passed", "failed", "needs_review", "not_applicable"
# What a careful reader gives, rule by rule (columns in RULES order). Reasons:
# * 2008-regime and Shanxi reports have no national tables: not applicable;
# * crawler .txt files flatten the tables into digit runs: needs_review, never a pass or a failure;
# * pingtan 2019: 2019 layout, no (六)2 row → DC231 not applicable;
# * shuyang: 规范性文件 for 行政规范性文件 (DC202 renamed), 125 blank 法人 cells (DC203); the
#   identities hold with blanks read as 0, as labels.json's reader did;
# * shanghai: PDF→Markdown with displaced labels: what the labels cannot place is needs_review
#   (DC202, DC211, DC212); T3-BAL, T4-SUM and the text figures hold on what was placed.
EXPECTED: dict[str, list[str]] = {
    "pingtan-county-2012.txt": [N, N, N, N, N, N, N, N, N],
    "pingtan-zone-2018.article.html": [N, N, N, N, N, N, N, N, N],
    "seed-shanxi-edu-2017.txt": [N, N, N, N, N, N, N, N, N],
    "pingtan-zone-2019.txt": [R, R, R, R, R, R, R, R, R],
    "pingtan-zone-2021.txt": [R, R, R, R, R, R, R, R, R],
    "pingtan-zone-2023.txt": [R, R, R, R, R, R, R, R, R],
    "pingtan-zone-2025.txt": [R, R, R, R, R, R, R, R, R],
    "pingtan-zone-2019.wordhtml.html": [P, P, P, P, P, P, P, P, N],
    "pingtan-zone-2023.article.html": [P, P, P, P, P, P, P, P, P],
    "pingtan-zone-2025.html": [P, P, P, P, P, P, P, P, P],
    "shuyang-drc-2023.html": [P, F, F, P, P, P, P, P, P],
    "shanghai-office-2025.md": [P, R, P, P, R, R, P, P, P],
}
CHECKER = Checker(select=["DC2"])


def outcomes(report: DocumentReport) -> dict[str, RuleOutcome]:
    return {o.rule_id: o for o in report.outcomes}


@pytest.fixture(scope="module")
def corpus_reports() -> dict[str, dict[str, RuleOutcome]]:
    return {name: outcomes(CHECKER.check(CORPUS / name)) for name in EXPECTED}


def test_every_corpus_report_is_in_the_table() -> None:
    names = {p.name for p in CORPUS.iterdir() if p.suffix != ".json"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_outcomes(corpus_reports: dict[str, dict[str, RuleOutcome]], name: str) -> None:
    got = corpus_reports[name]
    actual = [got[r].outcome.value for r in RULES]
    assert actual == EXPECTED[name], {r: (got[r].outcome.value, got[r].reason) for r in RULES}


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, e in LABELS.items()
        if isinstance(e.get("identities"), dict)
        and "（七）" in json.dumps(e["identities"], ensure_ascii=False)
    ],
)
def test_identity_rules_agree_with_labels(
    corpus_reports: dict[str, dict[str, RuleOutcome]], name: str
) -> None:
    """labels.json says every identity holds on these reports: no identity rule may fail."""
    assert LABELS[name]["identities"]["all_pass"] is True
    for rule in IDENTITY_RULES:
        assert corpus_reports[name][rule].outcome != Outcome.failed


# ---------------------------------------------------------------------------------------------
# Single-cell mutations of a real report (the HTML text of one <td> is edited)


def cell_offset(name: str, table: str, row: str, col: str) -> int:
    stats = extract_statistics(parse(CORPUS / name), LAYOUTS)
    value = stats.get(table).get(row, col)
    assert value is not None and value.location and value.location.offset is not None
    return value.location.offset


def mutate_cell(src: str, offset: int, new: str) -> str:
    """Replace the text of the <td> starting at ``offset`` (its innermost text run)."""
    td = src[offset : src.index("</td>", offset) + len("</td>")]
    runs = list(re.finditer(r">([^<>]*)<", td))
    m = next((r for r in reversed(runs) if r.group(1).strip()), runs[-2] if len(runs) > 1 else None)
    assert m is not None, td
    return src[: offset + m.start(1)] + new + src[offset + m.end(1) :]


def mutated(
    name: str, edits: dict[tuple[str, str, str], str], text_edits: dict[str, str] | None = None
) -> str:
    src = (CORPUS / name).read_text(encoding="utf-8")
    # Edit from the end so earlier offsets stay valid.
    for offset, new in sorted(((cell_offset(name, *k), v) for k, v in edits.items()), reverse=True):
        src = mutate_cell(src, offset, new)
    for old, new in (text_edits or {}).items():
        assert old in src, old
        src = src.replace(old, new)
    return src


def check_text(
    tmp_path: Path, text: str, suffix: str = ".html", **kwargs: Any
) -> dict[str, RuleOutcome]:
    path = tmp_path / f"report{suffix}"
    path.write_text(text, encoding="utf-8")
    return outcomes(Checker(select=["DC2"], **kwargs).check(path))


def failed_identities(got: dict[str, RuleOutcome]) -> set[tuple[str, str]]:
    out = set()
    for rule in IDENTITY_RULES:
        for f in got[rule].findings:
            out.add((f.data["identity"], f.data.get("column") or f.data.get("row")))
    return out


PT25 = "pingtan-zone-2025.html"


@pytest.mark.parametrize(
    ("cell", "new", "expected"),
    [
        # a result sub-row: its column's results total and its row total
        (
            ("table3", "refused.state_secret", "natural_person"),
            "1",
            {("T3-RES", "natural_person"), ("T3-ROW", "refused.state_secret")},
        ),
        # carried forward: the balance of its column and its row total
        (
            ("table3", "carried_forward", "natural_person"),
            "5",
            {("T3-BAL", "natural_person"), ("T3-ROW", "carried_forward")},
        ),
        # the results total of the total column: balance, results total, row total
        (
            ("table3", "results.total", "total"),
            "149",
            {("T3-BAL", "total"), ("T3-RES", "total"), ("T3-ROW", "results.total")},
        ),
        # new requests: balance and row total only
        (("table3", "new", "commercial"), "4", {("T3-BAL", "commercial"), ("T3-ROW", "new")}),
        # table 4: one block
        (("table4", "review", "upheld"), "26", {("T4-SUM", "review")}),
        (
            ("table4", "litigation_after_review", "total"),
            "4",
            {("T4-SUM", "litigation_after_review")},
        ),
    ],
)
def test_single_cell_mutation_fails_exactly_its_identities(
    tmp_path: Path, cell: tuple[str, str, str], new: str, expected: set[tuple[str, str]]
) -> None:
    got = check_text(tmp_path, mutated(PT25, {cell: new}))
    assert failed_identities(got) == expected
    for rule in IDENTITY_RULES:
        want = F if any(_rule_of(i) == rule for i, _ in expected) else P
        assert got[rule].outcome.value == want, (rule, got[rule].reason)
    for rule in ("DC201", "DC202", "DC203", "DC231"):
        assert got[rule].outcome == Outcome.passed, (rule, [f.message for f in got[rule].findings])


def _rule_of(identity: str) -> str:
    return {"T3-BAL": "DC210", "T3-RES": "DC211", "T3-ROW": "DC212", "T4-SUM": "DC220"}[identity]


def test_identity_finding_carries_evidence(tmp_path: Path) -> None:
    got = check_text(
        tmp_path, mutated(PT25, {("table3", "carried_forward", "natural_person"): "5"})
    )
    [f] = got["DC210"].findings
    d = f.data
    assert (d["identity"], d["column"], d["column_label"]) == ("T3-BAL", "natural_person", "自然人")
    # 一 151 + 二 0 = 151 on the left; （七）147 + 四 5 = 152 on the right
    assert (d["actual"], d["expected"], d["delta"]) == (151, 152, -1)
    assert [(c["row"], c["value"]) for c in d["cells"]] == [
        ("new", 151),
        ("carried_over", 0),
        ("results.total", 147),
        ("carried_forward", 5),
    ]
    assert all(c["xpath"].endswith("]") and "/td" in c["xpath"] and c["line"] for c in d["cells"])
    assert f.location.xpath and "/td" in f.location.xpath and f.location.line
    assert (
        "T3-BAL" in f.message
        and "自然人" in f.message
        and "151" in f.message
        and "152" in f.message
    )
    en = outcomes(Checker(select=["DC210"], lang="en").check(tmp_path / "report.html"))["DC210"]
    assert "column “自然人” breaks T3-BAL" in en.findings[0].message


def test_row_identity_finding_names_the_row(tmp_path: Path) -> None:
    got = check_text(tmp_path, mutated(PT25, {("table3", "granted", "total"): "99"}))
    rows = {(f.data["identity"], f.data["row"]) for f in got["DC212"].findings}
    assert rows == {("T3-ROW", "granted")}
    [f] = got["DC212"].findings
    assert f.data["row_label"] == "(一)予以公开"  # as printed, NFKC and f.data["actual"] == 99


def test_a_text_cell_is_undecided_not_failed(tmp_path: Path) -> None:
    got = check_text(tmp_path, mutated(PT25, {("table3", "granted", "natural_person"): "若干"}))
    assert got["DC203"].outcome == Outcome.failed
    [f] = got["DC203"].findings
    assert (
        f.message_key == "text"
        and f.data["row"] == "granted"
        and f.data["column"] == "natural_person"
    )
    for rule in ("DC211", "DC212"):
        assert got[rule].outcome == Outcome.needs_review, got[rule].reason
    assert got["DC210"].outcome == Outcome.passed  # 予以公开 is not in T3-BAL


@pytest.mark.parametrize(
    ("new", "key"),
    [
        ("", "blank"),
        ("/", "dash"),
        ("—", "dash"),
        ("-1", "negative"),
        ("1.5", "fractional"),
        ("3件", "unit"),
    ],
)
def test_bad_cell_kinds(tmp_path: Path, new: str, key: str) -> None:
    got = check_text(tmp_path, mutated(PT25, {("table3", "refused.state_secret", "research"): new}))
    [f] = got["DC203"].findings
    assert (f.message_key, f.data["row"], f.data["column"]) == (
        key,
        "refused.state_secret",
        "research",
    )
    assert "1.属于国家秘密" in f.message and "科研机构" in f.message


def test_amounts_may_be_decimal_but_not_in_another_unit(tmp_path: Path) -> None:
    # pingtan 2025's 行政事业性收费 is 4166.241619 (万元): a decimal amount is fine
    assert outcomes(CHECKER.check(CORPUS / PT25))["DC203"].outcome == Outcome.passed
    got = check_text(
        tmp_path, mutated(PT25, {("table2", "admin_fees", "fee_amount"): "41662416元"})
    )
    [f] = got["DC203"].findings
    assert f.message_key == "unit-mismatch" and f.data["column"] == "fee_amount"


# ---------------------------------------------------------------------------------------------
# Unreadable tables: needs_review, never passed or failed


def _doc(blocks: dict[str, list]) -> Document:
    sections = [
        Section(number=f"{n}、", heading=h, blocks=b)
        for n, (h, b) in zip("一二三四五六", blocks.items(), strict=False)
    ]
    return Document(
        meta=Meta(title="某局2023年政府信息公开工作年度报告", report_year=2023), sections=sections
    )


def test_image_tables_need_review() -> None:
    doc = _doc(
        {
            "总体情况": [Paragraph(text="本年度共收到政府信息公开申请10件。")],
            "主动公开政府信息情况": [Image(src="t2.png")],
            "收到和处理政府信息公开申请情况": [Image(src="t3.png")],
            "政府信息公开行政复议、行政诉讼情况": [Image(src="t4.png")],
            "存在的主要问题及改进情况": [Paragraph(text="问题与改进。")],
            "其他需要报告的事项": [Paragraph(text="无。")],
        }
    )
    got = outcomes(Checker(select=["DC2"]).check(doc, profile="gov-2021"))
    for rule in RULES:
        assert got[rule].outcome == Outcome.needs_review, (
            rule,
            got[rule].outcome,
            got[rule].reason,
        )
    assert "图片" in (got["DC201"].reason or "")  # the reason in the report's language
    english = outcomes(Checker(select=["DC201"], lang="en").check(doc, profile="gov-2021"))
    assert "image" in (english["DC201"].reason or "")


@pytest.mark.parametrize(
    "name",
    [
        "pingtan-zone-2019.txt",
        "pingtan-zone-2021.txt",
        "pingtan-zone-2023.txt",
        "pingtan-zone-2025.txt",
    ],
)
def test_flattened_tables_need_review(
    corpus_reports: dict[str, dict[str, RuleOutcome]], name: str
) -> None:
    for rule in RULES:
        o = corpus_reports[name][rule]
        assert o.outcome == Outcome.needs_review and not o.findings, rule
        assert "压平" in (o.reason or "")  # "flattened", in the report's language
    english = Checker(select=["DC201"], lang="en").check(TESTS / "corpus" / name)
    assert "flattened" in (english.outcomes[0].reason or "")


def test_missing_tables(tmp_path: Path) -> None:
    got = check_text(tmp_path, (TESTS / "fixtures" / "DC201-fail.html").read_text(encoding="utf-8"))
    assert got["DC201"].outcome == Outcome.failed
    assert [f.data["table"] for f in got["DC201"].findings] == ["table3"]
    assert got["DC210"].outcome == Outcome.not_applicable
    assert got["DC220"].outcome == Outcome.passed


# ---------------------------------------------------------------------------------------------
# Shuyang: blank 法人 cells


def test_shuyang_blanks_one_finding_per_cell(
    corpus_reports: dict[str, dict[str, RuleOutcome]],
) -> None:
    findings = corpus_reports["shuyang-drc-2023.html"]["DC203"].findings
    assert {f.message_key for f in findings} == {"blank"}
    cells = {(f.data["row"], f.data["column"]) for f in findings}
    organisations = {"commercial", "research", "public_interest", "legal_services", "other"}
    assert {c for _, c in cells} == organisations
    assert len(cells) == len(findings) == 25 * 5  # every data row of the 2021 layout
    assert all(f.location.xpath and "/td" in f.location.xpath for f in findings)


def test_shuyang_identities_read_blanks_as_zero_and_say_so(tmp_path: Path) -> None:
    name = "shuyang-drc-2023.html"
    src = mutated(name, {("table3", "granted", "natural_person"): "25"})
    got = check_text(tmp_path, src)
    [f] = [f for f in got["DC211"].findings if f.data["column"] == "natural_person"]
    assert f.data["blank_as_zero"] is True
    [row] = got["DC212"].findings
    assert row.data["row"] == "granted" and row.data["blank_as_zero"] is True
    assert {z["column"] for z in row.data["zero_cells"]} == {
        "commercial",
        "research",
        "public_interest",
        "legal_services",
        "other",
    }
    # with blanks not read as 0, the arithmetic over them is undecided: needs_review
    strict = check_text(
        tmp_path,
        (CORPUS / name).read_text(encoding="utf-8"),
        options={"DC210": {"blank_as_zero": False}},
    )
    assert strict["DC210"].outcome == Outcome.needs_review


# ---------------------------------------------------------------------------------------------
# Shanghai: values placed by column position never give a confident failure


def test_shanghai_positional_mismatch_is_needs_review(tmp_path: Path) -> None:
    src = (CORPUS / "shanghai-office-2025.md").read_text(encoding="utf-8")
    assert "| 40 | 0 | 10 | 5 | 55 |" in src
    got = check_text(
        tmp_path, src.replace("| 40 | 0 | 10 | 5 | 55 |", "| 41 | 0 | 10 | 5 | 55 |"), ".md"
    )
    assert got["DC220"].outcome == Outcome.needs_review
    assert "position" in (
        Checker(select=["DC220"], lang="en").check(tmp_path / "report.md").outcomes[0].reason or ""
    )
    src3 = src.replace("| （七）总计 | 1139 |", "| （七）总计 | 1138 |")
    got3 = check_text(tmp_path, src3, ".md")
    assert got3["DC210"].outcome == Outcome.needs_review
    assert got3["DC230"].outcome == Outcome.passed  # the text quotes the total column, not 自然人


# ---------------------------------------------------------------------------------------------
# DC202 outdated format


def test_2019_layout_in_a_2021_report_is_outdated() -> None:
    report = Checker(select=["DC202"]).check(
        CORPUS / "pingtan-zone-2019.wordhtml.html", profile="gov-2021"
    )
    [o] = report.outcomes
    assert o.outcome == Outcome.failed
    outdated = {f.data["table"] for f in o.findings if f.message_key == "outdated"}
    assert outdated == {"table2", "table3"}  # table 4 is the same in both formats
    assert all("2019" in f.message for f in o.findings if f.message_key == "outdated")


def test_renamed_row_is_a_warning(corpus_reports: dict[str, dict[str, RuleOutcome]]) -> None:
    [f] = corpus_reports["shuyang-drc-2023.html"]["DC202"].findings
    assert f.message_key == "renamed" and f.severity == "warning"
    assert (f.data["expected"], f.data["actual"]) == ("行政规范性文件", "规范性文件")


# ---------------------------------------------------------------------------------------------
# DC230 text vs tables


SPAN = '</span><span style="text-indent: 2em;">'  # pingtan 2025 prints each number in its own span


def spanned(before: str, number: str) -> str:
    return f"{before}{SPAN}{number}</span>"


def test_text_numbers_match_pingtan_2025() -> None:
    """Manual check (labels.json text_checks_passed): 154 received, 148 closed, 6 carried to
    2026, 36 reviews, 9 lawsuits = 6 direct + 3 after review; DC230 reads all five and passes."""
    labels = " ".join(LABELS[PT25]["text_checks_passed"])
    for figure in ("154", "148", "6", "36", "9 = 6+3"):
        assert figure in labels
    got = outcomes(CHECKER.check(CORPUS / PT25))
    assert got["DC230"].outcome == Outcome.passed


@pytest.mark.parametrize(
    ("before", "old", "new", "statement", "expected"),
    [
        ("共办结", "148", "150", "handled", 148),
        ("共收到政府信息公开申请", "154", "160", "received", 154),
        ("2026年", "6", "5", "carried_forward", 6),
        ("引发的行政复议", "36", "35", "review", 36),
        ("起，行政诉讼", "9", "6", "litigation", 9),
    ],
)
def test_text_number_mismatch(
    tmp_path: Path, before: str, old: str, new: str, statement: str, expected: int
) -> None:
    got = check_text(tmp_path, mutated(PT25, {}, {spanned(before, old): spanned(before, new)}))
    [f] = got["DC230"].findings
    assert (f.data["statement"], f.data["actual"], f.data["expected"]) == (
        statement,
        int(new),
        expected,
    )
    assert f.location.snippet and new in f.location.snippet
    assert got["DC210"].outcome == Outcome.passed  # the tables themselves are fine


CLOSED = '148</span><span style="text-indent: 2em;">件，'


def test_all_closed_contradiction(tmp_path: Path) -> None:
    got = check_text(tmp_path, mutated(PT25, {}, {CLOSED: CLOSED + "均已办结，"}))
    [f] = got["DC230"].findings
    assert f.message_key == "all-closed" and f.data["actual"] == 6


def test_all_closed_against_an_unreadable_cell_needs_review(tmp_path: Path) -> None:
    text = mutated(
        PT25, {("table3", "carried_forward", "total"): "若干"}, {CLOSED: CLOSED + "均已办结，"}
    )
    got = check_text(tmp_path, text)
    assert got["DC230"].outcome == Outcome.needs_review
    assert "均已办结" in (got["DC230"].reason or "")


@pytest.mark.parametrize(
    "sentence",
    [
        "政府信息公开专区共收到15564件咨询投诉件，已办结15042件",  # not disclosure requests
        "政府信息公开平台受理行政许可申请1000件，办结980件",  # another kind of application
        "历年累计收到政府信息公开申请3000件",  # a running total
        "上年结转的政府信息公开申请均已办结",  # last year's requests, not this year's
    ],
)
def test_unanchored_sentences_are_not_read(tmp_path: Path, sentence: str) -> None:
    end = "起。</span></p>"
    got = check_text(tmp_path, mutated(PT25, {}, {end: f"起。{sentence}。</span></p>"}))
    assert got["DC230"].outcome == Outcome.passed, [f.message for f in got["DC230"].findings]


# ---------------------------------------------------------------------------------------------
# DC231 fee link


FEE_SENTENCE = "2025年，无收取信息处理费情况。"


def test_fee_statement_removed_fails(tmp_path: Path) -> None:
    src = mutated(PT25, {}, {FEE_SENTENCE: "2025年，本机关认真落实年度政务公开工作要点。"})
    got = check_text(tmp_path, src)
    [f] = got["DC231"].findings
    assert f.data["row"] == "other.fee_unpaid" and f.data["actual"] == 2  # (六)2 总计 = 2


def test_table2_admin_fees_are_not_information_fees(tmp_path: Path) -> None:
    src = mutated(PT25, {}, {FEE_SENTENCE: "本年行政事业性收费情况见表二。"})
    assert check_text(tmp_path, src)["DC231"].outcome == Outcome.failed


def test_no_fee_requests_no_statement_needed(tmp_path: Path) -> None:
    src = mutated(
        PT25,
        {
            ("table3", "other.fee_unpaid", "natural_person"): "0",
            ("table3", "other.fee_unpaid", "total"): "0",
            ("table3", "other.other", "natural_person"): "3",
            ("table3", "other.other", "total"): "3",
        },
        {FEE_SENTENCE: "无。"},
    )
    got = check_text(tmp_path, src)
    assert got["DC231"].outcome == Outcome.passed
    assert got["DC211"].outcome == got["DC212"].outcome == Outcome.passed
