"""The job runner: one job per resource, cancel between steps, progress followed by any page, failures reported."""

from __future__ import annotations

import threading
import time

import pytest

from apps.jobs import JobBusyError, JobRunner
from tokka.errors import TokkaError


def _steps(n: int, gate: threading.Event | None = None):
    def work(job) -> None:
        for i in range(n):
            if job.cancel.is_set():
                return
            if gate is not None:
                gate.wait(5)
            job.publish(snapshot=i + 1, progress=(i + 1) / n)
            time.sleep(0.01)

    return work


def test_a_job_runs_and_its_followers_see_every_change() -> None:
    runner = JobRunner()
    job = runner.submit("upload", "collection:a", "admin", "取り込み", _steps(5))
    seen = [j.snapshot for j in job.follow(poll=0.05)]
    assert job.state == "done" and job.snapshot == 5 and job.progress == 1.0
    assert seen[-1] == 5 and job.finished is not None
    assert runner.latest("upload", "admin") is job and runner.latest("upload", "other") is None


def test_one_job_per_resource_others_in_parallel() -> None:
    runner = JobRunner()
    gate = threading.Event()
    first = runner.submit("tone", "trainer", "admin", "味付け", _steps(3, gate))
    with pytest.raises(JobBusyError) as caught:
        runner.submit("scratch", "trainer", "admin", "学習", _steps(1))
    assert "味付け" in caught.value.message("ja")  # says what is running
    other = runner.submit("upload", "collection:a", "admin", "取り込み", _steps(1))  # another resource runs at once
    gate.set()
    assert runner.wait_all(10) and first.state == other.state == "done"
    runner.submit("scratch", "trainer", "admin", "学習", _steps(1))  # the lock was released
    assert runner.wait_all(10)


def test_cancel_stops_between_steps_and_says_so() -> None:
    runner = JobRunner()
    gate = threading.Event()
    job = runner.submit("crawl", "collection:b", "admin", "ウェブ", _steps(100, gate))
    assert runner.cancel("crawl", "someone-else") is None  # only the owner cancels
    assert runner.cancel("crawl", "admin") is job
    gate.set()
    assert runner.wait_all(10)
    assert job.state == "cancelled" and (job.snapshot or 0) < 100


def test_a_failing_job_reports_its_error_and_releases_the_resource() -> None:
    runner = JobRunner()

    def fail(job) -> None:
        raise TokkaError("err.invalid_name", name="x")

    job = runner.submit("upload", "collection:c", "admin", "x", fail)
    list(job.follow(poll=0.05))
    assert job.state == "failed" and isinstance(job.error, TokkaError)
    runner.submit("upload", "collection:c", "admin", "y", _steps(1))
    assert runner.wait_all(10)
