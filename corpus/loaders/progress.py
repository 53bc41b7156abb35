"""Progress inside one file (a long PDF, pages read by OCR), for whoever waits on it: the status table, the CLI.

A loader calls :func:`report` after each page; whoever runs the loader installs a callback with :func:`reporting`
(in the file-reading worker process, the callback sends the progress back to the app as a frame of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Progress = Callable[[str, int, int], None]  # (stage: "page" or "ocr", done, total)
_callback: ContextVar[Progress | None] = ContextVar("tokka_load_progress", default=None)


def report(stage: str, done: int, total: int) -> None:
    """Say how far the current file is (a no-op when nobody listens)."""
    callback = _callback.get()
    if callback is not None:
        callback(stage, done, total)


@contextmanager
def reporting(callback: Progress | None) -> Iterator[None]:
    """Send :func:`report` calls made inside the block to `callback`."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)
