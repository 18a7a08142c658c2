"""A local plugin that imports fine but fails while registering."""

from disclosure_check.hookspecs import hookimpl


@hookimpl
def dc_register_rules(registry):
    raise KeyError("missing data file")
