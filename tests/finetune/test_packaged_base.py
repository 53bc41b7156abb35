"""The packaged Gemma 3 270M as a tuning base: converted once from its GGUF to a Hugging Face folder (cached), the
same tokens as llama.cpp for the offline assistant's own prompt, and offered by name (never by server path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from finetune.tone.bases import PACKAGED_BASE, BaseModelError, base_model_choices, check_base, resolve_base


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    import os

    from tokka.settings import get_settings

    data = tmp_path_factory.mktemp("base-data")
    previous = os.environ.get("TOKKA_DATA_DIR")
    os.environ["TOKKA_DATA_DIR"] = str(data)
    get_settings.cache_clear()
    messages: list[str] = []
    try:
        yield resolve_base(PACKAGED_BASE, messages.append), messages
    finally:
        if previous is None:
            os.environ.pop("TOKKA_DATA_DIR", None)
        else:
            os.environ["TOKKA_DATA_DIR"] = previous
        get_settings.cache_clear()


def test_converted_once_with_progress_then_cached(
    converted: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokka.settings import get_settings

    folder, messages = converted
    monkeypatch.setenv("TOKKA_DATA_DIR", str(folder.parents[2]))  # the data folder the module converted into
    get_settings.cache_clear()
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    assert len(messages) == 3 and all("変換" in m for m in messages)  # the user sees it converting, step by step
    again: list[str] = []
    assert resolve_base(PACKAGED_BASE, again.append) == folder and again == []  # the second time: no work
    assert base_model_choices()[0] == (PACKAGED_BASE, PACKAGED_BASE)


def test_same_tokens_as_llama_cpp_for_the_assistants_prompt(converted: tuple[Path, list[str]]) -> None:
    from haystack.dataclasses import ChatMessage
    from llama_cpp import Llama, llama_chat_format
    from transformers import AutoTokenizer

    from pipelines.components.generators import _fold_system
    from pipelines.local_models import resolve_gguf

    folder, _ = converted
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    system, user = "資料だけを使って短く答えてください。", "[1] 工房は午後四時から開きます。\n\n質問: 何時から？"
    ids = tokenizer.apply_chat_template(
        [{"role": "system", "content": system}, {"role": "user", "content": user}],
        add_generation_prompt=True,
        tokenize=True,
        return_dict=True,
    )["input_ids"]
    folded = _fold_system([ChatMessage.from_system(system), ChatMessage.from_user(user)])
    prompt = llama_chat_format.format_gemma(messages=folded).prompt  # what the offline generator sends
    llm = Llama(model_path=str(resolve_gguf("gemma3-270m")), n_ctx=256, verbose=False, vocab_only=True)
    try:
        assert llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True) == ids
    finally:
        llm.close()


def test_a_path_is_never_a_base() -> None:
    for guess in ("/etc", "../../models", "gemma3-270m-hf/../../x"):
        with pytest.raises(BaseModelError) as info:
            check_base(guess)
        assert info.value.code == "err.tone_base_unknown" and PACKAGED_BASE in info.value.message("ja")
