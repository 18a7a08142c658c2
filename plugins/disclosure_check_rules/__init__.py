"""The first-party rule pack of disclosure-check.

Found through the ``disclosure_check`` entry point exactly like a third-party pack. Every module
of this package that defines ``CATALOG`` (a :class:`disclosure_check.rules.Catalog`) contributes
its rules; every ``profiles/*.toml`` file is a profile.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.resources import files

from disclosure_check.hookspecs import hookimpl
from disclosure_check.registry import Registry
from disclosure_check.rules import Catalog

PACKAGE_VERSION = "0.1.0"


def _catalogs() -> list[Catalog]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        catalog = getattr(module, "CATALOG", None)
        if isinstance(catalog, Catalog):
            found.append(catalog)
    return found


@hookimpl
def dc_register_rules(registry: Registry) -> None:
    for catalog in _catalogs():
        registry.add_rules(catalog.rules)


@hookimpl
def dc_register_batch_rules(registry: Registry) -> None:
    # Cross-report rules (DC5xx), run by `disclosure-check audit` over a whole batch.
    from . import crossdoc

    for rule in crossdoc.CROSSDOC.rules:
        registry.add_batch_rule(rule)


@hookimpl
def dc_register_profiles(registry: Registry) -> None:
    folder = files(__name__).joinpath("profiles")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            registry.add_profile_file(str(entry))
