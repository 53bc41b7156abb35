"""Read untrusted files in a separate worker process with a memory limit and a time limit.

A hostile or broken file (a zip bomb, a sparse spreadsheet that declares a million rows, a PDF that makes a parser
loop) must fail alone, with a clear message, while the app keeps serving everyone else. Loading therefore runs in a
small pool of worker processes (`python -m corpus.sandbox`), each with an address-space limit (`RLIMIT_AS`) and a
lower CPU priority; the caller waits at most `TOKKA_LOADER_TIMEOUT` seconds and kills the worker when it is late.
A worker that ran out of memory, crashed or was killed is replaced by a fresh one for the next file.

Why a plain subprocess with JSON frames instead of `multiprocessing`: the spawn start method re-imports the parent's
`__main__` (our launcher), and pickled replies would let a compromised worker run code in the app; a JSON reply
holds only text and numbers.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import resource
import selectors
import struct
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.progress import Progress, reporting
from corpus.workers import start_worker, stop_worker
from tokka.settings import get_settings

logger = logging.getLogger(__name__)
_HEADER = struct.Struct(">I")
MAX_REPLY_BYTES = 512 * 2**20  # a reply (the extracted text) larger than this is refused


class _WorkerLost(Exception):
    """The worker died or stopped answering; it has been killed."""


def _read_exact(stream: Any, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    fd = stream.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while remaining:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise TimeoutError
            if not selector.select(wait):
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
    return b"".join(chunks)


def _write_frame(stream: Any, payload: dict[str, Any]) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _Worker:
    """One worker process."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.process = start_worker("corpus.sandbox", str(memory_mb))

    def call(self, request: dict[str, Any], timeout: float, progress: Progress | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        try:
            _write_frame(self.process.stdin, request)
            while True:
                size = _HEADER.unpack(_read_exact(self.process.stdout, _HEADER.size, deadline))[0]
                if size > MAX_REPLY_BYTES:
                    raise _WorkerLost("reply too large")
                reply = json.loads(_read_exact(self.process.stdout, size, deadline).decode("utf-8"))
                if "progress" not in reply:
                    return reply
                if progress is not None:
                    stage, done, total = reply["progress"]
                    progress(str(stage), int(done), int(total))
        except TimeoutError:
            self.kill()
            raise
        except (EOFError, OSError, ValueError) as e:
            self.kill()
            raise _WorkerLost(str(e)) from e

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        stop_worker(self.process)


class LoaderPool:
    """At most `size` workers, created on demand and reused; a lost worker is replaced on the next call."""

    def __init__(self, size: int = 2) -> None:
        self.size = max(1, size)
        self._idle: list[_Worker] = []
        self._busy = 0
        self._cond = threading.Condition()

    def call(
        self, request: dict[str, Any], timeout: float, memory_mb: int, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Send one request to a free worker and wait for its reply (progress frames go to `progress`).

        :raises TimeoutError: when the worker did not answer in time (it was killed).
        :raises _WorkerLost: when the worker died (crashed, out of memory, killed).
        """
        worker = self._acquire(memory_mb)
        keep = False
        try:
            reply = worker.call(request, timeout, progress)
            keep = not reply.get("restart")
            return reply
        finally:
            self._release(worker if keep else None, worker)

    def _acquire(self, memory_mb: int) -> _Worker:
        with self._cond:
            while not self._idle and self._busy >= self.size:
                self._cond.wait()
            self._busy += 1
            while self._idle:
                worker = self._idle.pop()
                if worker.alive() and worker.memory_mb == memory_mb:
                    return worker
                worker.kill()  # dead, or started with another memory limit
        try:
            return _Worker(memory_mb)
        except OSError:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _release(self, keep: _Worker | None, used: _Worker) -> None:
        if keep is None:
            used.kill()
        with self._cond:
            self._busy -= 1
            if keep is not None and keep.alive():
                self._idle.append(keep)
            self._cond.notify()

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their call ends)."""
        with self._cond:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_pool: LoaderPool | None = None
_pool_lock = threading.Lock()


def _get_pool() -> LoaderPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = LoaderPool(get_settings().loader_workers)
            atexit.register(_pool.close)
        return _pool


def _document(reply: dict[str, Any]) -> Any:
    from corpus.loaders import LoadedDocument

    if "error" in reply:
        raise LoadError(reply["error"]["code"], **reply["error"]["params"])
    return LoadedDocument(**reply["ok"])


def _run(request: dict[str, Any], label: str, progress: Progress | None = None) -> Any:
    settings = get_settings()
    # The worker reads the same settings as this process (limits, OCR), whatever changed since it started.
    request["env"] = {k: v for k, v in os.environ.items() if k.startswith("TOKKA_")}
    started = time.monotonic()
    try:
        reply = _get_pool().call(request, settings.loader_timeout, settings.loader_memory_mb, progress)
    except TimeoutError:
        logger.warning("Loading %s took longer than %ss; the worker was stopped", label, settings.loader_timeout)
        raise LoadError("err.load_timeout", seconds=settings.loader_timeout) from None
    except _WorkerLost as e:
        logger.warning("The loader worker died while reading %s: %s", label, e)
        raise LoadError("err.load_crashed", memory_mb=settings.loader_memory_mb) from None
    logger.debug("Loaded %s in a worker in %.2fs", label, time.monotonic() - started)
    return _document(reply)


def load_file_isolated(path: Path | str, max_bytes: int | None = None, progress: Progress | None = None) -> Any:
    """`corpus.loaders.load_file` in a worker process (or in this process when `TOKKA_LOADER_ISOLATION=0`).

    :param progress: called with `(stage, done, total)` as the pages of a long file are read.
    :raises LoadError: the loader's own reasons, plus `err.load_timeout` and `err.load_crashed`.
    """
    if not get_settings().loader_isolation:
        from corpus.loaders import load_file

        with reporting(progress):
            return load_file(path, max_bytes)
    return _run({"op": "file", "path": str(Path(path).resolve()), "max_bytes": max_bytes}, str(path), progress)


def load_bytes_isolated(
    data: bytes,
    name: str,
    source: str,
    modified: float,
    max_bytes: int | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
) -> Any:
    """`corpus.loaders.load_bytes` in a worker process (the bytes are handed over in a private temporary file)."""
    if not get_settings().loader_isolation:
        from corpus.loaders import load_bytes

        with reporting(progress):
            return load_bytes(data, name, source, modified, max_bytes, kind)
    with tempfile.TemporaryDirectory(prefix="tokka-load-") as folder:
        path = Path(folder) / "data"
        path.write_bytes(data)
        request = {
            "op": "bytes",
            "path": str(path),
            "name": name,
            "source": source,
            "modified": modified,
            "max_bytes": max_bytes,
            "kind": kind,
        }
        return _run(request, source, progress)


# ---- the worker side ---------------------------------------------------------------------------------------------
def _serve(request: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from corpus.loaders import load_bytes, load_file

    environment = request.get("env") or {}
    for key in [k for k in os.environ if k.startswith("TOKKA_") and k not in environment]:
        del os.environ[key]
    os.environ.update(environment)
    get_settings.cache_clear()

    with reporting(progress):
        if request["op"] == "file":
            loaded = load_file(request["path"], request.get("max_bytes"))
        else:
            data = Path(request["path"]).read_bytes()
            loaded = load_bytes(
                data, request["name"], request["source"], request["modified"], request.get("max_bytes"), request["kind"]
            )
    return {"ok": asdict(loaded)}


def _worker_main(memory_mb: int) -> None:
    """Answer requests on stdin/stdout until stdin closes. Stray prints go to stderr, never into the replies."""
    from tokka.errors import TokkaError

    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = os.fdopen(sys.stdin.fileno(), "rb")
    if memory_mb > 0:
        from corpus.loaders.legacy import CONVERT_MEMORY_MB

        limit = memory_mb * 2**20
        # The hard limit leaves room for the one helper that needs more address space (LibreOffice, which sets its
        # own soft limit); Python parsers stay under the soft limit.
        resource.setrlimit(resource.RLIMIT_AS, (limit, max(limit, CONVERT_MEMORY_MB * 2**20)))
    try:
        os.nice(10)  # the app's own requests (a chat answer) come first
    except OSError:
        pass
    while True:
        try:
            size = _HEADER.unpack(_read_exact(requests, _HEADER.size, None))[0]
            request = json.loads(_read_exact(requests, size, None).decode("utf-8"))
        except EOFError:
            return

        def progress(stage: str, done: int, total: int) -> None:
            _write_frame(replies, {"progress": [stage, done, total]})

        try:
            reply = _serve(request, progress)
        except TokkaError as e:
            reply = {"error": {"code": e.code, "params": _plain(e.params)}}
        except MemoryError:
            reply = {"error": {"code": "err.load_memory", "params": {"memory_mb": memory_mb}}, "restart": True}
        except RecursionError:
            reply = {"error": {"code": "err.read_failed", "params": {"detail": "RecursionError"}}, "restart": True}
        except Exception as e:
            reply = {"error": {"code": "err.read_failed", "params": {"detail": type(e).__name__}}}
        _write_frame(replies, reply)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in params.items()}


if __name__ == "__main__":
    _worker_main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
