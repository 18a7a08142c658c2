"""What plugins registered: rules, batch rules, profiles and output formats, each with its owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from .config import read_toml
from .errors import ConfigError, PluginError, validation_summary
from .model import Profile, RunResult
from .model.profile import merge_sections
from .rules import Rule


class Formatter(Protocol):
    """An output format: renders a whole run (one or many reports) to text."""

    def __call__(self, result: RunResult, *, lang: str, color: bool = False) -> str: ...


@dataclass
class Registry:
    rules: dict[str, Rule] = field(default_factory=dict)
    batch_rules: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    formats: dict[str, Formatter] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # "rule:DC101" -> plugin name
    _raw_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    current_plugin: str = "<direct>"

    def _claim(self, kind: str, key: str) -> None:
        owner_key = f"{kind}:{key}"
        if owner_key in self.owners:
            raise PluginError(
                f"{kind} {key!r} is registered twice: by plugin {self.owners[owner_key]!r} "
                f"and by plugin {self.current_plugin!r}"
            )
        self.owners[owner_key] = self.current_plugin

    def add_rule(self, rule: Rule) -> None:
        self._claim("rule", rule.id)
        self.rules[rule.id] = rule

    def add_rules(self, rules: Iterable[Rule]) -> None:
        for rule in rules:
            self.add_rule(rule)

    def add_batch_rule(self, rule: Any) -> None:
        self._claim("rule", rule.id)
        self.batch_rules[rule.id] = rule

    def add_format(self, name: str, formatter: Formatter) -> None:
        self._claim("format", name)
        self.formats[name] = formatter

    def add_profile(self, data: dict[str, Any], source: str = "<direct>") -> None:
        """Register a profile from its raw data; ``extends`` is resolved when it is first used."""
        pid = data.get("id")
        if not isinstance(pid, str) or not pid:
            raise ConfigError(f"{source}: a profile needs a string 'id'")
        self._claim("profile", pid)
        self._raw_profiles[pid] = {**data, "source": source}
        self.profiles.pop(pid, None)

    def add_profile_file(self, path: str | Path) -> str:
        data = read_toml(path, "profile file")
        self.add_profile(data, str(path))
        return str(data["id"])

    def profile(self, pid: str) -> Profile:
        """The resolved profile (``extends`` merged), validated; raises ConfigError."""
        if pid not in self.profiles:
            self.profiles[pid] = self._resolve(pid, ())
        return self.profiles[pid]

    def profile_ids(self) -> list[str]:
        return sorted(self._raw_profiles)

    def _resolve(self, pid: str, seen: tuple[str, ...]) -> Profile:
        if pid in seen:
            raise ConfigError(f"profile {pid!r} extends itself: {' -> '.join((*seen, pid))}")
        raw = self._raw_profiles.get(pid)
        if raw is None:
            known = ", ".join(self.profile_ids()) or "none"
            raise ConfigError(f"unknown profile {pid!r} (known: {known})")
        data = dict(raw)
        parent = data.get("extends")
        if parent:
            base = self._resolve(parent, (*seen, pid)).model_dump(exclude={"auto"})
            data = merge_profile(base, data)
        try:
            return Profile.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(
                f"invalid profile {pid!r} ({raw.get('source')}): {validation_summary(exc)}"
            ) from exc


def merge_profile(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child's keys replace its parent's, except ``options``, merged per rule, and
    ``sections``, whose entries inherit unlisted fields from the parent's section of that key."""
    merged = {**base, **child}
    options = {k: dict(v) for k, v in base.get("options", {}).items()}
    for rule_id, opts in child.get("options", {}).items():
        options[rule_id] = {**options.get(rule_id, {}), **opts}
    merged["options"] = options
    if "sections" in child:  # listed sections inherit the parent's fields of the same key
        merged["sections"] = merge_sections(base.get("sections", []), child["sections"])
    return merged
