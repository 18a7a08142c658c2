"""Per-report cost of checking, by stage and by rule, on pre-parsed corpus reports.

    python benchmarks/bench_check.py            # N = 15 runs per measurement
    python benchmarks/bench_check.py 30 --rules # more runs; also the per-report × rule matrix
    python benchmarks/bench_check.py --cold 5   # cold start only, over 5 fresh processes
    python benchmarks/bench_check.py --wall     # elapsed time instead of this process's CPU time

Warm (per report, median of N, CPU time): ``parse`` (for reference: not part of the check), the
shared ``extract_statistics`` (its label memo cleared before each run), ``Checker.check`` on the
already parsed Document (which does its own extraction, as the CLI does) and the audit's
per-report ``extract_facts`` (given the statistics, as the audit worker does). Per rule: the time
of each rule inside a real check; the first rule that needs a shared artefact (the statistics,
the section map, the text units) pays for it, so the rule times add up to the check.

Cold (elapsed, median over fresh subprocesses): importing the package, building a Checker and loading its
plugins (catalogs), and the first check's extra cost over a warm one (data files, layouts, regex
compilation, first-use caches). Not a test; the audit target is ≤ ~20 ms of CPU per report.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
SUFFIXES = (".html", ".txt", ".md")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in SUFFIXES)


# CPU time of this process by default: other jobs on the machine then barely move the figures
# (the audit target is CPU per report); --wall measures elapsed time instead.
clock = time.process_time


def median_ms(fn: Callable[[], object], n: int, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(n):
        if setup is not None:
            setup()  # not timed
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times) * 1000


def clear_label_memo() -> None:
    """Forget the statistics' memoised label keys, so that a report measured N times is not
    helped by its own earlier runs (in an audit, only labels repeat between reports)."""
    from disclosure_check.parsing import statistics as stats_module

    for name in ("label_key", "loose_key"):
        getattr(getattr(stats_module, name), "cache_clear", lambda: None)()


def _timed_checker() -> Any:
    """A Checker that records each rule's wall time (per rule id, one list per check)."""
    from disclosure_check.engine import Checker

    class TimedChecker(Checker):
        times: dict[str, list[float]]

        def _run_rule(self, rule, *args, **kwargs):  # type: ignore[no-untyped-def]
            t0 = clock()
            try:
                return super()._run_rule(rule, *args, **kwargs)
            finally:
                self.times[rule.id].append(clock() - t0)

    checker = TimedChecker()
    checker.times = defaultdict(list)
    return checker


