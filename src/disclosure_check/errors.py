"""Exceptions that carry a clear, one-line message for the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class DisclosureCheckError(Exception):
    """Base class: the CLI prints ``str(exc)`` on one line and exits 2."""


class InputError(DisclosureCheckError):
    """A file cannot be read at all (missing, a directory, permission denied)."""


class ConfigError(DisclosureCheckError):
    """The configuration or a profile file is invalid."""


class PluginError(DisclosureCheckError):
    """A plugin failed to load or register, or two plugins claim the same rule id."""


def validation_summary(exc: ValidationError) -> str:
    """A pydantic error as one line: ``fial-on: extra inputs are not permitted; …``
    (pydantic's own text spans several lines and ends in a documentation URL)."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ())) or "(top level)"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or str(exc).splitlines()[0]
