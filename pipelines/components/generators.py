"""A chat generator over a local GGUF file with llama-cpp-python, so an assistant runs with no server at all.

Why our own component instead of `llama-cpp-haystack`'s `LlamaCppChatGenerator`: we need three things it does not
give (see docs/models.md §1): the system prompt folded into the first user turn for chat formats that drop it
(Gemma), the fix for llama-cpp-python's 32-byte detokenisation buffer (tokens of 11+ kana/kanji vanished from the
output; upstream abetlen/llama-cpp-python#2362), and one loaded model shared by every pipeline in the process with
generation serialised (a llama.cpp context is not thread-safe).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

from haystack import component, default_from_dict, default_to_dict, logging
from haystack.dataclasses import ChatMessage, StreamingChunk

from pipelines.local_models import default_chat_format, resolve_adapter, resolve_gguf
from tokka.errors import TokkaError

logger = logging.getLogger(__name__)


class GenerationError(TokkaError):
    """The local model could not answer (e.g. the prompt does not fit its context window)."""


def _patch_detokenize() -> None:
    """Make `LlamaModel.detokenize`/`token_to_piece` retry with a buffer of the size llama.cpp asks for."""
    import llama_cpp
    from llama_cpp import _internals

    if getattr(_internals.LlamaModel, "_tokka_patched", False):
        return

    def piece(self: Any, token: int, special: bool = False) -> bytes:
        size = 64
        while True:
            buffer = ctypes.create_string_buffer(size)
            n = llama_cpp.llama_token_to_piece(self.vocab, llama_cpp.llama_token(token), buffer, size, 0, special)
            if n >= 0:
                return buffer.raw[:n]
            size = -n + 1  # a negative result is the size the piece needs

    def detokenize(self: Any, tokens: list[int], special: bool = False) -> bytes:
        output = b"".join(piece(self, t, special) for t in tokens)
        if tokens and tokens[0] == self.token_bos() and output[:1] == b" ":
            return output[1:]
        return output

    _internals.LlamaModel.token_to_piece = piece
    _internals.LlamaModel.detokenize = detokenize
    _internals.LlamaModel._tokka_patched = True


class _LoadedModels:
    """One `Llama` per (file, context size, threads) in the process, each with a lock for generation."""

    _models: dict[tuple[str, int, int, str], tuple[Any, threading.Lock]] = {}
    _lock = threading.Lock()

    @classmethod
    def get(
        cls, path: str, n_ctx: int, n_threads: int, chat_format: str | None, lora: str = ""
    ) -> tuple[Any, threading.Lock]:
        key = (path, n_ctx, n_threads, lora)
        with cls._lock:
            if key not in cls._models:
                from llama_cpp import Llama

                _patch_detokenize()
                llm = Llama(
                    model_path=path,
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    chat_format=chat_format,
                    lora_path=lora or None,
                    verbose=False,
                    seed=0,
                )
                cls._models[key] = (llm, threading.Lock())
            return cls._models[key]


def _fold_system(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """Chat formats such as Gemma's drop a system message silently; put it at the top of the first user turn."""
    system = "\n\n".join(m.text or "" for m in messages if m.role.value == "system")
    out: list[dict[str, str]] = []
    for message in messages:
        role = message.role.value
        if role == "system":
            continue
        text = message.text or ""
        if role == "user" and system and not any(m["role"] == "user" for m in out):
            text = f"{system}\n\n{text}"
        out.append({"role": role, "content": text})
    return out


