"""Manifests: CSV, XLSX, TOML and directories; bad rows reported with their row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_check.batch.manifest import read_manifest
from disclosure_check.errors import InputError

CORPUS = Path(__file__).parent / "corpus"


def _report(tmp_path: Path) -> str:
    (tmp_path / "r.txt").write_text("报告", encoding="utf-8")
    return "r.txt"


def test_csv_bad_rows(tmp_path: Path) -> None:
    name = _report(tmp_path)
    (tmp_path / "m.csv").write_text(
        "unit,code,parent,kind,year,path\n"
        f"A,1,,department,2024,{name}\n"
        "B,,,department,2024,nope.txt\n"
        f"C,,,alien,2024,{name}\n"
        f"A,,,,2024,{name}\n"
        f",,,,2024,{name}\n"
        f"D,,,高校,20x4,{name}\n",
        encoding="utf-8",
    )
    rows, problems = read_manifest(tmp_path / "m.csv")
    assert [(r.unit, r.kind, r.year, r.row) for r in rows] == [("A", "department", 2024, 2)]
    assert [p.row for p in problems] == [3, 4, 5, 6, 7]


def test_xlsx_and_toml(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    name = _report(tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["单位名称", "上级单位", "类型", "年度", "文件"])
    book.active.append(["甲局", "某县", "部门", 2024.0, name])
    book.save(tmp_path / "m.xlsx")
    rows, problems = read_manifest(tmp_path / "m.xlsx")
    assert not problems and rows[0].parent == "某县" and rows[0].year == 2024
    (tmp_path / "m.toml").write_text(
        f'[[report]]\nunit = "乙"\nyear = 2024\npath = "{name}"\nkind = "university"\n',
        encoding="utf-8",
    )
    rows, problems = read_manifest(tmp_path / "m.toml")
    assert rows[0].kind == "university" and not problems


def test_directory_mode(tmp_path: Path) -> None:
    rows, problems = read_manifest(CORPUS)
    assert not problems and {r.unit for r in rows} >= {"pingtan-zone", "shuyang-drc"}
    assert all(r.year is None for r in rows)  # the report says, when it is checked


def test_unusable_manifest(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column"):
        read_manifest(tmp_path / "m.csv")
    with pytest.raises(InputError, match="not found"):
        read_manifest(tmp_path / "missing.csv")
