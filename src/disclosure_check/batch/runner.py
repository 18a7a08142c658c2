"""Checking many reports in parallel: a picklable recipe for a Checker, one task per report, and
an :class:`Executor` that runs tasks and yields results as they finish (in any order; the audit
sorts). The local executor uses a process pool; :class:`DaskExecutor` runs the same tasks on a
Dask cluster. A task whose path is an http(s) URL is fetched in the worker first."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from ..config import Config
from ..engine import Checker
from ..errors import DisclosureCheckError
from ..model import DocumentReport
from ..model.fetch import FetchResult
from ..model.statistics import LayoutSet
from .api import FactsDigest
from .facts import content_hash, digest, extract_facts, layout_set, statistics


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class FetchOptions:
    """Limits for fetching URL rows (``disclosure_check.fetch.fetch`` keywords; see
    ``disclosure-check audit --help``). The per-report ``timeout`` does not include the fetch."""

    timeout: float = 15.0  # each connect and socket read
    deadline: float = 60.0  # the whole fetch of one URL, retries and backoff included
    max_bytes: int = 20 * 1024 * 1024
    retries: int = 2  # extra attempts after connection errors, timeouts and 5xx
    backoff: float = 0.5  # seconds, doubled per retry
    max_redirects: int = 5
    user_agent: str | None = None  # None: disclosure-check's own
    verify_tls: bool = True

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "timeout": self.timeout,
            "deadline": self.deadline,
            "max_bytes": self.max_bytes,
            "retries": self.retries,
            "backoff": self.backoff,
            "max_redirects": self.max_redirects,
            "verify_tls": self.verify_tls,
        }
        if self.user_agent:
            out["user_agent"] = self.user_agent
        return out


@dataclass(frozen=True)
class CheckerSpec:
    """Everything a worker needs to build the same Checker as the main process."""

    config: str  # Config as JSON (by field name)
    profile: str | None = None
    timeout: float | None = None  # seconds per report; None = no limit
    entry_point_plugins: bool = True
    fetch: FetchOptions = FetchOptions()

    @classmethod
    def from_checker(
        cls,
        checker: Checker,
        *,
        profile: str | None,
        timeout: float | None,
        fetch: FetchOptions | None = None,
    ) -> CheckerSpec:
        return cls(
            config=checker.config.model_dump_json(by_alias=False),
            profile=profile,
            timeout=timeout,
            entry_point_plugins=checker._entry_point_plugins,
            fetch=fetch or FetchOptions(),
        )

    def build(self) -> Checker:
        cfg = Config.model_validate(json.loads(self.config))
        return Checker(cfg, entry_point_plugins=self.entry_point_plugins)


@dataclass(frozen=True)
class Task:
    index: int  # position in the audit's row list
    path: str  # a file, or an http(s) URL
    # URL rows whose earlier copy the store can serve: a conditional request, and on a 304 the
    # main process takes the stored report of ``known_hash`` instead of checking again.
    etag: str | None = None
    last_modified: str | None = None
    known_hash: str | None = None


@dataclass
class TaskResult:
    """What a worker sends back. The report and the full facts travel as JSON (made in the
    worker, in parallel, and cheap to pickle), which is also what the store keeps; ``digest`` is
    the little of them the main process keeps for the batch rules. ``report`` is None from a worker: the main process
    rebuilds it from ``report_json`` only when something needs the object."""

    index: int
    status: str  # checked | failed | timeout | not_modified (a 304 for a conditional request)
    content_hash: str | None = None
    report: DocumentReport | None = None
    digest: FactsDigest | None = None
    report_json: str | None = None
    facts_json: str | None = None  # the full facts (texts included), as the store keeps them
    error: str | None = None
    seconds: float = 0.0
    fetch: FetchResult | None = None  # URL rows, with the body (the store keeps it)


class Executor(Protocol):
    """Runs ``fn`` over ``tasks`` and yields each result as soon as it is ready."""

    def map_unordered(
        self, fn: Callable[[Task], TaskResult], tasks: Sequence[Task]
    ) -> Iterator[TaskResult]: ...

    def close(self) -> None: ...


# -- the worker side ---------------------------------------------------------------------------

# Per worker process: plugins and layouts load once, not once per report.
_CHECKERS: dict[CheckerSpec, tuple[Checker, LayoutSet | None]] = {}


class ReportTimeout(BaseException):
    """A BaseException so that the engine's per-rule isolation (``except Exception``) does not
    swallow it: the time limit is for the whole report."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """SIGALRM-based limit: works in a worker's main thread (process pools, inline runs); where
    signals are unavailable (threads, e.g. Dask) the executor is responsible for limits."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise ReportTimeout(f"time limit of {seconds:g}s exceeded")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _checker(spec: CheckerSpec) -> tuple[Checker, LayoutSet | None]:
    if spec not in _CHECKERS:
        checker = spec.build()
        _CHECKERS[spec] = (checker, layout_set(checker))
    return _CHECKERS[spec]


