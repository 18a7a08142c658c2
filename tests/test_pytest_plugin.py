"""The pytest plugin end to end under pytester: inert by default, report files as test files,
rules as items, readable failures, ini configuration, deterministic order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure_check import engine, pytest_plugin

pytest_plugins = ["pytester"]
TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"

PACK = """
from disclosure_check.hookspecs import hookimpl
from test_formats_ci import SAMPLE_RULES

@hookimpl
def dc_register_rules(registry):
    registry.add_rules(SAMPLE_RULES)

@hookimpl
def dc_register_profiles(registry):
    registry.add_profile({"id": "sample", "select": ["XC"]})
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.syspath_prepend(str(TESTS))  # the sample rule pack lives in test_formats_ci
    pytester.makepyfile(sample_pack=PACK)
    pytester.makefile(
        ".toml",
        **{
            "disclosure-check": (
                'plugins = ["sample_pack.py"]\nprofile = "sample"\nselect = ["XC"]\n'
            )
        },
    )
    reports = pytester.mkdir("reports")
    shutil.copy(CORPUS / "pingtan-zone-2023.txt", reports / "b-2023.txt")
    shutil.copy(CORPUS / "pingtan-county-2012.txt", reports / "a-2012.txt")
    return pytester


def test_suffixes_match_the_engine() -> None:
    assert pytest_plugin.REPORT_SUFFIXES == engine.REPORT_SUFFIXES


def test_inert_without_configuration(project: pytest.Pytester) -> None:
    project.makepyfile(test_ok="def test_ok():\n    assert True\n")
    result = project.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    result.stdout.no_fnmatch_line("*reports/*")
    result.stdout.fnmatch_lines(["test_ok.py::test_ok"])


def test_inert_run_loads_no_rules(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_imports="""
import sys
def test_nothing_loaded():
    assert "disclosure_check.pytest_plugin" in sys.modules
    # no Checker was built: no rule pack loaded (the package __init__ itself imports the engine)
    assert "disclosure_check_rules" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_each_report_is_a_file_and_each_rule_an_item(project: pytest.Pytester) -> None:
    result = project.runpytest("-p", "no:cacheprovider", "--disclosure-check", "reports", "-v")
    result.stdout.fnmatch_lines(
        [
            "reports/a-2012.txt::XC101 *",
            "reports/a-2012.txt::XC102 *",
            "reports/a-2012.txt::XC103 PASSED*",
            "reports/a-2012.txt::XC201 SKIPPED*",
            "reports/a-2012.txt::XC202 SKIPPED*",
            "reports/a-2012.txt::XC301 FAILED*",
            "reports/b-2023.txt::XC101 FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*XC101 section-named: * finding(s)*",
            "reports/b-2023.txt:*: [[]warning[]] 章节：*",
            "*→ 核对*",
        ]
    )
    result.stdout.fnmatch_lines(["*needs_review: 无法判断：表格是图片*"])


def test_ini_option_collects_the_paths(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\ndisclosure_check_paths = reports\n")
    project.makepyfile(test_ok="def test_ok():\n    assert True\n")
    result = project.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    lines = [line for line in result.outlines if line.startswith("reports/")]
    assert lines == sorted(lines) and len(lines) == 12
    again = project.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    assert [line for line in again.outlines if line.startswith("reports/")] == lines


def test_unreadable_file_fails_its_items(project: pytest.Pytester) -> None:
    (project.path / "reports" / "c-empty.txt").write_bytes(b"")
    result = project.runpytest(
        "-p", "no:cacheprovider", "--disclosure-check", "reports/c-empty.txt"
    )
    assert result.ret in (0, 1)  # an empty file is a report with DC9xx-style outcomes, not a crash
    assert "INTERNALERROR" not in result.stdout.str()
