"""One audit run: manifest → cached or fresh document reports (in parallel) → batch rules →
a sorted :class:`BatchResult`, with every step recorded in the audit store as it happens."""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..engine import Checker
from ..model import DocumentReport, Outcome, Severity
from ..model.fetch import FetchResult
from .api import FactsDigest
from .batchrules import run_batch_rules, selected_batch_rules
from .facts import content_hash
from .manifest import read_manifest
from .model import (
    AuditEntry,
    AuditSummary,
    BatchResult,
    EntryStatus,
    FetchInfo,
    ManifestProblem,
    ManifestRow,
    RuleStats,
)
from .runner import (
    CheckerSpec,
    Executor,
    FetchOptions,
    Task,
    TaskResult,
    is_url,
    local_executor,
    task_function,
)
from .store import AuditStore, StoreFacts, StoreHistory

Progress = Callable[[AuditEntry, int, int], None]  # (entry, done, total)


def _plugin_version(checker: Checker, name: str) -> str:
    module = checker.plugin_set.manager.get_plugin(name)
    return str(getattr(module, "__version__", None) or getattr(module, "PACKAGE_VERSION", "?"))


def _code_digest(checker: Checker) -> str:
    """Hash of the source of the core package and of every loaded plugin package, so that a
    changed rule invalidates cached reports even when nobody bumped a version number."""
    import disclosure_check

    folders = {Path(disclosure_check.__file__).parent}
    for plugin in checker.plugin_set.manager.get_plugins():
        folders.update(Path(p) for p in getattr(plugin, "__path__", []))
        if not hasattr(plugin, "__path__") and getattr(plugin, "__file__", None):
            folders.add(Path(plugin.__file__))
    digest = hashlib.sha256()
    for folder in sorted(folders):
        files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        for f in files:
            if f.suffix in (".py", ".toml", ".json") and f.is_file():
                digest.update(f.as_posix().encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def rules_key(checker: Checker, profile: str | None) -> str:
    """What a cached document report depends on: tool and rule-pack versions, the rules that
    exist, and the configuration (the cache key next to the content hash)."""
    reg = checker.registry
    owners = {rid: reg.owners.get(f"rule:{rid}", "?") for rid in [*reg.rules, *reg.batch_rules]}
    payload = {
        "tool": __version__,
        "rules": sorted(owners.items()),
        "plugins": sorted({o: _plugin_version(checker, o) for o in owners.values()}.items()),
        "config": checker.config.model_dump(mode="json", exclude={"source"}),
        "profile": profile,
        "code": _code_digest(checker),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class AuditOptions:
    profile: str | None = None
    jobs: int | None = None
    timeout: float | None = 60.0
    use_cache: bool = True
    executor: Executor | None = None  # default: a local process pool of ``jobs`` workers
    progress: Progress | None = None
    fetch: FetchOptions | None = None  # limits for URL rows (default: FetchOptions())
    # False: each document report goes to the store as it arrives and entries keep none, so
    # memory stays flat; read them with ``result.iter_entries()`` (the outputs do). Needs a
    # store that stays open while the result is used.
    keep_reports: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _entry(row: ManifestRow, status: EntryStatus, **kw: Any) -> AuditEntry:
    return AuditEntry(
        unit=row.unit,
        code=row.code,
        parent=row.parent,
        kind=row.kind,
        year=row.year,
        path=row.path,
        row=row.row,
        status=status,
        **kw,
    )


def run_audit(
    manifest: str | Path,
    checker: Checker,
    *,
    store: AuditStore | None = None,
    options: AuditOptions | None = None,
) -> BatchResult:
    """Audit every row of ``manifest``. Without a store, a temporary one holds the reports and
    texts while the audit runs (nothing is cached or compared with earlier years)."""
    opts = options or AuditOptions()
    if store is not None:
        return _run(manifest, checker, store, opts, own_store=False)
    tmp = tempfile.TemporaryDirectory(prefix="disclosure-check-")
    own = AuditStore(Path(tmp.name) / "audit.db")
    try:
        result = _run(manifest, checker, own, opts, own_store=True)
        if result._load_report is not None:
            result.entries = list(result.iter_entries())
            result._load_report = None
    finally:
        own.close()
        tmp.cleanup()
    return result


def _run(
    manifest: str | Path,
    checker: Checker,
    store: AuditStore,
    opts: AuditOptions,
    *,
    own_store: bool,
) -> BatchResult:
    started = time.perf_counter()
    rows, problems = read_manifest(manifest)
    key = rules_key(checker, opts.profile)
    manifest_id = str(Path(manifest).resolve())
    run_id = store.start_run(manifest_id, key, __version__)
    use_cache = opts.use_cache and not own_store
    entries: list[AuditEntry | None] = [None] * len(rows)
    # All an audit keeps in memory of each report's facts (the rest stays in the store, read
    # back when a batch rule asks), so memory stays flat as the batch grows.
    digests: dict[int, FactsDigest] = {}
    done = 0

    def finish(
        i: int,
        entry: AuditEntry,
        digest: FactsDigest | None,
        fetched: FetchResult | None = None,
        res: TaskResult | None = None,
    ) -> None:
        nonlocal done
        if entry.year is None and digest is not None:  # directory mode: the report says
            entry.year = digest.report_year
        # Committed in small groups (see store.py): an exception or Ctrl-C loses nothing (the
        # ``finally`` below flushes), a hard kill at most the last group. Facts served from the
        # store (cache, 304) are in it already: only a worker's new facts are written.
        store.record(
            run_id,
            entry,
            None,
            key,
            facts_json=res.facts_json if res else None,
            report_json=res.report_json if res else None,
            defer=True,
        )
        if fetched is not None:
            store.record_fetch(run_id, entry, fetched, entry.content_hash)
        done += 1
        if opts.progress:
            opts.progress(entry, done, len(rows))
        if not opts.keep_reports:
            entry.report = None  # streamed: read back from the store when an output needs it
        entries[i] = entry
        if digest is not None:
            digests[i] = digest

    # 1. Served from the store when content, rules and configuration are unchanged; a URL is
    #    asked for conditionally when the store could serve a 304 ("not modified").
    try:
        tasks: list[Task] = []
        for i, row in enumerate(rows):
            if is_url(row.path):
                tasks.append(
                    _url_task(i, row.path, store, key, run_id) if use_cache else Task(i, row.path)
                )
                continue
            try:
                sha = content_hash(Path(row.path).read_bytes())
            except OSError as exc:
                finish(i, _entry(row, EntryStatus.failed, error=f"cannot read: {exc}"), None)
                continue
            hit = store.cached_report(sha, key) if use_cache else None
            if hit is not None:
                report, cached = hit
                report.source = row.path
                entry = _entry(row, EntryStatus.cached, content_hash=sha, report=report)
                finish(i, entry, cached)
            else:
                tasks.append(Task(index=i, path=row.path))

        # 2. The rest in parallel (a process pool's workers warm up as they start).
        spec = CheckerSpec.from_checker(
            checker, profile=opts.profile, timeout=opts.timeout, fetch=opts.fetch
        )
        executor = opts.executor or local_executor(opts.jobs if len(tasks) > 1 else 1, spec)
        # The report object is rebuilt from the worker's JSON only when something reads it.
        need_report = opts.keep_reports or opts.progress is not None
        try:
            for res in executor.map_unordered(task_function(spec), tasks):
                entry, new_digest = _from_result(rows[res.index], res, store, key, need_report)
                finish(res.index, entry, new_digest, res.fetch, res)
                res.fetch = res.report = res.digest = None  # the bytes are in the store now
                res.report_json = res.facts_json = None
        finally:
            executor.close()
    finally:
        store.flush()  # whatever happened, every report that arrived is committed

    # 3. Directory mode: a unit may appear twice for one year once years are known.
    final = _dedupe([e for e in entries if e is not None], problems)
    final.sort(key=lambda e: (e.unit, e.year or 0, e.path))
    digest_by_entry = {id(entries[i]): d for i, d in digests.items()}
    final_digests = {
        j: digest_by_entry[id(e)] for j, e in enumerate(final) if id(e) in digest_by_entry
    }

    # 4. Cross-report rules, against this batch and the store's earlier years (one cache of
    #    facts read back from the store for both).
    source = StoreFacts(store)
    history = StoreHistory(store, before_run=run_id, source=source)
    units = [(r.unit, r.parent, r.year) for r in rows]
    units += [(p.unit, p.parent, p.year) for p in problems if p.unit and p.parent]
    errored = run_batch_rules(checker, final, final_digests, units, history, source=source)
    for e in final:
        e.batch_outcomes.sort(key=lambda o: o.rule_id)

    result = BatchResult(
        tool_version=__version__,
        lang=checker.lang,
        run_id=None if own_store else run_id,
        previous_run_id=None if own_store else store.previous_run(run_id, manifest_id),
        manifest=manifest_id,
        rules_key=key,
        entries=final,
        problems=sorted(problems, key=lambda p: (p.row or 0, p.message)),
        diagnostics=checker.diagnostics,
    )
    if not opts.keep_reports:
        result._load_report = _report_loader(store, key)
    # One pass over the entries (each report read back from the store once, when streamed)
    # both totals them and writes their outcome rows.
    totals = _Totals(len(result.entries))

    def counted() -> Iterator[AuditEntry]:
        for e in result.iter_entries():
            totals.add(e)
            yield e

    def summary() -> dict[str, Any]:
        result.rule_stats, result.summary = totals.result(checker, errored)
        result.summary.seconds = round(time.perf_counter() - started, 3)
        return result.summary.model_dump(mode="json")

    store.finish_run(run_id, summary, counted())
    return result


def _url_task(i: int, url: str, store: AuditStore, key: str, run_id: int) -> Task:
    before = store.last_fetch(url, before_run=run_id)
    if before is None or not before.content_hash or not store.has_result(before.content_hash, key):
        return Task(i, url)
    return Task(
        i, url, etag=before.etag, last_modified=before.last_modified, known_hash=before.content_hash
    )


def _report_loader(store: AuditStore, key: str) -> Callable[[AuditEntry], DocumentReport | None]:
    def load(entry: AuditEntry) -> DocumentReport | None:
        if not entry.content_hash or entry.status not in (EntryStatus.checked, EntryStatus.cached):
            return None
        report = store.report(entry.content_hash, key)
        if report is not None:
            report.source = entry.path
        return report

    return load


def _from_result(
    row: ManifestRow, res: TaskResult, store: AuditStore, key: str, need_report: bool = True
) -> tuple[AuditEntry, FactsDigest | None]:
    fetched = None if res.fetch is None else FetchInfo.from_result(res.fetch, res.content_hash)
    if res.status == "not_modified":  # a 304: the stored copy is current, and so is its report
        report = store.report(res.content_hash or "", key)
        stored = store.digest(res.content_hash or "")
        if report is not None and stored is not None:
            report.source = row.path
            entry = _entry(
                row, EntryStatus.cached, content_hash=res.content_hash, report=report, fetch=fetched
            )
            return entry, stored
        error = "the server answered 304 Not Modified but the store has no copy / 审核库中无副本"
        return _entry(row, EntryStatus.failed, error=error, fetch=fetched), None
    report = res.report
    if report is None and res.report_json is not None and need_report:
        report = DocumentReport.model_validate_json(res.report_json)
    entry = _entry(
        row,
        EntryStatus(res.status),
        content_hash=res.content_hash,
        report=report,
        error=res.error,
        seconds=res.seconds,
        fetch=fetched,
    )
    return entry, res.digest


def _dedupe(entries: list[AuditEntry], problems: list[ManifestProblem]) -> list[AuditEntry]:
    seen: dict[tuple[str, int | None], AuditEntry] = {}
    out = []
    for e in sorted(entries, key=lambda e: e.row or 0):
        if e.year is not None and (e.unit, e.year) in seen:
            first = seen[e.unit, e.year]
            problems.append(
                ManifestProblem(
                    row=e.row,
                    unit=e.unit,
                    year=e.year,
                    message=f"duplicate unit and year (same as {Path(first.path).name}) / 单位和年度重复",
                )
            )
            continue
        seen[e.unit, e.year] = e
        out.append(e)
    return out


def _empty_stats(rule_id: str, name: str) -> RuleStats:
    return RuleStats(
        rule_id=rule_id,
        rule_name=name,
        counts={o.value: 0 for o in Outcome},
        findings={s.value: 0 for s in Severity},
    )


class _Totals:
    """Per-rule statistics and the summary, added up one entry at a time."""

    def __init__(self, reports: int) -> None:
        self.stats: dict[str, RuleStats] = {}
        self.summary = AuditSummary(reports=reports)

    def add(self, e: AuditEntry) -> None:
        stats, s = self.stats, self.summary
        rows = e.outcomes()
        has_error = False
        for rule_id, name, outcome, findings in rows:
            st = stats.get(rule_id)
            if st is None:
                st = stats[rule_id] = _empty_stats(rule_id, name)
            st.counts[outcome.value] += 1
            for f in findings:
                severity = f.severity.value
                st.findings[severity] += 1
                s.findings[severity] += 1
                has_error = has_error or f.severity == Severity.error
        bad = e.status in (EntryStatus.failed, EntryStatus.timeout)
        s.failed_or_timeout += bad
        s.cached += e.status == EntryStatus.cached
        doc_outcomes = e.report.outcomes if e.report else []
        s.rules_errored += sum(1 for o in doc_outcomes if o.outcome == Outcome.error)
        s.with_errors += bad or has_error

    def result(
        self, checker: Checker, errored_batch: int = 0
    ) -> tuple[list[RuleStats], AuditSummary]:
        self.summary.rules_errored += errored_batch
        for rule in selected_batch_rules(checker):  # listed even when no report reached them
            if rule.id not in self.stats:
                self.stats[rule.id] = _empty_stats(rule.id, rule.name)
        return [self.stats[k] for k in sorted(self.stats)], self.summary


def statistics(
    result: BatchResult, checker: Checker, *, errored_batch: int = 0
) -> tuple[list[RuleStats], AuditSummary]:
    """Per-rule statistics and the summary, in one pass over the entries (each report loaded
    from the store in turn when the audit streamed them)."""
    totals = _Totals(len(result.entries))
    for e in result.iter_entries():
        totals.add(e)
    return totals.result(checker, errored_batch)
