"""Built-in output formats, one module each, registered like any plugin's formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from . import github, gitlab, grouped, json_format, jsonl, junit, sarif, text

if TYPE_CHECKING:
    from ..registry import Registry


@hookimpl
def dc_register_formats(registry: Registry) -> None:
    registry.add_format("text", text.render)
    registry.add_format("json", json_format.render)
    registry.add_format("jsonl", jsonl.render)
    registry.add_format("grouped", grouped.render)
    registry.add_format("sarif", sarif.render)
    registry.add_format("junit", junit.render)
    registry.add_format("github", github.render)
    registry.add_format("gitlab", gitlab.render)
