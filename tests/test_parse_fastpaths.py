"""The parser's fast paths give what the straightforward code gives (on every corpus page)."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_check.parsing.blocks import align_offsets, element_text
from disclosure_check.parsing.decode import decode
from disclosure_check.parsing.extract import _outside_text, extract_html
from disclosure_check.parsing.tables import _BLOCK_TAGS, _SLOW_TAGS, _is_simple

CORPUS = Path(__file__).parent / "corpus"
PAGES = sorted(p.name for p in CORPUS.glob("*.html"))


@pytest.fixture(scope="module", params=PAGES)
def page(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    text = decode((CORPUS / request.param).read_bytes()).text
    return text, extract_html(text)


def test_element_text_is_the_joined_itertext(page) -> None:  # type: ignore[no-untyped-def]
    _, ex = page
    for el in ex.root.iter():
        if isinstance(el.tag, str):
            assert element_text(el) == "".join(el.itertext())


def test_simple_cell_check_matches_the_tag_iterator(page) -> None:  # type: ignore[no-untyped-def]
    _, ex = page
    for cell in ex.root.iter("td", "th"):
        inner = cell.iter(*_BLOCK_TAGS, "table", "script", "style")
        first = next(inner, None)
        slow_walk = not (
            first is None or (first.tag not in _SLOW_TAGS and next(inner, None) is None)
        )
        assert _is_simple(cell) is not slow_walk


def test_aligned_offsets_point_at_the_elements_start_tags(page) -> None:  # type: ignore[no-untyped-def]
    text, ex = page
    offsets = align_offsets(ex.root, text)
    assert len(offsets) > 0.9 * sum(1 for el in ex.root.iter() if isinstance(el.tag, str))
    for el, off in offsets.items():
        assert text[off] == "<" and text[off + 1 : off + 1 + len(el.tag)].lower() == el.tag


def test_chrome_text_is_the_page_text_outside_the_article(page) -> None:  # type: ignore[no-untyped-def]
    _, ex = page
    joined = " ".join(t.strip() for t in ex.root.itertext() if t.strip())
    inner = " ".join(t.strip() for t in ex.article.itertext() if t.strip())
    expected = joined.replace(inner, " ", 1) if inner else joined
    assert _outside_text(ex.root, ex.article) == expected[:200_000]
