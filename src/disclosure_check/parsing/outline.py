"""A readable text outline of a parsed Document (what ``disclosure-check parse`` prints)."""

from __future__ import annotations

from ..model.document import Block, Document, Image, Paragraph, Section, Table

_INDENT = "  "


def _meta_lines(doc: Document) -> list[str]:
    m = doc.meta
    period = (
        f"{m.period_start.isoformat()} – {m.period_end.isoformat()}"
        if m.period_start and m.period_end
        else "-"
    )
    published = f"{m.published.isoformat()} ({m.published_source})" if m.published else "-"
    return [
        f"source:     {doc.source or '-'}",
        f"status:     {doc.status.value}"
        + (f" ({doc.status_reason})" if doc.status_reason else ""),
        f"title:      {m.title or '-'}" + (f" ({m.title_source})" if m.title_source else ""),
        f"organ:      {m.organ or '-'} [{m.kind.value}]",
        f"year:       {m.report_year or '-'}",
        f"period:     {period}",
        f"published:  {published}",
        f"signed:     {m.signature_date.isoformat() if m.signature_date else '-'}",
        f"format:     {m.source_format.value}, encoding {m.encoding or '-'} ({m.encoding_source})",
    ]


def _block_line(block: Block, depth: int) -> str | None:
    pad = _INDENT * depth
    if isinstance(block, Table):
        return f"{pad}[table {block.id}: {block.n_rows}×{block.n_cols} {block.status.value}]"
    if isinstance(block, Image):
        return f"{pad}[image {block.src or ''}]".rstrip()
    return None


def _paragraph_count(blocks: list[Block]) -> int:
    return sum(isinstance(b, Paragraph) for b in blocks)


def render_outline(doc: Document) -> str:
    lines = _meta_lines(doc)
    lines.append("")
    n_pre = _paragraph_count(doc.preamble)
    if n_pre:
        lines.append(f"(preamble: {n_pre} paragraph{'s' if n_pre != 1 else ''})")
    lines.extend(x for b in doc.preamble if (x := _block_line(b, 0)))
    stack: list[tuple[Section, int]] = [(s, 0) for s in reversed(doc.sections)]
    while stack:  # iterative: no recursion on the section tree
        sec, depth = stack.pop()
        run_in = " (run-in)" if sec.run_in else ""
        lines.append(f"{_INDENT * depth}{sec.number}{sec.heading}{run_in}")
        lines.extend(x for b in sec.blocks if (x := _block_line(b, depth + 1)))
        stack.extend((c, depth + 1) for c in reversed(sec.children))
    for d in doc.diagnostics:
        lines.append(f"! {d.code}: {d.message}")
    return "\n".join(lines) + "\n"
