"""User-facing text of the core (engine reasons, CLI words) in zh_CN (default) and en.

Rule messages live with their rules (see ``disclosure_check.rules.Catalog``)."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from ..errors import ConfigError
from ..rules import DEFAULT_LANG, LANGS, localize, render

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue", "localized_note", "normalize_lang", "t"]


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Keys flattened: the TOML table ``[severity.error]`` is the key ``severity.error``."""
    with files(__package__).joinpath("messages.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            out[prefix + key] = value
        if isinstance(value, dict):
            out.update(
                _flatten({k: v for k, v in value.items() if isinstance(v, dict)}, f"{prefix}{key}.")
            )
    return out


def normalize_lang(lang: str | None) -> str:
    """zh, zh-CN, zh_CN, zh-Hans → zh_CN; en, en-US, en_GB … → en; None → zh_CN.
    Any other language is a ConfigError: silently answering in Chinese would hide a typo."""
    if not lang:
        return DEFAULT_LANG
    low = lang.replace("-", "_").lower()
    if low == "en" or low.startswith("en_"):
        return "en"
    if low in ("zh", "zh_cn", "zh_hans", "zh_hans_cn"):
        return DEFAULT_LANG
    raise ConfigError(f"unknown language {lang!r}: use zh_CN (default) or en")


def t(key: str, lang: str = DEFAULT_LANG, **args: Any) -> str:
    text = localize(catalogue().get(key), normalize_lang(lang))
    return render(text, args) if text else key


@cache
def _note_patterns() -> list[tuple[re.Pattern[str], str]]:
    with files(__package__).joinpath("notes.toml").open("rb") as fh:
        entries = tomllib.load(fh)["notes"]
    return [(re.compile(e["pattern"]), e["zh_CN"]) for e in entries]


def localized_note(text: str) -> dict[str, str]:
    """The parser writes its notes and reasons in English (they are logs and data too); whoever
    shows one to a user gives it in both languages. Parts separated by "; " are translated one
    by one with the patterns of notes.toml; an unknown part stays as it is in both."""
    zh_parts = []
    for part in text.split("; "):
        for pattern, template in _note_patterns():
            m = pattern.fullmatch(part)
            if m:
                zh_parts.append(template.format(*m.groups()))
                break
        else:
            zh_parts.append(part)
    return {"zh_CN": "；".join(zh_parts), "en": text}
