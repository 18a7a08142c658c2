"""The audit store: an SQLite file with every audited report (facts, normalised text), each run,
and a cache of document reports keyed by content hash + rules key.

Rules of the house: a run is only ever appended (old runs are never rewritten); checked reports
are committed as they arrive, in small groups (``record(..., defer=True)``: at most
``COMMIT_EVERY`` reports or ``COMMIT_SECONDS`` seconds per commit, and everything pending is
committed before any other write, on ``flush`` and on ``close``), so an audit stopped by an
exception or Ctrl-C loses nothing and one killed outright (SIGKILL, power loss) loses at most
that last group, which the re-run checks again; a file that is not our database (corrupted,
foreign, or from a newer version) is refused with a clear error, never "repaired"."""

from __future__ import annotations

import json
import sqlite3
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..errors import DisclosureCheckError
from ..model import DocumentReport
from ..model.fetch import FetchResult
from .api import BatchDoc, FactsDigest
from .model import AuditEntry, BatchOutcome, DocFacts, FetchInfo, TableFacts

APPLICATION_ID = 0x44434B41  # "DCKA": marks the file as a disclosure-check audit store
SQLITE_HEADER = b"SQLite format 3\x00"

# Versioned migrations: MIGRATIONS[i] takes the schema from version i to i + 1. Append only.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (0);
    CREATE TABLE documents (
        content_hash TEXT PRIMARY KEY,
        facts TEXT NOT NULL,            -- DocFacts JSON: metadata, normalised text, tables
        created TEXT NOT NULL
    );
    CREATE TABLE sources (              -- fetched bytes and HTTP headers (URL manifests)
        content_hash TEXT PRIMARY KEY,
        data BLOB,
        url TEXT,
        headers TEXT,
        fetched TEXT
    );
    CREATE TABLE results (              -- cache: one DocumentReport per content + rules
        content_hash TEXT NOT NULL,
        rules_key TEXT NOT NULL,
        report TEXT NOT NULL,
        created TEXT NOT NULL,
        PRIMARY KEY (content_hash, rules_key)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL,
        finished TEXT,                  -- NULL: interrupted (or still running)
        manifest TEXT NOT NULL,
        rules_key TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        summary TEXT
    );
    CREATE TABLE reports (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        unit TEXT NOT NULL,
        year INTEGER,
        code TEXT,
        parent TEXT,
        kind TEXT,
        path TEXT NOT NULL,
        content_hash TEXT,
        status TEXT NOT NULL,
        error TEXT,
        seconds REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, unit, path)
    );
    CREATE INDEX reports_unit_year ON reports (unit, year);
    CREATE INDEX reports_parent_year ON reports (parent, year);
    CREATE TABLE outcomes (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        unit TEXT NOT NULL,
        year INTEGER,
        rule_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        findings INTEGER NOT NULL,
        detail TEXT                     -- batch rules: the BatchOutcome JSON
    );
    CREATE INDEX outcomes_run ON outcomes (run_id, rule_id);
    """,
    # 2: one row per fetch of a URL row (also failures and 304s), for reproducing an audit and
    # for conditional requests and DC505 next time. The bytes are in ``sources``.
    """
    CREATE TABLE fetches (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        url TEXT NOT NULL,
        unit TEXT NOT NULL,
        year INTEGER,
        status INTEGER,
        content_hash TEXT,              -- bytes checked: the body's sha256, or the stored copy a 304 confirmed
        not_modified INTEGER NOT NULL,
        etag TEXT,
        last_modified TEXT,
        fetched_at TEXT NOT NULL,
        error TEXT,
        record TEXT NOT NULL            -- FetchResult JSON (headers, redirects, final URL), no body
    );
    CREATE INDEX fetches_url ON fetches (url, run_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# Deferred records (an audit's reports) are committed in groups: one commit per report cost
# more than the rest of the main process's work per report.
COMMIT_EVERY = 32  # reports
COMMIT_SECONDS = 1.0

_TABLES = TypeAdapter(dict[str, TableFacts])
# A report's FactsDigest, picked out of its facts JSON by SQLite: the normalised texts (most
# of the JSON) are never turned into Python strings.
_DIGEST = (
    "json_extract(facts, '$.status', '$.report_year', '$.profile', '$.title', '$.sketch'), "
    "coalesce(length(json_extract(facts, '$.text')), 0)"
)


class StoreError(DisclosureCheckError):
    """The audit store cannot be used (corrupted, foreign, newer schema, unwritable)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AuditStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._pending = 0  # deferred records not yet committed
        self._pending_since = 0.0
        self._check_header()
        try:
            self.conn = sqlite3.connect(self.path, timeout=30)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._open()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"audit store {self.path} cannot be opened ({exc}); it is left untouched — "
                "give another --store path"
            ) from exc

    # -- opening and migrating --------------------------------------------------------------

    def _check_header(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
        if head != SQLITE_HEADER:
            raise StoreError(
                f"{self.path} is not an SQLite database (corrupted or another kind of file); "
                "it is left untouched — give another --store path"
            )

    def _open(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        if app_id != APPLICATION_ID and tables:
            raise StoreError(
                f"{self.path} is an SQLite database of another application "
                f"(application_id {app_id:#x}); it is left untouched — give another --store path"
            )
        check = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreError(
                f"audit store {self.path} is corrupted ({check}); it is left untouched"
            )
        version = 0
        if tables:
            version = self.conn.execute("SELECT version FROM schema_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"audit store {self.path} has schema version {version}, newer than this "
                f"disclosure-check understands ({SCHEMA_VERSION}); upgrade disclosure-check"
            )
        self.conn.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        self.conn.execute("PRAGMA synchronous = NORMAL")
        for target in range(version, SCHEMA_VERSION):
            with self._tx() as cur:  # each migration is atomic
                cur.executescript("BEGIN;" + MIGRATIONS[target])
                cur.execute("UPDATE schema_version SET version = ?", (target + 1,))
                cur.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        self.flush()  # a rollback below must never take deferred records with it
        cur = self.conn.cursor()
        try:
            yield cur
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        finally:
            cur.close()

    def flush(self) -> None:
        """Commit the deferred records now."""
        if self._pending:
            self.conn.commit()
            self._pending = 0

    def close(self) -> None:
        self.flush()
        self.conn.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("SELECT version FROM schema_version").fetchone()[0])

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, manifest: str, rules_key: str, tool_version: str) -> int:
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO runs (started, manifest, rules_key, tool_version) VALUES (?, ?, ?, ?)",
                (_now(), manifest, rules_key, tool_version),
            )
            return int(cur.lastrowid or 0)

    def finish_run(
        self,
        run_id: int,
        summary: dict[str, Any] | Callable[[], dict[str, Any]],
        entries: Iterable[AuditEntry],
    ) -> None:
        """Record the run's outcomes and mark it finished (the only update a run ever gets).
        ``entries`` may be a stream (reports loaded one at a time): rows go in chunks.
        ``summary`` may be a function, called once the entries are consumed (so that a caller
        can total them in the same pass)."""
        with self._tx() as cur:
            rows: list[tuple[Any, ...]] = []
            for e in entries:
                for o in e.report.outcomes if e.report else []:
                    rows.append(
                        (run_id, e.unit, e.year, o.rule_id, o.outcome.value, len(o.findings), None)
                    )
                for b in e.batch_outcomes:
                    detail = b.model_dump_json()
                    rows.append(
                        (
                            run_id,
                            e.unit,
                            e.year,
                            b.rule_id,
                            b.outcome.value,
                            len(b.findings),
                            detail,
                        )
                    )
                if len(rows) > 5000:
                    cur.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                    rows = []
            cur.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            cur.execute(
                "UPDATE runs SET finished = ?, summary = ? WHERE id = ? AND finished IS NULL",
                (
                    _now(),
                    json.dumps(summary() if callable(summary) else summary, ensure_ascii=False),
                    run_id,
                ),
            )

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT id, started, finished, manifest, rules_key, summary FROM runs ORDER BY id"
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def previous_run(self, run_id: int, manifest: str) -> int | None:
        row = self.conn.execute(
            "SELECT max(id) FROM runs WHERE id < ? AND manifest = ? AND finished IS NOT NULL",
            (run_id, manifest),
        ).fetchone()
        return row[0] if row else None

    # -- reports ----------------------------------------------------------------------------

    def cached_report(
        self, content_hash: str, rules_key: str
    ) -> tuple[DocumentReport, FactsDigest] | None:
        row = self.conn.execute(
            f"SELECT r.report, {_DIGEST} FROM results r JOIN documents d USING (content_hash) "
            "WHERE r.content_hash = ? AND r.rules_key = ?",
            (content_hash, rules_key),
        ).fetchone()
        if row is None:
            return None
        return DocumentReport.model_validate_json(row[0]), _digest(content_hash, row[1:])

    def has_result(self, content_hash: str, rules_key: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM results WHERE content_hash = ? AND rules_key = ?",
            (content_hash, rules_key),
        ).fetchone()
        return row is not None

    def report(self, content_hash: str, rules_key: str) -> DocumentReport | None:
        row = self.conn.execute(
            "SELECT report FROM results WHERE content_hash = ? AND rules_key = ?",
            (content_hash, rules_key),
        ).fetchone()
        return None if row is None else DocumentReport.model_validate_json(row[0])

    def facts(self, content_hash: str) -> DocFacts | None:
        row = self.conn.execute(
            "SELECT facts FROM documents WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else DocFacts.model_validate_json(row[0])

    def tables(self, content_hash: str) -> dict[str, TableFacts]:
        """A report's table facts ({} when unknown), without parsing the rest of its facts."""
        row = self.conn.execute(
            "SELECT json_extract(facts, '$.tables') FROM documents WHERE content_hash = ?",
            (content_hash,),
        ).fetchone()
        return {} if row is None or row[0] is None else _TABLES.validate_json(row[0])

    def digest(self, content_hash: str) -> FactsDigest | None:
        row = self.conn.execute(
            f"SELECT {_DIGEST} FROM documents WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else _digest(content_hash, row)

    def record(
        self,
        run_id: int,
        entry: AuditEntry,
        facts: DocFacts | None,
        rules_key: str,
        *,
        facts_json: str | None = None,
        report_json: str | None = None,
        defer: bool = False,
    ) -> None:
        """One report of a run, committed at once, or with ``defer`` in a group with the next
        ones (see the module docstring for what an interruption can lose). ``facts_json`` and
        ``report_json`` are the facts and the report already serialised (by a worker); they
        are used instead of ``facts`` / ``entry.report`` when given."""
        if not defer:
            with self._tx() as cur:
                self._record(cur, run_id, entry, facts, rules_key, facts_json, report_json)
            return
        if not self._pending:
            self._pending_since = time.monotonic()
        cur = self.conn.cursor()
        try:
            self._record(cur, run_id, entry, facts, rules_key, facts_json, report_json)
        finally:
            cur.close()
            self._pending += 1  # even after a failed statement: what did run is committed
        if (
            self._pending >= COMMIT_EVERY
            or time.monotonic() - self._pending_since >= COMMIT_SECONDS
        ):
            self.flush()

    def _record(
        self,
        cur: sqlite3.Cursor,
        run_id: int,
        entry: AuditEntry,
        facts: DocFacts | None,
        rules_key: str,
        facts_json: str | None,
        report_json: str | None,
    ) -> None:
        if entry.content_hash and (facts_json is not None or facts is not None):
            if facts_json is None and facts is not None:
                facts_json = facts.model_dump_json()
            cur.execute(
                "INSERT OR IGNORE INTO documents VALUES (?, ?, ?)",
                (entry.content_hash, facts_json, _now()),
            )
        if report_json is None and entry.report is not None:
            report_json = entry.report.model_dump_json()
        if report_json is not None and entry.content_hash and entry.status == "checked":
            cur.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                (entry.content_hash, rules_key, report_json, _now()),
            )
        cur.execute(
            "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                entry.unit,
                entry.year,
                entry.code,
                entry.parent,
                entry.kind,
                entry.path,
                entry.content_hash,
                entry.status.value,
                entry.error,
                entry.seconds,
            ),
        )

    def put_source(
        self,
        content_hash: str,
        data: bytes,
        *,
        url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Keep fetched bytes and headers, so an audit can be reproduced (URL manifests)."""
        with self._tx() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO sources VALUES (?, ?, ?, ?, ?)",
                (content_hash, data, url, json.dumps(headers or {}, ensure_ascii=False), _now()),
            )

    def source(self, content_hash: str) -> tuple[bytes, dict[str, Any]] | None:
        row = self.conn.execute(
            "SELECT data, url, headers, fetched FROM sources WHERE content_hash = ?",
            (content_hash,),
        ).fetchone()
        if row is None:
            return None
        return row[0], {"url": row[1], "headers": json.loads(row[2] or "{}"), "fetched": row[3]}

    def record_fetch(
        self, run_id: int, entry: AuditEntry, result: FetchResult, content_hash: str | None
    ) -> None:
        """One fetch of a URL row; a fetched body goes to ``sources`` (kept once per hash)."""
        record = result.model_dump_json()
        with self._tx() as cur:
            if result.body and result.sha256:
                cur.execute(
                    "INSERT OR IGNORE INTO sources VALUES (?, ?, ?, ?, ?)",
                    (result.sha256, result.body, result.final_url, record, _now()),
                )
            cur.execute(
                "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    result.url,
                    entry.unit,
                    entry.year,
                    result.status,
                    content_hash,
                    int(result.not_modified),
                    result.etag,
                    result.last_modified,
                    result.fetched_at.isoformat(),
                    result.error,
                    record,
                ),
            )

    def last_fetch(self, url: str, before_run: int | None = None) -> FetchInfo | None:
        """The latest earlier fetch of ``url`` that gave content (a 200, or a 304 confirming)."""
        row = self.conn.execute(
            "SELECT record, content_hash FROM fetches WHERE url = ? AND content_hash IS NOT NULL "
            "AND (? IS NULL OR run_id < ?) ORDER BY run_id DESC, rowid DESC LIMIT 1",
            (url, before_run, before_run),
        ).fetchone()
        if row is None:
            return None
        return FetchInfo.from_result(FetchResult.model_validate_json(row[0]), row[1])

    def run_entries(self, run_id: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT unit, year, path, content_hash, status FROM reports WHERE run_id = ? "
            "ORDER BY unit, year, path",
            (run_id,),
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def batch_outcomes(self, run_id: int) -> list[BatchOutcome]:
        cur = self.conn.execute(
            "SELECT detail FROM outcomes WHERE run_id = ? AND detail IS NOT NULL ORDER BY unit, year, rule_id",
            (run_id,),
        )
        return [BatchOutcome.model_validate_json(r[0]) for r in cur.fetchall()]


class StoreFacts:
    """Reports' facts read back from the store for batch rules (a ``FactsSource``), the last few
    kept: rules walk the reports in (unit, year) order, so the report read next is often the
    one just read as the previous entry's previous year, and DC503 reads a family together.
    Cached objects are shared: rules must not change them."""

    def __init__(self, store: AuditStore, size: int = 64) -> None:
        self.store = store
        self._facts = lru_cache(maxsize=max(size // 8, 2))(store.facts)  # texts: big, keep few
        self._tables = lru_cache(maxsize=size)(store.tables)

    def facts(self, content_hash: str) -> DocFacts | None:
        return self._facts(content_hash)

    def tables(self, content_hash: str) -> dict[str, TableFacts]:
        return self._tables(content_hash)


class StoreHistory:
    """Earlier audits' reports for batch rules: the latest readable report of a unit and year,
    as a digest (its texts and tables are read from the store when a rule asks)."""

    def __init__(
        self, store: AuditStore, before_run: int | None = None, source: StoreFacts | None = None
    ) -> None:
        self.store = store
        self.before_run = before_run
        self.source = source or StoreFacts(store)
        self._docs: dict[tuple[str, int], BatchDoc | None] = {}

    def facts(self, unit: str, year: int) -> BatchDoc | None:
        if (unit, year) not in self._docs:
            row = self.store.conn.execute(
                f"SELECT r.code, r.parent, r.kind, content_hash, {_DIGEST} FROM reports r "
                "JOIN documents d USING (content_hash) "
                "WHERE r.unit = ? AND r.year = ? AND r.status IN ('checked', 'cached') "
                "AND (? IS NULL OR r.run_id < ?) ORDER BY r.run_id DESC LIMIT 1",
                (unit, year, self.before_run, self.before_run),
            ).fetchone()
            self._docs[unit, year] = (
                None
                if row is None
                else BatchDoc(
                    unit=unit,
                    year=year,
                    code=row[0],
                    parent=row[1],
                    kind=row[2],
                    digest=_digest(row[3], row[4:]),
                    from_store=True,
                    source=self.source,
                )
            )
        return self._docs[unit, year]

    def children(self, parent: str, year: int) -> list[str]:
        rows = self.store.conn.execute(
            "SELECT DISTINCT unit FROM reports WHERE parent = ? AND year = ? "
            "AND (? IS NULL OR run_id < ?) ORDER BY unit",
            (parent, year, self.before_run, self.before_run),
        ).fetchall()
        return [r[0] for r in rows]

    def fetched(self, url: str) -> FetchInfo | None:
        return self.store.last_fetch(url, self.before_run)


def _digest(content_hash: str, row: tuple[Any, ...]) -> FactsDigest:
    """A FactsDigest from the two ``_DIGEST`` columns."""
    status, report_year, profile, title, sketch = json.loads(row[0])
    return FactsDigest(
        content_hash=content_hash,
        status=status or "ok",
        report_year=report_year,
        profile=profile,
        title=title,
        chars=row[1],
        sketch=array("I", sketch),
    )
