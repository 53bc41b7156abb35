# ruff: noqa: E501 - the assistant template below is kept exactly as it is written out
"""Make an assistant from a form: the same wiring as the shipped assistants, written as YAML a person can read.

The file is generated from a commented text template (not `yaml.dump`), so the comments that explain each setting
survive, and Japanese is written as is. Values are quoted as JSON strings (valid YAML), and the persona is wrapped in
`{% raw %}` so braces typed by a user never break the prompt template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tokka.locales import t
from tokka.paths import ASSISTANT_ID

FUSIONS = ("auto", "rrf", "scores")  # HybridRetriever's `fusion` values

ANSWER_STYLES = {
    "polite": "丁寧な「です・ます」調で、必要なことを過不足なく答えてください。",
    "short": "一言か二言で、要点だけを短く答えてください。",
    "bullets": "答えは箇条書きにしてください。",
    "steps": "答えは番号付きの手順にしてください。",
}


@dataclass
class AssistantSpec:
    """Everything the builder form asks.

    :param assistant_id: the file name without `.yaml` (letters, digits, `_`, `-`).
    :param generator: `ollama`, `local` (a GGUF file through llama.cpp) or `none` (excerpts, no model).
    :param model: the Ollama model name, or the local model (`gemma3-270m` or a `.gguf` file name).
    :param bm25_weight: keyword search weight in rank fusion (RRF).
    :param vector_weight: meaning search weight in rank fusion (RRF).
    :param fusion: `auto` (ranks for USE collections, scores for e5/Ollama ones), `rrf` or `scores`.
    :param vector_share: the meaning search's share (0–1) when fusing by scores.
    :param context_window: tokens the model may read (Ollama `num_ctx`, llama.cpp `n_ctx`).
    """

    assistant_id: str
    name: str
    description: str
    collection: str
    generator: str
    model: str
    persona: str
    answer_style: str = "polite"
    top_k: int = 5
    bm25_weight: float = 1.0
    vector_weight: float = 0.2
    fusion: str = "auto"
    vector_share: float = 0.35
    temperature: float = 0.2
    context_window: int = 8192
    max_tokens: int = 512


def check_spec(spec: AssistantSpec) -> list[tuple[str, dict[str, object]]]:
    """Form problems as (message key, params); empty when the form can be turned into a file."""
    problems: list[tuple[str, dict[str, object]]] = []
    if not isinstance(spec.assistant_id, str) or not ASSISTANT_ID.fullmatch(spec.assistant_id):
        problems.append(("err.builder_id", {"name": spec.assistant_id}))
    required = (
        ("name", "collection", "persona") if spec.generator == "none" else ("name", "collection", "model", "persona")
    )
    for field_name in required:
        if not str(getattr(spec, field_name) or "").strip():
            problems.append(("err.builder_required", {"field": field_name}))
    if spec.generator not in ("ollama", "local", "none"):
        problems.append(("err.builder_generator", {"generator": spec.generator}))
    if spec.answer_style not in ANSWER_STYLES:
        problems.append(("err.builder_style", {"style": spec.answer_style}))
    if not 1 <= int(spec.top_k) <= 50:
        problems.append(("err.builder_range", {"field": "top_k", "low": 1, "high": 50}))
    if spec.bm25_weight < 0 or spec.vector_weight < 0 or spec.bm25_weight + spec.vector_weight == 0:
        problems.append(("err.builder_weights", {}))
    if spec.fusion not in FUSIONS:
        problems.append(("err.builder_fusion", {"fusion": spec.fusion, "choices": " / ".join(FUSIONS)}))
    if not 0.0 <= float(spec.vector_share) <= 1.0:
        problems.append(("err.builder_range", {"field": "vector_share", "low": 0, "high": 1}))
    return problems


def _q(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "\n".join(pad + line if line else "" for line in text.strip().splitlines())


def render_assistant_yaml(spec: AssistantSpec, lang: str | None = None) -> str:
    """The assistant file for `spec` (validate it with `pipelines.validation.validate_text(render_yaml(...))`).

    :param lang: the language of the comments written into the file (default: the configured one).
    """

    def c(key: str) -> str:
        return t(f"yaml.{key}", lang)

    persona = spec.persona.strip().replace("{% endraw %}", "")
    style = ANSWER_STYLES[spec.answer_style]
    collection = _q(spec.collection)
    if spec.generator == "none":
        return _EXTRACTIVE.format(
            name=_q(spec.name), description=_q(spec.description), collection=collection, top_k=int(spec.top_k),
            bm25_weight=float(spec.bm25_weight), vector_weight=float(spec.vector_weight), header=c("header_none"),
            edit=c("edit"), top_k_note=c("top_k"), bm25_note=c("bm25_weight"), vector_note=c("vector_weight"),
            gate_note=c("min_relevance"), title=spec.name, fusion_note=c("fusion"), share_note=c("vector_share"),
            fusion=spec.fusion, vector_share=float(spec.vector_share), embed_note=c("embed_query"),
        )  # fmt: skip
    if spec.generator == "ollama":
        llm = f"""  llm:
    type: haystack_integrations.components.generators.ollama.chat.chat_generator.OllamaChatGenerator
    init_parameters:
      model: {_q(spec.model)}
      url: ${{ollama_url}}
      timeout: ${{ollama_timeout}}
      max_retries: 0
      keep_alive: 10m
      think: false
      generation_kwargs:
        num_ctx: {int(spec.context_window)}   # {c("num_ctx")}
        temperature: {float(spec.temperature)}"""
    else:
        llm = f"""  llm:
    type: pipelines.components.generators.LocalGGUFChatGenerator
    init_parameters:
      model: {_q(spec.model)}
      n_ctx: {int(spec.context_window)}   # {c("num_ctx")}
      n_threads: 1
      max_tokens: {int(spec.max_tokens)}
      temperature: {float(spec.temperature)}
      repeat_penalty: 1.3"""
    return f"""# {spec.name} — {c("header")}
