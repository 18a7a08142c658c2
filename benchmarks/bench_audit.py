"""Benchmark: an audit of N reports (the corpus repeated, each copy under its own unit name and
with its own bytes, so neither the cache nor the content hash short-cuts anything).

    python benchmarks/bench_audit.py                      # 100 and 1,000 reports × 1 and 2 workers
    python benchmarks/bench_audit.py --n 1000 --repeat 3  # median of 3 runs per cell

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss of the main process and of
its workers) belongs to that run alone. Besides wall time it reports the CPU time per report of
the main process and of the workers together, which other jobs on the machine barely move: with
``c`` CPU ms per report, ``2000 / c`` reports/s is what 2 idle cores could do at best. The load
average before each run is printed too (other sessions may share the machine)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
SUFFIXES = (".html", ".txt", ".md")


def generate(folder: Path, n: int) -> Path:
    sources = sorted(p for p in CORPUS.iterdir() if p.suffix in SUFFIXES)
    rows = []
    for i in range(n):
        src = sources[i % len(sources)]
        unit = f"测试单位{i:04d}"
        marker = f"<!-- {unit} -->\n" if src.suffix == ".html" else f"{unit}\n"
        out = folder / f"r{i:04d}{src.suffix}"
        out.write_bytes(marker.encode() + src.read_bytes())
        rows.append([unit, f"上级{i % 20:02d}", 2020 + i % 6, out.name])
    manifest = folder / "manifest.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "parent", "year", "path"])
        w.writerows(rows)
    return manifest


def measure(n: int, jobs: int) -> dict[str, float]:
    from disclosure_check.batch.audit import AuditOptions, run_audit
    from disclosure_check.batch.store import AuditStore
    from disclosure_check.config import Config
    from disclosure_check.engine import Checker

    with tempfile.TemporaryDirectory() as tmp:
        manifest = generate(Path(tmp), n)
        checker = Checker(Config())
        _ = checker.registry  # plugin loading is start-up, not per-report work
        start = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        with AuditStore(Path(tmp) / "audit.db") as store:
            result = run_audit(
                manifest, checker, store=store, options=AuditOptions(jobs=jobs, keep_reports=False)
            )
        wall = time.perf_counter() - start
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    main_cpu = me.ru_utime + me.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    worker_cpu = kids.ru_utime + kids.ru_stime  # workers start after cpu0: all theirs
    own = me.ru_maxrss / 1024
    workers = kids.ru_maxrss / 1024
    return {
        "reports": n,
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "reports_per_s": round(n / wall, 1),
        "main_cpu_ms": round(main_cpu / n * 1000, 2),  # per report
        "worker_cpu_ms": round(worker_cpu / n * 1000, 2),  # per report (jobs 1: inline, in main)
        "peak_main_mb": round(own, 1),
        "peak_worker_mb": round(workers, 1),
        "failed": result.summary.failed_or_timeout,
        "findings": sum(result.summary.findings.values()),
    }


# (key, heading, format): each column as wide as its heading
COLUMNS = (
    ("reports", "reports", "d"),
    ("jobs", "jobs", "d"),
    ("wall_s", "wall s", ".2f"),
    ("reports_per_s", "reports/s", ".1f"),
    ("cpu_ms", "CPU ms/report", ".2f"),  # main + workers (jobs 1: all in main)
    ("main_cpu_ms", "of it main", ".2f"),
    ("bound", "CPU-bound rep/s", ".0f"),  # what the CPU time allows on idle cores
    ("peak_main_mb", "main MB", ".1f"),
    ("peak_worker_mb", "worker MB", ".1f"),
    ("findings", "findings", "d"),
    ("load", "load 1-min", "s"),
)


def _cell(value: object, head: str, spec: str) -> str:
    return format(int(value) if spec == "d" else value, f">{len(head)}{spec}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the median is shown")
    ap.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return
    print(" ".join(head for _, head, _ in COLUMNS), flush=True)
    for n in args.n:
        for jobs in args.jobs:
            runs, loads = [], []
            for _ in range(args.repeat):
                loads.append(os.getloadavg()[0])
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(n), str(jobs)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            row["cpu_ms"] = row["main_cpu_ms"] + (row["worker_cpu_ms"] if jobs > 1 else 0)
            row["bound"] = min(jobs, 2) * 1000 / row["cpu_ms"]
            row["load"] = ",".join(f"{x:.1f}" for x in loads)
            assert len({(r["failed"], r["findings"]) for r in runs}) == 1, runs
            print(" ".join(_cell(row[k], head, spec) for k, head, spec in COLUMNS), flush=True)


if __name__ == "__main__":
    main()
