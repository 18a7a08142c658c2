"""The table module's fast paths (ASCII cells, pure digits, early 'text' answer) give what the
plain regex definitions give, on every corpus cell and on random strings of the tricky characters."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from disclosure_check.model.document import CellKind
from disclosure_check.parsing.decode import decode
from disclosure_check.parsing.extract import extract_html
from disclosure_check.parsing.tables import (
    _CJK_GAP_RE,
    _DASH_RE,
    _MINUS_SIGNS,
    _NUMBER_RE,
    _element_text,
    classify,
    normalize_text,
)

CORPUS = Path(__file__).parent / "corpus"


def plain_normalize(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"\s+", " ", text).strip()
    return _CJK_GAP_RE.sub("", text)


def plain_classify(text: str) -> tuple[CellKind, float | int | None, str | None]:
    if not text:
        return CellKind.blank, None, None
    compact = text.translate(_MINUS_SIGNS)
    if _DASH_RE.match(compact.replace(" ", "")):
        return CellKind.dash, None, None
    m = _NUMBER_RE.match(compact)
    if m is None:
        return CellKind.text, None, None
    digits = m.group("int").replace(",", "")
    value: float | int = float(digits + m.group("frac")) if m.group("frac") else int(digits)
    if m.group("sign") == "-":
        value = -value
    return CellKind.number, value, m.group("unit")


def _same(a: tuple, b: tuple) -> bool:  # type: ignore[type-arg]
    return a == b and type(a[1]) is type(b[1])


def test_corpus_cells() -> None:
    n = 0
    for path in sorted(CORPUS.glob("*.html")):
        ex = extract_html(decode(path.read_bytes()).text)
        for td in ex.root.iter("td", "th"):
            raw = _element_text(td, set())
            assert normalize_text(raw) == plain_normalize(raw)
            text = plain_normalize(raw)
            assert _same(classify(text), plain_classify(text)), text
            n += 1
    assert n > 500


ALPHABET = list(
    "0123456789０１２,.+-−﹣－/\\—–―~_无 \t\n\r\x1c\u3000\u00a0\u2003万元件个项%‰人次aA中文١٢"
)


@pytest.mark.parametrize("seed", range(3))
def test_random_strings(seed: int) -> None:
    rnd = random.Random(seed)
    for length in range(7):
        for _ in range(3000):
            s = "".join(rnd.choice(ALPHABET) for _ in range(length))
            assert normalize_text(s) == plain_normalize(s), repr(s)
            assert _same(classify(s), plain_classify(s)), repr(s)
            t = plain_normalize(s)
            assert _same(classify(t), plain_classify(t)), repr(t)
