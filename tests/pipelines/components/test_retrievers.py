"""BM25, embedding and hybrid retrievers over a real embedded collection (offline embedder, no server)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from haystack import Document

from corpus.search import (
    QueryEmbedder,
    fusion_for,
    lexical_beside,
    reciprocal_rank_fusion,
    run_legs,
    score_fusion,
)
from corpus.stores.embedded import EmbeddedDocumentStore, SourceRecord
from pipelines.components.embedders import CollectionTextEmbedder
from pipelines.components.retrievers import (
    CollectionEmbeddingRetriever,
    HybridRetriever,
    JapaneseBM25Retriever,
)
from pipelines.ingest import Ingestor
from tokka.settings import get_settings

DOCS = {
    "reserve.md": "# 予約\n\n3Dプリンターは使う日の前日の午後9時までに会員ページから予約してください。\n",
    "safety.md": "# 安全\n\n電動工具を使うときは保護めがねをかけてください。\n",
    "hours.md": "# 開館時間\n\n平日は午後4時から午後9時まで、土曜日は午前10時から午後6時まで開いています。\n",
}


@pytest.fixture
def hybrid_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()
    for name, text in DOCS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert Ingestor("hyb").run([tmp_path]).counts["added"] == 3
    return "hyb"


def test_bm25_retriever(hybrid_collection: str) -> None:
    out = JapaneseBM25Retriever(collection=hybrid_collection, top_k=2).run(query="保護めがねはいつ必要？")
    assert out["documents"][0].meta["source"].endswith("safety.md")
    assert out["documents"][0].meta["bm25_rank"] == 1
    assert "眼鏡" in out["query_tokens"]  # めがね is normalised to its dictionary form


def test_embedding_retriever(hybrid_collection: str) -> None:
    embedding = CollectionTextEmbedder(collection=hybrid_collection).run(text="何時から開いていますか")["embedding"]
    out = CollectionEmbeddingRetriever(collection=hybrid_collection, top_k=3).run(query_embedding=embedding)
    assert len(out["documents"]) == 3
    assert all("vector_score" in d.meta for d in out["documents"])
    assert CollectionEmbeddingRetriever(collection=hybrid_collection).run(query_embedding=None) == {"documents": []}


def test_hybrid_retriever_reports_every_score(hybrid_collection: str) -> None:
    query = "3Dプリンターの予約はいつまで？"
    embedding = CollectionTextEmbedder(collection=hybrid_collection).run(text=query)["embedding"]
    out = HybridRetriever(collection=hybrid_collection, top_k=3).run(query=query, query_embedding=embedding)
    assert out["mode"] == "hybrid" and out["notice"] == ""
    top = out["documents"][0]
    assert top.meta["source"].endswith("reserve.md")
    assert {"bm25_score", "bm25_rank", "vector_score", "vector_rank", "fused_score"} <= set(top.meta)
    assert top.score == top.meta["fused_score"]
    scores = [d.score for d in out["documents"]]
    assert scores == sorted(scores, reverse=True)


def test_hybrid_falls_back_to_bm25_with_a_notice() -> None:
    store = EmbeddedDocumentStore("plain")
    store.replace_source(
        SourceRecord("a"), [Document(id="a", content="工房は午後4時から開いています。", meta={"source": "a"})]
    )
    out = HybridRetriever(collection="plain").run(query="工房は何時から", query_embedding=None)
    assert out["mode"] == "bm25"
    assert "BM25" in out["notice"]
    assert out["documents"][0].id == "a"


def test_a_retriever_that_embeds_its_own_query_finds_what_the_two_steps_find(hybrid_collection: str) -> None:
    query = "3Dプリンターの予約はいつまで？"
    embedding = CollectionTextEmbedder(collection=hybrid_collection).run(text=query)["embedding"]
    two_steps = HybridRetriever(collection=hybrid_collection, top_k=3).run(query=query, query_embedding=embedding)
    itself = HybridRetriever(collection=hybrid_collection, top_k=3, embed_query=True)
    again = HybridRetriever.from_dict(itself.to_dict())
    assert again.embed_query is True
    one_step = again.run(query=query)
    assert one_step["mode"] == "hybrid" and one_step["notice"] == ""
    assert [d.id for d in one_step["documents"]] == [d.id for d in two_steps["documents"]]
    assert [d.score for d in one_step["documents"]] == pytest.approx([d.score for d in two_steps["documents"]])
    assert one_step["query_tokens"] == two_steps["query_tokens"]


def test_searches_from_several_threads_at_once_each_get_their_own_results(hybrid_collection: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    retriever = HybridRetriever(collection=hybrid_collection, top_k=1, embed_query=True)
    questions = {"3Dプリンターの予約はいつまで？": "reserve.md", "保護めがねはいつ必要？": "safety.md"}
    questions["土曜日は何時まで開いていますか"] = "hours.md"
    asked = list(questions) * 4  # more searches at once than BM25 workers (corpus.search.LEXICAL_WORKERS)

    def top(question: str) -> str:
        return Path(retriever.run(query=question)["documents"][0].meta["source"]).name

    with ThreadPoolExecutor(max_workers=6) as pool:
        found = list(pool.map(top, asked, timeout=60))
    assert found == [questions[q] for q in asked]


def test_a_retriever_that_embeds_its_own_query_says_why_it_fell_back() -> None:
    store = EmbeddedDocumentStore("needs-ollama-2")
    store.replace_source(
        SourceRecord("a"),
        [Document(id="a0", content="工房は午後4時から開いています。", embedding=[1.0] * 8)],
        "ollama/bge-m3",
    )
    retriever = HybridRetriever(collection="needs-ollama-2", embed_query=True, ollama_url="http://127.0.0.1:9")
    out = retriever.run(query="工房は何時から")
    assert out["mode"] == "bm25"
    assert "ollama pull bge-m3" in out["notice"]  # the reason, not only "BM25 only"
    assert out["documents"][0].id == "a0"


def test_the_bm25_leg_runs_on_a_worker_beside_the_other_work() -> None:
    other_started = threading.Event()
    threads: dict[str, int] = {}

    def lexical() -> str:
        threads["lexical"] = threading.get_ident()
        # Only true when the other work has started before this leg finished: the two overlap.
        return "overlapped" if other_started.wait(timeout=5) else "one after the other"

    def other() -> str:
        threads["other"] = threading.get_ident()
        other_started.set()
        return "vector"

    assert lexical_beside(lexical, other) == ("overlapped", "vector")
    assert threads["other"] == threading.get_ident()  # the embedding and vector leg stay on the caller (OpenMP)
    assert threads["lexical"] != threads["other"]


class _Embedder:
    """Stands in for `corpus.search.QueryEmbedder` to see when each leg runs."""

    def __init__(self, local: bool, events: dict[str, threading.Event]) -> None:
        self.local, self.events = local, events

    def __call__(self) -> tuple[list[float] | None, str]:
        self.events["embedding"].set()
        # Waits (up to 0.5 s) for BM25: it returns early only when BM25 runs while the query is embedded.
        self.events["bm25"].wait(timeout=0.5)
        self.events["embedded"].set()
        return [1.0, 0.0], ""


def _timeline(local: bool) -> tuple[list[str], list[Document] | None]:
    events = {name: threading.Event() for name in ("embedding", "embedded", "bm25", "vector")}
    seen: list[str] = []

    def lexical() -> str:
        events["bm25"].set()
        seen.append("bm25 after the embedding" if events["embedded"].is_set() else "bm25 during the embedding")
        seen.append("beside the vector leg" if events["vector"].wait(timeout=5) else "alone")
        return "bm25"

    def vector(embedding: list[float]) -> list[Document]:
        events["vector"].set()
        return [Document(id="v", content="v", embedding=embedding)]

    found, embedding, documents, notice = run_legs(lexical, vector, None, _Embedder(local, events))
    assert (found, embedding, notice) == ("bm25", [1.0, 0.0], "")
    return seen, documents


def test_a_local_model_embeds_alone_and_bm25_runs_beside_the_vector_leg() -> None:
    seen, documents = _timeline(local=True)
    assert seen == ["bm25 after the embedding", "beside the vector leg"]
    assert documents is not None and documents[0].id == "v"


def test_with_an_ollama_model_bm25_runs_while_the_query_is_embedded() -> None:
    seen, documents = _timeline(local=False)
    assert seen == ["bm25 during the embedding", "beside the vector leg"]
    assert documents is not None and documents[0].id == "v"


def test_a_given_embedding_searches_both_legs_at_once_and_none_searches_bm25_alone() -> None:
    vector_started = threading.Event()

    def lexical() -> str:
        return "overlapped" if vector_started.wait(timeout=5) else "one after the other"

    def vector(embedding: list[float]) -> list[Document]:
        vector_started.set()
        return []

    assert run_legs(lexical, vector, [1.0], None) == ("overlapped", [1.0], [], "")
    assert run_legs(lambda: "bm25", vector, None, None) == ("bm25", None, None, "")


def test_the_query_embedder_knows_which_models_run_here(hybrid_collection: str) -> None:
    store = EmbeddedDocumentStore("needs-ollama-3")
    store.replace_source(SourceRecord("a"), [Document(id="a0", content="工房", embedding=[1.0] * 8)], "ollama/bge-m3")
    assert QueryEmbedder(hybrid_collection, "工房").local is True  # USE, in this process
    assert QueryEmbedder("needs-ollama-3", "工房").local is False


def test_an_error_in_either_leg_is_raised_after_both_ended() -> None:
    finished = threading.Event()

    def slow_lexical() -> str:
        finished.wait(timeout=0.2)
        finished.set()
        return "bm25"

    def failing_embed() -> str:
        raise RuntimeError("embedding failed")

    with pytest.raises(RuntimeError, match="embedding failed"):
        lexical_beside(slow_lexical, failing_embed)
    assert finished.is_set()  # the BM25 leg had ended when the error came out

    def failing_lexical() -> str:
        raise ValueError("bm25 failed")

    with pytest.raises(ValueError, match="bm25 failed"):
        lexical_beside(failing_lexical, lambda: "vector")


def test_rrf_weights_and_constant() -> None:
    a, b, c = (Document(id=i, content=i) for i in "abc")
    fused = reciprocal_rank_fusion([([a, b], 1.0), ([c, b], 1.0)], top_k=3, k=60)
    assert [d.id for d in fused] == ["b", "a", "c"]  # agreement wins with the classic constant
    fused = reciprocal_rank_fusion([([a, b], 1.0), ([c, b], 0.2)], top_k=3, k=2)
    assert [d.id for d in fused] == ["a", "b", "c"]  # a confident first place of the main leg stands
    assert fused[0].score == pytest.approx(1 / 3)


def test_score_fusion_keeps_how_far_ahead_a_leader_is() -> None:
    def scored(pairs: list[tuple[str, float]]) -> list[Document]:
        return [Document(id=i, content=i, score=s) for i, s in pairs]

    # BM25: a far ahead of b and c. Vectors: c slightly ahead of b, a last. a stays first (ranks would tie it).
    bm25 = scored([("a", 30.0), ("b", 10.0), ("c", 9.0)])
    vectors = scored([("c", 0.82), ("b", 0.80), ("a", 0.60)])
    fused = score_fusion([(bm25, 0.65), (vectors, 0.35)], top_k=3)
    assert [d.id for d in fused] == ["a", "c", "b"]
    assert fused[0].score == pytest.approx(0.65)  # 0.65 × 1 + 0.35 × 0
    assert fused[0].meta["fused_score"] == fused[0].score
    # A near-tie in BM25 is settled by the meaning leg.
    fused = score_fusion(
        [(scored([("a", 10.0), ("b", 9.9), ("c", 1.0)]), 0.65), (scored([("b", 0.9), ("a", 0.5)]), 0.35)], 2
    )
    assert [d.id for d in fused] == ["b", "a"]
    # One candidate in a leg counts fully; an empty leg adds nothing.
    assert [d.id for d in score_fusion([(scored([("x", 2.0)]), 1.0), ([], 1.0)], 5)] == ["x"]


def test_auto_fusion_follows_the_collection_model(hybrid_collection: str) -> None:
    assert fusion_for(hybrid_collection, "auto") == "rrf"  # embedded with USE: its meaning leg only breaks ties
    assert fusion_for(hybrid_collection, "scores") == "scores"
    vector = CollectionTextEmbedder(collection=hybrid_collection).run(text="保護めがね")["embedding"]
    ranks = HybridRetriever(collection=hybrid_collection, top_k=3, fusion="rrf").run("保護めがね", vector)
    scores = HybridRetriever(collection=hybrid_collection, top_k=3, fusion="scores").run("保護めがね", vector)
    top = {Path(ranks["documents"][0].meta["source"]).name, Path(scores["documents"][0].meta["source"]).name}
    assert top == {"safety.md"}
    assert scores["documents"][0].score == pytest.approx(1.0)  # first in both legs: 0.65 + 0.35
    assert ranks["documents"][0].score == pytest.approx(1 / 3 + 0.2 / 3)


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="fusion"):
        HybridRetriever(collection="x", fusion="max")
    with pytest.raises(ValueError, match="vector_share"):
        HybridRetriever(collection="x", vector_share=1.5)
    with pytest.raises(ValueError, match="top_k"):
        HybridRetriever(collection="x", top_k=0)
    with pytest.raises(ValueError, match="weights"):
        HybridRetriever(collection="x", bm25_weight=0, vector_weight=0)


def test_to_dict_from_dict() -> None:
    retriever = HybridRetriever(collection="samples", top_k=3, vector_weight=0.5)
    data = retriever.to_dict()
    assert data["type"] == "pipelines.components.retrievers.HybridRetriever"
    assert data["init_parameters"] == {
        "collection": "samples",
        "top_k": 3,
        "bm25_top_k": 20,
        "vector_top_k": 20,
        "bm25_weight": 1.0,
        "vector_weight": 0.5,
        "rrf_k": 2,
        "fusion": "auto",
        "vector_share": 0.35,
        "filters": None,
        "spelling_variants": True,
        "embed_query": False,
        "ollama_url": None,
    }
    again = HybridRetriever.from_dict(data)
    assert (again.collection, again.top_k, again.vector_weight) == ("samples", 3, 0.5)
    off = JapaneseBM25Retriever.from_dict(JapaneseBM25Retriever(collection="s", spelling_variants=False).to_dict())
    assert off.spelling_variants is False


def test_a_collection_with_words_and_bigrams_searches_both_and_gates_on_words(data_dir: Path) -> None:
    from corpus.search import relevance
    from pipelines.components.grounding import RelevanceGate
    from pipelines.components.tokenizer import BM25Tokenizer

    texts = {"range.md": "電子レンジは午後5時まで使えます。", "lathe.md": "旋盤は講習を受けた人だけが使えます。"}
    for name in ("sudachi", "sudachi+bigram"):
        store = EmbeddedDocumentStore(collection=name.replace("+", "-"))
        for source, text in texts.items():
            docs = BM25Tokenizer(tokenizer=name).run(
                documents=[Document(id=f"{name}-{source}", content=text, meta={"source": source})]
            )["documents"]
            store.replace_source(SourceRecord(source), docs, tokenizer=name)
    retriever = JapaneseBM25Retriever(collection="sudachi-bigram", top_k=2)
    out = retriever.run(query="レンジは何時まで？")
    assert out["documents"][0].meta["source"] == "range.md"
    assert any(t.startswith("₂") for t in out["query_tokens"])
    assert JapaneseBM25Retriever(collection="sudachi", top_k=2).run(query="レンジ")["documents"] == []
    # The relevance gate measures words, so its threshold means the same in both kinds of collection.
    words = JapaneseBM25Retriever(collection="sudachi", top_k=2).run(query="旋盤の講習")
    both = JapaneseBM25Retriever(collection="sudachi-bigram", top_k=2).run(query="旋盤の講習")
    assert relevance("sudachi-bigram", both["query_tokens"], both["documents"][:1]) == pytest.approx(
        relevance("sudachi", words["query_tokens"], words["documents"][:1])
    )
    refused = RelevanceGate(collection="sudachi-bigram", min_relevance=0.9).run(
        query="駐車場はありますか", documents=out["documents"], query_tokens=out["query_tokens"]
    )
    assert "レンジ / 何時" in refused["answer"] and "₂" not in refused["answer"]  # what was searched, in words


def test_a_name_spelt_otherwise_in_the_question_is_found_and_counts_as_present(data_dir: Path) -> None:
    """ブラザヴィル is not in Sudachi's dictionary, so the text stores it as one word as spelt; a question that writes
    ブラザビル has another word. Its other spelling finds the place's paragraph first in a words-only collection (the
    buildings and people of the others came first without it) and doubles its lead where the bigrams matched part of
    it already; the relevance gate counts the word as present."""
    from corpus.search import relevance
    from pipelines.components.tokenizer import BM25Tokenizer

    texts = {
        "city.md": "ブラザヴィルはコンゴ共和国の首都で、人口は約180万人である。",
        "tower.md": "駅前の高層ビルの人口密度は、昼と夜で大きく違う。",
        "hall.md": "ブラザーのミシンがある市役所のビルは、人口の多い地区にあり、人口が増えている。",
    }
    query = "ブラザビルの人口は？"
    for name in ("sudachi", "sudachi+bigram"):
        collection = name.replace("+", "-")
        store = EmbeddedDocumentStore(collection=collection)
        for source, text in texts.items():
            docs = BM25Tokenizer(tokenizer=name).run(
                documents=[Document(id=f"{name}-{source}", content=text, meta={"source": source})]
            )["documents"]
            store.replace_source(SourceRecord(source), docs, tokenizer=name)
        found = JapaneseBM25Retriever(collection=collection, top_k=3).run(query=query)
        assert found["documents"][0].meta["source"] == "city.md", name
        assert "ブラザヴィル" not in found["query_tokens"]  # what is shown as searched is the question's own words
        assert HybridRetriever(collection=collection, top_k=3).run(query=query)["documents"][0].meta["source"] == (
            "city.md"
        )
        plain = JapaneseBM25Retriever(collection=collection, top_k=3, spelling_variants=False).run(query=query)
        if name == "sudachi":
            assert "city.md" not in [d.meta["source"] for d in plain["documents"][:1]]
        else:
            assert plain["documents"][0].meta["source"] == "city.md"
            assert found["documents"][0].score > 1.5 * plain["documents"][0].score
        city = [d for d in found["documents"] if d.meta["source"] == "city.md"]
        assert relevance(collection, found["query_tokens"], city) == pytest.approx(1.0)  # ブラザビル and 人口 both
