"""The typed model of a parsed report: metadata, a section tree, paragraphs and tables.

Pure data. The parser (``disclosure_check.parsing``) builds it; rules only read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    """Where something is in the original page.

    ``line``/``column`` are 1-based and computed from the decoded source text (lxml's own
    ``sourceline`` saturates at 65535); ``offset`` is the 0-based character offset in it.
    """

    xpath: str | None = None
    line: int | None = None
    column: int | None = None
    offset: int | None = None
    section: str | None = None
    snippet: str = ""


class ReportKind(StrEnum):
    government = "government"  # 人民政府 or its 办公厅/办公室 (a 本级政府 report)
    department = "department"  # a 政府部门 (局/委/厅 …), not an education department
    education_department = "education_department"  # 教育厅/教育局/教育体育局 …
    university = "university"  # 高等学校
    unknown = "unknown"


class DocumentStatus(StrEnum):
    ok = "ok"
    not_a_report = "not_a_report"  # readable, but not an annual disclosure report
    unparseable = "unparseable"  # could not be read at all (binary, empty, undecodable)


class SourceFormat(StrEnum):
    html = "html"
    text = "text"
    markdown = "markdown"


class Meta(_Model):
    title: str | None = None
    title_source: str | None = None  # "meta:ArticleTitle", "title", "heading", "crawler-header"
    organ: str | None = None
    organ_source: str | None = None
    kind: ReportKind = ReportKind.unknown
    report_year: int | None = None
    report_year_source: str | None = None  # "title" | "period" | "body"
    period_start: date | None = None
    period_end: date | None = None
    period_text: str | None = None  # the sentence as printed
    period_location: Location | None = None
    published: date | None = None
    published_source: str | None = (
        None  # "meta:PubDate", "page:发布时间", "crawler-header", "signature"
    )
    signature_date: date | None = None
    url: str | None = None
    encoding: str | None = None  # the encoding the bytes were decoded with
    encoding_source: str | None = None  # "bom", "http-equiv", "meta-charset", "detected", "str"
    source_format: SourceFormat = SourceFormat.html


class CellKind(StrEnum):
    number = "number"
    blank = "blank"  # empty or only whitespace / &nbsp;
    dash = "dash"  # "/", "-", "—", "－", "无" used as a placeholder for zero
    text = "text"


class Cell(_Model):
    """One position of a table's rectangular grid (after rowspan/colspan expansion)."""

    text: str  # normalised: NFKC digits, collapsed whitespace
    raw: str = ""  # text as printed in the page
    kind: CellKind = CellKind.text
    value: float | int | None = None  # parsed number when kind == number
    unit: str | None = None  # "元", "万元", "件", "%" when printed in the cell
    header: bool = False  # a <th>, or a label cell
    origin: tuple[int, int] | None = (
        None  # set on copies made by a span: the (row, col) of the source cell
    )
    location: Location | None = None


class TableStatus(StrEnum):
    ok = "ok"
    image = "image"  # the table is an <img>: not machine-checkable
    flattened = "flattened"  # the table's cells were run together in plain text: unreadable
    capped = "capped"  # spans or size were capped; see notes


class Table(_Model):
    type: Literal["table"] = "table"
    id: str  # "t1", "t2", … in document order
    caption: str | None = None  # nearest preceding title-like line, if any
    status: TableStatus = TableStatus.ok
    n_rows: int = 0
    n_cols: int = 0
    grid: list[list[Cell]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)

    def row_texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.grid]


class Paragraph(_Model):
    type: Literal["paragraph"] = "paragraph"
    text: str
    location: Location = Field(default_factory=Location)


class Image(_Model):
    type: Literal["image"] = "image"
    src: str | None = None
    alt: str | None = None
    location: Location = Field(default_factory=Location)


Block = Annotated[Paragraph | Table | Image, Field(discriminator="type")]


class NumberingStyle(StrEnum):
    part = "part"  # 第一部分
    cn_comma = "cn_comma"  # 一、
    cn_paren = "cn_paren"  # （一） (一)
    arabic_dot = "arabic_dot"  # 1.  1、 1．
    arabic_paren = "arabic_paren"  # （1） (1)
    none = "none"  # an unnumbered heading (e.g. 附件1：…)


class Section(_Model):
    number: str = ""  # as printed, e.g. "一、", "（三）"
    ordinal: int | None = None  # 1 for 一/1/(一)
    style: NumberingStyle = NumberingStyle.none
    heading: str  # normalised heading text without the number
    heading_raw: str = ""  # as printed, number included
    level: int = 1  # 1 = top level of this report's outline
    run_in: bool = False  # heading was run into its paragraph ("一、总体情况2021年，…")
    blocks: list[Block] = Field(default_factory=list)
    children: list[Section] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)

    @property
    def label(self) -> str:
        return f"{self.number}{self.heading}"

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()

    def iter_blocks(self) -> Iterator[Block]:
        """Own blocks first, then the children's, in document order."""
        yield from self.blocks
        for child in self.children:
            yield from child.iter_blocks()

    def text(self) -> str:
        """All paragraph text under this section (children included), headings of children too."""
        parts: list[str] = []
        for sec in self.walk():
            if sec is not self:
                parts.append(sec.heading_raw or sec.label)
            parts.extend(b.text for b in sec.blocks if isinstance(b, Paragraph))
        return "\n".join(parts)


class Diagnostic(_Model):
    """Something the parser or engine wants the user to know (capped spans, a plugin that failed)."""

    code: str  # "span-capped", "size-capped", "plugin-failed", …
    message: str
    location: Location | None = None
    # Machine-readable details, so consumers need not parse ``message``; per code, e.g.
    # heading-out-of-sequence: number, ordinal, heading, heading_raw, section_index, after.
    data: dict[str, Any] = Field(default_factory=dict)


class Document(_Model):
    source: str | None = None  # path or "<bytes>"/"<string>"
    status: DocumentStatus = DocumentStatus.ok
    status_reason: str | None = None
    meta: Meta = Field(default_factory=Meta)
    preamble: list[Block] = Field(default_factory=list)  # blocks before the first top-level heading
    sections: list[Section] = Field(default_factory=list)  # top level, in order
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    # Typed statistics tables (table 2/3/4 of the national format), filled by table extraction.
    # None until extracted: the parser does not know the layouts (they are rule-pack data).
    statistics: StatisticsTables | None = None

    def walk(self) -> Iterator[Section]:
        for sec in self.sections:
            yield from sec.walk()

    def tables(self) -> Iterator[Table]:
        for block in self.iter_blocks():
            if isinstance(block, Table):
                yield block

    def iter_blocks(self) -> Iterator[Block]:
        yield from self.preamble
        for sec in self.sections:
            yield from sec.iter_blocks()

    def paragraphs(self) -> Iterator[tuple[Section | None, Paragraph]]:
        """Every paragraph with the innermost section that holds it (None for the preamble)."""
        for block in self.preamble:
            if isinstance(block, Paragraph):
                yield None, block
        for top in self.sections:
            for sec in top.walk():
                for block in sec.blocks:
                    if isinstance(block, Paragraph):
                        yield sec, block

    def text(self) -> str:
        """The report's whole text: preamble, headings and paragraphs, in order."""
        parts = [b.text for b in self.preamble if isinstance(b, Paragraph)]
        for top in self.sections:
            parts.append(top.heading_raw or top.label)
            parts.append(top.text())
        return "\n".join(p for p in parts if p)


# statistics.py builds on this module's types (Cell, Location), so it is imported last.
from .statistics import StatisticsTables  # noqa: E402

Document.model_rebuild()
