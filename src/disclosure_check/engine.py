"""The Checker: parse a report, choose its profile, run the selected rules (each isolated, in id
order) and return a DocumentReport with exactly one outcome per selected rule."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import traceback
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .errors import ConfigError, InputError
from .i18n import localized_note, normalize_lang, t
from .model import (
    Diagnostic,
    Document,
    DocumentReport,
    DocumentStatus,
    Finding,
    Location,
    Outcome,
    Profile,
    RuleInfo,
    RuleOutcome,
    RunResult,
    Severity,
)
from .plugins import PluginSet, load_plugins
from .registry import Registry
from .rules import Report, Rule, RuleContext, Verdict, localize, specificity

REPORT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt", ".md", ".markdown")
Source = Document | str | bytes | os.PathLike[str]


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; directories walked for report files. Sorted for deterministic output."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in REPORT_SUFFIXES
                and not p.name.startswith(".")
            ]
            out.extend(sorted(found))
        else:
            out.append(path)
    return out


def fingerprint(rule_id: str, section: str | None, anchor: str) -> str:
    """Stable across edits elsewhere in the page: no line numbers, whitespace folded."""
    norm = re.sub(r"\s+", "", unicodedata.normalize("NFKC", anchor))
    digest = hashlib.sha256(f"{rule_id}\x1f{section or ''}\x1f{norm}".encode()).hexdigest()
    return digest[:20]


class Checker:
    """Owns its plugins, configuration and caches; build one per configuration (no global state)."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        plugins: Sequence[str] = (),
        entry_point_plugins: bool = True,
        strict_plugins: bool | None = None,
        **overrides: Any,
    ) -> None:
        base = config or Config()
        self.config = base.merged(**overrides) if overrides else base
        self.config.plugins = [*self.config.plugins, *plugins]
        self.lang = normalize_lang(self.config.lang)
        self._entry_point_plugins = entry_point_plugins
        self._strict = strict_plugins
        self._plugins: PluginSet | None = None
        self._profile_files: dict[str, str] = {}
        self._selection_valid = False  # profile file path -> the id it registered

    # -- plugins and profiles ---------------------------------------------------------------

    @property
    def plugin_set(self) -> PluginSet:
        if self._plugins is None:  # loaded lazily: importing the package stays cheap
            self._plugins = load_plugins(
                self.config.plugins,
                disabled=self.config.disable_plugins,
                strict=self._strict,
                entry_point_plugins=self._entry_point_plugins,
            )
            for path in self.config.profiles:
                self._plugins.registry.add_profile_file(path)
        return self._plugins

    @property
    def registry(self) -> Registry:
        return self.plugin_set.registry

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self.plugin_set.diagnostics)

    def profile(self, spec: str) -> Profile:
        """A profile by id, or by path to a TOML file (registered on first use)."""
        if spec.endswith(".toml"):
            if spec not in self._profile_files:
                self._profile_files[spec] = self.registry.add_profile_file(spec)
            return self.registry.profile(self._profile_files[spec])
        return self.registry.profile(spec)

    def choose_profile(self, doc: Document, spec: str | None = None) -> tuple[Profile | None, str]:
        spec = spec or self.config.profile
        lang = self.lang
        if spec != "auto":
            return self.profile(spec), t("profile-given", lang)
        meta = doc.meta
        organ_text = " ".join(x for x in (meta.organ, meta.title) if x)
        best: tuple[int, str, str] | None = None
        for pid in self.registry.profile_ids():
            auto = self.registry.profile(pid).auto
            if auto is None:
                continue
            if auto.kinds and meta.kind not in auto.kinds:
                continue
            year = meta.report_year
            if (auto.year_min is not None or auto.year_max is not None) and year is None:
                continue
            if auto.year_min is not None and year is not None and year < auto.year_min:
                continue
            if auto.year_max is not None and year is not None and year > auto.year_max:
                continue
            pattern = ""
            if auto.organ_pattern:
                if not re.search(auto.organ_pattern, organ_text):
                    continue
                pattern = t("profile-auto-organ", lang, pattern=auto.organ_pattern)
            key = (auto.priority, pid, pattern)
            if best is None or key[0] > best[0]:
                best = key
        unknown = t("unknown", lang)
        year_text = str(meta.report_year) if meta.report_year else unknown
        if best is None:
            return None, t("no-profile", lang, kind=meta.kind.value, year=year_text)
        _, pid, pattern = best
        reason = t(
            "profile-auto", lang, kind=meta.kind.value, year=year_text, organ=pattern, profile=pid
        )
        return self.registry.profile(pid), reason

    # -- selection --------------------------------------------------------------------------

    def unknown_selectors(self) -> list[tuple[str, str]]:
        """(option, selector) pairs that match no registered rule, document or batch. Selectors
        are case-sensitive prefixes, so ``dc1`` or a typo would otherwise select nothing."""
        known = [*self.registry.rules, *self.registry.batch_rules]
        cfg = self.config
        groups = [
            ("select", cfg.select or []),
            ("extend-select", cfg.extend_select),
            ("ignore", cfg.ignore),
            *((f"per-file-ignores[{glob!r}]", sels) for glob, sels in cfg.per_file_ignores.items()),
        ]
        return [
            (option, s)
            for option, selectors in groups
            for s in selectors
            if s != "ALL" and not any(rule_id.startswith(s) for rule_id in known)
        ]

    def validate_selection(self) -> None:
        """Raise ConfigError when --select/--extend-select/--ignore names no rule: a selection
        that silently matches nothing would report a clean run that checked nothing."""
        bad = self.unknown_selectors()
        if bad:
            option, selector = bad[0]
            raise ConfigError(
                f"{option}: {selector!r} matches no rule (rule ids and prefixes are "
                "case-sensitive, e.g. DC1 or DC101; see `disclosure-check rules`)"
            )

    def selected_rules(self, source: str | None = None) -> list[Rule]:
        """The rules the configuration selects (ruff semantics), in id order."""
        if not self._selection_valid:  # once per Checker: the rules and selectors do not change
            self.validate_selection()
            self._selection_valid = True
        cfg = self.config
        select = cfg.select if cfg.select is not None else ["ALL"]
        select = [*select, *cfg.extend_select]
        ignore = list(cfg.ignore)
        if source:
            for pattern, selectors in cfg.per_file_ignores.items():
                if fnmatch.fnmatch(source, pattern) or fnmatch.fnmatch(Path(source).name, pattern):
                    ignore.extend(selectors)
        chosen = []
        for rule_id in sorted(self.registry.rules):
            if specificity(rule_id, select) > specificity(rule_id, ignore):
                chosen.append(self.registry.rules[rule_id])
        return chosen

    # -- checking ---------------------------------------------------------------------------

    def parse(
        self, source: Source, *, name: str | None = None, http_charset: str | None = None
    ) -> Document:
        if isinstance(source, Document):
            return source
        from .parsing import parse  # lazy: the parser is only needed when checking

        doc = parse(source, http_charset=http_charset)
        if name:
            doc.source = name
        return doc

    def check(
        self, source: Source, *, profile: str | None = None, name: str | None = None
    ) -> DocumentReport:
        doc = self.parse(source, name=name)
        chosen, reason = self.choose_profile(doc, profile)
        report = DocumentReport(
            source=doc.source,
            status=doc.status,
            status_reason=doc.status_reason,
            profile=chosen.id if chosen else None,
            profile_reason=reason,
            lang=self.lang,
            meta=doc.meta,
            diagnostics=[*doc.diagnostics],
            tool_version=__version__,
        )
        cache: dict[str, Any] = {}
        for rule in self.selected_rules(doc.source):
            report.outcomes.append(self._run_rule(rule, doc, chosen, reason, cache))
        return report

    def _run_rule(
        self,
        rule: Rule,
        doc: Document,
        profile: Profile | None,
        profile_reason: str,
        cache: dict[str, Any],
    ) -> RuleOutcome:
        lang = self.lang

        def outcome(kind: Outcome, reason: str | None = None) -> RuleOutcome:
            return RuleOutcome(rule_id=rule.id, rule_name=rule.name, outcome=kind, reason=reason)

        if doc.status != DocumentStatus.ok:
            if not rule.any_status:
                reason = localize(localized_note(doc.status_reason or doc.status.value), lang)
                return outcome(Outcome.not_applicable, t("document-not-ok", lang, reason=reason))
            # Input rules judge the file itself, so they run whether or not a format applies.
            profile = profile or Profile(id="none")
        if profile is None:
            return outcome(Outcome.needs_review, profile_reason)
        if specificity(rule.id, profile.select) <= specificity(rule.id, profile.ignore):
            return outcome(
                Outcome.not_applicable, t("profile-excludes-rule", lang, profile=profile.id)
            )

        options = {**profile.rule_options(rule.id), **self.config.options.get(rule.id, {})}
        ctx = RuleContext(doc=doc, profile=profile, options=options, cache=cache)
        try:
            rule.check(ctx)
        except Verdict as verdict:
            result = outcome(
                Outcome(verdict.outcome), rule.message(verdict.key, lang, verdict.arguments)
            )
        except Exception as exc:  # one crashing rule never stops the others
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            error = f"{type(exc).__name__}: {exc} ({where})"
            return outcome(Outcome.error, t("rule-crashed", lang, error=error))
        else:
            result = outcome(Outcome.failed if ctx.reports else Outcome.passed)
        result.findings = [self._finding(rule, r, doc) for r in ctx.reports]
        if result.findings and result.outcome == Outcome.passed:
            result.outcome = Outcome.failed
        return result

    def _finding(self, rule: Rule, rep: Report, doc: Document) -> Finding:
        return self.finding(rule, rep, Location(line=1, column=1, snippet=doc.meta.title or ""))

    def finding(
        self, rule: Rule, rep: Report, default_location: Location, *, scope: str = ""
    ) -> Finding:
        """Render a rule's report into a Finding in this checker's language and severities.
        ``scope`` prefixes the fingerprint anchor (batch rules: the unit the finding is about)."""
        lang = self.lang
        severity = self.config.severity.get(rule.id) or rep.severity or rule.severity
        location = rep.location or default_location
        anchor = rep.anchor
        if anchor is None:
            anchor = rep.key + json.dumps(rep.args, sort_keys=True, ensure_ascii=False, default=str)
        return Finding(
            rule_id=rule.id,
            rule_name=rule.name,
            severity=Severity(severity),
            message=rule.message(rep.key, lang, rep.args),
            message_key=rep.key,
            args=rep.args,
            basis=localize(rule.basis, lang) or None,
            suggestion=rule.suggestion(rep.key, lang, rep.args),
            location=location,
            data=rep.data,
            fingerprint=fingerprint(rule.id, location.section, scope + anchor),
        )

    def check_paths(
        self, paths: Iterable[str | os.PathLike[str]], *, profile: str | None = None
    ) -> RunResult:
        """Check many files; a file that cannot be read becomes an unparseable report."""
        self.validate_selection()  # before the (slow) parsing of every file
        result = RunResult(tool_version=__version__, lang=self.lang, diagnostics=self.diagnostics)
        for path in expand_paths(paths):
            try:
                result.reports.append(self.check(path, profile=profile, name=str(path)))
            except ConfigError:
                raise  # a bad profile or configuration concerns every file: stop with its message
            except InputError as exc:
                result.reports.append(self._unreadable(path, str(exc)))
            except Exception as exc:  # one file's failure never stops the run
                reason = f"internal error while checking: {type(exc).__name__}: {exc}"
                result.reports.append(self._unreadable(path, reason))
                result.diagnostics.append(
                    Diagnostic(code="internal-error", message=f"{path}: {reason}")
                )
        result.rules = self.rule_catalogue(o.rule_id for r in result.reports for o in r.outcomes)
        return result

    def _unreadable(self, path: Path, reason: str) -> DocumentReport:
        return DocumentReport(
            source=str(path),
            status=DocumentStatus.unparseable,
            status_reason=reason,
            lang=self.lang,
            tool_version=__version__,
        )

    def rule_catalogue(self, rule_ids: Iterable[str]) -> list[RuleInfo]:
        """Metadata of the given rules in the run's language, in id order (for formatters)."""
        lang = self.lang
        infos = []
        for rule_id in sorted(set(rule_ids)):
            rule = self.registry.rules.get(rule_id)
            if rule is None:
                continue
            doc = rule.docs.get(lang) or next(iter(rule.docs.values()), None)
            basis = localize(rule.basis, lang) or None
            help_parts = [] if doc is None else [doc.summary.strip()]
            if doc is not None:
                for label, text in (
                    ("what", doc.what),
                    ("why", doc.why),
                    ("example", doc.example),
                    ("fix", doc.fix),
                ):
                    if text.strip():
                        help_parts.append(f"## {t('label.' + label, lang)}\n\n{text.strip()}")
            if basis:
                help_parts.append(f"{t('label.basis', lang)}: {basis}")
            infos.append(
                RuleInfo(
                    id=rule.id,
                    name=rule.name,
                    severity=Severity(self.config.severity.get(rule.id) or rule.severity),
                    summary=doc.summary.strip() if doc else "",
                    description=doc.what.strip() if doc else "",
                    help="\n\n".join(p for p in help_parts if p),
                    basis=basis,
                    plugin=self.registry.owners.get(f"rule:{rule.id}"),
                )
            )
        return infos


def check(source: Source, **kwargs: Any) -> DocumentReport:
    """Check one report with a fresh Checker: ``check("report.html", profile="gov-2021")``."""
    profile = kwargs.pop("profile", None)
    return Checker(**kwargs).check(source, profile=profile)