@component
class LocalGGUFChatGenerator:
    """Generate chat replies with a local GGUF model (llama.cpp), streaming tokens as they come.

    ### Usage example
    ```python
    llm = LocalGGUFChatGenerator(model="gemma3-270m", max_tokens=128)
    llm.warm_up()
    llm.run(messages=[ChatMessage.from_user("工房は何時まで開いていますか？")])["replies"][0].text
    ```

    :param model: `gemma3-270m` (packaged, a small *base* model: weak answers), a file name in
        `$TOKKA_DATA_DIR/models/`, or a path to a `.gguf` file.
    :param n_ctx: context window in tokens; a prompt that does not fit is refused with a message, never cut.
    :param n_threads: CPU threads. 1 is the safe choice on 2-core machines (two threads collapse under load).
    :param max_tokens: the longest answer.
    :param temperature: sampling temperature (0 = greedy).
    :param top_p: nucleus sampling.
    :param repeat_penalty: discourages loops (small base models repeat themselves).
    :param chat_format: a llama-cpp-python chat format; `None` uses the file's own template (or the packaged
        model's known format); `raw` passes the prompt through as plain text to continue (for models trained from
        scratch without chat data).
    :param stop: extra stop strings.
    :param lora: a GGUF LoRA adapter llama.cpp applies to the model at load: a packaged adapter's name
        (`grounded-qa`: answers from the numbered passages with a citation, for `gemma3-270m`), a file name in
        `$TOKKA_DATA_DIR/models/`, or a path. Empty: none.
    """

    def __init__(
        self,
        model: str = "gemma3-270m",
        n_ctx: int = 4096,
        n_threads: int = 1,
        max_tokens: int = 256,
        temperature: float = 0.2,
        top_p: float = 0.9,
        repeat_penalty: float = 1.2,
        chat_format: str | None = None,
        stop: list[str] | None = None,
        lora: str = "",
    ) -> None:
        self.model = model
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.top_p = top_p
        self.repeat_penalty = repeat_penalty
        self.chat_format = chat_format
        self.stop = list(stop) if stop else []
        self.lora = lora or ""
        self._llm: Any = None
        self._lock: threading.Lock | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(
            self,
            model=self.model,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            repeat_penalty=self.repeat_penalty,
            chat_format=self.chat_format,
            stop=self.stop,
            lora=self.lora,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LocalGGUFChatGenerator:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @property
    def effective_chat_format(self) -> str | None:
        """The chat format in use (explicit, or the packaged model's)."""
        return self.chat_format or default_chat_format(self.model)

    def warm_up(self) -> None:
        """Load the model (once per process; later calls and other instances reuse it)."""
        if self._llm is None:
            path = resolve_gguf(self.model)
            lora = str(resolve_adapter(self.lora)) if self.lora else ""
            chat_format = None if self.effective_chat_format == "raw" else self.effective_chat_format
            self._llm, self._lock = _LoadedModels.get(str(path), self.n_ctx, self.n_threads, chat_format, lora)

    @component.output_types(replies=list[ChatMessage])
    def run(
        self,
        messages: list[ChatMessage],
        streaming_callback: Callable[[StreamingChunk], None] | None = None,
        generation_kwargs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Answer the conversation.

        :param messages: the chat so far (system, user, assistant messages).
        :param streaming_callback: called with each new piece of text.
        :param generation_kwargs: overrides of `max_tokens`, `temperature`, `top_p`, `repeat_penalty`.
        :returns: `replies`: one assistant message with `meta` (`model`, `finish_reason`, `usage`).
        :raises GenerationError: when the prompt does not fit the context window.
        """
        self.warm_up()
        options = {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "repeat_penalty": self.repeat_penalty,
            **(generation_kwargs or {}),
        }
        chat = (
            _fold_system(messages)
            if self.effective_chat_format == "gemma"
            else [{"role": m.role.value, "content": m.text or ""} for m in messages]
        )
        stops = [*self.stop, "<end_of_turn>", "<start_of_turn>"]
        assert self._lock is not None
        with self._lock:
            try:
                if self.effective_chat_format == "raw":  # a model without chat training continues plain text
                    prompt = "\n\n".join(m["content"] for m in _fold_system(messages))
                    stream = self._llm.create_completion(prompt, stream=True, stop=stops, **options)
                else:
                    stream = self._llm.create_chat_completion(messages=chat, stream=True, stop=stops, **options)
                text, finish = "", None
                for part in stream:
                    choice = part["choices"][0]
                    piece = choice.get("text") or choice.get("delta", {}).get("content") or ""
                    finish = choice.get("finish_reason") or finish
                    if piece:
                        text += piece
                        if streaming_callback is not None:
                            streaming_callback(StreamingChunk(content=piece, meta={"model": self.model}))
            except ValueError as e:  # "Requested tokens (...) exceed context window of ..."
                raise GenerationError("err.context_overflow", model=self.model, n_ctx=self.n_ctx, detail=str(e)) from e
        usage = {"prompt_chars": sum(len(m["content"]) for m in chat), "completion_chars": len(text)}
        meta = {"model": self.model, "finish_reason": finish or "stop", "usage": usage}
        return {"replies": [ChatMessage.from_assistant(text.strip(), meta=meta)]}