def warm_up(spec: CheckerSpec) -> None:
    """Pool initializer: build the worker's Checker (plugins, catalogs, layouts) and run one
    small report through it, so data files, regexes and first-use caches load while the pool
    starts rather than inside the first report's time limit. Never raises: a problem here will
    show up, per report, in ``check_one``."""
    try:
        checker, layouts = _checker(spec)
        doc = checker.parse(_WARM_UP.encode(), name="warm-up.txt")
        doc.statistics = statistics(doc, layouts)
        report = checker.check(doc, profile=spec.profile)
        extract_facts(doc, report, "", layouts).model_dump_json()
        report.model_dump_json()
    except Exception:  # best effort: check_one reports real failures, per report
        pass


# A tiny report with headings, a paragraph and a table, for warm_up.
_WARM_UP = """某某单位2024年政府信息公开工作年度报告

一、总体情况
2024年，本单位主动公开政府信息10条。

二、主动公开政府信息情况
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| --- | --- | --- | --- |
| 规章 | 0 | 0 | 0 |

三、收到和处理政府信息公开申请情况
本年度收到申请0件。

四、政府信息公开行政复议、行政诉讼情况
无。

五、存在的主要问题及改进情况
无。

六、其他需要报告的事项
无。
"""


def check_one(spec: CheckerSpec, task: Task) -> TaskResult:
    """Read, parse and check one report; never raises (a failure is a result)."""
    start = time.perf_counter()
    result = TaskResult(index=task.index, status="checked")
    data: bytes | None = None
    if is_url(task.path):
        data = _fetch(spec, task, result)
        if data is None:
            result.seconds = round(time.perf_counter() - start, 4)
            return result
    try:
        with _time_limit(spec.timeout):
            if data is None:
                data = Path(task.path).read_bytes()
            result.content_hash = content_hash(data)
            checker, layouts = _checker(spec)
            charset = result.fetch.charset if result.fetch is not None else None
            doc = checker.parse(data, name=task.path, http_charset=charset)
            # Extracted once, before the rules: the table rules reuse a filled ``statistics``.
            doc.statistics = statistics(doc, layouts)
            report = checker.check(doc, profile=spec.profile)
            facts = extract_facts(doc, report, result.content_hash, layouts)
            result.report_json = report.model_dump_json()
            result.facts_json = facts.model_dump_json()
            result.digest = digest(facts)
    except ReportTimeout as exc:
        result.status, result.error = "timeout", str(exc)
        result.report = result.digest = result.report_json = result.facts_json = None
    except Exception as exc:  # one broken report never stops the batch
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
        result.report = result.digest = result.report_json = result.facts_json = None
    result.seconds = round(time.perf_counter() - start, 4)
    return result


def _fetch(spec: CheckerSpec, task: Task, result: TaskResult) -> bytes | None:
    """The page's bytes, or None with ``result`` saying why (failed, or not modified)."""
    from ..fetch import fetch  # lazy: file audits never load the HTTP client

    conditional = task.known_hash is not None
    got = fetch(
        task.path,
        **spec.fetch.kwargs(),
        if_none_match=task.etag if conditional else None,
        if_modified_since=task.last_modified if conditional else None,
    )
    result.fetch = got
    if got.error is not None:
        result.status, result.error = "failed", f"fetch failed: {got.error}"
        return None
    if got.not_modified:
        result.status, result.content_hash = "not_modified", task.known_hash
        return None
    return got.body


# -- executors ---------------------------------------------------------------------------------


