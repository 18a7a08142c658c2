"""The audit store refuses files it does not own and never rewrites them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from disclosure_check.batch.store import SCHEMA_VERSION, AuditStore, StoreError
from disclosure_check.cli import main


def test_new_store_is_versioned(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        run = store.start_run("m", "k", "0")
    with AuditStore(tmp_path / "a.db") as store:  # reopening keeps the data
        assert [r["id"] for r in store.runs()] == [run]


def test_corrupted_file_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    db.write_bytes(b"this is not a database at all" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not an SQLite database"):
        AuditStore(db)
    assert db.read_bytes() == before


def test_truncated_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    with AuditStore(db) as store:
        store.start_run("m", "k", "0")
    data = db.read_bytes()
    db.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    with pytest.raises(StoreError):
        AuditStore(db)


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="another application"):
        AuditStore(db)
    with sqlite3.connect(db) as conn:  # untouched
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("customers",)]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    AuditStore(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="newer"):
        AuditStore(db)


def test_cli_reports_a_corrupted_store_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "audit.db"
    db.write_text("garbage", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("unit,year,path\n", encoding="utf-8")
    assert main(["audit", str(manifest), "--store", str(db), "--no-config"]) == 2
    err = capsys.readouterr().err
    assert "not an SQLite database" in err and "Traceback" not in err


def test_sources_keep_bytes_and_headers(tmp_path: Path) -> None:
    with AuditStore(tmp_path / "a.db") as store:
        store.put_source("h", b"<html>", url="http://x/", headers={"Last-Modified": "y"})
        data, info = store.source("h") or (b"", {})
    assert data == b"<html>" and info["headers"] == {"Last-Modified": "y"}
