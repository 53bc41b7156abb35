import numpy as np

from corpus.stores.bm25 import K1, B, BM25Index, top_positions


def test_ranking_and_unknown_terms() -> None:
    index = BM25Index.build(["東京都 人口", "京都府 人口", "東京 タワー 高い", ""])
    positions, scores = index.search(["京都府"], top_k=3)
    assert positions.tolist() == [1]
    assert scores[0] > 0
    positions, _ = index.search(["人口", "東京都"], top_k=3)
    assert positions.tolist() == [0, 1]
    assert index.search(["存在しない"], top_k=3)[0].size == 0


def test_matches_the_bm25_formula() -> None:
    docs = ["a b c", "a a d", "e"]
    index = BM25Index.build(docs, k1=1.5, b=0.75)
    n, avgdl = 3, (3 + 3 + 1) / 3
    df = 2
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    tf, dl = 2, 3
    expected = idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / avgdl))
    _, scores = index.search(["a"], top_k=1)
    assert np.isclose(scores[0], expected, rtol=1e-5)


def test_default_parameters_saturate_repeats_early() -> None:
    # k1 0.6, b 0.5 (chosen on jsquad-dev, docs/retrieval.md §BM25 parameters): a passage holding both of a
    # question's words outranks one that repeats a single word many times and is no longer than it
    assert (K1, B) == (0.6, 0.5)
    docs = ["溶接 溶接 溶接 溶接 溶接 手袋 作業 注意", "溶接 面 手袋 作業 注意 保管 場所 確認", "受付 時間 案内"]
    index = BM25Index.build(docs)
    assert (index.k1, index.b) == (K1, B)
    positions, scores = index.search(["溶接", "面"], top_k=2)
    assert positions.tolist() == [1, 0] and scores[0] > scores[1]
    n, avgdl = 3, (8 + 8 + 3) / 3
    idf = np.log(1 + (n - 2 + 0.5) / (2 + 0.5))
    expected = idf * 5 * (K1 + 1) / (5 + K1 * (1 - B + B * 8 / avgdl))
    assert np.isclose(index.search(["溶接"], top_k=1)[1][0], expected, rtol=1e-5)


def test_mask_excludes_documents() -> None:
    index = BM25Index.build(["工房 案内", "工房 料金", "工房 安全"])
    positions, _ = index.search(["工房"], top_k=3, mask=np.array([False, True, True]))
    assert sorted(positions.tolist()) == [1, 2]


def test_save_and_load_round_trip_memory_maps_the_postings(tmp_path) -> None:
    index = BM25Index.build(["東京都 人口", "京都府 人口", "工房 案内"])
    expected = {tuple(q): index.search(q, 3) for q in (["人口"], ["工房"], ["京都府", "人口"])}
    index.save(tmp_path / "i")
    loaded = BM25Index.load(tmp_path / "i")
    assert all(isinstance(a, np.memmap) for a in (loaded.data, loaded.indices, loaded.indptr))
    assert loaded.size == 3 and loaded.total_length == index.total_length
    index.use_saved(tmp_path / "i")  # the built arrays swapped for the saved ones
    assert isinstance(index.data, np.memmap)
    for query, (a, sa) in expected.items():
        for other in (loaded, index):
            b, sb = other.search(list(query), 3)
            assert a.tolist() == b.tolist() and np.allclose(sa, sb)
    assert loaded.idf(["人口"]) == index.idf(["人口"])


def test_weights_computed_in_blocks_equal_one_pass(monkeypatch) -> None:
    from corpus.stores import bm25

    docs = ["工房 予約 工房", "予約 旋盤", "", "塗装 塗装 工房 案内"] * 30
    whole = bm25.BM25Index.build(docs)
    monkeypatch.setattr(bm25, "_BLOCK", 5)  # many blocks, some ending inside a term's column
    blocked = bm25.BM25Index.build(docs)
    np.testing.assert_allclose(blocked.weights.toarray(), whole.weights.toarray(), rtol=1e-6)


def test_top_positions_orders_and_breaks_ties_by_position() -> None:
    positions, scores = top_positions(np.array([0.5, 2.0, 0.5, 0.0, 1.0], dtype=np.float32), 4)
    assert positions.tolist() == [1, 4, 0, 2]
    assert scores.tolist() == [2.0, 1.0, 0.5, 0.5]


def test_building_in_batches_from_an_iterator_gives_the_same_index(monkeypatch) -> None:
    import numpy as np

    from corpus.stores import bm25

    docs = ["工房 予約 工房", "予約 旋盤", "", "塗装 塗装 工房"] * 25
    whole = bm25.BM25Index.build(docs)
    monkeypatch.setattr(bm25, "_BATCH_TERMS", 7)  # a new int32 batch every few documents
    batched = bm25.BM25Index.build(iter(docs))
    assert batched.size == whole.size == 100 and batched.total_length == whole.total_length == 200
    assert batched.vocabulary == whole.vocabulary
    np.testing.assert_allclose(batched.weights.toarray(), whole.weights.toarray())
    assert all(p % 4 == 3 for p in batched.search(["塗装"], 5)[0].tolist())
