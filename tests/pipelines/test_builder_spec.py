"""The builder's form → YAML: the fusion chosen in the form reaches the retriever; bad values are named."""

from __future__ import annotations

import pytest

from pipelines.builder import AssistantSpec, check_spec, render_assistant_yaml
from pipelines.loading import load_pipeline_text
from pipelines.validation import render_yaml, validate_text


def _spec(**changes: object) -> AssistantSpec:
    spec = AssistantSpec("guide", "案内係", "", "samples", "none", "-", "案内係です。")
    for key, value in changes.items():
        setattr(spec, key, value)
    return spec


@pytest.mark.parametrize("generator", ["none", "local"])
def test_the_forms_fusion_and_share_reach_the_retriever(generator: str) -> None:
    spec = _spec(generator=generator, model="gemma3-270m", fusion="scores", vector_share=0.6)
    assert check_spec(spec) == []
    text = render_yaml(render_assistant_yaml(spec, "ja"))
    assert not [i for i in validate_text(text) if i.severity == "error"]
    retriever = load_pipeline_text(text).get_component("retriever")
    assert retriever.fusion == "scores" and retriever.vector_share == pytest.approx(0.6)


def test_a_bad_fusion_or_share_is_named() -> None:
    problems = dict(check_spec(_spec(fusion="magic", vector_share=1.5)))
    assert problems["err.builder_fusion"]["fusion"] == "magic"
    assert problems["err.builder_range"]["field"] == "vector_share"
