"""Plugin discovery and isolation: entry points, local plugin files, failures, blocking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.cli import main
from disclosure_check.errors import PluginError
from disclosure_check.plugins import load_plugins

HERE = Path(__file__).parent
LOCAL = HERE / "plugins"
SEED = HERE / "corpus" / "seed-shanxi-edu-2017.txt"
PINGTAN_2025 = HERE / "corpus" / "pingtan-zone-2025.html"


def test_first_party_pack_is_found_through_its_entry_point() -> None:
    plugins = load_plugins()
    assert "core-rules" in plugins.loaded
    assert plugins.registry.owners["rule:DC901"] == "core-rules"


def test_third_party_plugin_is_installed_and_registers_a_rule_and_a_profile() -> None:
    plugins = load_plugins()
    assert "example" in plugins.loaded, "install it: pip install ./examples/dc-plugin-example"
    assert plugins.registry.owners["rule:EX001"] == "example"
    assert "example-province-2025" in plugins.registry.profile_ids()


def test_third_party_rule_runs_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(SEED), str(PINGTAN_2025), "--select", "EX", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    ex = {
        Path(r["source"]).name: next(o for o in r["outcomes"] if o["rule_id"] == "EX001")
        for r in result["reports"]
    }
    # The seed ends "山西省教育厅 / 2018年3月5日"; the 2025 page ends with empty paragraphs.
    assert ex["seed-shanxi-edu-2017.txt"]["outcome"] == "passed"
    assert ex["pingtan-zone-2025.html"]["outcome"] == "failed"
    assert code == 0  # EX001 is a warning; the default --fail-on is error


def test_plugin_that_fails_to_import_is_reported_and_skipped() -> None:
    plugins = load_plugins([str(LOCAL / "raises_on_import.py")], strict=False)
    [diag] = [d for d in plugins.diagnostics if d.code == "plugin-failed"]
    assert "raises_on_import.py" in diag.message and "broken on purpose" in diag.message
    assert "DC901" in plugins.registry.rules  # the others still loaded


def test_plugin_that_fails_to_register_is_reported_and_skipped() -> None:
    plugins = load_plugins([str(LOCAL / "register_hook_raises.py")], strict=False)
    assert any("missing data file" in d.message for d in plugins.diagnostics)
    assert "DC901" in plugins.registry.rules


def test_strict_mode_turns_a_broken_plugin_into_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCLOSURE_CHECK_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="broken on purpose"):
        load_plugins([str(LOCAL / "raises_on_import.py")])


def test_strict_mode_from_the_cli_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCLOSURE_CHECK_STRICT_PLUGINS", "1")
    code = main(["check", str(SEED), "--plugin", str(LOCAL / "raises_on_import.py")])
    assert code == 2
    assert "broken on purpose" in capsys.readouterr().err


def test_duplicate_rule_id_names_both_plugins() -> None:
    with pytest.raises(PluginError) as info:
        load_plugins([str(LOCAL / "duplicate_id.py")])
    assert "core-rules" in str(info.value) and "duplicate_id.py" in str(info.value)


def test_disable_plugin_by_name_and_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "EX001" not in load_plugins(disabled=["example"]).registry.rules
    monkeypatch.setenv("DISCLOSURE_CHECK_DISABLE_PLUGINS", "example, other")
    plugins = load_plugins()
    assert "EX001" not in plugins.registry.rules
    assert any(d.code == "plugin-disabled" for d in plugins.diagnostics)


def test_a_crashing_rule_does_not_stop_the_run() -> None:
    checker = Checker(plugins=[str(LOCAL / "crashing_rule.py")], profile="gov-2021")
    report = checker.check(PINGTAN_2025)
    by_id = {o.rule_id: o for o in report.outcomes}
    assert by_id["ZZ001"].outcome == "error" and "ZeroDivisionError: boom" in by_id["ZZ001"].reason
    others = [o for o in report.outcomes if o.rule_id != "ZZ001"]
    assert others and all(o.outcome != "error" for o in others)


def test_plugin_failure_is_in_json_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(SEED), "--plugin", str(LOCAL / "raises_on_import.py"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert any(d["code"] == "plugin-failed" for d in out["diagnostics"])
