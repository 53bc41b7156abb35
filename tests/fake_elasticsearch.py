"""An in-memory stand-in for the parts of the Elasticsearch REST API that tokka calls, served over real HTTP.

It exists to run our backend's *request handling* end to end (index creation, bulk writes, deletes, scroll,
registry documents) without a cluster. Its "ranking" is a token-overlap count and a plain cosine: nothing here
says how a real Elasticsearch ranks, and no test presents it as such. Live-cluster tests use `ELASTICSEARCH_URL`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.fakes import elasticsearch_handler, serve_handler

INFO = {
    "name": "fake",
    "cluster_name": "fake",
    "version": {"number": "8.19.3", "build_flavor": "default"},
    "tagline": "You Know, for Search",
}


SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def _get(doc: dict[str, Any], field: str) -> Any:
    return doc.get(field)


def _matches(doc: dict[str, Any], doc_id: str, query: dict[str, Any] | None) -> bool:
    if not query or "match_all" in query:
        return True
    if "term" in query:
        field, value = next(iter(query["term"].items()))
        value = value.get("value") if isinstance(value, dict) else value
        return _get(doc, field) == value
    if "terms" in query:
        field, values = next(iter(query["terms"].items()))
        return _get(doc, field) in values
    if "ids" in query:
        return doc_id in query["ids"]["values"]
    if "exists" in query:
        return _get(doc, query["exists"]["field"]) is not None
    if "match" in query:
        field, spec = next(iter(query["match"].items()))
        words = set(str(spec["query"] if isinstance(spec, dict) else spec).split())
        return bool(words & set(str(_get(doc, field) or "").split()))
    if "range" in query:
        field, bounds = next(iter(query["range"].items()))
        value = _get(doc, field)
        ops = {
            "gt": lambda a, b: a > b,
            "gte": lambda a, b: a >= b,
            "lt": lambda a, b: a < b,
            "lte": lambda a, b: a <= b,
        }
        return value is not None and all(ops[k](value, v) for k, v in bounds.items() if k in ops)
    if "bool" in query:
        b = query["bool"]

        def listed(key: str) -> list[dict[str, Any]]:
            value = b.get(key, [])
            return value if isinstance(value, list) else [value]

        return (
            all(_matches(doc, doc_id, q) for q in listed("must") + listed("filter"))
            and not any(_matches(doc, doc_id, q) for q in listed("must_not"))
            and (not listed("should") or any(_matches(doc, doc_id, q) for q in listed("should")))
        )
    raise AssertionError(f"fake Elasticsearch does not know the query {query}")


class FakeCluster:
    """Indices as dicts of documents; requests recorded in `requests`."""

    def __init__(self) -> None:
        self.indices: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, params: dict[str, str], body: Any) -> tuple[int, Any]:  # noqa: C901
        self.requests.append((method, path, body))
        parts = [p for p in path.split("/") if p]
        if not parts:
            return 200, INFO
        if parts == ["_bulk"]:
            return self._bulk(body)
        if parts[:2] == ["_search", "scroll"]:
            if method == "DELETE":
                return 200, {"succeeded": True, "num_freed": 1}
            return 200, {"_scroll_id": "done", "_shards": SHARDS, "hits": {"hits": []}}
        index = parts[0]
        store = self.indices.get(index)
        if len(parts) == 1:
            if method == "HEAD":
                return (200 if store is not None else 404), {}
            if method == "PUT":
                self.indices[index] = {
                    "docs": {},
                    "mappings": (body or {}).get("mappings", {}),
                    "settings": (body or {}).get("settings", {}),
                }
                return 200, {"acknowledged": True, "index": index}
            if method == "DELETE":
                self.indices.pop(index, None)
                return (200 if store is not None else 404), {"acknowledged": True}
        if store is None:
            return 404, {
                "error": {"type": "index_not_found_exception", "reason": f"no such index [{index}]"},
                "status": 404,
            }
        action = parts[1]
        if action == "_mapping":
            if method == "PUT":
                store["mappings"].setdefault("properties", {}).update(body.get("properties", {}))
                return 200, {"acknowledged": True}
            return 200, {index: {"mappings": store["mappings"]}}
        if action == "_doc":
            doc_id = parts[2]
            if method in ("PUT", "POST"):
                created = doc_id not in store["docs"]
                store["docs"][doc_id] = body
                return 200, {"_id": doc_id, "result": "created" if created else "updated"}
            if method == "DELETE":
                found = store["docs"].pop(doc_id, None) is not None
                return (200 if found else 404), {"_id": doc_id, "result": "deleted" if found else "not_found"}
            if doc_id not in store["docs"]:
                return 404, {"_index": index, "_id": doc_id, "found": False}
            return 200, {"_index": index, "_id": doc_id, "found": True, "_source": store["docs"][doc_id]}
        if action == "_count":
            query = (body or {}).get("query")
            return 200, {"count": sum(1 for i, d in store["docs"].items() if _matches(d, i, query))}
        if action == "_mget":
            return 200, {"docs": [{"_id": i, "found": i in store["docs"]} for i in body["ids"]]}
        if action == "_delete_by_query":
            doomed = [i for i, d in store["docs"].items() if _matches(d, i, body["query"])]
            for doc_id in doomed:
                del store["docs"][doc_id]
            return 200, {"deleted": len(doomed)}
        if action == "_search":
            return 200, self._search(index, store, body or {}, params)
        raise AssertionError(f"fake Elasticsearch does not know {method} {path}")

    def _search(self, index: str, store: dict[str, Any], body: dict[str, Any], params: dict[str, str]) -> Any:
        docs = store["docs"]
        if "knn" in body:
            knn = body["knn"]
            query = knn["query_vector"]

            def cosine(vector: list[float]) -> float:
                dot = sum(a * b for a, b in zip(vector, query, strict=True))
                return dot / (math.sqrt(sum(a * a for a in vector)) * math.sqrt(sum(b * b for b in query)) or 1)

            scored = [
                (i, (1 + cosine(d["embedding"])) / 2)
                for i, d in docs.items()
                if d.get("embedding") and _matches(d, i, knn.get("filter"))
            ]
        else:
            query = body.get("query")
            words: set[str] = set()
            for match in re.findall(r"'query': '([^']*)'", str(query)):
                words |= set(match.split())
            scored = [
                (i, float(len(words & set(str(d.get("bm25_tokens", "")).split()))) or 1.0)
                for i, d in docs.items()
                if _matches(d, i, query)
            ]
        scored.sort(key=lambda pair: -pair[1])
        size = int(body.get("size", params.get("size", 10)))
        excludes = set((body.get("_source") or {}).get("excludes", []))
        hits = [
            {"_index": index, "_id": i, "_score": s, "_source": {k: v for k, v in docs[i].items() if k not in excludes}}
            for i, s in scored[:size]
        ]
        result: dict[str, Any] = {"_shards": SHARDS, "hits": {"total": {"value": len(scored)}, "hits": hits}}
        if "scroll" in params:
            result["_scroll_id"] = "s1"
        return result

    def _bulk(self, lines: list[dict[str, Any]]) -> tuple[int, Any]:
        items = []
        for action, doc in zip(lines[::2], lines[1::2], strict=True):
            op, meta = next(iter(action.items()))
            index, doc_id = meta["_index"], meta["_id"]
            docs = self.indices.setdefault(index, {"docs": {}, "mappings": {}, "settings": {}})["docs"]
            if op == "update":  # a partial document; a missing one fails, as Elasticsearch answers it
                if doc_id not in docs:
                    error = {"type": "document_missing_exception", "reason": f"[{doc_id}]: document missing"}
                    items.append({op: {"_index": index, "_id": doc_id, "status": 404, "error": error}})
                    continue
                docs[doc_id] = {**docs[doc_id], **doc["doc"]}
                items.append({op: {"_index": index, "_id": doc_id, "status": 200, "result": "updated"}})
                continue
            docs[doc_id] = doc
            items.append({op: {"_index": index, "_id": doc_id, "status": 201, "result": "created"}})
        failed = any("error" in next(iter(item.values())) for item in items)
        return 200, {"took": 1, "errors": failed, "items": items}


@contextmanager
def fake_cluster() -> Iterator[tuple[str, FakeCluster]]:
    """Serve a FakeCluster on 127.0.0.1; yields (url, cluster)."""
    cluster = FakeCluster()

    def respond(method: str, path: str, params: dict[str, str], body: Any) -> tuple[int, Any]:
        with cluster.lock:
            return cluster.handle(method, path, params, body)

    with serve_handler(elasticsearch_handler(respond)) as url:
        yield url, cluster
