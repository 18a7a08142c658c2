"""The engine on hand-built documents: outcomes, isolation, selection, severities, fingerprints."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.errors import ConfigError
from disclosure_check.model import (
    Document,
    DocumentStatus,
    Location,
    Meta,
    Outcome,
    Paragraph,
    ReportKind,
    Section,
    Severity,
)
from disclosure_check.rules import Rule, RuleContext


def _doc(year: int = 2023, kind: ReportKind = ReportKind.department) -> Document:
    sec = Section(number="一、", ordinal=1, heading="总体情况", heading_raw="一、总体情况")
    sec.blocks.append(
        Paragraph(text="2023年，本局认真贯彻条例。", location=Location(line=3, column=1))
    )
    return Document(
        source="mem.html",
        meta=Meta(title=f"某局{year}年政府信息公开工作年度报告", report_year=year, kind=kind),
        sections=[sec],
    )


def _rule(rule_id: str, check, severity: Severity = Severity.error) -> Rule:
    return Rule(
        id=rule_id,
        name=f"rule-{rule_id.lower()}",
        severity=severity,
        check=check,
        basis={"zh_CN": "条例第五十条", "en": "Art. 50"},
        messages={
            "found": {"zh_CN": "发现问题：{what}", "en": "Problem: {what}"},
            "unsure": {"zh_CN": "无法判断：{why}", "en": "Cannot decide: {why}"},
        },
        suggestions={"found": {"zh_CN": "请修改{what}", "en": "Fix {what}"}},
    )


def _finds(ctx: RuleContext) -> None:
    ctx.report("found", what="标题", location=ctx.doc.sections[0].location, data={"k": 1})


def _passes(ctx: RuleContext) -> None:
    return None


def _unsure(ctx: RuleContext) -> None:
    ctx.needs_review("unsure", why="表格是图片")


def _crashes(ctx: RuleContext) -> None:
    raise ValueError("bad data")


@pytest.fixture
def checker() -> Checker:
    c = Checker(entry_point_plugins=False)
    c.registry.add_rules(
        [
            _rule("T001", _finds),
            _rule("T002", _passes),
            _rule("T003", _unsure),
            _rule("T004", _crashes),
        ]
    )
    c.registry.add_profile({"id": "p", "select": ["T"], "auto": {"kinds": ["department"]}})
    return c


def test_every_selected_rule_gets_exactly_one_outcome(checker: Checker) -> None:
    report = checker.check(_doc())
    assert [(o.rule_id, o.outcome) for o in report.outcomes] == [
        ("T001", Outcome.failed),
        ("T002", Outcome.passed),
        ("T003", Outcome.needs_review),
        ("T004", Outcome.error),
    ]
    assert report.profile == "p"
    assert "department" in (report.profile_reason or "")


def test_crash_is_isolated_and_summarised(checker: Checker) -> None:
    crashed = checker.check(_doc()).outcomes[3]
    assert "ValueError: bad data" in (crashed.reason or "")
    assert "test_engine.py" in (crashed.reason or "")


def test_finding_is_rendered_with_basis_suggestion_and_data(checker: Checker) -> None:
    finding = checker.check(_doc()).outcomes[0].findings[0]
    assert finding.message == "发现问题：标题"
    assert finding.basis == "条例第五十条"
    assert finding.suggestion == "请修改标题"
    assert finding.data == {"k": 1}
    assert finding.severity == Severity.error


def test_english_messages() -> None:
    c = Checker(entry_point_plugins=False, lang="en")
    c.registry.add_rule(_rule("T001", _finds))
    c.registry.add_profile({"id": "p", "select": ["T"]})
    finding = c.check(_doc(), profile="p").outcomes[0].findings[0]
    assert (finding.message, finding.basis, finding.suggestion) == (
        "Problem: 标题",
        "Art. 50",
        "Fix 标题",
    )


def test_ruff_style_selection(checker: Checker) -> None:
    sel = Checker(entry_point_plugins=False, select=["T"], ignore=["T00"], extend_select=["T002"])
    sel.registry.add_rules([_rule("T001", _finds), _rule("T002", _passes)])
    assert [r.id for r in sel.selected_rules()] == ["T002"]


def test_per_file_ignores() -> None:
    c = Checker(entry_point_plugins=False, per_file_ignores={"*.html": ["T001"]})
    c.registry.add_rules([_rule("T001", _finds), _rule("T002", _passes)])
    assert [r.id for r in c.selected_rules("reports/a.html")] == ["T002"]
    assert [r.id for r in c.selected_rules("reports/a.txt")] == ["T001", "T002"]


def test_profile_excluding_a_rule_makes_it_not_applicable() -> None:
    c = Checker(entry_point_plugins=False)
    c.registry.add_rules([_rule("T001", _finds), _rule("U001", _finds)])
    c.registry.add_profile({"id": "p", "select": ["T"]})
    outcomes = {o.rule_id: o.outcome for o in c.check(_doc(), profile="p").outcomes}
    assert outcomes == {"T001": Outcome.failed, "U001": Outcome.not_applicable}


def test_severity_override_from_config() -> None:
    c = Checker(entry_point_plugins=False, severity={"T001": "info"})
    c.registry.add_rule(_rule("T001", _finds))
    c.registry.add_profile({"id": "p", "select": ["T"]})
    assert c.check(_doc(), profile="p").outcomes[0].findings[0].severity == Severity.info


def test_no_matching_profile_means_needs_review_not_a_guess(checker: Checker) -> None:
    report = checker.check(_doc(kind=ReportKind.university))
    assert report.profile is None
    assert {o.outcome for o in report.outcomes} == {Outcome.needs_review}


def test_unreadable_document_rules_not_applicable(checker: Checker) -> None:
    doc = Document(status=DocumentStatus.unparseable, status_reason="binary file (PNG image)")
    report = checker.check(doc, profile="p")
    assert {o.outcome for o in report.outcomes} == {Outcome.not_applicable}
    assert "PNG" in (report.outcomes[0].reason or "")


def test_fingerprint_is_stable_without_line_numbers(checker: Checker) -> None:
    a = _doc()
    b = _doc()
    b.sections[0].location = Location(line=400, column=7)
    fa = checker.check(a).outcomes[0].findings[0].fingerprint
    fb = checker.check(b).outcomes[0].findings[0].fingerprint
    assert fa == fb and len(fa) == 20


def test_profile_extends_merges_options() -> None:
    c = Checker(entry_point_plugins=False)
    c.registry.add_profile({"id": "base", "options": {"T001": {"a": 1, "b": 2}}, "auto": {}})
    c.registry.add_profile({"id": "child", "extends": "base", "options": {"T001": {"b": 3}}})
    child = c.registry.profile("child")
    assert child.options["T001"] == {"a": 1, "b": 3}
    assert child.auto is None  # auto-selection is never inherited


def test_same_input_same_output(checker: Checker) -> None:
    one = checker.check(_doc()).model_dump_json()
    two = checker.check(_doc()).model_dump_json()
    assert one == two


def test_one_file_crashing_the_parser_does_not_stop_the_run(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from disclosure_check.parsing import pipeline

    good = tmp_path / "a-good.txt"
    bad = tmp_path / "b-bad.txt"
    missing = tmp_path / "c-missing.txt"
    seed = Path(__file__).parent / "corpus" / "seed-shanxi-edu-2017.txt"
    good.write_bytes(seed.read_bytes())
    bad.write_text("boom", encoding="utf-8")
    real = pipeline.parse

    def flaky(source, **kwargs):
        if str(source).endswith("b-bad.txt"):
            raise MemoryError("simulated")
        return real(source, **kwargs)

    monkeypatch.setattr(importlib.import_module("disclosure_check.parsing"), "parse", flaky)
    checker = Checker(entry_point_plugins=False)
    result = checker.check_paths([good, bad, missing])
    statuses = [(r.source.rsplit("/", 1)[-1], r.status.value) for r in result.reports]
    assert statuses == [
        ("a-good.txt", "ok"),
        ("b-bad.txt", "unparseable"),
        ("c-missing.txt", "unparseable"),
    ]
    assert "MemoryError: simulated" in (result.reports[1].status_reason or "")
    assert any(d.code == "internal-error" for d in result.diagnostics)


@pytest.mark.parametrize(
    ("option", "selectors"),
    [
        ("select", ["t"]),  # case matters: a lower-case prefix used to select nothing at all
        ("select", ["XYZ"]),
        ("extend_select", ["T", "Q9"]),
        ("ignore", ["T00X"]),
    ],
)
def test_selector_matching_no_rule_is_a_config_error(option: str, selectors: list[str]) -> None:
    c = Checker(entry_point_plugins=False, **{option: selectors})
    c.registry.add_rules([_rule("T001", _finds), _rule("T002", _passes)])
    with pytest.raises(ConfigError, match="matches no rule"):
        c.selected_rules()
    with pytest.raises(ConfigError, match="matches no rule"):
        c.check_paths([])


def test_per_file_ignore_selector_matching_no_rule_is_a_config_error() -> None:
    c = Checker(entry_point_plugins=False, per_file_ignores={"*.html": ["T9"]})
    c.registry.add_rules([_rule("T001", _finds)])
    with pytest.raises(ConfigError, match=r"per-file-ignores\['\*\.html'\]: 'T9'"):
        c.selected_rules("a.html")


def test_known_selectors_and_all_pass_validation() -> None:
    c = Checker(entry_point_plugins=False, select=["ALL", "T0"], ignore=["T002"])
    c.registry.add_rules([_rule("T001", _finds), _rule("T002", _passes)])
    assert [r.id for r in c.selected_rules()] == ["T001"]
