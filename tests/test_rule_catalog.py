"""Meta-tests: every rule of every installed pack is documented in both languages, every message
key a rule uses exists, and every rule has a pass and a fail fixture that behave as declared."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.i18n import catalogue
from disclosure_check.plugins import load_plugins
from disclosure_check.rules import LANGS, Rule

TESTS = Path(__file__).parent
REGISTRY = load_plugins().registry
RULES: list[Rule] = [REGISTRY.rules[k] for k in sorted(REGISTRY.rules)]
FIRST_PARTY = [r for r in RULES if REGISTRY.owners[f"rule:{r.id}"] == "core-rules"]
BATCH_RULES: list[Rule] = [REGISTRY.batch_rules[k] for k in sorted(REGISTRY.batch_rules)]
# Batch rules name the document first: ctx.report(doc, "key", ...).
USED_KEY = re.compile(
    r"""\.(?:report|needs_review|not_applicable)\(\s*(?:\w+,\s*)?["']([\w.-]+)["']"""
)


def _ids(rules: list[Rule]) -> list[str]:
    return [r.id for r in rules]


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_is_documented_in_both_languages(rule: Rule) -> None:
    assert re.fullmatch(r"[A-Z]{2,4}\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    for lang in LANGS:
        doc = rule.docs.get(lang)
        assert doc is not None, f"{rule.id}: no docs in {lang}"
        for part in ("summary", "what", "why", "example", "fix"):
            assert getattr(doc, part).strip(), f"{rule.id}: empty {part} in {lang}"
        assert rule.basis.get(lang), f"{rule.id}: no legal basis in {lang}"
        for key, texts in [*rule.messages.items(), *rule.suggestions.items()]:
            assert texts.get(lang), f"{rule.id}: message {key!r} has no {lang} text"


MODULES = sorted(
    {inspect.getmodule(r.check) for r in [*RULES, *BATCH_RULES]},
    key=lambda m: m.__name__,  # type: ignore[union-attr]
)  # type: ignore[arg-type, union-attr]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_every_message_key_a_module_uses_is_in_its_catalog(module: object) -> None:
    """Static: keys reported anywhere in a rule module (helpers included) have messages in the
    catalog of that module's rules."""
    used = set(USED_KEY.findall(inspect.getsource(module)))  # type: ignore[arg-type]
    known = {
        k
        for r in [*RULES, *BATCH_RULES]
        if inspect.getmodule(r.check) is module
        for k in r.messages
    }
    assert used, "no report/needs_review/not_applicable call found: the pattern is stale"
    assert used <= known, f"keys without messages: {sorted(used - known)}"


RAW_KEY = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
SAMPLES = sorted((TESTS / "corpus").glob("*.*[lmt]")) + sorted((TESTS / "fixtures").glob("DC*"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_renders_on_real_reports(lang: str) -> None:
    """Dynamic: on the corpus and every fixture, no finding or reason is a bare message key or
    keeps an unfilled {placeholder}, in either language."""
    reports = Checker(lang=lang).check_paths(SAMPLES).reports
    assert len(reports) == len(SAMPLES)
    texts = []
    for report in reports:
        for outcome in report.outcomes:
            if outcome.reason:
                texts.append((outcome.rule_id, outcome.reason))
            texts += [(f.rule_id, f.message) for f in outcome.findings]
            texts += [(f.rule_id, f.suggestion) for f in outcome.findings if f.suggestion]
    assert texts
    for rule_id, text in texts:
        assert not RAW_KEY.match(text), f"{rule_id}: unrendered message key {text!r}"
        assert not re.search(r"\{[a-z_]+\}", text), f"{rule_id}: unfilled placeholder in {text!r}"


@pytest.mark.parametrize("rule", FIRST_PARTY, ids=_ids(FIRST_PARTY))
@pytest.mark.parametrize("kind", ["pass", "fail"])
def test_rule_fixture_behaves_as_declared(rule: Rule, kind: str) -> None:
    name = rule.fixtures.get(kind)
    assert name, f"{rule.id}: no {kind} fixture declared in its catalog"
    path = TESTS / name
    assert path.is_file(), f"{rule.id}: fixture {name} does not exist"
    report = Checker(select=[rule.id]).check(path)
    [outcome] = report.outcomes
    expected = "passed" if kind == "pass" else "failed"
    assert outcome.outcome == expected, (
        f"{rule.id} on {name}: {outcome.outcome} ({outcome.reason}); "
        f"findings: {[f.message for f in outcome.findings]}"
    )


def test_core_messages_exist_in_both_languages() -> None:
    for key, texts in catalogue().items():
        for lang in LANGS:
            assert texts.get(lang), f"core message {key!r} has no {lang} text"


# Batch (cross-report) rules: the same documentation duties; their behaviour is tested by whole
# audits (tests/test_audit_corpus.py, tests/test_audit_urls.py), not by single-file fixtures.


@pytest.mark.parametrize("rule", BATCH_RULES, ids=_ids(BATCH_RULES))
def test_batch_rule_is_documented_in_both_languages(rule: Rule) -> None:
    test_rule_is_documented_in_both_languages(rule)


def test_batch_rules_are_listed_and_explained_by_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from disclosure_check.cli import main

    assert BATCH_RULES and main(["rules", "--no-config"]) == 0
    listed = capsys.readouterr().out
    assert all(r.id in listed for r in BATCH_RULES)
    assert main(["rule", "DC505", "--no-config"]) == 0
    assert "report-changed" in capsys.readouterr().out
