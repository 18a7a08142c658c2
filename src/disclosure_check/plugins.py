"""Builds one plugin manager per Checker: built-in formats, entry-point plugins, and plugin
files or modules named in config or on the command line, each loaded and registered on its own."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookspecs
from .errors import PluginError
from .model import Diagnostic
from .registry import Registry

ENTRY_POINT_GROUP = "disclosure_check"
STRICT_ENV = "DISCLOSURE_CHECK_STRICT_PLUGINS"
DISABLE_ENV = "DISCLOSURE_CHECK_DISABLE_PLUGINS"

# Plugins of the core package itself (output formats), registered before any other.
DEFAULT_PLUGINS = ("disclosure_check.formats",)


@dataclass
class PluginSet:
    manager: pluggy.PluginManager
    registry: Registry
    diagnostics: list[Diagnostic] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)  # plugin names, in load order


def _strict_from_env() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _disabled_from_env() -> set[str]:
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def _import_plugin(spec: str) -> ModuleType:
    """A plugin named as a path to a .py file, or as an importable module name."""
    if spec.endswith(".py") or os.sep in spec or "/" in spec:
        path = Path(spec)
        if not path.is_file():
            raise PluginError(f"plugin file not found: {spec}")
        name = f"disclosure_check_local_{path.stem}_{abs(hash(str(path.resolve())))}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise PluginError(f"cannot load plugin file {spec}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def load_plugins(
    extra: Iterable[str] = (),
    *,
    disabled: Iterable[str] = (),
    strict: bool | None = None,
    entry_point_plugins: bool = True,
) -> PluginSet:
    """Load every plugin; one that fails is reported in ``diagnostics`` and skipped
    (or raises PluginError when strict)."""
    strict = _strict_from_env() if strict is None else strict
    blocked = set(disabled) | _disabled_from_env()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    result = PluginSet(pm, Registry())

    def fail(name: str, stage: str, exc: BaseException) -> None:
        msg = f"plugin {name!r} failed to {stage}: {type(exc).__name__}: {exc}"
        if strict:
            raise PluginError(msg) from exc
        result.diagnostics.append(Diagnostic(code="plugin-failed", message=msg))

    candidates: list[tuple[str, object]] = [(n, n) for n in DEFAULT_PLUGINS]
    if entry_point_plugins:
        eps = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        candidates += [(ep.name, ep) for ep in eps]
    candidates += [(spec, spec) for spec in extra]

    for name, target in candidates:
        if name in blocked:
            pm.set_blocked(name)
            result.diagnostics.append(
                Diagnostic(code="plugin-disabled", message=f"plugin {name!r} is disabled")
            )
            continue
        if pm.has_plugin(name) or pm.is_blocked(name):
            continue
        try:
            module = target.load() if hasattr(target, "load") else _import_plugin(str(target))
            pm.register(module, name=name)
        except Exception as exc:  # a broken plugin must not stop the others
            fail(name, "load", exc)
            continue
        result.loaded.append(name)

    for hook in hookspecs.HOOKS:
        caller = getattr(pm.hook, hook)
        for impl in caller.get_hookimpls():
            result.registry.current_plugin = impl.plugin_name
            try:
                impl.function(registry=result.registry)
            except PluginError:
                raise  # two plugins claiming one id is always an error
            except Exception as exc:
                fail(impl.plugin_name, f"run {hook}", exc)
    result.registry.current_plugin = "<direct>"
    return result
