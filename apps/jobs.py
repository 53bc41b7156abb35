"""One runner for every long task (upload, re-index, crawl, evaluation, tone tuning, training from scratch, export).

A job runs in its own thread, apart from the browser connection: the page shows it by *following* it
(:meth:`Job.follow`), so a reload re-attaches to a running job instead of losing it, and a closed tab does not
stop it. Cancel is a flag the work checks between steps (between two files, pages, questions or training steps);
the work then ends cleanly (a checkpoint is written) and the page shows 「中断しました」 with what was kept.

One lock per *resource*: uploads, re-indexing and crawling of one collection take `collection:<name>`; tone
tuning, training from scratch and exports share `trainer` (two trainings at once on a 2-core machine would each run
at a fraction of the speed); evaluations take `evaluation`. A second job on a busy resource is refused with what is
running and since when.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tokka.errors import TokkaError

if TYPE_CHECKING:
    from apps.context import AppContext

View = Callable[["AppContext", "Job | None"], Any]  # the outputs: a tuple, or one value for one output

logger = logging.getLogger(__name__)

KEEP_FINISHED = 20  # finished jobs kept (newest), so a page opened later still says how the last one ended


class JobBusyError(TokkaError):
    """The resource is already used by another job."""


@dataclass
class Job:
    """A long task and what it has reported so far.

    :param kind: `upload`, `reindex`, `crawl`, `evaluation`, `tone`, `scratch`, `export`, …
    :param owner: the login (or `local`) that started it; only the owner follows or cancels it from the UI.
    :param snapshot: the latest state the work published (rows, points, counters …), read by the page.
    """

    id: int
    kind: str
    resource: str
    owner: str
    label: str
    started: float = field(default_factory=time.time)
    finished: float | None = None
    state: str = "running"  # running | done | cancelled | failed
    snapshot: Any = None
    progress: float | None = None
    note: str = ""
    error: Exception | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    version: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def running(self) -> bool:
        """True until the work has returned."""
        return self.state == "running"

    def publish(self, snapshot: Any = None, progress: float | None = None, note: str | None = None) -> None:
        """Report new state (any of the three); wakes every follower."""
        with self._cond:
            if snapshot is not None:
                self.snapshot = snapshot
            if progress is not None:
                self.progress = max(0.0, min(1.0, progress))
            if note is not None:
                self.note = note
            self.version += 1
            self._cond.notify_all()

    def follow(self, poll: float = 1.0) -> Iterator[Job]:
        """Yield the job whenever it changed (and at least every `poll` seconds), ending after it finished."""
        seen = -1
        while True:
            with self._cond:
                if self.version == seen and self.running:
                    self._cond.wait(poll)
                seen, finished = self.version, not self.running
            yield self
            if finished:
                return

    def _finish(self, state: str, error: Exception | None = None) -> None:
        with self._cond:
            self.state, self.error, self.finished = state, error, time.time()
            self.version += 1
            self._cond.notify_all()


class JobRunner:
    """Starts jobs in threads, one per resource at a time, and keeps them findable by kind and owner."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, kind: str, resource: str, owner: str, label: str, work: Callable[[Job], None]) -> Job:
        """Start `work(job)` in a thread.

        :raises JobBusyError: `err.job_busy` when another job holds `resource`.
        """
        with self._lock:
            lock = self._locks.setdefault(resource, threading.Lock())
            if not lock.acquire(blocking=False):
                holder = next((j for j in reversed(self._jobs) if j.resource == resource and j.running), None)
                since = time.strftime("%H:%M", time.localtime(holder.started)) if holder else "?"
                raise JobBusyError("err.job_busy", running=holder.label if holder else resource, since=since)
            job = Job(next(self._ids), kind, resource, owner, label)
            self._jobs.append(job)
            self._forget_old()
        thread = threading.Thread(target=self._run, args=(job, work, lock), name=f"tokka-{kind}-{job.id}", daemon=True)
        thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], None], lock: threading.Lock) -> None:
        try:
            work(job)
        except TokkaError as e:
            job._finish("failed", e)
        except Exception as e:
            logger.exception("Job %s (%s) failed", job.id, job.kind)
            job._finish("failed", e)
        else:
            job._finish("cancelled" if job.cancel.is_set() else "done")
        finally:
            lock.release()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs if not j.running]
        for old in finished[:-KEEP_FINISHED]:
            self._jobs.remove(old)

    def latest(self, kind: str, owner: str) -> Job | None:
        """The newest job of `kind` started by `owner` (running or finished)."""
        with self._lock:
            return next((j for j in reversed(self._jobs) if j.kind == kind and j.owner == owner), None)

    def cancel(self, kind: str, owner: str) -> Job | None:
        """Ask `owner`'s running job of `kind` to stop; returns it (None when nothing runs)."""
        job = self.latest(kind, owner)
        if job is None or not job.running:
            return None
        job.cancel.set()
        job.publish()
        return job

    def busy(self, resource: str) -> Job | None:
        """The running job that holds `resource`, if any."""
        with self._lock:
            return next((j for j in reversed(self._jobs) if j.resource == resource and j.running), None)

    def running(self) -> list[Job]:
        """Every running job (for the status line)."""
        with self._lock:
            return [j for j in self._jobs if j.running]

    def wait_all(self, timeout: float) -> bool:
        """Wait until no job runs (tests, shutdown). :returns: True when all finished in time."""
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


# ---- what the tabs call --------------------------------------------------------------------------------------------
def follow_job(ctx: AppContext, job: Job, view: View) -> Iterator[tuple[Any, ...]]:
    """Yield `view(ctx, job)` whenever the job changed, until it finished."""
    for current in job.follow():
        yield view(ctx, current)


def attach_job(ctx: AppContext, kind: str, view: View, request: object | None) -> Iterator[tuple[Any, ...]]:
    """On page load: show the caller's latest job of `kind`, following it while it runs (so a reload re-attaches)."""
    job = ctx.jobs.latest(kind, ctx.user(request) or "")
    if job is None:
        yield view(ctx, None)
        return
    yield from follow_job(ctx, job, view)


def cancel_job(ctx: AppContext, kind: str, request: object | None) -> str:
    """Ask the caller's running job of `kind` to stop; the message says whether anything was running."""
    job = ctx.jobs.cancel(kind, ctx.user(request) or "")
    return ctx.t("ui.job.cancelling") if job is not None else ctx.t("ui.job.nothing_running")
