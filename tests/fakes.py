"""HTTP-level fakes for testing *our* request handling and error paths. They are not Ollama: they return fixed
shapes, never real model output, and no test presents their answers as a real model's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOllama:
    """Serves `/api/tags`, `/api/embed` (deterministic 8-d vectors) and `/api/chat` (fixed test pieces, streamed
    as NDJSON) on 127.0.0.1, and records requests. `chat_mode` simulates a missing model or a hung server."""

    def __init__(
        self,
        models: list[str] | None = None,
        embed_status: int = 200,
        chat_pieces: list[str] | None = None,
        chat_mode: str = "ok",
        hang_seconds: float = 5.0,
    ) -> None:
        self.models = models if models is not None else ["bge-m3:latest"]
        self.embed_status = embed_status
        self.chat_pieces = chat_pieces if chat_pieces is not None else ["テスト", "応答", "です [1]。"]
        self.chat_mode = chat_mode  # "ok" | "missing_model" | "hang"
        self.hang_seconds = hang_seconds
        self.requests: list[tuple[str, dict]] = []
        self.blobs: dict[str, int] = {}
        self.created: list[dict] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler class bound to this fake."""
        return type("Handler", (_OllamaHandler,), {"fake": self})


class _OllamaHandler(BaseHTTPRequestHandler):
    fake: FakeOllama

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.fake.requests.append((self.path, {}))
        if self.path == "/api/tags":
            self._send(200, {"models": [{"name": m} for m in self.fake.models]})
        else:
            self._send(404, {"error": "not found"})

    def do_HEAD(self) -> None:
        self.fake.requests.append((f"HEAD {self.path}", {}))
        status = 200 if self.path.removeprefix("/api/blobs/") in self.fake.blobs else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/api/blobs/"):  # the model file's bytes, addressed by their sha256
            digest = self.path.removeprefix("/api/blobs/")
            self.fake.blobs[digest] = len(raw)
            self.fake.requests.append((self.path, {"bytes": len(raw)}))
            self._send(201, {})
            return
        body = json.loads(raw or b"{}")
        self.fake.requests.append((self.path, body))
        route = {"/api/create": self._create, "/api/embed": self._embed, "/api/chat": self._chat}.get(self.path)
        if route is None:
            self._send(404, {"error": "not found"})
        else:
            route(body)

    def _create(self, body: dict) -> None:
        missing = [d for d in body.get("files", {}).values() if d not in self.fake.blobs]
        if missing:
            self._send(400, {"error": f"missing blob {missing[0]}"})
        else:
            self.fake.created.append(body)
            self._send(200, {"status": "success"})

    def _embed(self, body: dict) -> None:
        if self.fake.embed_status != 200:
            self._send(self.fake.embed_status, {"error": f"model '{body.get('model')}' not found"})
            return
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        vectors = [[float((len(text) + i) % 7) + 1.0 for i in range(8)] for text in inputs]
        self._send(200, {"model": body.get("model"), "embeddings": vectors})

    def _chat(self, body: dict) -> None:
        fake = self.fake
        if fake.chat_mode == "missing_model":
            self._send(404, {"error": f"model '{body.get('model')}' not found"})
            return
        if fake.chat_mode == "hang":
            time.sleep(fake.hang_seconds)
            return
        if not body.get("stream"):
            message = {"role": "assistant", "content": "".join(fake.chat_pieces)}
            self._send(200, {"model": body.get("model"), "message": message, "done": True, "done_reason": "stop"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for piece in fake.chat_pieces:  # NDJSON: one JSON object per line, as Ollama streams
            line = {"model": body.get("model"), "message": {"role": "assistant", "content": piece}, "done": False}
            self.wfile.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
            self.wfile.flush()
        final = {
            "model": body.get("model"),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": 10,
            "eval_count": len(fake.chat_pieces),
        }
        self.wfile.write(json.dumps(final).encode() + b"\n")


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free port of 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def serve(fake: FakeOllama):
    """Run the Ollama fake on a free port; yields its base URL."""
    return serve_handler(fake.handler())


def elasticsearch_handler(respond) -> type[BaseHTTPRequestHandler]:
    """An HTTP handler speaking like Elasticsearch (JSON, NDJSON bulk bodies, the product header) that answers
    with `respond(method, path, query params, body) -> (status, json)`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _serve(self, method: str) -> None:
            path, _, query = self.path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            if path.endswith("_bulk"):
                body: object = [json.loads(line) for line in raw.splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw else None
            status, payload = respond(method, path, params, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "0" if method == "HEAD" else str(len(data)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

    return Handler


class FakeElasticsearch:
    """An HTTP-level stand-in for Elasticsearch that records every request and answers from `routes`
    (a function `(method, path, body) -> (status, json) | None`). It checks what *we* send and how we handle
    errors; it does no ranking and is never presented as a real cluster."""

    def __init__(self, routes) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, object]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        def respond(method: str, path: str, params: dict[str, str], body: object) -> tuple[int, object]:
            self.requests.append(
                (method, path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""), body)
            )
            return self.routes(method, path, body) or (404, {"error": "not found", "status": 404})

        return elasticsearch_handler(respond)


def serve_es(fake: FakeElasticsearch):
    """Run the Elasticsearch fake on a free port; yields its URL."""
    return serve_handler(fake.handler())
