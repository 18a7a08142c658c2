"""User-facing text of the core (engine reasons, CLI words) in zh_CN (default) and en.

Rule messages live with their rules (see ``disclosure_check.rules.Catalog``)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from ..rules import DEFAULT_LANG, LANGS, localize, render

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue", "normalize_lang", "t"]


@cache
def catalogue() -> dict[str, dict[str, str]]:
    with files(__package__).joinpath("messages.toml").open("rb") as fh:
        return tomllib.load(fh)


def normalize_lang(lang: str | None) -> str:
    """Accept zh, zh-CN, zh_CN, en, en-US …; anything else falls back to zh_CN."""
    if not lang:
        return DEFAULT_LANG
    low = lang.replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **args: Any) -> str:
    text = localize(catalogue().get(key), normalize_lang(lang))
    return render(text, args) if text else key
