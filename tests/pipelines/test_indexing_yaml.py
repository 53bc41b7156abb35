"""The indexing flow is a Haystack pipeline in YAML, loaded with our module allowlist."""

from __future__ import annotations

import pytest
from haystack.core.errors import DeserializationError

from pipelines.loading import INDEXING_DIR, load_indexing_pipeline, load_pipeline_text


def test_default_yaml_loads_with_the_collection_filled_in() -> None:
    pipeline, digest = load_indexing_pipeline("samples")
    names = list(pipeline.to_dict()["components"])
    assert names == ["converter", "normalizer", "splitter", "tokenizer", "embedder", "writer"]
    assert pipeline.get_component("writer").collection == "samples"
    assert pipeline.get_component("splitter").chunk_size == 400
    assert len(digest) == 16
    assert load_indexing_pipeline("other")[1] != digest  # the collection is part of the settings


def test_modules_outside_the_allowlist_are_refused() -> None:
    text = (INDEXING_DIR / "default.yaml").read_text(encoding="utf-8")
    evil = text.replace("pipelines.components.normalizer.JapaneseNormalizer", "os.system")
    with pytest.raises(DeserializationError, match="allowlist|Refusing"):
        load_pipeline_text(evil.replace("${collection}", "x"))


def test_components_serialise_back_to_the_same_yaml_parameters() -> None:
    pipeline, _ = load_indexing_pipeline("samples")
    data = pipeline.to_dict()["components"]
    assert data["splitter"]["init_parameters"] == {"chunk_size": 400, "overlap": 80}
    assert data["tokenizer"]["init_parameters"] == {
        "tokenizer": "auto",
        "fields": ["title", "heading"],
        "collection": "samples",
    }
    assert data["embedder"]["init_parameters"]["collection"] == "samples"
