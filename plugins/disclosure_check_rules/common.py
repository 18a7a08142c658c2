"""Small helpers shared by the pack's rules."""

from __future__ import annotations

from importlib.resources import files

from disclosure_check.rules import Catalog


def catalog(name: str) -> Catalog:
    """The catalog file ``catalog/<name>.toml`` of this pack."""
    return Catalog.load(str(files(__package__).joinpath("catalog", f"{name}.toml")))
