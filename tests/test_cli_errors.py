"""Bad input to the command line: one clear line on stderr and exit status 2, never a traceback
or a silently 'clean' run (found in review)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_check.cli import main

CORPUS = Path(__file__).parent / "corpus"
REPORT = str(CORPUS / "pingtan-zone-2025.html")


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("disclosure-check: error: ")
    assert "Traceback" not in err and "errors.pydantic.dev" not in err
    return lines[0]


@pytest.mark.parametrize(
    "selection", [["--select", "XYZ"], ["--select", "dc1"], ["--ignore", "DCX"]]
)
def test_selector_that_matches_no_rule_is_a_usage_error(
    selection: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", REPORT, "--no-config", *selection]) == 2
    assert "matches no rule" in _one_error_line(capsys)


def test_config_typo_key_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "disclosure-check.toml"
    cfg.write_text('fial-on = "warning"\nseverity = { DC101 = "fatal" }\n', encoding="utf-8")
    assert main(["check", REPORT, "--config", str(cfg)]) == 2
    line = _one_error_line(capsys)
    assert "fial-on" in line and "severity.DC101" in line


def test_profile_unknown_key_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "mine.toml"
    profile.write_text('id = "mine"\nextends = "gov-2021"\nfoo = 1\n', encoding="utf-8")
    assert main(["check", REPORT, "--no-config", "--profile", str(profile)]) == 2
    assert "foo: Extra inputs are not permitted" in _one_error_line(capsys)


@pytest.mark.parametrize(
    "content",
    [
        {"version": 1, "findings": 5},
        {"version": 1, "findings": [5]},
        {"version": 1, "findings": {"a": 1}},
    ],
)
def test_malformed_baseline_is_one_line(
    tmp_path: Path, content: object, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(content), encoding="utf-8")
    args = ["check", REPORT, "--no-config", "--select", "DC1", "--baseline", str(baseline)]
    assert main(args) == 2
    assert "baseline" in _one_error_line(capsys)


def test_unknown_format_fails_before_any_report_is_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from disclosure_check import Checker

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("reports were checked before the --format was validated")

    monkeypatch.setattr(Checker, "check_paths", boom)
    assert main(["check", REPORT, "--no-config", "--format", "nope"]) == 2
    assert "unknown format 'nope'" in _one_error_line(capsys)


def test_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from disclosure_check.cli import main

    seed = Path(__file__).parent / "corpus" / "seed-shanxi-edu-2017.txt"
    assert main(["check", str(seed), "--lang", "fr"]) == 2
    assert "unknown language 'fr'" in capsys.readouterr().err
    assert main(["check", str(seed), "--lang", "en-US", "--select", "DC101"]) == 0


def test_parse_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = Path(__file__).parent / "corpus" / "seed-shanxi-edu-2017.txt"
    assert main(["parse", str(seed)]) == 0
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert main(["parse", str(empty)]) == 2
    assert "empty input" in capsys.readouterr().err
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    assert main(["parse", str(folder)]) == 2
    assert "no report files" in capsys.readouterr().err


def test_parser_reasons_are_given_in_the_users_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    main(["check", str(fixtures / "empty.txt"), str(fixtures / "news-article.html")])
    out = capsys.readouterr().out
    assert "文件无法读取：文件是空的" in out
    assert "标题不是信息公开工作年度报告" in out and "the title does not name one" not in out
    main(["check", str(fixtures / "empty.txt"), "--lang", "en"])
    assert "The file cannot be read: empty input" in capsys.readouterr().out


def test_audit_with_a_selector_that_matches_nothing_stops_before_checking(
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = Path(__file__).parent / "corpus"
    assert main(["audit", str(corpus), "--select", "XYZ", "--no-store", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "XYZ" in err and "reports" not in err  # no audit summary: nothing was checked
