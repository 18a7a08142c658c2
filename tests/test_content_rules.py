"""DC40x on hand-built Documents: allow-lists and thresholds."""

from __future__ import annotations

import pytest
from test_dates_rules import make_doc, run

from disclosure_check.model import Paragraph, Section


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("详见 http://www.example.gov.cn/xxgk/XX/index.html 。", "passed"),  # inside a URL
        ("邮箱：xxgk@example.com。", "passed"),
        ("20XX年，我局共收到申请X件。", "failed"),
        ("（文字描述）", "failed"),
        ("某某局负责此项工作。", "failed"),
    ],
)
def test_dc401_placeholders(text: str, expected: str) -> None:
    assert run(make_doc(text), "DC401").outcome.value == expected


def _with_section(heading: str, *texts: str):
    doc = make_doc("总体情况正文。")
    sec = Section(number="五、", ordinal=5, heading=heading, heading_raw=f"五、{heading}")
    sec.blocks = [Paragraph(text=t) for t in texts]
    doc.sections.append(sec)
    return doc


def test_dc402_thin_and_full() -> None:
    thin = _with_section("存在的主要问题及改进情况", "工作还有不足，将改进。")
    assert run(thin, "DC402").findings[0].message_key == "short"
    full = _with_section(
        "存在的主要问题及改进情况",
        "对照上年度报告所列问题，已完成整改。本年度仍存在政策解读形式单一、信息更新不够及时等问题。"
        "下一步，我局将加强培训，完善审核机制，提升公开质量和时效。",
    )
    assert run(full, "DC402").outcome.value == "passed"


def test_dc406_allow_list_and_single_characters() -> None:
    assert run(make_doc("常常开展公开开展活动，研究研究再定。"), "DC406").outcome.value == "passed"
    assert run(make_doc("加强资金资金管理。"), "DC406").outcome.value == "failed"


def test_dc407_contact() -> None:
    assert run(make_doc("联系电话：0591-12345678。"), "DC407").outcome.value == "passed"
    assert run(make_doc("年报可在门户网站下载。"), "DC407").outcome.value == "failed"