# {c("edit")}
# {c("placeholders")}
metadata:
  tokka:
    name: {_q(spec.name)}
    description: {_q(spec.description)}
    collection: {collection}
    model: {_q(spec.model)}
components:
  retriever:
    type: pipelines.components.retrievers.HybridRetriever
    init_parameters:
      collection: {collection}
      top_k: {int(spec.top_k)}              # {c("top_k")}
      bm25_top_k: 20
      vector_top_k: 20
      bm25_weight: {float(spec.bm25_weight)}       # {c("bm25_weight")}
      vector_weight: {float(spec.vector_weight)}     # {c("vector_weight")}
      rrf_k: 2
      fusion: {spec.fusion}           # {c("fusion")}
      vector_share: {float(spec.vector_share)}     # {c("vector_share")}
      embed_query: true      # {c("embed_query")}
  gate:
    type: pipelines.components.grounding.RelevanceGate
    init_parameters:
      collection: {collection}
      min_relevance: 0.3     # {c("min_relevance")}
  prompt_builder:
    type: haystack.components.builders.chat_prompt_builder.ChatPromptBuilder
    init_parameters:
      required_variables: [query, documents]
      template: |
        {{% message role="system" %}}
        {{% raw %}}
{_block(persona, 8)}
        {{% endraw %}}
        {style}
        必ず下の「資料」に書かれていることだけを使って答えてください。資料に答えがないときは、推測せずに
        「資料には見つかりませんでした。」と答えてください。根拠にした資料の番号を [1] のように付けてください。
        {{% endmessage %}}
        {{% message role="user" %}}
        資料:
        {{% for doc in documents %}}
        [{{{{ loop.index }}}}] {{{{ doc.meta.title }}}}{{% if doc.meta.heading %}}（{{{{ doc.meta.heading }}}}）{{% endif %}}
        {{{{ doc.content }}}}
        {{% endfor %}}

        質問: {{{{ query }}}}
        {{% endmessage %}}
{llm}
  answer:
    type: pipelines.components.answer.CitedAnswerBuilder
    init_parameters: {{}}
connections:
  - sender: retriever.documents
    receiver: gate.documents
  - sender: retriever.query_tokens
    receiver: gate.query_tokens
  - sender: gate.documents
    receiver: prompt_builder.documents
  - sender: prompt_builder.prompt
    receiver: llm.messages
  - sender: llm.replies
    receiver: answer.replies
  - sender: gate.documents
    receiver: answer.documents
"""


_EXTRACTIVE = """# {title} — {header}
# {edit}
metadata:
  tokka:
    name: {name}
    description: {description}
    collection: {collection}
    model: "-"
components:
  retriever:
    type: pipelines.components.retrievers.HybridRetriever
    init_parameters:
      collection: {collection}
      top_k: {top_k}              # {top_k_note}
      bm25_top_k: 20
      vector_top_k: 20
      bm25_weight: {bm25_weight}       # {bm25_note}
      vector_weight: {vector_weight}     # {vector_note}
      rrf_k: 2
      fusion: {fusion}           # {fusion_note}
      vector_share: {vector_share}     # {share_note}
      embed_query: true      # {embed_note}
  gate:
    type: pipelines.components.grounding.RelevanceGate
    init_parameters:
      collection: {collection}
      min_relevance: 0.3     # {gate_note}
  excerpts:
    type: pipelines.components.extractive.ExtractiveAnswerer
    init_parameters:
      collection: {collection}
      sentences: 2
connections:
  - sender: retriever.documents
    receiver: gate.documents
  - sender: retriever.query_tokens
    receiver: gate.query_tokens
  - sender: gate.documents
    receiver: excerpts.documents
  - sender: retriever.query_tokens
    receiver: excerpts.query_tokens
"""
