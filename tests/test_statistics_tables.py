"""Typed tables 2/3/4 (parse/statistics.py) compared in full with labels.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from disclosure_check.model.document import Document, Location, Paragraph, Section, Table
from disclosure_check.model.statistics import LayoutSet, StatTable, StatTableStatus
from disclosure_check.parsing.statistics import (
    check_identities,
    extract_statistics,
    label_key,
    load_layouts,
)
from disclosure_check.parsing.tables import table_from_element, table_from_markdown

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "corpus"
LAYOUTS_FILE = ROOT / "plugins" / "disclosure_check_rules" / "layouts" / "national.toml"
LABELS = {e["file"]: e for e in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def layouts() -> LayoutSet:
    return load_layouts(LAYOUTS_FILE)


def html_doc(name: str) -> Document:
    """Until the full parser is used here: every <table> of the page, in order, as blocks."""
    root = lxml.html.fromstring((CORPUS / name).read_text(encoding="utf-8"))
    tree = root.getroottree()

    def locate(el):
        return Location(xpath=tree.getpath(el), line=el.sourceline)

    tables = [
        table_from_element(el, table_id=f"t{i + 1}", locate=locate)
        for i, el in enumerate(root.xpath("//table"))
    ]
    return Document(preamble=tables)


def markdown_doc(name: str) -> Document:
    """Sections from '一、…' lines; each run of pipe lines is one table (as the parser does)."""
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    sections: list[Section] = []
    run: list[str] = []
    start = 0
    n = 0

    def flush() -> None:
        nonlocal run, n
        if run and sections:
            n += 1
            loc = Location(line=start + 1)
            sections[-1].blocks.append(table_from_markdown(run, table_id=f"t{n}", location=loc))
        run = []

    for i, line in enumerate(lines):
        if line.startswith("|"):
            if not run:
                start = i
            run.append(line)
            continue
        flush()
        m = re.match(r"^([一二三四五六])、(.+)$", line)
        if m:
            sections.append(Section(number=m.group(1) + "、", heading=m.group(2)))
        elif sections and line.strip():
            sections[-1].blocks.append(Paragraph(text=line))
    flush()
    return Document(sections=sections)


# ---------------------------------------------------------------------------------------------
# labels.json → keys


def _row_key(lay, label: str) -> str:
    leaf = re.split(r"\s*/\s*", label)[-1]
    for spec in lay.rows:
        if label_key(leaf) in {label_key(spec.label), *map(label_key, spec.variants)}:
            return spec.key
    raise KeyError(label)


def _col_key(lay, label: str) -> str:
    for spec in lay.columns:
        if label_key(label) in {label_key(spec.label), *map(label_key, spec.variants)}:
            return spec.key
    raise KeyError(label)


def expected_grid(layouts: LayoutSet, name: str, key: str, layout: str) -> dict:
    lab = LABELS[name]["tables"][key]
    lay = layouts.get(key, layout)
    out: dict[str, dict[str, object]] = {}
    if key == "table2":
        for block in lab.values():
            cols = [_col_key(lay, c) for c in block["columns"]]
            for label, values in block["rows"].items():
                out[_row_key(lay, label)] = dict(zip(cols, values, strict=True))
    elif key == "table3":
        cols = [_col_key(lay, c) for c in lab["columns"]]
        for label, values in lab["rows"].items():
            out[_row_key(lay, label)] = dict(zip(cols, values, strict=True))
    else:
        cols = [_col_key(lay, c) for c in lab["columns"]]
        for label, values in lab.items():
            if label != "columns":
                out[_row_key(lay, label)] = dict(zip(cols, values, strict=True))
    return out


def actual_grid(t: StatTable) -> dict:
    def val(v):
        return v.value if v.unit is None else v.text  # "75394432.52元" is kept as printed

    return {r: {c: val(v) for c, v in cols.items()} for r, cols in t.cells.items()}


FULL = [
    ("pingtan-zone-2025.html", "2021"),
    ("pingtan-zone-2023.article.html", "2021"),
    ("shuyang-drc-2023.html", "2021"),
    ("pingtan-zone-2019.wordhtml.html", "2019"),
]


@pytest.mark.parametrize(("name", "layout"), FULL)
@pytest.mark.parametrize("key", ["table2", "table3", "table4"])
def test_full_grid_equals_labels(layouts: LayoutSet, name: str, layout: str, key: str) -> None:
    stats = extract_statistics(html_doc(name), layouts)
    t = stats.get(key)
    assert t is not None and t.status == StatTableStatus.found
    assert layout in t.compatible_layouts
    assert actual_grid(t) == expected_grid(layouts, name, key, t.layout)
    assert t.missing_rows == [] and t.missing_columns == [] and t.unmatched == []
    assert t.column_source == "labels"


@pytest.mark.parametrize(("name", "layout"), FULL)
def test_layout_detected(layouts: LayoutSet, name: str, layout: str) -> None:
    stats = extract_statistics(html_doc(name), layouts)
    assert stats.table2.layout == layout
    assert stats.table3.layout == layout
    assert stats.table3.layout_scores[layout] == max(stats.table3.layout_scores.values())


def test_values_keep_raw_kind_and_location(layouts: LayoutSet) -> None:
    stats = extract_statistics(html_doc("pingtan-zone-2025.html"), layouts)
    v = stats.table3.get("carried_forward", "total")
    assert (v.value, v.raw, v.kind) == (6, "6", "number")
    assert v.table_id == "t2" and v.location is not None
    assert v.location.xpath.endswith("td[8]") and v.location.line
    assert stats.table3.row_labels["carried_forward"] == "四、结转下年度继续办理"
    assert stats.table3.missing_texts == []


def test_shuyang_blanks_are_none_and_renamed_row(layouts: LayoutSet) -> None:
    stats = extract_statistics(html_doc("shuyang-drc-2023.html"), layouts)
    v = stats.table3.get("new", "commercial")
    assert v.value is None and v.kind == "blank"
    assert [(r.key, r.found, r.how) for r in stats.table2.renamed] == [
        ("normative_documents", "规范性文件", "variant")
    ]
    # blank cells make the identities undecidable, unless read as 0 (as the labels' reader did)
    undecided = [c for c in check_identities(stats.table3, layouts) if c.ok is None]
    assert undecided and all(c.ok is not False for c in check_identities(stats.table3, layouts))
    assert all(c.ok for c in check_identities(stats.table3, layouts, blank_as_zero=True))


@pytest.mark.parametrize(("name", "_layout"), FULL)
def test_identities_match_labels(layouts: LayoutSet, name: str, _layout: str) -> None:
    stats = extract_statistics(html_doc(name), layouts)
    assert LABELS[name]["identities"]["all_pass"] is True
    for key in ("table3", "table4"):
        checks = check_identities(stats.get(key), layouts, blank_as_zero=True)
        ids = {c.id for c in checks}
        assert ids >= ({"T3-BAL", "T3-RES", "T3-ROW"} if key == "table3" else {"T4-SUM"})
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_t3_row_count_per_layout(layouts: LayoutSet) -> None:
    assert len(layouts.get("table3", "2021").data_rows()) == 25
    assert len(layouts.get("table3", "2019").data_rows()) == 23
    assert len(layouts.get("table4", "2019").data_rows()) == 3


def test_mutated_cell_fails_exactly_its_identities(layouts: LayoutSet) -> None:
    doc = html_doc("pingtan-zone-2025.html")
    t3: Table = doc.preamble[1]
    row = next(r for r in t3.grid if r[-1].text and r[2].text == "1.属于国家秘密")
    row[3] = row[3].model_copy(update={"text": "5", "raw": "5", "value": 5})
    stats = extract_statistics(doc, layouts)
    failed = {(c.id, c.at) for c in check_identities(stats.table3, layouts) if c.ok is False}
    assert failed == {("T3-RES", "natural_person"), ("T3-ROW", "refused.state_secret")}


def test_pingtan_2018_has_no_national_tables(layouts: LayoutSet) -> None:
    stats = extract_statistics(html_doc("pingtan-zone-2018.article.html"), layouts)
    assert [stats.get(k).status for k in ("table2", "table3", "table4")] == ["missing"] * 3


# ---------------------------------------------------------------------------------------------
# Shanghai: PDF-extracted Markdown with displaced label cells


def test_shanghai_markdown_recovers_labelled_rows_only(layouts: LayoutSet) -> None:
    stats = extract_statistics(markdown_doc("shanghai-office-2025.md"), layouts)
    t3 = stats.table3
    assert t3.status == "found" and t3.layout == "2021"
    assert t3.column_source == "position"  # header garbled: flagged, not hidden
    expected = expected_grid(layouts, "shanghai-office-2025.md", "table3", "2021")
    got = actual_grid(t3)
    # rows whose label cell was displaced are not invented …
    assert set(t3.missing_rows) == {
        "partial",
        "not_processed.confirm_obtained",
        "other.no_correction",
        "other.fee_unpaid",
    }
    # … every row that is there equals what the careful reader read
    assert got == {k: v for k, v in expected.items() if k not in t3.missing_rows}
    reasons = sorted(u.reason for u in t3.unmatched)
    assert reasons.count("no row label") == 2  # '| 2 | 0 …' and '| 0 | 0 …'
    assert "unknown row label" in reasons


def test_shanghai_table4_single_row(layouts: LayoutSet) -> None:
    stats = extract_statistics(markdown_doc("shanghai-office-2025.md"), layouts)
    t4 = stats.table4
    assert t4.status == "found" and t4.column_source == "position"
    assert actual_grid(t4) == expected_grid(layouts, "shanghai-office-2025.md", "table4", "2019")
    assert all(c.ok for c in check_identities(t4, layouts))


def test_shanghai_table2_cells_not_guessed(layouts: LayoutSet) -> None:
    stats = extract_statistics(markdown_doc("shanghai-office-2025.md"), layouts)
    t2 = stats.table2
    # '| 规章 | 22 | 235 |' has two values for three columns: which one is missing cannot be told
    assert "rules" not in t2.cells and "normative_documents" not in t2.cells
    assert {u.label for u in t2.unmatched} == {"规章", "行政规范性文件"}
    # blocks (五)(六)(八) are printed as text lines, not as a table
    assert {"licensing", "punishment", "enforcement", "admin_fees"} <= set(t2.missing_rows)


# ---------------------------------------------------------------------------------------------
# Unreadable tables


def test_flattened_text_table_is_unreadable(layouts: LayoutSet) -> None:
    text = (CORPUS / "pingtan-zone-2025.txt").read_text(encoding="utf-8")
    doc = Document(
        sections=[
            Section(
                number="三、",
                heading="收到和处理政府信息公开申请情况",
                blocks=[Paragraph(text=text)],
            )
        ]
    )
    stats = extract_statistics(doc, layouts)
    assert stats.table3.status == StatTableStatus.unreadable
    assert stats.table3.cells == {}


def test_image_table_is_unreadable(layouts: LayoutSet) -> None:
    from disclosure_check.model.document import Image

    doc = Document(
        sections=[
            Section(
                number="四、",
                heading="政府信息公开行政复议、行政诉讼情况",
                blocks=[Image(src="t4.png")],
            )
        ]
    )
    stats = extract_statistics(doc, layouts)
    assert stats.table4.status == "unreadable" and stats.table4.cells == {}
    assert stats.table3.status == "missing"


# ---------------------------------------------------------------------------------------------
# Through the real parser


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("pingtan-zone-2025.html", "found"),
        ("pingtan-zone-2019.wordhtml.html", "found"),
        ("shuyang-drc-2023.html", "found"),
        ("pingtan-zone-2025.txt", "unreadable"),
        ("pingtan-zone-2019.txt", "unreadable"),
        ("seed-shanxi-edu-2017.txt", "missing"),
    ],
)
def test_with_parser(layouts: LayoutSet, name: str, status: str) -> None:
    parse = pytest.importorskip("disclosure_check.parsing").parse
    stats = extract_statistics(parse(CORPUS / name), layouts)
    for key in ("table2", "table3", "table4"):
        t = stats.get(key)
        assert t.status == status
        if status == "found":
            assert t.unmatched == [] and t.missing_rows == []
            assert all(c.ok for c in check_identities(t, layouts, blank_as_zero=True))
        else:
            assert t.cells == {}
