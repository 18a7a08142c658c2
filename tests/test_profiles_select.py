"""Shipped profiles: validation, auto selection on the corpus, extends/override, CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.cli import main

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"
LABELS = {e["file"]: e for e in json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))}
SHIPPED = ["gov-2008", "gov-2019", "gov-2021", "shanxi-2017", "university"]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _labelled_profile(label: dict[str, object]) -> str:
    """labels.json names the regime; the seed also names the provincial profile (regime_also)."""
    also = str(label.get("regime_also") or "")
    return also.split()[0] if also else str(label["regime"])


@pytest.mark.parametrize("pid", SHIPPED)
def test_shipped_profiles_resolve_and_end_with_the_marker(checker: Checker, pid: str) -> None:
    profile = checker.registry.profile(pid)
    assert profile.sections and profile.auto is not None
    assert len({s.key for s in profile.sections}) == len(profile.sections)
    text = Path(profile.source or "").read_text(encoding="utf-8")
    assert "# --- options of other rule families below ---" in text


@pytest.mark.parametrize("name", sorted(LABELS))
def test_auto_picks_the_labelled_profile(checker: Checker, name: str) -> None:
    doc = checker.parse(CORPUS / name)
    profile, reason = checker.choose_profile(doc, "auto")
    assert profile is not None, reason
    assert profile.id == _labelled_profile(LABELS[name])
    assert profile.id in reason


def test_shanxi_2017_extends_gov_2008_and_inherits_section_fields(checker: Checker) -> None:
    shanxi = checker.registry.profile("shanxi-2017")
    base = checker.registry.profile("gov-2008")
    assert [s.key for s in shanxi.sections] == [
        "overview", "proactive", "key_areas", "requests", "consultation",
        "review_litigation", "fees", "grassroots_pilot", "problems",
    ]  # fmt: skip
    fees, base_fees = shanxi.section("fees"), base.section("fees")
    assert fees and base_fees
    assert fees.statement_patterns == base_fees.statement_patterns  # inherited
    assert fees.heading != base_fees.heading and fees.ordinal == 7  # overridden
    assert shanxi.ordered and not base.ordered
    assert shanxi.rule_options("DC105") == base.rule_options("DC105")


@pytest.mark.parametrize(
    ("kind", "year", "organ", "expected"),
    [
        ("department", 2016, "某市统计局", "gov-2008"),
        ("government", 2018, "某县人民政府", "gov-2008"),
        ("education_department", 2020, "某省教育厅", "gov-2019"),
        ("department", 2024, "某区发展和改革局", "gov-2021"),
        ("university", 2019, "某大学", "university"),
        ("education_department", 2017, "山西省教育厅", "shanxi-2017"),
        ("education_department", 2018, "山西省教育厅", "gov-2008"),
        ("government", 2017, "福建省平潭县人民政府", "gov-2008"),
    ],
)
def test_auto_selection_rules(
    checker: Checker, kind: str, year: int, organ: str, expected: str
) -> None:
    from disclosure_check.model import Document
    from disclosure_check.model.document import Meta, ReportKind

    doc = Document(meta=Meta(kind=ReportKind(kind), report_year=year, organ=organ))
    profile, _ = checker.choose_profile(doc, "auto")
    assert profile is not None and profile.id == expected


MY_PROVINCE = """\
id = "my-province-2016"
extends = "gov-2008"
title = { zh_CN = "某省2016年度报告", en = "A province, 2016" }
sections = [
  { key = "overview", required = true },
  { key = "proactive" },
  { key = "requests" },
  { key = "fees", required = false },
  { key = "review_litigation" },
  { key = "problems" },
  { key = "training", heading = "培训情况", keywords = ["培训"] },
]
[options.DC105]
required = false
"""


def test_user_profile_file_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "my-province.toml"
    path.write_text(MY_PROVINCE, encoding="utf-8")
    checker = Checker(select=["DC1"])
    profile = checker.profile(str(path))
    assert profile.id == "my-province-2016" and profile.regime == "2008"
    assert profile.headings == "topic" and profile.auto is None  # auto is never inherited
    fees = profile.section("fees")
    assert fees and not fees.required and fees.statement_patterns  # overridden, inherited
    assert profile.rule_options("DC105") == {"required": False}
    report = checker.check(CORPUS / "pingtan-county-2012.txt", profile=str(path))
    missing = sorted(f.data["section"] for f in report.findings() if f.rule_id == "DC101")
    assert missing == ["review_litigation", "training"]  # fees no longer required
    outcomes = {o.rule_id: o.outcome.value for o in report.outcomes}
    assert outcomes["DC105"] == "not_applicable"


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = str(CORPUS / "pingtan-zone-2021.txt")
    assert main(["check", clean, "--select", "DC1", "--no-config"]) == 0
    dirty = str(CORPUS / "pingtan-county-2012.txt")
    assert main(["check", dirty, "--select", "DC1", "--no-config"]) == 1
    assert main(["check", dirty, "--select", "DC1", "--exit-zero", "--no-config"]) == 0
    info_only = str(CORPUS / "shuyang-drc-2023.html")
    assert main(["check", info_only, "--select", "DC108", "--no-config"]) == 0
    assert main(["check", info_only, "--select", "DC108", "--fail-on", "info", "--no-config"]) == 1
    assert main(["check", clean, "--profile", "no-such-profile", "--no-config"]) == 2
    assert main(["check", clean, "--profile", str(tmp_path / "missing.toml"), "--no-config"]) == 2
    capsys.readouterr()


def test_cli_lists_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "--no-config"]) == 0
    out = capsys.readouterr().out
    for pid in SHIPPED:
        assert pid in out
