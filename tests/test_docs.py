"""The examples in the README and docs/ are real: Python blocks run, TOML blocks validate,
and the CLI usage lists every subcommand."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tomllib
from pathlib import Path

import pytest

from disclosure_check import Checker
from disclosure_check.cli import build_parser
from disclosure_check.config import Config

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _blocks(lang: str) -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        for i, (kind, body) in enumerate(FENCE.findall(path.read_text(encoding="utf-8"))):
            if kind == lang:
                out.append((f"{path.name}#{i}", body))
    return out


PYTHON = _blocks("python")
TOML = _blocks("toml")


@pytest.mark.parametrize(("where", "code"), PYTHON, ids=[w for w, _ in PYTHON])
def test_python_examples_run(where: str, code: str) -> None:
    if "def check(ctx" in code or "@CATALOG.rule" in code:
        pytest.skip("a fragment of a rule module, shown in full in examples/dc-plugin-example")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, where, "exec"), {"__name__": "__doc_example__"})
    finally:
        os.chdir(cwd)
    assert out.getvalue().strip(), f"{where} printed nothing"


@pytest.mark.parametrize(("where", "text"), TOML, ids=[w for w, _ in TOML])
def test_toml_examples_validate(where: str, text: str) -> None:
    data = tomllib.loads(text)
    if "disclosure-check" in data.get("tool", {}):
        Config.model_validate(data["tool"]["disclosure-check"])
    elif "pytest" in data.get("tool", {}):
        options = data["tool"]["pytest"]["ini_options"]
        assert all(k.startswith("disclosure_check") for k in options)
    elif "id" in data:
        checker = Checker()
        checker.registry.add_profile(data, where)
        assert checker.registry.profile(data["id"]).id == data["id"]
    elif "project" in data:  # a plugin package's pyproject.toml
        assert "disclosure_check" in data["project"]["entry-points"]
    else:  # a rule catalog entry
        assert all("name" in entry for entry in data.values())


def test_readme_lists_every_subcommand() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"disclosure-check {name}" in readme, f"README does not show `{name}`"


def test_rule_catalogue_document_is_in_step_with_the_rules() -> None:
    from disclosure_check.plugins import load_plugins
    from disclosure_check.ruledocs import catalogue_markdown

    registry = load_plugins(disabled=["example"]).registry
    rules = [*registry.rules.values(), *registry.batch_rules.values()]
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == catalogue_markdown(rules, registry.owners), (
        "docs/rules.md is stale: disclosure-check rules --format markdown "
        "--disable-plugin example > docs/rules.md"
    )
