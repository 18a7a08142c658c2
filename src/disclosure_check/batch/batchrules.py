"""Running the batch rules over an audit's entries: each rule isolated (a crash gives ``error``
for that rule on every report), one outcome per (report, rule), in id order."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from ..engine import Checker
from ..errors import DisclosureCheckError
from ..i18n import t
from ..model import Finding, Location, Outcome
from ..rules import Report, specificity
from .api import BatchContext, BatchDoc, BatchRule, FactsDigest, FactsSource, History, NoHistory
from .model import AuditEntry, BatchOutcome


def selected_batch_rules(checker: Checker) -> list[BatchRule]:
    """The batch rules the configuration selects (same ruff semantics as document rules)."""
    cfg = checker.config
    select = [*(cfg.select if cfg.select is not None else ["ALL"]), *cfg.extend_select]
    rules = checker.registry.batch_rules
    return [
        rules[rid]
        for rid in sorted(rules)
        if specificity(rid, select) > specificity(rid, cfg.ignore)
    ]


def batch_docs(
    entries: list[AuditEntry],
    digests: dict[int, FactsDigest],
    source: FactsSource | None = None,
) -> list[BatchDoc]:
    """The readable entries as batch rules see them; ``source`` reads their facts back."""
    docs = []
    for i, e in enumerate(entries):
        d = digests.get(i)
        if d is None or d.status != "ok":
            continue
        docs.append(
            BatchDoc(
                e.unit,
                e.year,
                d,
                code=e.code,
                parent=e.parent,
                kind=e.kind,
                fetch=e.fetch,
                source=source,
            )
        )
    return docs


def _finding(checker: Checker, rule: BatchRule, rep: Report, doc: BatchDoc) -> Finding:
    # The engine renders batch findings too; the unit scopes the fingerprint.
    default = Location(snippet=doc.digest.title or doc.unit)
    return checker.finding(rule, rep, default, scope=f"{doc.unit}\x1f")


def _options_for(checker: Checker, rule: BatchRule) -> Any:
    def options(doc: BatchDoc) -> dict[str, Any]:
        base: dict[str, Any] = {}
        if doc.digest.profile:
            try:
                base = checker.registry.profile(doc.digest.profile).rule_options(rule.id)
            except DisclosureCheckError:
                base = {}
        return {**base, **checker.config.options.get(rule.id, {})}

    return options


def _excluded(checker: Checker, rule: BatchRule, doc: BatchDoc) -> str | None:
    """Why the doc's profile excludes this rule, or None."""
    if not doc.digest.profile:
        return None
    try:
        profile = checker.registry.profile(doc.digest.profile)
    except DisclosureCheckError:
        return None
    if specificity(rule.id, profile.select) <= specificity(rule.id, profile.ignore):
        return t("profile-excludes-rule", checker.lang, profile=profile.id)
    return None


def run_batch_rules(
    checker: Checker,
    entries: list[AuditEntry],
    digests: dict[int, FactsDigest],
    manifest_units: list[tuple[str, str | None, int | None]],
    history: History | None = None,
    source: FactsSource | None = None,
) -> int:
    """Fill ``entry.batch_outcomes``; returns how many (report, rule) pairs errored.
    ``digests`` are by index into ``entries``; ``source`` reads the rest of the facts."""
    docs = batch_docs(entries, digests, source)
    by_key = {(e.unit, e.year): e for e in entries}
    errored = 0
    shared: dict[str, Any] = {}
    lang = checker.lang
    for rule in selected_batch_rules(checker):
        ctx = BatchContext(
            docs=docs,
            manifest_units=manifest_units,
            history=history or NoHistory(),
            rule_options=_options_for(checker, rule),
            cache=shared,
        )
        crash: str | None = None
        try:
            rule.check(ctx)
        except Exception as exc:  # one crashing batch rule never stops the others
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            crash = f"{type(exc).__name__}: {exc} ({Path(frame.filename).name}:{frame.lineno})"
        for doc in docs:
            entry = by_key[doc.key]
            outcome = BatchOutcome(rule_id=rule.id, rule_name=rule.name, outcome=Outcome.passed)
            excluded = _excluded(checker, rule, doc)
            if crash is not None:
                outcome.outcome, outcome.reason = (
                    Outcome.error,
                    t("rule-crashed", lang, error=crash),
                )
                errored += 1
            elif excluded:
                outcome.outcome, outcome.reason = Outcome.not_applicable, excluded
            else:
                reps = ctx.reports.get(doc.key, [])
                outcome.findings = [_finding(checker, rule, r, doc) for r in reps]
                verdict = ctx.verdicts.get(doc.key)
                if outcome.findings:
                    outcome.outcome = Outcome.failed
                elif verdict is not None:
                    outcome.outcome = Outcome(verdict.outcome)
                    outcome.reason = rule.message(verdict.key, lang, verdict.args)
            entry.batch_outcomes.append(outcome)
    return errored
