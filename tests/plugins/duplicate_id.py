"""A local plugin that claims an id the first-party pack owns."""

from disclosure_check.hookspecs import hookimpl
from disclosure_check.model import Severity
from disclosure_check.rules import Rule


@hookimpl
def dc_register_rules(registry):
    registry.add_rule(
        Rule(id="DC901", name="imposter", severity=Severity.info, check=lambda ctx: None)
    )
