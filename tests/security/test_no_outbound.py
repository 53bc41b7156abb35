"""Nothing leaves the machine: the command lines ingest, search and answer with every connection (and every name
lookup) outside loopback refused and recorded, and nothing is recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from corpus.sample_corpus import SAMPLES_DIR

REPO = Path(__file__).resolve().parents[2]
GUARD = """
import json, os, socket

_LOG = os.environ["TOKKA_NET_LOG"]
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0", "::ffff:127.")


def _local(host):
    return host is None or host == "" or str(host).startswith(_LOCAL)


def _record(kind, host):
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"kind": kind, "host": str(host)}) + "\\n")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _record("connect", address[0])
        raise ConnectionRefusedError("outbound connection blocked by the test")
    return _connect(self, address)


def connect_ex(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _record("connect", address[0])
        return 111
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _record("lookup", host)
        raise socket.gaierror("name lookup blocked by the test")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
"""


def test_ingest_search_and_answer_make_no_outbound_call(tmp_path: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "net.jsonl"
    env = {
        key: value
        for key, value in os.environ.items()
        # the suite switched telemetry off for itself; the commands must do it on their own
        if key
        not in ("HAYSTACK_TELEMETRY_ENABLED", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(guard), str(REPO)]),
        TOKKA_NET_LOG=str(log),
        TOKKA_DATA_DIR=str(tmp_path / "data"),
        TOKKA_EMBEDDER="offline",
        OLLAMA_URL="http://127.0.0.1:9",
    )
    commands = [
        ["-m", "corpus", "--lang", "ja", "add", str(SAMPLES_DIR), "--collection", "samples", "--quiet"],
        ["-m", "corpus", "--lang", "ja", "search", "3Dプリンターの予約は？", "--collection", "samples"],
        ["-m", "pipelines", "--lang", "ja", "run", "excerpt_guide", "3Dプリンターは何時までに予約すればいいですか？"],
        ["-m", "pipelines", "--lang", "ja", "run", "school_guide", "工房は何時まで開いていますか？"],
    ]
    outputs = []
    for command in commands:
        done = subprocess.run(
            [sys.executable, *command], cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        outputs.append(done.stdout + done.stderr)
        assert "outbound connection blocked" not in done.stderr
    assert "前日" in outputs[2]  # the commands really ran: the excerpt answers from the documents
    assert "Ollama" in outputs[3]  # the Ollama assistant tried only the configured (loopback) server
    recorded = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    assert recorded == []
