"""An example rule pack: one rule (EX001) and one provincial profile, found via the entry point."""

from __future__ import annotations

import re
from pathlib import Path

from disclosure_check.hookspecs import hookimpl
from disclosure_check.model import Paragraph
from disclosure_check.registry import Registry
from disclosure_check.rules import Catalog, RuleContext

HERE = Path(__file__).parent
CATALOG = Catalog.load(HERE / "rules.toml")

# A signature date such as "2018年3月5日" on a line of its own near the end of the report.
SIGNATURE_DATE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")


@CATALOG.rule("EX001")
def signature_present(ctx: RuleContext) -> None:
    tail = [p for _, p in ctx.doc.paragraphs()][-ctx.options.get("last_paragraphs", 8) :]
    if not tail:
        ctx.not_applicable("no-text")
    if not any(SIGNATURE_DATE.match(p.text) for p in tail if isinstance(p, Paragraph)):
        ctx.report("missing", location=tail[-1].location)


@hookimpl
def dc_register_rules(registry: Registry) -> None:
    registry.add_rules(CATALOG.rules)


@hookimpl
def dc_register_profiles(registry: Registry) -> None:
    registry.add_profile_file(HERE / "example-province-2025.toml")
