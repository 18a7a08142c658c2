"""pytest plugin: each report file becomes a test file, each selected rule a test item.

    pytest --disclosure-check reports/            # every report file pytest visits
    [tool.pytest.ini_options]
    disclosure_check_paths = ["reports"]          # or: report files below these paths only
                                                  # (added to the run when no path is given)

Items are ``reports/x.html::DC101``: ``failed`` fails with the findings (line, message,
suggestion), ``not_applicable`` and ``needs_review`` skip with their reason, a crashed rule
fails with the crash. Settings come from the project's disclosure-check configuration, with
``--disclosure-check-profile`` / ``disclosure_check_profile`` on top.

The plugin is loaded in every pytest run where the package is installed, so it stays inert
unless configured: without the option or the ini setting its hooks return at once, no Checker
is built and no rule pack is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .engine import Checker
    from .model import DocumentReport, RuleOutcome

# Kept in step with engine.REPORT_SUFFIXES (a test checks it) so that inert runs import nothing.
REPORT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt", ".md", ".markdown")
_CHECKER = pytest.StashKey["Checker"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("disclosure-check", "checking disclosure annual reports")
    group.addoption(
        "--disclosure-check",
        action="store_true",
        default=False,
        help="collect report files (.html/.txt/.md) as tests, one item per rule",
    )
    group.addoption(
        "--disclosure-check-profile", default=None, help="profile id or file (default: auto)"
    )
    parser.addini(
        "disclosure_check_paths",
        type="paths",
        default=[],
        help="report files or folders to check (enables the disclosure-check plugin)",
    )
    parser.addini("disclosure_check_profile", default="", help="profile id or file")


def _paths(config: pytest.Config) -> list[Path]:
    return list(config.getini("disclosure_check_paths"))


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("disclosure_check", False)) or bool(_paths(config))


def pytest_configure(config: pytest.Config) -> None:
    paths = _paths(config)
    # ini paths alone (no command-line paths): check them even outside `testpaths`
    if paths and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [*config.args, *(str(p) for p in paths if str(p) not in config.args)]


def _wanted(config: pytest.Config, file_path: Path) -> bool:
    if file_path.suffix.lower() not in REPORT_SUFFIXES or file_path.name.startswith("."):
        return False
    paths = _paths(config)
    if not paths:
        return True  # --disclosure-check: every report file pytest visits
    return any(file_path == p or p in file_path.parents for p in paths)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not _enabled(parent.config) or not _wanted(parent.config, file_path):
        return None
    return ReportFile.from_parent(parent, path=file_path)


def _checker(config: pytest.Config) -> Checker:
    """One Checker per session, configured like the CLI from the project's configuration."""
    if _CHECKER not in config.stash:
        from .config import find_config, load_config
        from .engine import Checker

        config.stash[_CHECKER] = Checker(load_config(find_config(config.rootpath), discover=False))
    return config.stash[_CHECKER]


def _profile(config: pytest.Config) -> str | None:
    return (
        config.getoption("disclosure_check_profile")
        or config.getini("disclosure_check_profile")
        or None
    )


class ReportFile(pytest.File):
    """A report; its items are the selected rules, in id order (deterministic for xdist)."""

    _report: DocumentReport | None = None
    _error: str | None = None

    def collect(self) -> Iterator[pytest.Item]:
        checker = _checker(self.config)
        source = self._source()
        for rule in checker.selected_rules(source):
            yield RuleItem.from_parent(self, name=rule.id, rule_name=rule.name)

    def _source(self) -> str:
        try:
            return self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            return str(self.path)

    def report(self) -> DocumentReport:
        """Checked once, on the first item that runs (collection stays cheap)."""
        if self._report is None:
            from .errors import InputError

            checker = _checker(self.config)
            profile = _profile(self.config)
            try:
                self._report = checker.check(self.path, profile=profile, name=self._source())
            except InputError as exc:
                raise DisclosureCheckFailure(self._source(), [f"unreadable: {exc}"]) from exc
        return self._report


class DisclosureCheckFailure(Exception):
    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.title = title
        self.lines = lines


class RuleItem(pytest.Item):
    def __init__(self, *, rule_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_name = rule_name

    @property
    def report_file(self) -> ReportFile:
        assert isinstance(self.parent, ReportFile)
        return self.parent

    def _outcome(self) -> RuleOutcome:
        report = self.report_file.report()
        for outcome in report.outcomes:
            if outcome.rule_id == self.name:
                return outcome
        raise DisclosureCheckFailure(f"{self.name}: no outcome", [])

    def runtest(self) -> None:
        from .model import Outcome

        outcome = self._outcome()
        if outcome.outcome in (Outcome.not_applicable, Outcome.needs_review):
            reason = outcome.outcome.value
            pytest.skip(f"{reason}: {outcome.reason}" if outcome.reason else reason)
        if outcome.outcome == Outcome.error:
            raise DisclosureCheckFailure(
                f"{self.name} {self.rule_name}: rule error", [outcome.reason or ""]
            )
        if outcome.outcome == Outcome.failed:
            path = self.report_file._source()
            lines = []
            for f in outcome.findings:
                line = f.location.line or 1
                col = f":{f.location.column}" if f.location.column else ""
                lines.append(f"{path}:{line}{col}: [{f.severity.value}] {f.message}")
                if f.location.snippet:
                    lines.append(f"    | {' '.join(f.location.snippet.split())[:120]}")
                if f.suggestion:
                    lines.append(f"    → {f.suggestion}")
            title = f"{self.name} {self.rule_name}: {len(outcome.findings)} finding(s)"
            raise DisclosureCheckFailure(title, lines)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, DisclosureCheckFailure):
            return "\n".join([excinfo.value.title, *excinfo.value.lines])
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.report_file._source()}::{self.name} {self.rule_name}"
