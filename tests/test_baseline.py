"""Baselines round-trip on a real report: accept today's findings, add a defect, only it fails.
Also per-file ignores from the configuration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_formats_ci import CORPUS, _write_sample_plugin, sample_checker

from disclosure_check.baseline import apply_baseline, load_baseline, write_baseline
from disclosure_check.cli import main
from disclosure_check.model import Outcome

REPORT = "pingtan-zone-2023.txt"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    shutil.copy(CORPUS / REPORT, tmp_path / "reports" / REPORT)
    return tmp_path


def _add_defect(path: Path) -> None:
    # at the top of the body, so that every later line moves: fingerprints have no line numbers
    head, marker, body = path.read_text(encoding="utf-8").partition("正文 ====================\n")
    path.write_text(head + marker + "本报告部分数据待补充。\n\n" + body, encoding="utf-8")


def test_round_trip_only_the_new_finding_fails(workdir: Path) -> None:
    baseline = workdir / "baseline.json"
    before = sample_checker().check_paths(["reports"], profile="sample")
    accepted = write_baseline(before, baseline)
    assert accepted == len(before.reports[0].findings()) > 0

    _add_defect(workdir / "reports" / REPORT)
    after = sample_checker().check_paths(["reports"], profile="sample")
    stale = apply_baseline(after, load_baseline(baseline))
    new = after.reports[0].findings()
    assert [(f.rule_id, f.message_key) for f in new] == [("XC103", "placeholder")]
    assert stale == []
    outcomes = {o.rule_id: o.outcome for o in after.reports[0].outcomes}
    assert outcomes["XC101"] == Outcome.passed  # all its findings accepted
    assert outcomes["XC103"] == Outcome.failed


def test_fixed_findings_are_reported_stale(workdir: Path) -> None:
    baseline = workdir / "baseline.json"
    write_baseline(sample_checker().check_paths(["reports"], profile="sample"), baseline)
    data = json.loads(baseline.read_text(encoding="utf-8"))
    data["findings"].append(
        {"path": f"reports/{REPORT}", "rule": "XC101", "fingerprint": "gone", "count": 1}
    )
    data["findings"].append({"path": "reports/other.txt", "rule": "XC101", "fingerprint": "x"})
    baseline.write_text(json.dumps(data), encoding="utf-8")
    result = sample_checker().check_paths(["reports"], profile="sample")
    stale = apply_baseline(result, load_baseline(baseline))
    # only entries of reports checked in this run can be stale
    assert [(s.path, s.fingerprint) for s in stale] == [(f"reports/{REPORT}", "gone")]
    assert any(d.code == "baseline-stale" for d in result.diagnostics)
    assert result.reports[0].findings() == []


def test_baseline_file_is_sorted_and_stable(workdir: Path) -> None:
    first, second = workdir / "a.json", workdir / "b.json"
    write_baseline(sample_checker().check_paths(["reports"], profile="sample"), first)
    write_baseline(sample_checker().check_paths(["reports"], profile="sample"), second)
    assert first.read_bytes() == second.read_bytes()
    entries = json.loads(first.read_text(encoding="utf-8"))["findings"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["rule"], e["fingerprint"]))


def test_cli_baseline_create_then_check(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    plugin = _write_sample_plugin(workdir)
    common = ["reports", "--no-config", "--plugin", str(plugin), "--profile", "sample"]
    assert main(["baseline", "create", *common, "--fail-on", "info"]) == 0
    assert Path("disclosure-check-baseline.json").is_file()
    assert main(["baseline", "check", *common, "--fail-on", "info"]) == 0
    _add_defect(workdir / "reports" / REPORT)
    capsys.readouterr()
    assert main(["baseline", "check", *common, "--fail-on", "info", "--format", "github"]) == 1
    titles = [
        line.split("title=")[1].split("::")[0] for line in capsys.readouterr().out.splitlines()
    ]
    assert [t for t in titles if "XC201" not in t] == ["XC103 placeholder-text"]
    # the same baseline applied to a plain check
    capsys.readouterr()
    code = main(["check", *common, "--baseline", "disclosure-check-baseline.json"])
    assert code == 1  # XC103 is an error


def test_per_file_ignores_from_the_configuration(workdir: Path) -> None:
    shutil.copy(CORPUS / "pingtan-county-2012.txt", workdir / "reports" / "county-2012.txt")
    checker = sample_checker(per_file_ignores={"*2012*": ["XC1"], "reports/pingtan-*": ["XC3"]})
    result = checker.check_paths(["reports"], profile="sample")
    rules = {Path(r.source or "").name: [o.rule_id for o in r.outcomes] for r in result.reports}
    assert "XC101" not in rules["county-2012.txt"] and "XC301" in rules["county-2012.txt"]
    assert "XC101" in rules[REPORT] and "XC301" not in rules[REPORT]