def warm(n: int, show_matrix: bool) -> None:
    from disclosure_check.batch.facts import extract_facts, layout_set
    from disclosure_check.engine import Checker
    from disclosure_check.parsing import parse
    from disclosure_check.parsing.statistics import extract_statistics

    checker = Checker()
    timed = _timed_checker()
    files = corpus_files()
    docs = {p: parse(p.read_bytes(), name=p.name) for p in files}
    layouts = layout_set(checker)
    assert layouts is not None
    for doc in docs.values():  # warm every process-level cache before measuring
        checker.check(doc)
        timed.check(doc)
    timed.times.clear()

    what = "wall" if clock is time.perf_counter else "CPU"
    head = (
        f"{'report':34} {'parse':>7} {'stats':>7} {'check':>7} {'facts':>7}"
        f"   ({what} ms, median of {n})"
    )
    print(head)
    rows: list[tuple[float, float, float, float]] = []
    per_rule: dict[str, list[float]] = defaultdict(list)  # rule -> median per report
    matrix: dict[str, dict[str, float]] = {}
    for path, doc in docs.items():
        data = path.read_bytes()
        gc.collect()
        t_parse = median_ms(lambda d=data, p=path: parse(d, name=p.name), n)
        t_stats = median_ms(lambda d=doc: extract_statistics(d, layouts), n, clear_label_memo)
        t_check = median_ms(lambda d=doc: checker.check(d), n)
        report = checker.check(doc)
        doc.statistics = extract_statistics(doc, layouts)  # the audit worker fills them first
        t_facts = median_ms(lambda d=doc, r=report: extract_facts(d, r, "x", layouts), n)
        doc.statistics = None
        for _ in range(n):
            timed.check(doc)
        matrix[path.name] = {
            rid: statistics.median(ts) * 1000 for rid, ts in sorted(timed.times.items())
        }
        for rid, ms in matrix[path.name].items():
            per_rule[rid].append(ms)
        timed.times.clear()
        rows.append((t_parse, t_stats, t_check, t_facts))
        print(f"{path.name:34} {t_parse:7.2f} {t_stats:7.2f} {t_check:7.2f} {t_facts:7.2f}")
    k = len(rows)
    sums = [sum(col) for col in zip(*rows, strict=True)]
    means = [s / k for s in sums]
    print(f"{'TOTAL (' + str(k) + ' reports)':34} " + " ".join(f"{s:7.1f}" for s in sums))
    print(f"{'mean per report':34} " + " ".join(f"{m:7.2f}" for m in means))
    print(
        f"\nwarm per report (mean): parse {means[0]:.2f} + check {means[2]:.2f} "
        f"(of which statistics ≈ {means[1]:.2f}) = {means[0] + means[2]:.2f} ms; "
        f"+ audit facts {means[3]:.2f} ms"
    )

    print(f"\n{'rule':8} {'mean ms/report':>15} {'max':>8}  (inside Checker.check)")
    rule_total = 0.0
    for rid, ms in sorted(per_rule.items(), key=lambda kv: -sum(kv[1])):
        rule_total += sum(ms) / k
        print(f"{rid:8} {sum(ms) / k:15.3f} {max(ms):8.3f}")
    print(f"{'all':8} {rule_total:15.3f}")
    if show_matrix:
        rule_ids = sorted(per_rule)
        print("\nper report × rule (ms)")
        print(f"{'report':34} " + " ".join(f"{r:>6}" for r in rule_ids))
        for name, by_rule in matrix.items():
            print(f"{name:34} " + " ".join(f"{by_rule.get(r, 0):6.2f}" for r in rule_ids))


def _cold_once() -> dict[str, float]:
    """Run in a fresh process: what the first report costs beyond a warm one."""
    t0 = time.perf_counter()
    from disclosure_check.engine import Checker
    from disclosure_check.parsing import parse

    t_import = time.perf_counter() - t0
    docs = [parse(p.read_bytes(), name=p.name) for p in corpus_files()]
    t0 = time.perf_counter()
    checker = Checker()
    _ = checker.registry
    t_plugins = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc in docs:
        checker.check(doc)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc in docs:
        checker.check(doc)
    second = time.perf_counter() - t0
    return {
        "import_ms": t_import * 1000,
        "plugins_ms": t_plugins * 1000,
        "first_pass_extra_ms": (first - second) * 1000,
        "warm_pass_ms": second * 1000,
    }


def cold(runs: int) -> None:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--cold-once"], check=True, capture_output=True, text=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\ncold start (median of {runs} fresh processes; whole corpus, pre-parsed):")
    for key, label in (
        ("import_ms", "import disclosure_check engine + parser"),
        ("plugins_ms", "Checker() + plugin loading (catalogs, profiles)"),
        ("first_pass_extra_ms", "first check pass over a warm one (data, layouts, regexes)"),
        ("warm_pass_ms", "(a warm pass over the corpus, for comparison)"),
    ):
        print(f"  {label:58} {statistics.median(r[key] for r in results):8.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=15, help="runs per measurement")
    ap.add_argument("--rules", action="store_true", help="print the report × rule matrix")
    ap.add_argument("--cold", type=int, metavar="RUNS", help="only the cold start, RUNS processes")
    ap.add_argument("--wall", action="store_true", help="elapsed instead of CPU time")
    ap.add_argument("--cold-once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.wall:
        global clock
        clock = time.perf_counter
    if args.cold_once:
        print(json.dumps(_cold_once()))
        return
    if args.cold is not None:
        cold(args.cold)
        return
    warm(args.n, args.rules)
    cold(5)


if __name__ == "__main__":
    main()
