"""The hooks a disclosure-check plugin may implement.

Plugins *register* things; the engine runs them (never one hookimpl per rule). Every hook gets a
``registry`` that records which plugin registered what, so a clash names both plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .registry import Registry

PROJECT = "disclosure_check"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def dc_register_rules(registry: Registry) -> None:
    """Add document rules with ``registry.add_rule(rule)`` (or ``add_rules``)."""


@hookspec
def dc_register_profiles(registry: Registry) -> None:
    """Add report formats with ``registry.add_profile_file(path)`` or ``add_profile(profile)``."""


@hookspec
def dc_register_formats(registry: Registry) -> None:
    """Add output formats with ``registry.add_format(name, formatter)``."""


@hookspec
def dc_register_batch_rules(registry: Registry) -> None:
    """Add cross-document rules (run once over a whole batch) with ``registry.add_batch_rule``."""


HOOKS = (
    "dc_register_rules",
    "dc_register_profiles",
    "dc_register_formats",
    "dc_register_batch_rules",
)
