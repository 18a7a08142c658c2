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


def test_store_digest_and_tables_match_the_facts(tmp_path: Path) -> None:
    """The digest and tables an audit reads back with SQLite's json_extract are the ones the
    worker's facts give in Python."""
    from disclosure_check.batch.facts import (
        content_hash,
        digest,
        extract_facts,
        layout_set,
        statistics,
    )
    from disclosure_check.batch.model import AuditEntry, EntryStatus
    from disclosure_check.batch.store import AuditStore
    from disclosure_check.config import Config
    from disclosure_check.engine import Checker

    checker = Checker(Config())
    data = (CORPUS / "pingtan-zone-2025.html").read_bytes()
    doc = checker.parse(data, name="pingtan-zone-2025.html")
    layouts = layout_set(checker)
    doc.statistics = statistics(doc, layouts)
    sha = content_hash(data)
    facts = extract_facts(doc, checker.check(doc), sha, layouts)
    assert facts.tables["table3"].status == "found" and facts.text and facts.title
    with AuditStore(tmp_path / "audit.db") as store:
        run = store.start_run("m", "key", "0")
        entry = AuditEntry(unit="u", path="p", status=EntryStatus.checked, content_hash=sha)
        store.record(run, entry, None, "key", facts_json=facts.model_dump_json())
        assert store.digest(sha) == digest(facts)
        assert store.tables(sha) == facts.tables
        assert store.digest("missing") is None and store.tables("missing") == {}


def test_near_duplicate_pairs_do_not_depend_on_the_set_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DC504 builds sketch sets a block at a time; any block size finds the same pairs."""
    from array import array

    from disclosure_check_rules import crossdoc

    from disclosure_check.batch.api import BatchContext, BatchDoc, FactsDigest

    rng = random.Random(3)
    bases = [rng.sample(range(1 << 32), 140) for _ in range(4)]  # four families of reports
    docs = []
    for i in range(23):
        grams = sorted(rng.sample(bases[i % 4], 130 + i % 3 * 2))[:128]
        sketch = array("I", grams)
        docs.append(BatchDoc(f"u{i:02d}", 2024, FactsDigest(f"h{i % 9}", sketch=sketch)))
    ctx = BatchContext(docs=docs, manifest_units=[])
    whole = crossdoc._similar_pairs(ctx, docs)
    assert 20 < sum(len(v) for v in whole.values()) < 100  # some family pairs pass, some not
    for block in (1, 4, 7):
        monkeypatch.setattr(crossdoc, "SET_BLOCK", block)
        assert crossdoc._similar_pairs(ctx, docs) == whole
