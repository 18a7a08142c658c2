"""The Dask executor gives byte-identical batch JSON to the local one (a LocalCluster on
loopback), and a missing ``distributed`` is a clear error."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from disclosure_check.batch.audit import AuditOptions, run_audit
from disclosure_check.batch.outputs import render_json
from disclosure_check.batch.runner import DaskExecutor
from disclosure_check.engine import Checker
from disclosure_check.errors import DisclosureCheckError

CORPUS = Path(__file__).parent / "corpus"
FILES = ("pingtan-zone-2023.txt", "pingtan-zone-2025.html", "shuyang-drc-2023.html")


def test_dask_results_are_byte_identical_to_local(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    for name in FILES:
        shutil.copy(CORPUS / name, tmp_path / name)
    (tmp_path / "m.csv").write_text(
        "unit,parent,year,path\n"
        "平潭,,2023,pingtan-zone-2023.txt\n平潭,,2025,pingtan-zone-2025.html\n"
        "沭阳县发改局,沭阳县,2023,shuyang-drc-2023.html\n",
        encoding="utf-8",
    )
    local = render_json(run_audit(tmp_path / "m.csv", Checker(), options=AuditOptions(jobs=2)))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        executor = DaskExecutor(cluster.scheduler_address, timeout=60)
        result = run_audit(tmp_path / "m.csv", Checker(), options=AuditOptions(executor=executor))
    assert render_json(result) == local
    assert result.summary.reports == 3 and result.summary.failed_or_timeout == 0


def test_missing_distributed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(DisclosureCheckError, match=r"disclosure-check\[distributed\]"):
        DaskExecutor("tcp://127.0.0.1:1")
