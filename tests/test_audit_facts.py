"""The audit's fast paths compute exactly what the plain definitions do."""

from __future__ import annotations

import heapq
import random
from pathlib import Path

import pytest

from disclosure_check.batch.facts import jaccard_estimate, normalise, normalised_texts
from disclosure_check.parsing import parse

CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize(
    "path", sorted(p for p in CORPUS.iterdir() if p.suffix in (".html", ".txt", ".md")), ids=str
)
def test_normalised_texts_match_normalise(path: Path) -> None:
    doc = parse(path.read_bytes(), name=path.name)
    whole, sections = normalised_texts(doc)
    assert whole == normalise(doc.text())
    assert sections == [normalise(s.text()) for s in doc.sections]


def _reference_jaccard(a: list[int], b: list[int], k: int) -> float:
    sa, sb = set(a), set(b)
    union_k = heapq.nsmallest(k, sa | sb)
    return sum(1 for h in union_k if h in sa and h in sb) / len(union_k) if union_k else 0.0


def test_jaccard_estimate_matches_the_definition() -> None:
    rng = random.Random(7)
    for _ in range(300):
        pool = rng.sample(range(10_000), rng.randint(0, 400))
        a = sorted(rng.sample(pool, min(len(pool), rng.randint(0, 160))))
        b = sorted(rng.sample(pool, min(len(pool), rng.randint(0, 160))))
        for k in (1, 16, 128):
            assert jaccard_estimate(a, b, k) == _reference_jaccard(a, b, k)
            assert jaccard_estimate(set(a), set(b), k) == _reference_jaccard(a, b, k)
