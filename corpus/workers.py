"""Start and stop the app's helper processes (`python -m <module>` speaking over stdin/stdout).

Shared by the file readers (`corpus/sandbox.py`) and the tokenizer workers (`corpus/japanese/parallel.py`), which
use plain subprocesses rather than `multiprocessing` for the reasons `corpus/sandbox.py` gives.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from tokka.settings import REPO_ROOT

logger = logging.getLogger(__name__)


def start_worker(module: str, *args: str) -> subprocess.Popen:
    """`python -m module args…` in the repository, with pipes for stdin and stdout (stderr is the app's)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=str(REPO_ROOT),
        env=env,
    )


def stop_worker(process: subprocess.Popen) -> None:
    """Kill `process` if it still runs, reap it and close its pipes."""
    if process.poll() is None:
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process that survives SIGKILL
        logger.warning("Worker process %s did not exit", process.pid)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
