"""Bad input never raises (except an unreadable file) and never hangs; encodings are detected."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_check.errors import InputError
from disclosure_check.model.document import DocumentStatus
from disclosure_check.parsing import parse
from disclosure_check.parsing.outline import render_outline

CORPUS = Path(__file__).parent / "corpus"


def _strip_encoding(doc):  # type: ignore[no-untyped-def]
    data = doc.model_dump(mode="json")
    data["meta"].pop("encoding")
    data["meta"].pop("encoding_source")
    data.pop("source")
    return data


@pytest.mark.parametrize("name", ["pingtan-zone-2025.html", "shuyang-drc-2023.html"])
def test_gbk_copy_gives_identical_document(tmp_path: Path, name: str) -> None:
    text = (CORPUS / name).read_text("utf-8")
    # Same length, so that offsets and line/column stay comparable.
    gbk_text = text.replace('charset="utf-8"', 'charset="gbk"  ', 1)
    assert gbk_text != text
    gbk = tmp_path / name
    gbk.write_bytes(gbk_text.encode("gbk"))
    a, b = parse(CORPUS / name), parse(gbk)
    assert b.meta.encoding == "gb18030" and b.meta.encoding_source == "meta-charset"
    assert a.meta.encoding == "utf-8"
    assert _strip_encoding(a) == _strip_encoding(b)


def test_gb2312_http_equiv_read_as_gb18030() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>某县2024年政府信息公开工作年度报告</title></head><body><p>一、总体情况</p>"
        "<p>镕</p></body></html>"  # 镕 is in GBK but not in GB2312
    )
    doc = parse(html.encode("gb18030"))
    assert doc.meta.encoding == "gb18030" and doc.meta.encoding_source == "http-equiv"
    assert "镕" in doc.text()


def test_bom_and_undeclared_gbk() -> None:
    body = "某县2024年政府信息公开工作年度报告\n\n一、总体情况\n\n本年度，我县……"
    doc = parse(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert doc.meta.encoding_source == "bom"
    doc = parse((body * 20).encode("gb18030"))
    assert doc.status is DocumentStatus.ok
    assert doc.meta.encoding_source == "detected"
    assert doc.sections[0].label == "一、总体情况"


def test_str_content_and_str_path() -> None:
    path = CORPUS / "seed-shanxi-edu-2017.txt"
    by_path = parse(str(path))
    assert by_path.source == str(path)
    by_text = parse(path.read_text("utf-8"), name="seed.txt")
    assert by_text.meta.encoding_source == "str"
    assert [s.label for s in by_text.sections] == [s.label for s in by_path.sections]


def test_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        parse(tmp_path / "nope.html")
    with pytest.raises(InputError, match="directory"):
        parse(tmp_path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04" + b"\x00" * 50, "ZIP"),
        (b"abc\x00def" * 10, "NUL"),
        (bytes(range(128, 256)) * 40 + b"\x81\x30" * 10, "undecodable"),
    ],
)
def test_unparseable_input(tmp_path: Path, data: bytes, reason: str) -> None:
    f = tmp_path / "report.html"
    f.write_bytes(data)
    doc = parse(f)
    assert doc.status is DocumentStatus.unparseable
    assert doc.status_reason and reason.lower() in doc.status_reason.lower()
    assert "\n" not in doc.status_reason
    render_outline(doc)  # the outline of a failed document works too


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>我区召开政务公开工作会议_新闻动态</title></head><body>"
        "<div class='nav'>首页 新闻</div><div class='article_content'><p>3月5日上午，区政府召开会议，"
        "部署全年政务公开工作。会议强调，要提高认识，压实责任。</p><p>会议由区长主持。</p></div></body></html>",
        "<html><head><title>404 Not Found</title></head><body><h1>404 页面不存在</h1>"
        "<p>您访问的页面不存在或已被删除。</p><a href='/'>返回首页</a></body></html>",
    ],
)
def test_not_a_report(html: str) -> None:
    doc = parse(html.encode("utf-8"))
    assert doc.status is DocumentStatus.not_a_report
    assert doc.status_reason


def test_oversized_input_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    doc = parse(big)  # not read at all: the size is checked first (bounded memory)
    assert doc.status is DocumentStatus.unparseable
    assert "limit" in (doc.status_reason or "")
    assert any(d.code == "size-capped" for d in doc.diagnostics)
    small_limit = parse(b"<p>x</p>" * 100, max_bytes=100)
    assert small_limit.status is DocumentStatus.unparseable


def test_deep_nesting_does_not_crash_or_hang() -> None:
    html = (
        "<html><body>" + "<div>" * 10_000
        + "<p>某县2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>本年度……</p>"
        + "</div>" * 10_000 + "</body></html>"
    )  # fmt: skip
    doc = parse(html.encode())
    # libxml2 drops everything below depth 256: the document says so instead of "no text".
    assert doc.status is DocumentStatus.not_a_report
    assert "255 levels deep" in (doc.status_reason or "")
    assert [d.code for d in doc.diagnostics] == ["extract-capped"]
    render_outline(doc)


def test_huge_spans_do_not_hang() -> None:
    html = (
        "<html><body><div class='TRS_Editor'><p>某县2024年政府信息公开工作年度报告</p>"
        "<p>三、收到和处理政府信息公开申请情况</p><table>"
        "<tr><td colspan='100000'>申请人情况</td><td rowspan='99999'>x</td></tr>"
        "<tr><td>1</td><td>2</td></tr></table></div></body></html>"
    )
    doc = parse(html.encode())
    table = next(doc.tables())
    assert table.n_rows * table.n_cols < 10_000


def test_fragment_and_plain_text_inputs() -> None:
    frag = "<p>一、总体情况</p><p>（一）主动公开方面。全年公开信息100条。</p><p>二、主动公开政府信息情况</p>"
    doc = parse(frag)
    assert [s.label for s in doc.sections] == ["一、总体情况", "二、主动公开政府信息情况"]
    assert doc.sections[0].children[0].run_in
    text = "第一部分 概述\n\n一、基本情况\n\n内容。\n\n第二部分 主动公开\n\n内容。"
    doc = parse(text, name="x.txt")
    assert [s.label for s in doc.sections] == ["第一部分概述", "第二部分主动公开"]
    assert doc.sections[0].children[0].label == "一、基本情况"


def test_enumeration_inside_sentence_is_not_a_heading() -> None:
    text = (
        "某县2024年政府信息公开工作年度报告\n\n一、总体情况\n\n"
        "我县第一、二季度开展检查（1）次，详见附表1.2版。\n\n二、主动公开政府信息情况\n\n无。"
    )
    doc = parse(text, name="x.txt")
    assert [s.label for s in doc.walk()] == ["一、总体情况", "二、主动公开政府信息情况"]


def test_outline_rendering() -> None:
    doc = parse(CORPUS / "pingtan-zone-2025.html")
    out = render_outline(doc)
    assert "title:      平潭综合实验区2025年度政府信息公开工作年度报告" in out
    assert "\n一、总体情况\n" in out and "\n  （一）主动公开方面 (run-in)\n" in out
    assert "[table t2: 28×10 ok]" in out


def test_gbk_page_with_a_lying_utf8_meta_is_read_as_gb18030() -> None:
    """A CMS template that says utf-8 around a GBK body: GB18030 is tried before generic
    detection, which may otherwise guess a Cyrillic code page."""
    from disclosure_check.parsing import parse

    source = (CORPUS / "pingtan-zone-2025.html").read_text(encoding="utf-8")
    doc = parse(source.encode("gb18030"))
    assert doc.meta.encoding == "gb18030"
    assert doc.meta.title == "平潭综合实验区2025年度政府信息公开工作年度报告"


def test_latin1_bytes_are_not_forced_into_gb18030() -> None:
    from disclosure_check.parsing.decode import decode

    text = "café résumé naïve déjà vu à la carte " * 300
    decoded = decode(text.encode("latin-1"))
    assert decoded.encoding != "gb18030"
    assert "caf" in decoded.text and not any("\u4e00" <= ch <= "\u9fff" for ch in decoded.text)


def test_utf8_page_with_a_stray_byte_or_cut_mid_character_stays_utf8() -> None:
    from disclosure_check.parsing import parse

    page = (CORPUS / "pingtan-zone-2025.html").read_bytes()
    expected = parse(page)
    damaged = page.replace("总体情况".encode(), b"\xff" + "总体情况".encode(), 1)
    truncated = page[: len(page) - 1]  # the last character was cut; lands mid-sequence or not
    for data in (damaged, truncated[:-2] + "政".encode()[:2]):
        doc = parse(data)
        assert doc.meta.encoding == "utf-8" and doc.meta.encoding_source == "utf-8-lossy"
        assert doc.meta.title == expected.meta.title
        assert [s.label for s in doc.sections] == [s.label for s in expected.sections]
        assert any(d.code == "decode-lossy" for d in doc.diagnostics)


def test_http_charset_is_used_for_a_page_without_its_own_declaration() -> None:
    from disclosure_check.parsing import parse

    page = "<html><body><p>某县2024年政府信息公开工作年度报告</p><p>一、总体情况</p></body></html>"
    data = page.encode("gb18030")  # short: too little text for detection to be sure
    doc = parse(data, http_charset="GBK")
    assert (doc.meta.encoding, doc.meta.encoding_source) == ("gb18030", "http-header")
    assert doc.meta.title == "某县2024年政府信息公开工作年度报告"
    # A wrong header on UTF-8 bytes is skipped, even where the bytes would pass as GB18030.
    long_page = (CORPUS / "pingtan-zone-2025.html").read_bytes()
    assert long_page.decode("utf-8")
    wrong = parse(long_page, http_charset="gbk")
    assert wrong.meta.encoding == "utf-8"
    assert wrong.meta.title == "平潭综合实验区2025年度政府信息公开工作年度报告"


@pytest.mark.parametrize(
    "name", ["shuyang-drc-2023.html", "pingtan-zone-2019.wordhtml.html", "seed-shanxi-edu-2017.txt"]
)
def test_gbk_bytes_are_recognised_without_help_from_detection(name: str) -> None:
    """GB18030 is decided by the decoder's own check (common hanzi), not left to the generic
    detector, whose answer changes between charset-normalizer versions (iso8859-5 seen)."""
    from disclosure_check.parsing.decode import _try_gb18030

    text = (CORPUS / name).read_text(encoding="utf-8")
    decoded = _try_gb18030(text.encode("gb18030"))
    assert decoded is not None and decoded.text == text
    assert _try_gb18030(text.encode("big5", errors="ignore")) is None
