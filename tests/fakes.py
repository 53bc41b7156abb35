"""HTTP-level fakes for testing *our* request handling and error paths. They are not Ollama: they return fixed
shapes, never real model output, and no test presents their answers as a real model's."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOllama:
    """Serves `/api/tags` and `/api/embed` (deterministic 8-d vectors) on 127.0.0.1 and records requests."""

    def __init__(self, models: list[str] | None = None, embed_status: int = 200) -> None:
        self.models = models if models is not None else ["bge-m3:latest"]
        self.embed_status = embed_status
        self.requests: list[tuple[str, dict]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
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
                fake.requests.append((self.path, {}))
                if self.path == "/api/tags":
                    self._send(200, {"models": [{"name": m} for m in fake.models]})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append((self.path, body))
                if self.path == "/api/embed":
                    if fake.embed_status != 200:
                        self._send(fake.embed_status, {"error": f"model '{body.get('model')}' not found"})
                        return
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    vectors = [[float((len(text) + i) % 7) + 1.0 for i in range(8)] for text in inputs]
                    self._send(200, {"model": body.get("model"), "embeddings": vectors})
                else:
                    self._send(404, {"error": "not found"})

        return Handler


@contextmanager
def serve(fake: FakeOllama) -> Iterator[str]:
    """Run the fake on a free port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
