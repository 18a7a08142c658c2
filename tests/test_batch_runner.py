"""Runner: a report that fails or times out is recorded and never stops the batch; the batch
JSON follows its schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from disclosure_check.batch.audit import AuditOptions, run_audit
from disclosure_check.batch.model import EntryStatus
from disclosure_check.batch.outputs import render_csv, render_json
from disclosure_check.config import Config
from disclosure_check.engine import Checker

CORPUS = Path(__file__).parent / "corpus"
SCHEMA = Path(__file__).parent.parent / "schemas" / "batch.schema.json"
SLOW_PLUGIN = """
import time
from disclosure_check.hookspecs import hookimpl
from disclosure_check.model import Severity
from disclosure_check.rules import Rule

def check(ctx):
    if "slow" in (ctx.doc.source or ""):
        time.sleep(30)

@hookimpl
def dc_register_rules(registry):
    registry.add_rule(Rule(id="ZZ001", name="sleepy", severity=Severity.info, check=check))
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_timeout_is_recorded_and_batch_continues(tmp_path: Path, jobs: int) -> None:
    plugin = tmp_path / "slow_plugin.py"
    plugin.write_text(SLOW_PLUGIN, encoding="utf-8")
    shutil.copy(CORPUS / "pingtan-zone-2021.txt", tmp_path / "slow.txt")
    shutil.copy(CORPUS / "pingtan-zone-2023.txt", tmp_path / "fine.txt")
    (tmp_path / "m.csv").write_text(
        "unit,year,path\nslow,2021,slow.txt\nfine,2023,fine.txt\n", encoding="utf-8"
    )
    checker = Checker(Config(), plugins=[str(plugin)])
    result = run_audit(tmp_path / "m.csv", checker, options=AuditOptions(jobs=jobs, timeout=4))
    status = {e.unit: e.status for e in result.entries}
    assert status == {"fine": EntryStatus.checked, "slow": EntryStatus.timeout}
    assert result.summary.failed_or_timeout == 1 and result.summary.with_errors >= 1


def test_batch_json_follows_schema_and_csv(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for name in ("pingtan-zone-2023.txt", "shuyang-drc-2023.html"):
        shutil.copy(CORPUS / name, tmp_path / name)
    result = run_audit(tmp_path, Checker(Config()), options=AuditOptions(jobs=1))
    jsonschema.validate(json.loads(render_json(result)), json.loads(SCHEMA.read_text("utf-8")))
    lines = render_csv(result).splitlines()
    assert lines[0].startswith("单位,单位代码,上级单位")
    assert render_json(result) == render_json(result)  # deterministic
