"""Benchmark: an audit of N reports (the corpus repeated, each copy under its own unit name and
with its own bytes, so neither the cache nor the content hash short-cuts anything).

    python benchmarks/bench_audit.py                 # 1,000 reports, 1 and 2 workers
    python benchmarks/bench_audit.py --n 250 1000    # memory flatness: several batch sizes

Each measurement runs in a fresh subprocess so peak memory (ru_maxrss of the main process and of
its workers) belongs to that run alone."""

from __future__ import annotations

import argparse
import csv
import json
import resource
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
        with AuditStore(Path(tmp) / "audit.db") as store:
            result = run_audit(
                manifest, checker, store=store, options=AuditOptions(jobs=jobs, keep_reports=False)
            )
        wall = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "reports": n,
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "reports_per_s": round(n / wall, 1),
        "peak_main_mb": round(own, 1),
        "peak_worker_mb": round(workers, 1),
        "failed": result.summary.failed_or_timeout,
        "findings": sum(result.summary.findings.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[1000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--one", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return
    for n in args.n:
        for jobs in args.jobs:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(n), str(jobs)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
