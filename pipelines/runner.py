"""Ask an assistant a question: run its pipeline, stream the answer, and keep what each step produced.

What each component produced (the retrieved chunks, the exact prompt) is captured through Haystack's tracing
hook, so it is available even when a later step fails: when Ollama is down, slow or lacks the model, the user still
sees the passages that were found, with a message that says what to do. Captures are kept per run (a context
variable), so concurrent chats never see each other's data.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from haystack import tracing
from haystack.core.errors import PipelineRuntimeError
from haystack.dataclasses import ChatMessage, StreamingChunk

from pipelines.components.answer import source_view
from pipelines.registry import AssistantRegistry
from tokka.errors import TokkaError
from tokka.locales import for_ui, t
from tokka.settings import get_settings


@dataclass
class _Capture:
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


_current: contextvars.ContextVar[_Capture | None] = contextvars.ContextVar("tokka_capture", default=None)


class _CaptureSpan(tracing.Span):
    def __init__(self, capture: _Capture | None, name: str | None) -> None:
        self.capture = capture
        self.name = name

    def set_tag(self, key: str, value: Any) -> None:
        """Tags are not needed; only component outputs are kept."""

    def set_content_tag(self, key: str, value: Any) -> None:
        """Keep each component's output for the current run."""
        if self.capture is not None and self.name and key == "haystack.component.output":
            self.capture.outputs[self.name] = value

    def raw_span(self) -> Any:
        """This span itself."""
        return self


class _CaptureTracer(tracing.Tracer):
    """Records component outputs and durations of the run whose capture is in the current context."""

    @contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: tracing.Span | None = None
    ) -> Iterator[tracing.Span]:
        capture = _current.get()
        span = _CaptureSpan(capture, (tags or {}).get("haystack.component.name"))
        started = time.perf_counter()
        try:
            yield span
        finally:
            if capture is not None and operation_name == "haystack.component.run" and span.name:
                capture.timings[span.name] = time.perf_counter() - started

    def current_span(self) -> tracing.Span | None:
        """Spans are not nested here."""
        return None


def _install_tracer() -> None:
    if not isinstance(getattr(tracing.tracer, "actual_tracer", None), _CaptureTracer):
        tracing.enable_tracing(_CaptureTracer())


@dataclass
class AnswerResult:
    """Everything the chat shows for one question."""

    answer: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    prompt: list[dict[str, str]] = field(default_factory=list)
    query_tokens: list[str] = field(default_factory=list)
    mode: str = ""
    notice: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""
    error_code: str = ""
    not_found: bool = False  # nothing relevant was retrieved: the answer says so and no model was asked


class AssistantRunner:
    """Runs assistants from a registry.

    ### Usage example
    ```python
    runner = AssistantRunner(AssistantRegistry())
    result = runner.ask("offline_guide", "工房は何時まで開いていますか？", on_token=lambda s: print(s, end=""))
    result.answer, [s["source"] for s in result.sources], result.timings
    ```
    """

    def __init__(self, registry: AssistantRegistry | None = None) -> None:
        self.registry = registry or AssistantRegistry()
        _install_tracer()

    def ask(
        self,
        assistant_id: str,
        question: str,
        on_token: Callable[[str], None] | None = None,
        lang: str | None = None,
        ui: bool = False,
    ) -> AnswerResult:
        """Answer `question` with one assistant.

        :param on_token: called with each streamed piece of the answer.
        :param ui: word messages for the app (no shell commands) rather than for the command line.
        :returns: the result; on a generation failure `error` holds the user's message and the sources found so far.
        :raises AssistantError: for an unknown or broken assistant.
        """
        return self.run_pipeline(self.registry.pipeline(assistant_id), question, on_token, lang, ui)

    def ask_text(
        self,
        yaml_text: str,
        question: str,
        on_token: Callable[[str], None] | None = None,
        lang: str | None = None,
        ui: bool = False,
    ) -> AnswerResult:
        """Answer with an assistant given as YAML text (not saved): the builder's "Try".

        :raises AssistantError: when the text has errors (the messages have line numbers).
        """
        from pipelines.registry import AssistantError
        from pipelines.validation import render_yaml, validate_text

        rendered = render_yaml(yaml_text)
        errors = [i for i in validate_text(rendered, check_environment=False) if i.severity == "error"]
        if errors:
            details = "\n".join(i.message(lang, "YAML", ui) for i in errors)
            raise AssistantError("err.assistant_broken", name="YAML", details=details)
        from pipelines.loading import load_pipeline_text

        return self.run_pipeline(load_pipeline_text(rendered), question, on_token, lang, ui)

    def run_pipeline(
        self,
        pipeline: Any,
        question: str,
        on_token: Callable[[str], None] | None = None,
        lang: str | None = None,
        ui: bool = False,
    ) -> AnswerResult:
        """Run one assistant pipeline for `question`, capturing what each step produced."""
        capture = _Capture()
        token = _current.set(capture)
        data: dict[str, Any] = {}
        inputs = pipeline.inputs()
        for name, sockets in inputs.items():
            given = {socket: question for socket in ("query", "text") if socket in sockets}
            if "streaming_callback" in sockets and on_token is not None:
                given["streaming_callback"] = _forward(on_token)
            if given:
                data[name] = given
        started = time.perf_counter()
        result = AnswerResult()
        try:
            outputs = pipeline.run(data)
            answer = next((v for v in outputs.values() if "answer" in v), {})
            result.answer = answer.get("answer", "")
            result.sources = answer.get("sources", [])
            result.not_found = bool((answer.get("meta") or {}).get("not_found"))
        except PipelineRuntimeError as e:
            result.error_code, result.error = _explain(e, pipeline, lang, ui)
            if _is_generator(pipeline, e.component_name):
                _fall_back_to_excerpts(result, capture, pipeline, question, lang)
        finally:
            _current.reset(token)
        result.timings = {**capture.timings, "total": time.perf_counter() - started}
        _fill_from_capture(result, capture)
        return result


