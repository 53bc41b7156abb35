"""Ingestion runs the indexing pipeline without Haystack's per-component deep copies when nothing is shared, with
the same result as `Pipeline.run`; a pipeline that shares an output or joins inputs is left to Haystack."""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Document, Pipeline, component
from haystack.components.joiners import DocumentJoiner
from haystack.core.errors import PipelineRuntimeError

from corpus.stores import open_store
from pipelines.direct_run import DirectRun
from pipelines.ingest import Ingestor
from pipelines.loading import INDEXING_DIR, load_indexing_pipeline

TEXT = "工房は平日の午後四時から午後九時まで開いています。\nレーザーカッターは講習を受けてから予約してください。\n" * 40


@component
class _Upper:
    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict:
        for doc in documents:
            doc.meta["seen"] = doc.meta.get("seen", 0) + 1  # changes its input in place
        return {"documents": documents}


@component
class _Broken:
    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict:
        raise RuntimeError("壊れました")


def _chunks(collection: str) -> list[tuple[str | None, str]]:
    docs = open_store(collection).filter_documents()
    return sorted((d.content, str(d.meta.get("tokens"))) for d in docs)


def test_the_default_indexing_pipeline_runs_direct_with_haystacks_result(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "guide.txt"
    path.write_bytes(TEXT.encode("cp932"))
    results = {}
    for collection, direct in (("direct", True), ("haystack", False)):
        pipeline, digest = load_indexing_pipeline(collection)
        runner = DirectRun(pipeline)
        assert runner.applicable
        data = {
            "converter": {"sources": [str(path)]},
            "writer": {"content_hashes": {str(path): "h"}, "pipeline_hash": digest},
        }
        results[collection] = runner.run(data) if direct else pipeline.run(data)
    assert results["direct"] == results["haystack"]  # the unconnected outputs: failures, written, sources, methods
    assert results["direct"]["writer"]["written"] > 3
    assert _chunks("direct") == _chunks("haystack")


def test_a_shared_output_or_a_joiner_is_left_to_haystack() -> None:
    shared = Pipeline()
    shared.add_component("a", _Upper())
    shared.add_component("b", _Upper())
    shared.add_component("c", _Upper())
    shared.connect("a.documents", "b.documents")
    shared.connect("a.documents", "c.documents")  # two receivers of one output: Haystack copies for each
    assert not DirectRun(shared).applicable
    with pytest.raises(ValueError, match="Pipeline.run"):
        DirectRun(shared).run({"a": {"documents": []}})
    # and Haystack keeps the receivers apart: each sees the count of its own copy
    out = shared.run({"a": {"documents": [Document(content="x")]}})
    assert out["b"]["documents"][0].meta["seen"] == 2 and out["c"]["documents"][0].meta["seen"] == 2

    joined = Pipeline()
    joined.add_component("a", _Upper())
    joined.add_component("join", DocumentJoiner())
    joined.connect("a.documents", "join.documents")  # a variadic input
    assert not DirectRun(joined).applicable


def test_a_straight_pipeline_passes_objects_through_and_reports_failures_like_haystack() -> None:
    line = Pipeline()
    line.add_component("a", _Upper())
    line.add_component("b", _Upper())
    line.connect("a.documents", "b.documents")
    runner = DirectRun(line)
    assert runner.order == ["a", "b"]
    given = Document(content="x")
    out = runner.run({"a": {"documents": [given]}})
    assert list(out) == ["b"] and out["b"]["documents"][0] is given  # the same object, not a copy
    assert given.meta == {"seen": 2}
    with pytest.raises(ValueError, match="mandatory"):
        runner.run({})

    broken = Pipeline()
    broken.add_component("a", _Upper())
    broken.add_component("broken", _Broken())
    broken.connect("a.documents", "broken.documents")
    with pytest.raises(PipelineRuntimeError, match="broken") as caught:
        DirectRun(broken).run({"a": {"documents": []}})
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_an_indexing_yaml_with_a_joiner_still_ingests(data_dir: Path, tmp_path: Path) -> None:
    text = (INDEXING_DIR / "default.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  tokenizer:\n",
        "  join:\n    type: haystack.components.joiners.document_joiner.DocumentJoiner\n    init_parameters: {}\n"
        "  tokenizer:\n",
        1,
    )
    text = text.replace(
        "  - sender: splitter.documents\n    receiver: tokenizer.documents\n",
        "  - sender: splitter.documents\n    receiver: join.documents\n"
        "  - sender: join.documents\n    receiver: tokenizer.documents\n",
    )
    custom = tmp_path / "joined.yaml"
    custom.write_text(text, encoding="utf-8")
    path = tmp_path / "guide.txt"
    path.write_text(TEXT, encoding="utf-8")
    ingestor = Ingestor("joined", pipeline_path=custom)
    assert not ingestor._direct.applicable  # Haystack runs it, copies and all
    result = ingestor.ingest_file(path)
    assert result.status == "added" and result.chunks > 3
    assert len(_chunks("joined")) == result.chunks
