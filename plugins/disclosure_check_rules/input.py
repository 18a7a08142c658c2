"""DC9xx: input problems. They run on every document, readable or not."""

from __future__ import annotations

from disclosure_check.i18n import localized_note
from disclosure_check.model import DocumentStatus
from disclosure_check.rules import RuleContext

from .common import catalog

CATALOG = catalog("input")


@CATALOG.rule("DC901")
def unreadable(ctx: RuleContext) -> None:
    if ctx.doc.status == DocumentStatus.unparseable:
        ctx.report("unreadable", reason=localized_note(ctx.doc.status_reason or ""))


@CATALOG.rule("DC902")
def not_a_report(ctx: RuleContext) -> None:
    if ctx.doc.status == DocumentStatus.unparseable:
        ctx.not_applicable("unreadable")
    if ctx.doc.status == DocumentStatus.not_a_report:
        ctx.report("not-a-report", reason=localized_note(ctx.doc.status_reason or ""))