def _is_generator(pipeline: Any, name: str | None) -> bool:
    """Whether the failing component writes the answer (a chat generator), so excerpts can stand in for it."""
    return bool(name) and type(pipeline.get_component(name)).__name__.endswith("ChatGenerator")


def _fall_back_to_excerpts(
    result: AnswerResult,
    capture: _Capture,
    pipeline: Any,
    question: str,
    lang: str | None,
) -> None:
    """The generator failed: answer with the retrieved chunks' best sentences (labelled 抜粋) instead."""
    from pipelines.components.extractive import extractive_answer

    retrieved = next((o for o in capture.outputs.values() if "query_tokens" in o and "documents" in o), None)
    gate = next((o for o in capture.outputs.values() if "documents" in o and "query_tokens" not in o), None)
    if retrieved is None:
        return
    documents = (gate or retrieved)["documents"]
    collection = next(
        (c.collection for _, c in pipeline.walk() if isinstance(getattr(c, "collection", None), str)), None
    )
    if not documents or not collection:
        return
    excerpt = extractive_answer(collection, question, list(retrieved["query_tokens"]), documents)
    result.answer, result.sources = excerpt["answer"], excerpt["sources"]
    result.notice = t("notice.excerpts_instead", lang, error=result.error)


def _forward(on_token: Callable[[str], None]) -> Callable[[StreamingChunk], None]:
    def callback(chunk: StreamingChunk) -> None:
        if chunk.content:
            on_token(chunk.content)

    return callback


def _fill_from_capture(result: AnswerResult, capture: _Capture) -> None:
    for output in capture.outputs.values():
        if "query_tokens" in output and "mode" in output:  # the retriever
            result.query_tokens = list(output["query_tokens"])
            result.mode = output["mode"]
            result.notice = result.notice or output.get("notice", "")
            if not result.sources:
                result.sources = [source_view(i, d, False) for i, d in enumerate(output["documents"], start=1)]
        elif "prompt" in output and isinstance(output["prompt"], list):
            result.prompt = [
                {"role": m.role.value, "text": m.text or ""} for m in output["prompt"] if isinstance(m, ChatMessage)
            ]
        elif "embedding" in output and output.get("meta", {}).get("notice"):
            result.notice = output["meta"]["notice"]


def _explain(error: PipelineRuntimeError, pipeline: Any, lang: str | None, ui: bool = False) -> tuple[str, str]:
    """A user message for a failed run: what happened and what to do (`ui`: the app's wording)."""

    def say(key: str, **params: object) -> str:
        return t(for_ui(key) if ui else key, lang, **params)

    cause: BaseException | None = error.__cause__ or error
    component = pipeline.get_component(error.component_name) if error.component_name else None
    url = getattr(component, "url", get_settings().ollama_url)
    model = getattr(component, "model", "")
    timeout = getattr(component, "timeout", get_settings().ollama_timeout)
    if isinstance(cause, TokkaError):
        return cause.code, cause.message(lang, ui)
    if isinstance(cause, httpx.TimeoutException | TimeoutError):
        return "err.ollama_timeout", say("err.ollama_timeout", timeout=timeout)
    status = getattr(cause, "status_code", None)
    if status == 404 or "not found" in str(cause).lower() and "model" in str(cause).lower():
        return "err.ollama_no_model", say("err.ollama_no_model", model=model)
    if isinstance(cause, ConnectionError | httpx.ConnectError) or "Failed to connect" in str(cause):
        return "err.ollama_down", say("err.ollama_down", url=url)
    return "err.generation_failed", say("err.generation_failed", detail=str(cause)[:300])
