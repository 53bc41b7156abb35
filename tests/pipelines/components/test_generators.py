"""The local GGUF generator with the packaged Gemma 3 270M (real llama.cpp generation, no server)."""

from __future__ import annotations

import pytest
from haystack.dataclasses import ChatMessage

from pipelines.components.generators import GenerationError, LocalGGUFChatGenerator, _fold_system
from pipelines.local_models import ModelNotFoundError, local_model_names, resolve_gguf


@pytest.fixture(scope="module")
def generator() -> LocalGGUFChatGenerator:
    llm = LocalGGUFChatGenerator(model="gemma3-270m", max_tokens=24, temperature=0.0, n_ctx=1024)
    llm.warm_up()
    return llm


def test_streams_japanese_and_reports_meta(generator: LocalGGUFChatGenerator) -> None:
    pieces: list[str] = []
    out = generator.run(
        messages=[
            ChatMessage.from_system("あなたは工房の案内係です。"),
            ChatMessage.from_user("工房は何時に開きますか？"),
        ],
        streaming_callback=lambda chunk: pieces.append(chunk.content),
    )
    reply = out["replies"][0]
    assert pieces and "".join(pieces).strip() == reply.text
    assert reply.meta["model"] == "gemma3-270m" and reply.meta["finish_reason"] in ("stop", "length")


def test_greedy_generation_is_deterministic(generator: LocalGGUFChatGenerator) -> None:
    messages = [ChatMessage.from_user("モノづくり塾とは")]
    assert generator.run(messages=messages)["replies"][0].text == generator.run(messages=messages)["replies"][0].text


def test_long_tokens_are_not_dropped(generator: LocalGGUFChatGenerator) -> None:
    """llama-cpp-python 0.3.36 dropped tokens longer than 32 bytes (e.g. ありがとうございました, 33 bytes)."""
    model = generator._llm._model
    word = "ありがとうございました"
    tokens = model.tokenize(word.encode(), add_bos=False, special=False)
    assert any(len(model.token_to_piece(t)) > 32 for t in tokens)
    assert model.detokenize(tokens).decode() == word


def test_system_prompt_is_folded_into_the_first_user_turn() -> None:
    folded = _fold_system(
        [
            ChatMessage.from_system("規則"),
            ChatMessage.from_user("質問"),
            ChatMessage.from_assistant("答え"),
            ChatMessage.from_user("次"),
        ]
    )
    assert folded == [
        {"role": "user", "content": "規則\n\n質問"},
        {"role": "assistant", "content": "答え"},
        {"role": "user", "content": "次"},
    ]


def test_a_prompt_longer_than_the_context_is_refused_not_cut() -> None:
    llm = LocalGGUFChatGenerator(model="gemma3-270m", n_ctx=256, max_tokens=8)
    with pytest.raises(GenerationError) as info:
        llm.run(messages=[ChatMessage.from_user("工房の案内です。" * 200)])
    assert info.value.code == "err.context_overflow"
    assert "n_ctx" in info.value.message("ja")


def test_model_resolution(tmp_path) -> None:
    assert resolve_gguf("gemma3-270m").stat().st_size > 200_000_000
    assert "gemma3-270m" in local_model_names()
    with pytest.raises(ModelNotFoundError) as info:
        resolve_gguf("nothing.gguf")
    assert "gemma3-270m" in info.value.message("en")


def test_to_dict_round_trip() -> None:
    llm = LocalGGUFChatGenerator(model="gemma3-270m", max_tokens=99, stop=["\n質問"])
    data = llm.to_dict()
    assert data["type"] == "pipelines.components.generators.LocalGGUFChatGenerator"
    again = LocalGGUFChatGenerator.from_dict(data)
    assert (again.max_tokens, again.stop) == (99, ["\n質問"])
