"""Read an audit manifest: CSV, XLSX or TOML (one row per report), or a directory of reports.

Bad rows (missing file, unknown kind, bad year, duplicate unit+year) become problems that name the
row; every good row still runs. The path column may hold an http(s) URL instead of a file."""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..engine import expand_paths
from ..errors import InputError
from ..model import ReportKind
from .model import ManifestProblem, ManifestRow

# Header spellings offices use (Chinese and English); compared after lower-casing and stripping.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "name", "unit name", "单位", "单位名称", "机关", "机关名称"),
    "code": ("code", "unit code", "单位代码", "代码", "统一社会信用代码", "机构代码"),
    "parent": ("parent", "parent unit", "上级单位", "上级", "主管单位"),
    "kind": ("kind", "type", "类型", "单位类型", "类别"),
    "year": ("year", "年度", "年份", "报告年度"),
    "path": ("path", "file", "文件", "文件路径", "路径", "url", "网址"),
}
KIND_ALIASES: dict[str, str] = {
    "政府": "government",
    "人民政府": "government",
    "本级政府": "government",
    "部门": "department",
    "政府部门": "department",
    "教育部门": "education_department",
    "教育行政部门": "education_department",
    "高校": "university",
    "高等学校": "university",
    "大学": "university",
    "未知": "unknown",
}
_YEAR_IN_NAME = re.compile(r"[-_ .]?((?:19|20)\d{2})$")


def read_manifest(path: str | Path) -> tuple[list[ManifestRow], list[ManifestProblem]]:
    """Rows and problems. Raises InputError only when the manifest as a whole is unusable."""
    path = Path(path)
    if path.is_dir():
        return _directory(path), []
    if not path.is_file():
        raise InputError(f"manifest not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(path)
    elif suffix == ".toml":
        records = _toml_records(path)
    else:
        raise InputError(f"manifest {path}: expected .csv, .xlsx, .toml or a directory")
    return validate(records, base=path.parent)


def _canonical_header(name: Any) -> str | None:
    text = re.sub(r"\s+", " ", str(name or "")).strip().lower()
    return next((key for key, names in COLUMNS.items() if text in names), None)


def _table_records(rows: Iterable[list[Any]], source: Path) -> list[tuple[int, dict[str, Any]]]:
    it = iter(rows)
    header = next(it, None)
    if header is None:
        raise InputError(f"manifest {source} is empty")
    keys = [_canonical_header(h) for h in header]
    missing = [k for k in ("unit", "path") if k not in keys]
    if missing:
        raise InputError(
            f"manifest {source}: no column for {', '.join(missing)} "
            f"(header: {', '.join(str(h) for h in header)})"
        )
    out = []
    for number, values in enumerate(it, start=2):
        if not any(str(v or "").strip() for v in values):
            continue  # blank lines are not rows
        record = {k: v for k, v in zip(keys, values, strict=False) if k is not None}
        out.append((number, record))
    return out


def _csv_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    # utf-8-sig: spreadsheets exported on Windows start with a BOM; GB18030 for older exports.
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"manifest {path}: neither UTF-8 nor GB18030")
    return _table_records(csv.reader(text.splitlines()), path)


def _xlsx_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        import openpyxl
    except ImportError as exc:  # optional extra: keep the core install small
        raise InputError(
            "reading .xlsx manifests needs openpyxl: pip install 'disclosure-check[audit]'"
        ) from exc
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"manifest {path} is not a readable workbook: {exc}") from exc
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    return _table_records(rows, path)


def _toml_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"manifest {path} is not valid TOML: {exc}") from exc
    reports = data.get("report", data.get("reports"))
    if not isinstance(reports, list):
        raise InputError(f"manifest {path}: expected [[report]] tables")
    return [
        (i, {k: v for k, v in r.items() if k in COLUMNS})
        for i, r in enumerate(reports, start=1)
        if isinstance(r, Mapping)
    ]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store codes and years as floats
    text = str(value).strip()
    return text or None


def parse_kind(value: str | None) -> str | None:
    """A ReportKind value from an English or Chinese spelling; raises ValueError when unknown."""
    if value is None:
        return None
    text = KIND_ALIASES.get(value, value).strip().lower().replace("-", "_")
    return ReportKind(text).value


def validate(
    records: list[tuple[int, dict[str, Any]]], *, base: Path
) -> tuple[list[ManifestRow], list[ManifestProblem]]:
    rows: list[ManifestRow] = []
    problems: list[ManifestProblem] = []
    seen: dict[tuple[str, int], int] = {}
    for number, rec in records:
        unit, raw_path, raw_year = (
            _text(rec.get("unit")),
            _text(rec.get("path")),
            _text(rec.get("year")),
        )

        def bad(
            message: str,
            year: int | None = None,
            *,
            _n: int = number,
            _u: str | None = unit,
            _p: str | None = _text(rec.get("parent")),
        ) -> None:
            problems.append(ManifestProblem(row=_n, unit=_u, parent=_p, year=year, message=message))

        if not unit:
            bad("missing unit name / 缺少单位名称")
            continue
        try:
            year = int(raw_year) if raw_year else None
        except ValueError:
            bad(f"year {raw_year!r} is not a number / 年度不是数字")
            continue
        if year is None:
            bad("missing year / 缺少年度")
            continue
        try:
            kind = parse_kind(_text(rec.get("kind")))
        except ValueError:
            bad(f"unknown kind {rec.get('kind')!r} / 未知单位类型", year)
            continue
        if not raw_path:
            bad("missing file path / 缺少文件路径", year)
            continue
        if raw_path.lower().startswith(("http://", "https://")):
            source = raw_path  # fetched by the worker; a failed fetch is reported on the row then
        elif "://" in raw_path:
            bad(
                f"only http and https URLs can be fetched: {raw_path} / 仅支持http和https网址", year
            )
            continue
        else:
            file = (base / raw_path).resolve()
            if not file.is_file():
                bad(f"file not found: {raw_path} / 文件不存在", year)
                continue
            source = str(file)
        if (unit, year) in seen:
            bad(f"duplicate unit and year (first in row {seen[unit, year]}) / 单位和年度重复", year)
            continue
        seen[unit, year] = number
        rows.append(
            ManifestRow(
                row=number,
                unit=unit,
                code=_text(rec.get("code")),
                parent=_text(rec.get("parent")),
                kind=kind,
                year=year,
                path=source,
            )
        )
    return rows, problems


def _directory(folder: Path) -> list[ManifestRow]:
    """One unit per file: the unit is the file name without extensions and trailing year; the
    year comes from the report itself (filled in by the runner)."""
    rows = []
    for number, file in enumerate(expand_paths([folder]), start=1):
        stem = file.name.split(".")[0]
        unit = _YEAR_IN_NAME.sub("", stem) or stem
        rows.append(ManifestRow(row=number, unit=unit, path=str(file.resolve())))
    return rows
