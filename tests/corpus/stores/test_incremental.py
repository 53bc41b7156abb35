"""The embedded store follows writes without rebuilding: segments, tombstones, the change log, background merges.

Real SQLite files, the real Sudachi tokens and real vectors; the thresholds are lowered so that a few hundred chunks
take the paths a large store takes.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from corpus.stores import embedded, segments
from corpus.stores.bm25 import K1, B
from corpus.stores.embedded import EmbeddedBackend, SourceRecord
from corpus.stores.segments import SearchIndex

REPO = Path(__file__).resolve().parents[3]
DIM = 8
TOPICS = ["旋盤", "レーザー", "はんだ", "木工", "塗装", "溶接", "刺繍", "陶芸", "製本", "染色"]


def _doc(source: str, i: int, text: str, rng: np.random.Generator) -> Document:
    return Document(id=f"{source}-{i}", content=text, meta={"source": source}, embedding=rng.random(DIM).tolist())


def _fill(backend: EmbeddedBackend, collection: str, sources: int, per_source: int = 5) -> None:
    rng = np.random.default_rng(0)
    for s in range(sources):
        topic = TOPICS[s % len(TOPICS)]
        docs = [
            _doc(f"s{s}", i, f"{topic}の講習{s}の第{i}回では安全な使い方を学びます。", rng) for i in range(per_source)
        ]
        backend.replace_source(collection, SourceRecord(f"s{s}"), docs, embedding_model="m")


@pytest.fixture
def backend(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> EmbeddedBackend:
    monkeypatch.setattr(embedded, "REBUILD_BELOW", 100)
    monkeypatch.setattr(segments, "MERGE_MIN_ROWS", 10_000)  # no merge unless a test asks for one
    b = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    _fill(b, "c", sources=60)  # 300 chunks
    return b


def _ids(docs: list[Document]) -> list[str]:
    return [d.id for d in docs]


def _tokens(backend: EmbeddedBackend, text: str) -> list[str]:
    from corpus.japanese.tokenizer import get_tokenizer

    return get_tokenizer(backend.tokenizer_name("c")).tokenize(text)


def test_adding_a_document_adds_a_segment_instead_of_rebuilding(backend: EmbeddedBackend) -> None:
    first = backend.search_index("c")
    assert len(first.segments) == 1 and first.live == 300
    rng = np.random.default_rng(1)
    vector = rng.random(DIM)
    new = Document(id="new-0", content="ミシンの糸調子の直し方。", meta={"source": "new"}, embedding=vector.tolist())
    backend.replace_source("c", SourceRecord("new"), [new], embedding_model="m")

    after = backend.search_index("c")
    assert len(after.segments) == 2 and after.main is first.main  # the main segment was reused, not rebuilt
    assert after.live == 301
    assert _ids(backend.bm25_search("c", _tokens(backend, "ミシン 糸調子"), 3)) == ["new-0"]
    assert _ids(backend.vector_search("c", vector.tolist(), 1)) == ["new-0"]
    # The index object a query already holds keeps the old state: no mix of old and new.
    assert first.live == 300 and first.bm25_search(_tokens(backend, "ミシン"), 3)[0].size == 0


def test_removing_a_document_tombstones_its_chunks(backend: EmbeddedBackend) -> None:
    backend.search_index("c")
    query = _tokens(backend, "旋盤 講習")
    assert "s0-0" in _ids(backend.bm25_search("c", query, 50))
    backend.remove_source("c", "s0")
    index = backend.search_index("c")
    assert len(index.segments) == 1 and index.alive is not None and index.live == 295
    found = _ids(backend.bm25_search("c", query, 300))
    assert found and not any(i.startswith("s0-") for i in found)
    vectors = _ids(backend.vector_search("c", [1.0] * DIM, 300))
    assert len(vectors) == 295 and not any(i.startswith("s0-") for i in vectors)


def test_replacing_a_document_and_deleting_by_id_follow_too(backend: EmbeddedBackend) -> None:
    backend.search_index("c")
    rng = np.random.default_rng(2)
    docs = [_doc("s1", 0, "刺繍ミシンの枠の付け方。", rng)]
    backend.replace_source("c", SourceRecord("s1"), docs, embedding_model="m")
    backend.delete("c", ["s2-0", "s2-1"])
    index = backend.search_index("c")
    assert index.live == 300 - 5 + 1 - 2
    assert _ids(backend.bm25_search("c", _tokens(backend, "刺繍ミシン 枠"), 1)) == ["s1-0"]
    left = {i for i in _ids(backend.bm25_search("c", _tokens(backend, "講習"), 400))}
    assert not {"s1-1", "s2-0", "s2-1"} & left and "s2-2" in left


def test_incremental_results_match_a_full_rebuild(backend: EmbeddedBackend) -> None:
    backend.search_index("c")
    rng = np.random.default_rng(3)
    for s in range(5):
        backend.replace_source(
            "c", SourceRecord(f"n{s}"), [_doc(f"n{s}", 0, f"{TOPICS[s]}の新しい講習の案内。", rng)], embedding_model="m"
        )
    backend.remove_source("c", "s7")
    incremental = backend.search_index("c")
    assert len(incremental.segments) > 1
    queries = ["旋盤 講習 案内", "レーザー 安全", "新しい 講習", "陶芸 第3回"]
    before = [backend.bm25_search("c", _tokens(backend, q), 5) for q in queries]
    vector = rng.random(DIM).tolist()
    dense_before = _ids(backend.vector_search("c", vector, 10))

    merged = backend.merge("c")
    assert len(merged.segments) == 1 and merged.alive is None and backend.search_index("c") is merged
    after = [backend.bm25_search("c", _tokens(backend, q), 5) for q in queries]
    for a, b in zip(before, after, strict=True):
        assert _ids(a)[:1] == _ids(b)[:1]
        assert set(_ids(a)) == set(_ids(b))
        # Until a merge, removed chunks still count in the statistics and new ones are weighed against the main
        # segment: close (here 5 of 300 chunks share the query terms, so a few per cent), not identical.
        np.testing.assert_allclose([d.score for d in a][:1], [d.score for d in b][:1], rtol=0.1)
    assert _ids(backend.vector_search("c", vector, 10)) == dense_before  # cosine does not depend on statistics


def test_a_write_from_another_process_is_applied_from_the_log(backend: EmbeddedBackend, data_dir: Path) -> None:
    before = backend.search_index("c")
    code = (
        "from haystack import Document\n"
        "from corpus.stores.embedded import EmbeddedBackend, SourceRecord\n"
        f"b = EmbeddedBackend.open({str(data_dir / 'tokka.sqlite3')!r})\n"
        "b.replace_source('c', SourceRecord('p'), [Document(id='p0', content='木工旋盤の刃物研ぎ。', "
        f"meta={{'source': 'p'}}, embedding=[0.5] * {DIM})], embedding_model='m')\n"
        "b.remove_source('c', 's3')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    after = backend.search_index("c")
    assert after.main is before.main and len(after.segments) == 2
    assert _ids(backend.bm25_search("c", _tokens(backend, "刃物 研ぎ"), 1)) == ["p0"]
    assert not [i for i in _ids(backend.bm25_search("c", _tokens(backend, "講習"), 400)) if i.startswith("s3-")]


def test_a_merge_runs_in_the_background_caches_and_prunes_the_log(
    backend: EmbeddedBackend, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.search_index("c")
    monkeypatch.setattr(segments, "MERGE_MIN_ROWS", 8)
    monkeypatch.setattr(segments, "MERGE_SHARE", 0.01)
    rng = np.random.default_rng(4)
    docs = [_doc("big", i, f"製本の手順その{i}。", rng) for i in range(10)]
    backend.replace_source("c", SourceRecord("big"), docs, embedding_model="m")
    assert backend.search_index("c").needs_merge  # answered from segments; the merge started behind it
    backend.wait_for_merges(timeout=60)
    index = backend.search_index("c")
    assert len(index.segments) == 1 and index.live == 310
    conn = sqlite3.connect(data_dir / "tokka.sqlite3")
    left, floor = conn.execute("SELECT COUNT(*), (SELECT log_floor FROM collections) FROM changes").fetchone()
    conn.close()
    assert left == 0 and floor == index.seq
    assert [p.name for p in next((data_dir / "index").iterdir()).iterdir()] == [f"s{index.seq}"]
    assert sorted(_ids(backend.bm25_search("c", _tokens(backend, "製本 手順"), 10))) == sorted(d.id for d in docs)

    # A new process opens from that cache and catches up with what was written after it.
    backend.remove_source("c", "big")
    EmbeddedBackend.close_all()
    reopened = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    again = reopened.search_index("c")
    assert again.base_seq == index.seq and again.live == 300


def test_a_failed_write_logs_nothing_and_a_broken_cache_is_rebuilt(backend: EmbeddedBackend, data_dir: Path) -> None:
    backend.merge("c")
    conn = sqlite3.connect(data_dir / "tokka.sqlite3")
    logged = conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    bad = [Document(id="x", content="文。", meta={"source": "x"}, embedding=[1.0] * (DIM + 1))]
    with pytest.raises(Exception, match=r"."):
        backend.replace_source("c", SourceRecord("s5"), bad, embedding_model="m")  # wrong dimension: rolled back
    assert conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == logged
    conn.close()
    assert backend.search_index("c").live == 300

    for f in (data_dir / "index").rglob("bm25.npz"):
        f.write_bytes(b"not an index")
    EmbeddedBackend.close_all()
    reopened = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    assert reopened.search_index("c").live == 300
    assert _ids(reopened.bm25_search("c", _tokens(reopened, "陶芸"), 1))
    # the broken folder was written again, so the next process loads it instead of rebuilding every time
    (folder,) = [f for f in (data_dir / "index").rglob("s*") if f.is_dir()]
    assert SearchIndex.load(folder).live == 300


def test_a_cache_weighed_with_other_bm25_parameters_is_rebuilt(backend: EmbeddedBackend, data_dir: Path) -> None:
    # A store cached before k1 / b changed (docs/retrieval.md §BM25 parameters) ranks as a new one does.
    backend.merge("c")
    (cache,) = (data_dir / "index").rglob("bm25.npz")
    with np.load(cache) as npz:
        arrays = dict(npz)
    arrays["params"] = np.asarray([1.5, 0.75, arrays["params"][2]])
    with cache.open("wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(ValueError, match="k1 1.5"):
        SearchIndex.load(cache.parent)
    EmbeddedBackend.close_all()
    reopened = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    bm25 = reopened.search_index("c").main.bm25
    assert (bm25.k1, bm25.b) == (K1, B) and bm25.size == 300
    assert _ids(reopened.bm25_search("c", _tokens(reopened, "陶芸"), 1))
    assert SearchIndex.load(cache.parent).main.bm25.k1 == K1  # the cache was written again with the new weights


def test_a_store_from_before_the_change_log_is_migrated(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "tokka.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(embedded.SCHEMA)
    conn.execute("PRAGMA user_version=1")
    conn.execute("INSERT INTO collections (name, created, updated) VALUES ('old', 0, 0)")
    conn.execute(
        "INSERT INTO chunks (collection, id, source, content, tokens) VALUES ('old', 'o1', 'a', '昔の文書。', '昔 文書')"
    )
    conn.commit()
    conn.close()
    backend = EmbeddedBackend.open(path)
    assert _ids(backend.bm25_search("old", ["文書"], 1)) == ["o1"]
    backend.remove_source("old", "a")
    assert backend.bm25_search("old", ["文書"], 1) == []
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == embedded.SCHEMA_VERSION
    # v3: chunks waiting for a vector are found through a partial index (progressive embedding).
    plan = (
        sqlite3.connect(path)
        .execute("EXPLAIN QUERY PLAN SELECT id FROM chunks WHERE collection = 'old' AND embedding IS NULL")
        .fetchall()
    )
    assert "chunks_unembedded" in " ".join(str(row) for row in plan)


def test_search_index_updated_keeps_the_old_snapshot() -> None:
    rng = np.random.default_rng(5)
    index = SearchIndex.build(1, 10, np.arange(4), ["a b", "b c", "c d", "d e"], rng.random((4, 3)))
    newer = index.updated(2, 12, np.asarray([1]), np.asarray([7]), ["e f"], rng.random((1, 3)))
    assert index.live == 4 and newer.live == 4 and newer.size == 5
    assert newer.rowids.tolist() == [0, 1, 2, 3, 7]
    assert newer.bm25_search(["b"], 5)[0].tolist() == [0]  # row 1 is gone in the new snapshot only
    assert index.bm25_search(["b"], 5)[0].tolist() in ([0, 1], [1, 0])
    assert newer.bm25_search(["f"], 5)[0].tolist() == [4]
    idf = newer.idf(["e", "zzz"])
    assert idf["zzz"] > idf["e"] > 0


def test_marked_bigrams_count_a_fraction_of_a_word() -> None:
    from corpus.japanese.tokenizer import BIGRAM_WEIGHT

    index = SearchIndex.build(1, 1, np.arange(3), ["工房 ₂工房", "旋盤 ₂旋盤", "予約 ₂予約"], None)
    words = index.main.bm25.scores(["工房"])[0]
    bigrams = index.main.bm25.scores(["₂工房"])[0]
    positions, scores = index.bm25_search(["工房", "₂工房"], 3)
    assert positions.tolist() == [0]
    assert scores[0] == pytest.approx(words + BIGRAM_WEIGHT * bigrams, rel=1e-6)


def _write_and_remove(backend: EmbeddedBackend, n: int, stop: float) -> None:
    rng = np.random.default_rng(10 + n)
    for i in range(12):
        if time.monotonic() > stop:
            return
        source = f"w{n}-{i}"
        docs = [_doc(source, j, f"{TOPICS[(n + i) % 10]}の追加講習{n}-{i}の{j}。", rng) for j in range(3)]
        backend.replace_source("c", SourceRecord(source), docs, embedding_model="m")
        if i % 3 == 2:
            backend.remove_source("c", f"s{n * 12 + i}")


def _query_repeatedly(backend: EmbeddedBackend, query: list[str], stop: float) -> None:
    for _ in range(60):
        if time.monotonic() > stop:
            return
        index = backend.search_index("c")
        found = backend.bm25_search("c", query, 20)
        assert len({d.id for d in found}) == len(found)  # never the same chunk twice
        assert index.live == int(index.size if index.alive is None else index.alive.sum())


def test_writes_queries_and_merges_at_once_end_where_a_rebuild_would(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments, "MERGE_MIN_ROWS", 6)  # merges keep starting while the others work
    monkeypatch.setattr(segments, "MERGE_SHARE", 0.0)
    merges: list[int] = []
    merge = backend._merge_in_background
    monkeypatch.setattr(backend, "_merge_in_background", lambda c: (merges.append(1), merge(c)))
    errors: list[BaseException] = []
    stop = time.monotonic() + 60  # every loop is bounded in count and in time
    query = _tokens(backend, "講習 安全")

    def guarded(work, *args) -> None:
        try:
            work(backend, *args)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(_write_and_remove, n, stop)) for n in range(2)]
    threads += [threading.Thread(target=guarded, args=(_query_repeatedly, query, stop)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    backend.wait_for_merges(timeout=60)
    assert errors == []
    assert merges  # merges ran in the background while the others wrote and read
    expected = 300 + 2 * 12 * 3 - 2 * 4 * 5
    assert backend.search_index("c").live == backend.count("c") == expected
    followed = sorted(_ids(backend.bm25_search("c", query, 400)))
    assert backend.merge("c").live == expected
    assert sorted(_ids(backend.bm25_search("c", query, 400))) == followed


def test_a_merge_first_maps_the_index_in_use_afresh(backend: EmbeddedBackend) -> None:
    """Before a merge builds, the index in use reads its postings and vectors through new mappings of its cache files
    (so the pages an exact search made resident leave the process); what it finds is unchanged."""
    index = backend.search_index("c")
    assert isinstance(index.main.bm25.data, np.memmap) and isinstance(index.main.vectors.matrix, np.memmap)
    query = _tokens(backend, "刺繍 講習")
    vector = np.random.default_rng(5).random(DIM).tolist()
    found = (_ids(backend.bm25_search("c", query, 5)), _ids(backend.vector_search("c", vector, 5)))
    old_postings, old_vectors = index.main.bm25.data, index.main.vectors.matrix
    backend._shed_mapped_pages("c")
    assert index.main.bm25.data is not old_postings and index.main.vectors.matrix is not old_vectors
    assert isinstance(index.main.vectors.matrix, np.memmap)
    assert np.array_equal(index.main.vectors.matrix, old_vectors)
    assert (_ids(backend.bm25_search("c", query, 5)), _ids(backend.vector_search("c", vector, 5))) == found
    _fill(backend, "c", sources=61)  # one more source, then a merge: it sheds first and installs the new index
    backend.merge("c")
    assert "s60-0" in _ids(backend.bm25_search("c", _tokens(backend, "講習60"), 5))
