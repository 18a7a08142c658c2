"""Every hook is documented (docstring + the plugin guide) and exercised by a test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from disclosure_check import hookspecs
from disclosure_check.plugins import load_plugins

ROOT = Path(__file__).parent.parent
GUIDE = (ROOT / "docs" / "writing-rules.md").read_text(encoding="utf-8")


def test_hooks_tuple_lists_every_spec() -> None:
    specs = sorted(n for n, f in inspect.getmembers(hookspecs) if n.startswith("dc_"))
    assert sorted(hookspecs.HOOKS) == specs


@pytest.mark.parametrize("name", hookspecs.HOOKS)
def test_hook_is_documented(name: str) -> None:
    assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
    assert f"`{name}(registry)`" in GUIDE, f"{name} is not in docs/writing-rules.md"


@pytest.mark.parametrize("name", hookspecs.HOOKS)
def test_hook_has_an_implementation_that_loads(name: str) -> None:
    # The first-party pack, the core formats or the example plugin implement every hook, so the
    # plugin tests exercise each one.
    manager = load_plugins().manager
    assert getattr(manager.hook, name).get_hookimpls(), f"no plugin implements {name}"
