"""Parse every corpus report N times; print the median parse time and its ratio to raw lxml.

Usage: python benchmarks/bench_parse.py [N]   (not a test; targets: median < 10 ms, < 5× lxml)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import lxml.html

from disclosure_check.parsing import parse

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def _median_ms(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".html", ".txt", ".md"))
    parse(files[0])  # warm up imports
    rows = []
    print(f"{'report':38} {'KB':>6} {'parse ms':>9} {'lxml ms':>8} {'ratio':>6}")
    for path in files:
        data = path.read_bytes()
        ours = _median_ms(lambda d=data, p=path: parse(d, name=p.name), n)
        raw = _median_ms(lambda d=data: lxml.html.fromstring(d), n)
        rows.append((ours, raw))
        print(f"{path.name:38} {len(data) / 1024:6.0f} {ours:9.2f} {raw:8.2f} {ours / raw:6.1f}×")
    med = statistics.median(r[0] for r in rows)
    ratio = statistics.median(r[0] / r[1] for r in rows)
    html_ratio = statistics.median(
        o / r for (o, r), p in zip(rows, files, strict=True) if p.suffix == ".html"
    )
    print(
        f"\nmedian parse {med:.2f} ms; median ratio to lxml {ratio:.1f}× (HTML only {html_ratio:.1f}×)"
    )


if __name__ == "__main__":
    main()
