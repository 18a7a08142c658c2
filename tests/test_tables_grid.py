"""Grid expansion and cell typing (parse/tables.py) on real corpus pages and small hostile inputs."""

from __future__ import annotations

import time
from pathlib import Path

import lxml.html
import pytest

from disclosure_check.model.document import CellKind, Location, TableStatus
from disclosure_check.parsing.tables import classify, table_from_element, table_from_markdown

CORPUS = Path(__file__).parent / "corpus"


def _tables(name: str):
    root = lxml.html.fromstring((CORPUS / name).read_text(encoding="utf-8"))
    tree = root.getroottree()

    def locate(el):
        return Location(xpath=tree.getpath(el), line=el.sourceline)

    return [
        table_from_element(el, table_id=f"t{i + 1}", locate=locate)
        for i, el in enumerate(root.xpath("//table"))
    ]


def _one(html: str):
    el = lxml.html.fromstring(html)
    return table_from_element(el, table_id="t1", locate=lambda e: Location(xpath=e.tag))


@pytest.mark.parametrize(
    ("name", "shapes"),
    [
        ("pingtan-zone-2025.html", [(14, 4), (28, 10), (4, 15)]),
        ("pingtan-zone-2023.article.html", [(14, 4), (28, 10), (4, 15)]),
        ("pingtan-zone-2019.wordhtml.html", [(18, 4), (26, 10), (4, 15)]),
        ("shuyang-drc-2023.html", [(6, 4), (14, 4), (28, 10), (4, 15)]),
        ("pingtan-zone-2018.article.html", [(16, 4)]),
    ],
)
def test_corpus_shapes(name: str, shapes: list[tuple[int, int]]) -> None:
    tables = _tables(name)
    assert [(t.n_rows, t.n_cols) for t in tables] == shapes
    for t in tables:
        assert t.status == TableStatus.ok, t.notes
        assert all(len(row) == t.n_cols for row in t.grid)


def test_table3_grid_2025_labels_and_spans() -> None:
    t3 = _tables("pingtan-zone-2025.html")[1]
    header = [c.text for c in t3.grid[2]]
    assert header[3:] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    # 自然人 spans two header rows: the copy points at its source
    assert t3.grid[2][3].origin == (1, 3)
    assert t3.grid[2][3].location == t3.grid[1][3].location
    new = t3.grid[3]
    assert new[0].text == "一、本年新收政府信息公开申请数量"
    assert [c.value for c in new[3:]] == [151, 3, 0, 0, 0, 0, 154]
    assert all(c.kind == CellKind.number for c in new[3:])
    assert new[3].location is not None and new[3].location.xpath.endswith("td[2]")
    # the row-group label (rowspan=22) is copied down its rows
    assert t3.grid[10][0].text == "三、本年度办理结果" and t3.grid[10][0].origin == (5, 0)


def test_word_html_2019_table2_units_and_colspans() -> None:
    t2 = _tables("pingtan-zone-2019.wordhtml.html")[0]
    last = t2.grid[-1]
    assert last[0].text == "政府集中采购"
    assert (last[2].kind, last[2].value, last[2].unit) == (CellKind.number, 75394432.52, "元")
    assert last[3].origin == (17, 2)  # colspan=2 copy


def test_shuyang_blank_cells_stay_blank() -> None:
    t3 = _tables("shuyang-drc-2023.html")[2]
    row = next(r for r in t3.grid if r[0].text.startswith("一、本年新收"))
    kinds = [c.kind for c in row[3:]]
    assert kinds[0] == CellKind.number and kinds[-1] == CellKind.number
    assert set(kinds[1:6]) == {CellKind.blank}
    assert all(c.value is None for c in row[4:9])


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("0", CellKind.number, 0, None),
        ("", CellKind.blank, None, None),
        ("/", CellKind.dash, None, None),
        ("-", CellKind.dash, None, None),
        ("—", CellKind.dash, None, None),
        ("－", CellKind.dash, None, None),
        ("无", CellKind.dash, None, None),
        ("见附件", CellKind.text, None, None),
        ("1,234", CellKind.number, 1234, None),
        ("4166.241619", CellKind.number, 4166.241619, None),
        ("251000元", CellKind.number, 251000, "元"),
        ("12.5万元", CellKind.number, 12.5, "万元"),
        ("35%", CellKind.number, 35, "%"),
        ("-3", CellKind.number, -3, None),
        ("−3", CellKind.number, -3, None),
    ],
)
def test_classify(text: str, kind: CellKind, value: float | None, unit: str | None) -> None:
    assert classify(text) == (kind, value, unit)