class InlineExecutor:
    """Runs tasks one by one in this process (``--jobs 1``): no pickling, easy to debug."""

    def map_unordered(
        self, fn: Callable[[Task], TaskResult], tasks: Sequence[Task]
    ) -> Iterator[TaskResult]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A process pool. At most ``2 × jobs`` tasks are in flight, so memory does not grow with
    the batch; a worker that dies turns its task into a failed result."""

    def __init__(self, jobs: int, spec: CheckerSpec | None = None) -> None:
        self.jobs = jobs
        # With the spec, each worker warms up (plugins, layouts, regexes) when it starts.
        self._init: dict[str, Any] = (
            {"initializer": warm_up, "initargs": (spec,)} if spec is not None else {}
        )
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, **self._init)

    def map_unordered(
        self, fn: Callable[[Task], TaskResult], tasks: Sequence[Task]
    ) -> Iterator[TaskResult]:
        pending: dict[Future[TaskResult], Task] = {}
        queue = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.jobs:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                    break
                pending[self.pool.submit(fn, task)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f].index):
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except Exception as exc:  # BrokenProcessPool: the worker itself died
                    yield TaskResult(
                        index=task.index, status="failed", error=f"worker failed: {exc!r}"
                    )
                    if self.pool._broken:  # start a fresh pool for the rest of the batch
                        self.pool.shutdown(wait=False, cancel_futures=True)
                        self.pool = self._new_pool()
                        retry = list(pending.values())
                        pending = {self.pool.submit(fn, t): t for t in retry}
                        break

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def local_executor(jobs: int | None, spec: CheckerSpec | None = None) -> Executor:
    jobs = jobs or default_jobs()
    return InlineExecutor() if jobs <= 1 else ProcessExecutor(jobs, spec)


def task_function(spec: CheckerSpec) -> Callable[[Task], TaskResult]:
    return partial(check_one, spec)


class DaskExecutor:
    """Runs tasks on a Dask cluster: ``scheduler`` is its address (``tcp://host:port``), or
    None for a LocalCluster of ``jobs`` worker processes on this machine. Needs the optional
    extra ``disclosure-check[distributed]``.

    Like the process pool, at most ``2 × workers`` tasks are in flight. Dask runs tasks in
    worker threads, where SIGALRM cannot interrupt them, so the per-report time limit is
    enforced here, generously (twice the limit from submission, which includes queueing): a
    task that exceeds it is reported as a timeout and cancelled.
    """

    def __init__(
        self, scheduler: str | None = None, *, jobs: int | None = None, timeout: float | None = None
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise DisclosureCheckError(
                "--executor dask needs the distributed package: "
                "pip install 'disclosure-check[distributed]'"
            ) from exc
        self.timeout = timeout
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            self.cluster = LocalCluster(
                n_workers=jobs or default_jobs(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
        workers = len(self.client.scheduler_info().get("workers", {})) or 1
        self.in_flight = 2 * workers

    def map_unordered(
        self, fn: Callable[[Task], TaskResult], tasks: Sequence[Task]
    ) -> Iterator[TaskResult]:
        from distributed import wait as dask_wait

        queue = iter(tasks)
        pending: dict[Any, tuple[Task, float]] = {}
        limit = 2 * self.timeout if self.timeout else None
        while True:
            for task in _take(queue, self.in_flight - len(pending)):
                # pure=False: a re-run must run again, not hit Dask's result cache.
                pending[self.client.submit(fn, task, pure=False)] = (task, time.monotonic())
            if not pending:
                return
            try:
                done, _ = dask_wait(list(pending), timeout=1.0, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished this second: look at the time limits
                done = set()
            for fut in sorted(done, key=lambda f: pending[f][0].index):
                task, _ = pending.pop(fut)
                try:
                    yield fut.result()
                except Exception as exc:  # the worker died or the task could not run
                    yield TaskResult(task.index, "failed", error=f"worker failed: {exc!r}")
                fut.release()
            now = time.monotonic()
            for fut, (task, submitted) in list(pending.items()):
                if limit and now - submitted > limit:
                    del pending[fut]
                    fut.cancel()
                    error = f"time limit of {self.timeout:g}s exceeded"
                    yield TaskResult(task.index, "timeout", error=error)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _take(it: Iterator[Task], n: int) -> list[Task]:
    out = []
    for _ in range(n):
        task = next(it, None)
        if task is None:
            break
        out.append(task)
    return out
