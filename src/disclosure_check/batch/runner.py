"""Checking many reports in parallel: a picklable recipe for a Checker, one task per report, and
an :class:`Executor` that runs tasks and yields results as they finish (in any order; the audit
sorts). The local executor uses a process pool; a Dask executor only has to implement the same
two methods."""

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
from ..model import DocumentReport
from ..model.statistics import LayoutSet
from .facts import content_hash, extract_facts, layout_set, statistics
from .model import DocFacts


@dataclass(frozen=True)
class CheckerSpec:
    """Everything a worker needs to build the same Checker as the main process."""

    config: str  # Config as JSON (by field name)
    profile: str | None = None
    timeout: float | None = None  # seconds per report; None = no limit
    entry_point_plugins: bool = True

    @classmethod
    def from_checker(
        cls, checker: Checker, *, profile: str | None, timeout: float | None
    ) -> CheckerSpec:
        return cls(
            config=checker.config.model_dump_json(by_alias=False),
            profile=profile,
            timeout=timeout,
            entry_point_plugins=checker._entry_point_plugins,
        )

    def build(self) -> Checker:
        cfg = Config.model_validate(json.loads(self.config))
        return Checker(cfg, entry_point_plugins=self.entry_point_plugins)


@dataclass(frozen=True)
class Task:
    index: int  # position in the audit's row list
    path: str


@dataclass
class TaskResult:
    index: int
    status: str  # checked | failed | timeout
    content_hash: str | None = None
    report: DocumentReport | None = None
    facts: DocFacts | None = None
    error: str | None = None
    seconds: float = 0.0


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


def check_one(spec: CheckerSpec, task: Task) -> TaskResult:
    """Read, parse and check one report; never raises (a failure is a result)."""
    start = time.perf_counter()
    result = TaskResult(index=task.index, status="checked")
    try:
        with _time_limit(spec.timeout):
            data = Path(task.path).read_bytes()
            result.content_hash = content_hash(data)
            if spec not in _CHECKERS:
                checker = spec.build()
                _CHECKERS[spec] = (checker, layout_set(checker))
            checker, layouts = _CHECKERS[spec]
            doc = checker.parse(data, name=task.path)
            # Extracted once, before the rules: the table rules reuse a filled ``statistics``.
            doc.statistics = statistics(doc, layouts)
            result.report = checker.check(doc, profile=spec.profile)
            result.facts = extract_facts(doc, result.report, result.content_hash, layouts)
    except ReportTimeout as exc:
        result.status, result.error, result.report, result.facts = "timeout", str(exc), None, None
    except Exception as exc:  # one broken report never stops the batch
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
        result.report = result.facts = None
    result.seconds = round(time.perf_counter() - start, 4)
    return result


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

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs)

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
                        self.pool = ProcessPoolExecutor(max_workers=self.jobs)
                        retry = list(pending.values())
                        pending = {self.pool.submit(fn, t): t for t in retry}
                        break

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def local_executor(jobs: int | None) -> Executor:
    jobs = jobs or default_jobs()
    return InlineExecutor() if jobs <= 1 else ProcessExecutor(jobs)


def task_function(spec: CheckerSpec) -> Callable[[Task], TaskResult]:
    return partial(check_one, spec)