def test_pure_grid_fullwidth_nbsp_and_split_spans() -> None:
    t = _one(
        "<table><tr><th>商业<br>企业</th><th>科研&nbsp;&nbsp;机构</th><th>总\u3000计</th></tr>"
        "<tr><td>１２</td><td><span>1</span><span>5</span></td><td><p>&nbsp;</p></td></tr>"
        "</table>"
    )
    assert [c.text for c in t.grid[0]] == ["商业企业", "科研机构", "总计"]
    assert all(c.header for c in t.grid[0])
    assert t.grid[0][0].raw == "商业\n企业"
    assert [(c.kind, c.value) for c in t.grid[1]] == [
        (CellKind.number, 12),
        (CellKind.number, 15),
        (CellKind.blank, None),
    ]


def test_colspan_100000_is_capped_quickly() -> None:
    html = (
        '<table><tr><td colspan="100000">标题</td></tr>'
        '<tr><td rowspan="99999">a</td><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr>'
        "</table>"
    )
    start = time.perf_counter()
    t = _one(html)
    assert time.perf_counter() - start < 0.5
    assert t.status == TableStatus.capped
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert any("colspan=100000" in n for n in t.notes)
    assert any("rowspan=99999" in n for n in t.notes)
    assert [c.value for c in t.grid[2]] == [None, 3, 4]  # the capped rowspan copy, then values


def test_many_huge_spans_bounded() -> None:
    html = "<table><tr>" + '<td colspan="1000" rowspan="65534">x</td>' * 200 + "</tr></table>"
    start = time.perf_counter()
    t = _one(html)
    assert time.perf_counter() - start < 1.0
    assert t.status == TableStatus.capped and t.n_cols == 200 and t.n_rows == 1


def test_nested_table_outer_grid_only() -> None:
    t = _one(
        "<table><tr><td>外<table><tr><td>内</td><td>9</td></tr></table></td><td>1</td></tr></table>"
    )
    assert (t.n_rows, t.n_cols) == (1, 2)
    assert t.grid[0][0].text == "外"
    assert any("nested table" in n for n in t.notes)


def test_markdown_rows_kept_as_printed() -> None:
    lines = (CORPUS / "shanghai-office-2025.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| （三）不 | 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |")
    chunk = lines[start - 4 : start + 6]
    t = table_from_markdown(chunk, table_id="m1", location=Location(line=start - 3))
    texts = t.row_texts()
    # the displaced label cells stay where the extraction put them: nothing is shifted
    assert texts[3][:2] == ["(三)不", "4.保护第三方合法权益"]
    assert texts[0][0] == "1.属于国家秘密" and texts[0][-1] == ""
    assert t.grid[3][1].location.line == start + 1
    assert t.n_cols == 9


def test_stacked_absurd_spans_are_capped_not_simulated_cell_by_cell() -> None:
    """Every cell of a 60×60 table spanning 3000 rows × 300 columns: the placement simulation
    used to walk hundreds of thousands of columns per row (seconds, gigabytes at 300×300)."""
    from disclosure_check.parsing import parse

    row = "<tr>" + '<td rowspan="3000" colspan="300">1</td>' * 60 + "</tr>"
    html = f"<html><body><p>某局2023年政府信息公开工作年度报告</p><table>{row * 60}</table></body></html>"
    [table] = list(parse(html.encode()).tables())
    assert table.status.value == "capped"
    assert (table.n_rows, table.n_cols) == (60, 200)
    assert any("colspan" in note or "wide" in note or "cap" in note for note in table.notes)


def test_markdown_table_wider_than_the_cap_is_cut_not_built() -> None:
    from disclosure_check.model import Location
    from disclosure_check.parsing.tables import MAX_COLS, table_from_markdown

    lines = ["|" + "|".join(["1"] * (MAX_COLS + 300)) + "|" for _ in range(3)]
    table = table_from_markdown(lines, table_id="t1", location=Location(line=1))
    assert table.status.value == "capped"
    assert (table.n_rows, table.n_cols) == (3, MAX_COLS)
    assert any(f"wider than {MAX_COLS}" in n for n in table.notes)
