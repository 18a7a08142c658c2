"""DC30x on hand-built Documents: exemptions, defaults without profile options, the CLI docs."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.model import Document, Meta, Paragraph, ReportKind, Section


def make_doc(
    *paragraphs: str,
    year: int = 2025,
    title: str | None = None,
    kind: ReportKind = ReportKind.department,
    organ: str | None = "某市某局",
    published: date | None = None,
    period: tuple[date, date] | None = None,
) -> Document:
    start, end = period or (date(year, 1, 1), date(year, 12, 31))
    meta = Meta(
        title=title or f"{organ}{year}年政府信息公开工作年度报告",
        organ=organ,
        kind=kind,
        report_year=year,
        period_start=start,
        period_end=end,
        published=published,
    )
    section = Section(number="一、", ordinal=1, heading="总体情况", heading_raw="一、总体情况")
    section.blocks = [Paragraph(text=t) for t in paragraphs]
    return Document(meta=meta, sections=[section])


def run(doc: Document, rule_id: str, profile: str = "gov-2021", **options):
    checker = Checker(select=[rule_id], options={rule_id: options} if options else {})
    return checker.check(doc, profile=profile).outcomes[0]


@pytest.mark.parametrize(
    "text",
    [
        "2026年，我区将继续深化政务公开，做好办理工作。",  # a plan
        "较2024年，全区收到申请增加了12件。",  # a comparison
        "2025年，全区共收到申请154件，结转至2026年6件。",  # a carry-over
        "2024年以来，我区共办理申请300件。",  # a span up to now
        "2024年，国务院印发新的规定。",  # not the organ's own work
    ],
)
def test_dc301_is_conservative(text: str) -> None:
    assert run(make_doc(text), "DC301").outcome.value == "passed"


def test_dc301_flags_last_years_work() -> None:
    got = run(make_doc("（二）依申请公开。2024年，全区共收到申请100件。"), "DC301")
    assert got.outcome.value == "failed"
    assert got.findings[0].location.section == "一、总体情况"


def test_dc301_title_against_period() -> None:
    doc = make_doc("正文。", period=(date(2024, 1, 1), date(2024, 12, 31)))
    got = run(doc, "DC301")
    assert [f.message_key for f in got.findings] == ["title-period"]


def test_dc302_school_year_and_missing_period() -> None:
    ok = make_doc("x", year=2020, period=(date(2019, 9, 1), date(2020, 8, 31)))
    assert run(ok, "DC302", profile="university").outcome.value == "passed"
    long = make_doc("x", year=2020, period=(date(2019, 9, 1), date(2020, 10, 31)))
    assert run(long, "DC302", profile="university").outcome.value == "failed"
    none = make_doc("x")
    none.meta.period_start = none.meta.period_end = None
    assert run(none, "DC302").findings[0].message_key == "missing"


@pytest.mark.parametrize(
    ("organ", "kind", "published", "expected"),
    [
        ("某市某局", ReportKind.department, date(2026, 1, 31), "passed"),
        ("某市某局", ReportKind.department, date(2026, 2, 1), "failed"),
        ("某市人民政府", ReportKind.government, date(2026, 3, 31), "passed"),
        ("某市人民政府", ReportKind.government, date(2026, 4, 1), "failed"),
        (None, ReportKind.unknown, date(2026, 2, 15), "needs_review"),  # who: unknown
        ("某市某局", ReportKind.department, None, "needs_review"),  # no date: not a pass
    ],
)
def test_dc303_deadlines(organ, kind, published, expected) -> None:
    doc = make_doc("x", organ=organ, kind=kind, published=published, title="年度报告2025年")
    assert run(doc, "DC303").outcome.value == expected


def test_options_have_defaults_on_a_user_profile(tmp_path: Path) -> None:
    # A user profile without [options.DC3xx]: defaults follow the regime (here 2021 by year).
    profile = tmp_path / "user.toml"
    profile.write_text('id = "user"\n', encoding="utf-8")
    late = make_doc("x", published=date(2026, 2, 10))
    assert run(late, "DC303", profile=str(profile)).outcome.value == "failed"
    assert run(late, "DC302", profile=str(profile)).outcome.value == "passed"
    # Options given in the config override the regime's default.
    got = run(late, "DC303", profile=str(profile), deadline="03-31")
    assert got.outcome.value == "passed"


def test_dc304_format_2019_in_a_2021_report() -> None:
    text = "本报告依据国办公开办函[2019]60号文件要求编制。"
    assert run(make_doc(text), "DC304").outcome.value == "failed"
    assert run(make_doc(text, year=2020), "DC304", profile="gov-2019").outcome.value == "passed"


def test_dc305_wrong_number_of_a_known_title() -> None:
    text = "依据《高等学校信息公开事项清单》（粤办函〔2014〕23号）逐项公开。"
    got = run(make_doc(text), "DC305")
    assert got.findings[0].message_key == "wrong-number"
    assert got.findings[0].args["expected"] == "教办函〔2014〕23号"
    right = "依据《高等学校信息公开事项清单》（教办函〔2014〕23号）逐项公开。"
    assert run(make_doc(right), "DC305").outcome.value == "passed"


def test_cli_rule_docs_in_english() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "disclosure_check.cli", "rule", "DC303", "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "published-late" in out.stdout
    assert "needs_review" in out.stdout
