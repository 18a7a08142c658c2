"""bytes → str: BOM, declared charset, strict UTF-8, charset-normalizer; binary input refused.

Government sites still serve GB2312/GBK pages; both are read as GB18030 (a strict superset) so a
page that declares GB2312 but uses a GBK-only character still decodes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# How far into the bytes a <meta charset> is looked for (HTML5 says 1024; CMS pages put it later).
SNIFF_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16-LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of formats that are never a report page, whatever the file is called.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx/.xlsx)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 file (e.g. .doc/.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTTP_EQUIV_RE = re.compile(rb"""<meta[^>]*?http-equiv\s*=\s*["']?content-type""", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

# Declared names that must be widened (GB2312 pages routinely contain GBK/GB18030 characters).
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


class BinaryInputError(ValueError):
    """The bytes are not text (a reason suitable for ``status_reason``)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec name the bytes were decoded with
    source: str  # "bom" | "http-equiv" | "meta-charset" | "xml-declaration" | "utf-8" | "detected"


def _canonical(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _WIDEN.get(canonical, _WIDEN.get(name.strip().lower(), canonical))


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text, or None when it may be text."""
    head = data[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"binary input: {what}, not a text or HTML page"
    if any(data.startswith(bom) for bom, enc in _BOMS if enc.startswith("utf-16") or "32" in enc):
        return None  # UTF-16/32 text legitimately contains NUL bytes
    if b"\x00" in data[: SNIFF_BYTES * 2]:
        return "binary input: contains NUL bytes, not a text or HTML page"
    return None


def declared_charset(data: bytes) -> tuple[str, str] | None:
    """(codec, how it was declared) from an XML declaration or a <meta> in the first bytes."""
    head = data[:SNIFF_BYTES]
    m = _XML_DECL_RE.match(head)
    if m:
        enc = _canonical(m.group(1).decode("ascii", "replace"))
        if enc:
            return enc, "xml-declaration"
    for meta in _META_CHARSET_RE.finditer(head):
        enc = _canonical(meta.group(1).decode("ascii", "replace"))
        if not enc:
            continue
        # The <meta> tag containing this charset: http-equiv form or HTML5 form.
        start = head.rfind(b"<", 0, meta.start() + 1)
        tag = head[start : meta.end()]
        return enc, "http-equiv" if _HTTP_EQUIV_RE.search(tag) else "meta-charset"
    return None


def decode(data: bytes) -> Decoded:
    """Decode ``data``; raises :class:`BinaryInputError` for binary or undecodable bytes."""
    reason = binary_reason(data)
    if reason:
        raise BinaryInputError(reason)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(enc, errors="replace"), enc, "bom")

    declared = declared_charset(data)
    if declared:
        enc, how = declared
        try:
            return Decoded(data.decode(enc), enc, how)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall through to detection
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data, declared[0] if declared else None)


def _detect(data: bytes, declared: str | None) -> Decoded:
    from charset_normalizer import from_bytes  # imported lazily: it is slow to import

    best = from_bytes(data[: 1 << 20]).best()  # bounded: detection on the first MiB is enough
    if best is not None and best.encoding:
        enc = _canonical(best.encoding) or best.encoding
        text = data.decode(enc, errors="replace")
        if _looks_like_text(text):
            return Decoded(text, enc, "detected")
    if declared:
        # The declaration was nearly right (a few bad bytes): keep it, mark replacements.
        text = data.decode(declared, errors="replace")
        if _looks_like_text(text):
            return Decoded(text, declared, "meta-charset-lossy")
    raise BinaryInputError("undecodable input: no text encoding fits these bytes")


def _looks_like_text(text: str) -> bool:
    """Mostly printable characters and few U+FFFD replacements."""
    if not text:
        return False
    sample = text[:20000]
    bad = sample.count("\ufffd")
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return (bad + controls) / len(sample) < 0.02
