"""A local plugin whose rule crashes on every document; the other rules must still run."""

from disclosure_check.hookspecs import hookimpl
from disclosure_check.model import Severity
from disclosure_check.rules import Rule, RuleContext


def _crash(ctx: RuleContext) -> None:
    raise ZeroDivisionError("boom")


@hookimpl
def dc_register_rules(registry):
    registry.add_rule(
        Rule(
            id="ZZ001",
            name="always-crashes",
            severity=Severity.error,
            check=_crash,
            messages={},
            docs={},
        )
    )
