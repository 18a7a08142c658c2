"""``parse(source) -> Document``: decode → extract → blocks → headings → meta.

Bad content never raises: empty, binary or undecodable input gives status ``unparseable``, a page
that is not an annual report gives ``not_a_report``; both with ``status_reason``. Only a file that
cannot be read at all raises :class:`~disclosure_check.errors.InputError`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model.document import (
    Diagnostic,
    Document,
    DocumentStatus,
    Location,
    Meta,
    Paragraph,
    SourceFormat,
    Table,
)
from . import blocks as blk
from . import headings as hd
from .decode import BinaryInputError, decode
from .extract import Extracted, extract_html, extract_text, sniff_format
from .meta import build_meta, looks_like_report

# Inputs larger than this are refused (a report page is 50–300 KB; 20 MB is generous).
MAX_INPUT_BYTES = 20 * 1024 * 1024


def parse(
    source: str | bytes | os.PathLike[str], *, name: str | None = None,
    max_bytes: int = MAX_INPUT_BYTES, http_charset: str | None = None,
) -> Document:  # fmt: skip
    """Parse a report: a path (or a ``str`` naming an existing file), bytes, or HTML/text content.
    ``http_charset``: the charset an HTTP server declared for these bytes, if they were fetched."""
    data, text, label, size = _read(source, max_bytes)
    name = name or (label if label not in ("<bytes>", "<string>") else None)
    doc = Document(source=label)
    if size > max_bytes:
        return _unparseable(
            doc,
            f"input is {size:,} bytes, over the {max_bytes:,}-byte limit; not parsed",
            code="size-capped",
        )
    meta = Meta()
    if data is not None:
        if not data.strip():
            return _unparseable(doc, "empty input")
        try:
            decoded = decode(data, http_charset=http_charset)
        except BinaryInputError as exc:
            return _unparseable(doc, str(exc))
        text = decoded.text
        meta.encoding, meta.encoding_source = decoded.encoding, decoded.source
        if decoded.source.endswith("-lossy"):
            bad = text.count("\ufffd")
            doc.diagnostics.append(
                Diagnostic(
                    code="decode-lossy",
                    message=f"{bad} byte sequence(s) are not valid {decoded.encoding} and were "
                    "replaced with U+FFFD; the page may be damaged or truncated",
                    data={"replaced": bad, "encoding": decoded.encoding},
                )
            )
    else:
        meta.encoding_source = "str"
    if not text or not text.strip():
        return _unparseable(doc, "empty input")
    try:
        return _parse_text(doc, text, name, meta)
    except RecursionError:  # pathological input deep inside a library: reported, never raised
        return _unparseable(doc, "input structure too deep to parse")


def _read(
    source: str | bytes | os.PathLike[str], max_bytes: int
) -> tuple[bytes | None, str | None, str, int]:
    """(bytes, str, label, size); an oversized file is not read (bounded memory)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return data, None, "<bytes>", len(data)
    if isinstance(source, str) and not _names_file(source):
        return None, source, "<string>", len(source.encode("utf-8", "surrogatepass"))
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            return None, None, str(path), size
        return path.read_bytes(), None, str(path), size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _names_file(text: str) -> bool:
    if "\n" in text or "<" in text or len(text) > 4096:
        return False
    try:
        return Path(text).is_file() or (text.endswith(_SUFFIXES) and not Path(text).exists())
    except (OSError, ValueError):
        return False


# A str that looks like a file name but names no file: reading it reports "no such file".
_SUFFIXES = (".html", ".htm", ".txt", ".md", ".markdown", ".shtml")


def _unparseable(doc: Document, reason: str, code: str = "unparseable") -> Document:
    doc.status = DocumentStatus.unparseable
    doc.status_reason = reason
    doc.diagnostics.append(Diagnostic(code=code, message=reason))
    return doc


def _parse_text(doc: Document, text: str, name: str | None, meta: Meta) -> Document:
    fmt = sniff_format(text, name)
    meta.source_format = fmt
    index = blk.SourceIndex(text)
    ex: Extracted
    if fmt is SourceFormat.html:
        ex = extract_html(text)
        raw_blocks = _html_blocks(ex, index)
    else:
        ex = extract_text(text, fmt)
        raw_blocks = blk.text_blocks(
            ex, index, hd.starts_with_number, lambda lines, loc: _md_table(lines, loc)
        )
    doc.diagnostics.extend(Diagnostic(code="extract-capped", message=n) for n in ex.notes)
    cands = hd.find_candidates(raw_blocks)
    accepted, rejected = hd.accept(raw_blocks, cands, fmt)
    preamble, sections = hd.build_tree(raw_blocks, accepted, index)
    doc.preamble, doc.sections = preamble, sections
    doc.diagnostics.extend(hd.diagnostics_from(raw_blocks, rejected, index))
    _number_tables(doc)
    for raw in raw_blocks:
        if raw.table is not None:
            doc.diagnostics.extend(
                Diagnostic(code="span-capped", message=n, location=raw.table.location)
                for n in raw.table.notes
                if "capped" in n
            )
    paragraphs = [p for _, p in doc.paragraphs()]
    doc.meta = build_meta(ex, raw_blocks, paragraphs, meta)
    _set_status(doc, paragraphs)
    return doc


def _html_blocks(ex: Extracted, index: blk.SourceIndex) -> list[blk.RawBlock]:
    offsets = blk.align_offsets(ex.root, ex.text)
    locate = blk.HtmlLocator(ex.root, index, offsets)

    def make_table(el: Any, table_id: str) -> Table:
        return _html_table(el, table_id, locate)

    return blk.html_blocks(ex, locate, make_table)


def _html_table(el: Any, table_id: str, locate: blk.HtmlLocator) -> Table:
    try:
        from .tables import table_from_element
    except ImportError:  # the table module is developed separately; degrade, do not fail
        return Table(id=table_id, location=locate(el), notes=["table reader unavailable"])
    return table_from_element(el, table_id=table_id, locate=locate)


def _md_table(lines: list[str], loc: Location) -> Table:
    try:
        from .tables import table_from_markdown
    except ImportError:
        return Table(id="t0", location=loc, notes=["table reader unavailable"])
    return table_from_markdown(lines, table_id="t0", location=loc)


def _number_tables(doc: Document) -> None:
    for i, table in enumerate(doc.tables(), start=1):
        table.id = f"t{i}"


def _set_status(doc: Document, paragraphs: list[Paragraph]) -> None:
    headings = [s.label for s in doc.sections]
    head_text = " ".join(p.text for p in paragraphs[:5])[:3000]
    capped = [d.message for d in doc.diagnostics if d.code == "extract-capped"]
    if not paragraphs and not doc.sections:
        doc.status = DocumentStatus.not_a_report
        doc.status_reason = "; ".join(["no text found in the page", *capped])
    elif not looks_like_report(doc.meta.title, headings, head_text):
        doc.status = DocumentStatus.not_a_report
        doc.status_reason = (
            "not a 政府信息公开工作年度报告: the title does not name one and the statutory "
            "sections (主动公开, 依申请/收到和处理, 行政复议…) are not there"
        )
