"""Settings: ``[tool.disclosure-check]`` in pyproject.toml or a ``disclosure-check.toml``,
found from the working directory upwards; command-line options override them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError, validation_summary
from .model import Severity

CONFIG_FILE = "disclosure-check.toml"


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)

    select: list[str] | None = None  # None: every rule the profile selects
    ignore: list[str] = Field(default_factory=list)
    extend_select: list[str] = Field(default_factory=list)
    profile: str = "auto"  # a profile id, a path to a profile file, or "auto"
    profiles: list[str] = Field(default_factory=list)  # extra profile files to register
    lang: str = "zh_CN"
    fail_on: Severity = Severity.error
    plugins: list[str] = Field(default_factory=list)  # plugin files or module names
    disable_plugins: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)  # rule id -> severity override
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)  # rule id -> settings
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)  # glob -> selectors
    baseline: str | None = None
    source: str | None = Field(default=None, exclude=True)  # the file it came from

    def merged(self, **overrides: Any) -> Config:
        """A copy with the given (non-None) command-line values applied."""
        data = self.model_dump(by_alias=False)
        data.update({k: v for k, v in overrides.items() if v is not None})
        cfg = Config.model_validate(data)
        cfg.source = self.source
        return cfg


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        own = folder / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "disclosure-check" in read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def read_toml(path: str | Path, what: str = "") -> dict[str, Any]:
    """A TOML file's data; an unreadable or invalid file is a one-line ConfigError.
    ``what`` names the file's role in the message ("profile file")."""
    label = f"{what} {path}".strip()
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {label}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label} is not valid TOML: {exc}") from exc


def load_config(path: Path | None = None, *, discover: bool = True) -> Config:
    """Load the config file (given, or discovered); paths inside it become absolute."""
    if path is None and discover:
        path = find_config()
    if path is None:
        return Config()
    data = read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("disclosure-check", {})
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration in {path}: {validation_summary(exc)}") from exc
    base = path.parent

    def absolute(p: str) -> str:
        return str(base / p) if (p.endswith((".py", ".toml")) or "/" in p) else p

    cfg.plugins = [absolute(p) for p in cfg.plugins]
    cfg.profiles = [absolute(p) for p in cfg.profiles]
    if cfg.profile.endswith(".toml"):
        cfg.profile = absolute(cfg.profile)
    if cfg.baseline:
        cfg.baseline = str(base / cfg.baseline)
    cfg.source = str(path)
    return cfg
