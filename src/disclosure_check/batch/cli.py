"""``disclosure-check audit MANIFEST``: check every report of a manifest in parallel, run the
cross-report rules, keep everything in the audit store, write xlsx/csv/json.

Kept apart from ``disclosure_check.cli`` (which only registers it) and cheap to import: the
audit machinery loads when the command runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_STORE = "audit.db"


def add_parser(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = subparsers.add_parser(
        "audit", help="audit many reports from a manifest (CSV/XLSX/TOML) or a folder"
    )
    p.add_argument("manifest", metavar="MANIFEST", help="manifest file or folder of reports")
    p.add_argument("--format", choices=["xlsx", "html", "csv", "json"], default="xlsx")
    p.add_argument(
        "--output", "-o", type=Path, help="output file (default: audit.xlsx / audit.html)"
    )
    p.add_argument("--store", type=Path, default=Path(DEFAULT_STORE), help="audit store (SQLite)")
    p.add_argument("--no-store", action="store_true", help="do not use or write an audit store")
    p.add_argument("--no-cache", action="store_true", help="re-check reports the store has")
    p.add_argument("--jobs", "-j", type=int, help="worker processes (default: CPU count)")
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per report (default 60; 0 = none)"
    )
    p.add_argument("--profile", help="profile id, profile .toml file, or auto (default)")
    p.add_argument("--select", type=_csv, help="rule ids or prefixes to run, comma-separated")
    p.add_argument("--ignore", type=_csv, help="rule ids or prefixes to skip")
    p.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        help="exit 1 when a finding has this severity or worse (default: error)",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    fetch = p.add_argument_group(
        "URL rows",
        "A manifest row may give an http(s) URL instead of a file: the worker fetches it within "
        "these limits (a failure is reported on its row), and the bytes and headers are kept in "
        "the store; next time the page is asked for conditionally (ETag/Last-Modified) and DC505 "
        "reports a page that changed.",
    )
    fetch.add_argument(
        "--fetch-timeout", type=float, default=15.0, metavar="S",
        help="seconds for each connect and read (default 15)",
    )  # fmt: skip
    fetch.add_argument(
        "--fetch-deadline", type=float, default=60.0, metavar="S",
        help="seconds for a whole fetch, retries included (default 60)",
    )  # fmt: skip
    fetch.add_argument(
        "--fetch-retries", type=int, default=2, metavar="N",
        help="extra attempts after timeouts, connection errors and 5xx (default 2)",
    )  # fmt: skip
    fetch.add_argument(
        "--fetch-max-bytes", type=int, default=20 * 1024 * 1024, metavar="N",
        help="largest page accepted (default 20 MiB)",
    )  # fmt: skip
    fetch.add_argument(
        "--max-redirects", type=int, default=5, metavar="N", help="redirects followed (default 5)"
    )
    fetch.add_argument(
        "--user-agent", help="User-Agent header (default: disclosure-check/VERSION …)"
    )
    dask = p.add_argument_group("executor")
    dask.add_argument(
        "--executor", choices=["local", "dask"], default="local",
        help="local: worker processes on this machine (default); dask: a Dask cluster "
        "(pip install 'disclosure-check[distributed]')",
    )  # fmt: skip
    dask.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT",
        help="Dask scheduler address; without it --executor dask starts a LocalCluster of --jobs workers",
    )  # fmt: skip
    common(p)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _progress_bar(total_hint: int | None = None) -> tuple[Any, Callable[..., None]] | None:
    """A rich progress bar on a terminal; nothing otherwise (logs and pipes stay clean)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("audit", total=total_hint)

    def advance(entry: Any, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, description=entry.unit[:20])

    return bar, advance


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, _checker
    from ..model import Severity
    from .audit import AuditOptions, run_audit
    from .outputs import TEXT_FORMATS, write_xlsx
    from .runner import DaskExecutor, FetchOptions
    from .store import AuditStore

    checker = _checker(args, select=args.select, ignore=args.ignore, fail_on=args.fail_on)
    checker.validate_selection()  # once, before any worker starts: not once per report
    for diag in checker.diagnostics:
        print(f"warning: {diag.message}", file=sys.stderr)
    if args.scheduler and args.executor != "dask":
        print("error: --scheduler needs --executor dask", file=sys.stderr)
        return EXIT_ERROR
    store = None if args.no_store else AuditStore(args.store)
    progress = _progress_bar()
    fetch = FetchOptions(
        timeout=args.fetch_timeout,
        deadline=args.fetch_deadline,
        retries=args.fetch_retries,
        max_bytes=args.fetch_max_bytes,
        max_redirects=args.max_redirects,
        user_agent=args.user_agent,
    )
    timeout = args.timeout or None
    executor = (
        DaskExecutor(args.scheduler, jobs=args.jobs, timeout=timeout)
        if args.executor == "dask"
        else None
    )
    options = AuditOptions(
        profile=args.profile,
        jobs=args.jobs,
        timeout=timeout,
        use_cache=not args.no_cache,
        progress=progress[1] if progress else None,
        fetch=fetch,
        executor=executor,
        # Reports stream into the store and the outputs read them back one at a time (flat
        # memory); the dashboard reads ``entries`` directly, so it keeps them.
        keep_reports=store is None or args.format == "html",
    )
    page = text = ""
    try:
        if progress:
            with progress[0]:
                result = run_audit(args.manifest, checker, store=store, options=options)
        else:
            result = run_audit(args.manifest, checker, store=store, options=options)
        if args.format == "html":  # rendered while the store is open (run times, previous run)
            from .dashboard import dashboard_context, render_html

            page = render_html(result, dashboard_context(result, checker, store))
        elif args.format == "xlsx":  # written while the store is open: reports are read back
            write_xlsx(result, args.output or Path("audit.xlsx"))
        else:
            text = TEXT_FORMATS[args.format](result)
    finally:
        if store is not None:
            store.close()

    for p in result.problems:
        where = f"row {p.row}" if p.row is not None else "manifest"
        print(f"{args.manifest}: {where}: {p.message}", file=sys.stderr)
    if args.format == "html":
        output = args.output or Path("audit.html")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(page.encode("utf-8"))  # bytes: the same "\n" on every platform
    elif args.format != "xlsx":
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
    s = result.summary
    print(
        f"{s.reports} reports, {s.with_errors} with errors, {s.rules_errored} rules errored, "
        f"{s.cached} from the store, {len(result.problems)} bad manifest rows, {s.seconds:.1f}s",
        file=sys.stderr,
    )
    if s.failed_or_timeout:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    fail_on = checker.config.fail_on
    worst = [Severity(sev).rank for sev, n in s.findings.items() if n]  # from the summary's counts
    return EXIT_FINDINGS if worst and max(worst) >= Severity(fail_on).rank else EXIT_CLEAN
