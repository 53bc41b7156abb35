"""BM25 tokens for many chunks at once, on every core.

Tokenising is most of what ingestion costs (Sudachi's analysis runs at about 550k chars/s on one core here). Threads do
not help: the Python work per morpheme holds the GIL, and two threads measured 1.13× one. Worker processes do, so a
large batch is cut into contiguous slices by characters: this process tokenises the first while idle workers do the
others, and the token strings come back in order. Small batches (a short file, a query) stay in-process, where a
round trip would cost more than it saves; so does a batch that finds every worker busy with another caller's.

The workers are plain subprocesses (`python -m corpus.japanese.parallel`) speaking one JSON line per request and per
reply, for the reason `corpus/sandbox.py` gives: `multiprocessing`'s spawn start method re-imports the parent's
`__main__` (the launcher, with Gradio) in every worker, and a pickled reply could run code in the app. A worker that
dies, answers garbage or is late is killed and that batch is tokenised in-process; the next large batch starts a
fresh worker. A worker that cannot even start disables the workers for the rest of the process (with one warning),
so a broken environment costs one try, not one per batch. The tokens are the same either way: every process runs the
same tokenizer on the same text.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import selectors
import sys
import threading
import time

from corpus.japanese.tokenizer import TOKENIZERS, get_tokenizer
from corpus.workers import start_worker, stop_worker
from tokka.settings import get_settings

logger = logging.getLogger(__name__)

# Below this many characters a batch is tokenised here (≈ 40 ms of work; a worker's first answer waits ~0.2 s for the
# worker to start, later round trips ~1 ms).
MIN_PARALLEL_CHARS = 20_000
# A worker gets this long for its slice, at the slowest plausible speed (a busy machine), plus a start allowance.
_SECONDS_PER_MCHAR = 20.0
_START_SECONDS = 30.0


def _line(payload: dict) -> bytes:
    """One JSON line; text that cannot be UTF-8 (a lone surrogate) is sent escaped instead of failing."""
    try:
        return json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(payload).encode("ascii") + b"\n"


class _WorkerFailed(Exception):
    """The worker died, was late or answered something that is not its slice's tokens; it has been killed."""


class _Worker:
    """One tokenizer process."""

    def __init__(self) -> None:
        self.process = start_worker("corpus.japanese.parallel")
        self.answered = False

    def send(self, name: str, texts: list[str]) -> None:
        try:
            self.process.stdin.write(_line({"tokenizer": name, "texts": texts}))
            self.process.stdin.flush()
        except OSError as e:
            self.kill()
            raise _WorkerFailed(str(e)) from e

    def receive(self, count: int, timeout: float) -> list[str] | None:
        deadline = time.monotonic() + timeout
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.process.stdout, selectors.EVENT_READ)
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError
            reply = json.loads(self.process.stdout.readline())
            if "error" in reply:  # the text itself failed: the caller redoes it here, to raise the real error
                self.answered = True
                return None
            tokens = reply["tokens"]
            if not isinstance(tokens, list) or len(tokens) != count or not all(isinstance(t, str) for t in tokens):
                raise ValueError("reply does not match the request")
        except (TimeoutError, OSError, ValueError, KeyError, TypeError) as e:
            self.kill()
            raise _WorkerFailed(type(e).__name__) from e
        self.answered = True
        return tokens

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        stop_worker(self.process)


class _Pool:
    """Idle workers, checked out by one batch at a time; never waits for a busy one."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._started = 0
        self._lock = threading.Lock()
        self.disabled = False

    def take(self, wanted: int, limit: int) -> list[_Worker]:
        with self._lock:
            if self.disabled:
                return []
            taken = []
            while self._idle and len(taken) < wanted:
                worker = self._idle.pop()
                if worker.alive():
                    taken.append(worker)
                else:
                    worker.kill()
                    self._started -= 1
            while len(taken) < wanted and self._started < limit:
                taken.append(_Worker())
                self._started += 1
            return taken

    def give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def lost(self, worker: _Worker) -> None:
        with self._lock:
            self._started -= 1
            if not worker.answered and not self.disabled:
                self.disabled = True
                logger.warning("A tokenizer worker failed before its first answer; tokenising in-process from now on")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            worker.kill()


_pool = _Pool()


def _slices(texts: list[str], parts: int) -> list[list[str]]:
    """`texts` cut into `parts` contiguous runs of about equal characters (some may be empty)."""
    total = sum(len(t) for t in texts)
    out: list[list[str]] = [[] for _ in range(parts)]
    done, index = 0, 0
    for text in texts:
        while index < parts - 1 and done >= total * (index + 1) / parts:
            index += 1
        out[index].append(text)
        done += len(text)
    return out


def tokens_strings(name: str, texts: list[str], workers: int | None = None) -> list[str]:
    """The stored token string of each text, in order, with `name`'s tokenizer (see `corpus.japanese.tokenizer`).

    :param workers: worker processes beside this one; default `TOKKA_TOKENIZE_WORKERS` (cores − 1). 0 = in-process.
    """
    workers = get_settings().tokenize_workers if workers is None else workers
    tokenizer = get_tokenizer(name)
    chars = sum(len(t) for t in texts)
    if workers <= 0 or len(texts) < 2 or chars < MIN_PARALLEL_CHARS:
        return [tokenizer.tokens_string(t) for t in texts]
    helpers = _pool.take(workers, workers)
    if not helpers:
        return [tokenizer.tokens_string(t) for t in texts]
    mine, *theirs = _slices(texts, len(helpers) + 1)
    sent: list[tuple[_Worker | None, list[str]]] = []
    for worker, part in zip(helpers, theirs, strict=True):
        try:
            worker.send(name, part)
            sent.append((worker, part))
        except _WorkerFailed:
            _pool.lost(worker)
            sent.append((None, part))
    out = [tokenizer.tokens_string(t) for t in mine]
    for worker, part in sent:
        if worker is None:
            out.extend(tokenizer.tokens_string(t) for t in part)
            continue
        timeout = _START_SECONDS + _SECONDS_PER_MCHAR * sum(len(t) for t in part) / 1e6
        try:
            tokens = worker.receive(len(part), timeout)
            _pool.give_back(worker)
            out.extend(tokens if tokens is not None else (tokenizer.tokens_string(t) for t in part))
        except _WorkerFailed as e:
            logger.warning("A tokenizer worker failed (%s); tokenising its slice in-process", e)
            _pool.lost(worker)
            out.extend(tokenizer.tokens_string(t) for t in part)
    return out


def close_workers() -> None:
    """Stop the idle workers (at exit; a busy one ends with its process's stdin)."""
    _pool.close()


atexit.register(close_workers)


# ---- the worker side ---------------------------------------------------------------------------------------------
def _worker_main() -> None:
    """Answer one JSON line per request on stdin until it closes. Stray prints go to stderr, never into replies."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        os.nice(10)  # the app's own requests (a chat answer) come first
    except OSError:
        pass
    for line in sys.stdin.buffer:
        request = json.loads(line)
        name = request["tokenizer"]
        if name not in TOKENIZERS:
            return
        tokenizer = get_tokenizer(name)
        try:
            reply = {"tokens": [tokenizer.tokens_string(str(t)) for t in request["texts"]]}
        except Exception as e:  # reported; the caller redoes the slice and raises the real error
            reply = {"error": type(e).__name__}
        replies.write(_line(reply))
        replies.flush()


if __name__ == "__main__":
    _worker_main()
