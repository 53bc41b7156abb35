"""Recipe 資料に基づいて答える: teach the packaged Gemma 3 270M to answer from numbered passages, with a citation.

Training examples come from JaQuAD (Japanese extractive QA over Wikipedia, CC BY-SA 3.0): a question, its answer
span and the paragraph it was written for. Each example is **the offline assistant's own prompt** (its
`ChatPromptBuilder` template, read from `pipelines/assistants/offline_guide.yaml`) filled with 2–4 passages: the
gold passage at a random position and others from the same article, the passages cut and normalised by the same
components the indexing pipeline uses and each **focused** as the assistant's focus step focuses it (the sentences
sharing most words with the question, 160 characters), so the adapter sees at training time what the assistant gives
it later. In half of the examples the other passages are those sharing the most words with the question (as
retrieval would put them beside the answer), in the rest any from the article. The reply is the answer span and its
citation, `ブラザヴィル [2]`. About one example in eight has no gold passage and is answered
「資料に記載がありません。」, so that the model learns to say so rather than make something up. docs/answers.md §4
gives what each of these choices measured.

The tuning itself is the tone pipeline (`finetune.tone.train`, TRL, loss on the reply only, LoRA); the adapter is
exported as a GGUF LoRA that llama.cpp applies to the packaged GGUF at load (`finetune.export.adapter`).

    python -m finetune recipe grounded-qa --questions …/jaquad-qa/train.jsonl \\
        --corpus …/jsquad-jaquad-large/corpus.jsonl --out data/recipes/grounded-qa
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from haystack import Document

from corpus.japanese.tokenizer import get_tokenizer
from pipelines.components.focus import focus_text
from pipelines.components.normalizer import JapaneseNormalizer
from pipelines.components.splitter import JapaneseSentenceSplitter
from tokka.errors import TokkaError

ASSISTANT = Path(__file__).resolve().parents[2] / "pipelines" / "assistants" / "offline_guide.yaml"
NOT_IN_DOCUMENTS = "資料に記載がありません。"


class RecipeError(TokkaError):
    """Recipe input that cannot be used (missing files, a prompt template that cannot be read)."""


@dataclass(frozen=True)
class RecipeData:
    """How the training examples are drawn."""

    questions: Path
    corpus: Path
    examples: int = 950
    unanswerable: float = 0.12
    min_passages: int = 2
    max_passages: int = 4
    focus_chars: int = 160  # each passage cut as the assistant's focus step cuts it (0: whole passages)
    hard_share: float = 0.5  # share of examples whose other passages share most words with the question
    seed: int = 0


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)
    except (OSError, json.JSONDecodeError) as e:
        raise RecipeError("err.recipe_input", path=path.name, detail=str(e)[:200]) from e


def prompt_builder(assistant: Path = ASSISTANT) -> Any:
    """The assistant's `ChatPromptBuilder`, built from its YAML (the template the adapter is trained on)."""
    import yaml
    from haystack.components.builders.chat_prompt_builder import ChatPromptBuilder

    try:
        spec = yaml.safe_load(assistant.read_text(encoding="utf-8"))
        params = spec["components"]["prompt_builder"]["init_parameters"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        raise RecipeError("err.recipe_input", path=assistant.name, detail=str(e)[:200]) from e
    return ChatPromptBuilder(template=params["template"], required_variables=params.get("required_variables"))


def prompt_messages(builder: Any, question: str, passages: list[str]) -> list[dict[str, str]]:
    """The chat messages the assistant sends the model for this question and these passages."""
    prompt = builder.run(query=question, documents=[Document(content=p) for p in passages])["prompt"]
    return [{"role": m.role.value, "content": m.text or ""} for m in prompt]


class Passages:
    """Paragraphs cut into passages as the indexing pipeline cuts them (normalised, ≤ 400 characters)."""

    def __init__(self, corpus: Path) -> None:
        self.text: dict[str, str] = {}
        self.by_title: dict[str, list[str]] = {}
        for row in _jsonl(corpus):
            self.text[row["id"]] = row["text"]
            self.by_title.setdefault(row.get("title", ""), []).append(row["id"])
        self._normalizer, self._splitter = JapaneseNormalizer(), JapaneseSentenceSplitter()

    @lru_cache(maxsize=50_000)  # noqa: B019 - one instance per build; the cache dies with it
    def chunks(self, doc_id: str) -> tuple[str, ...]:
        """The passages of one paragraph."""
        docs = self._normalizer.run([Document(content=self.text[doc_id])])["documents"]
        return tuple(d.content or "" for d in self._splitter.run(docs)["documents"])

    @staticmethod
    def focused(passage: str, question_tokens: list[str], max_chars: int) -> str:
        """`passage` cut to the sentences the assistant's focus step would give the model for the question."""
        return focus_text(passage, question_tokens, max_chars) if max_chars > 0 else passage

    @lru_cache(maxsize=200_000)  # noqa: B019 - as above
    def words(self, text: str) -> frozenset[str]:
        """The distinct Sudachi words of a text (to rank passages by what they share with a question)."""
        return frozenset(get_tokenizer("sudachi").tokenize(text))

    def nearest(self, candidates: list[str], question: str, k: int) -> list[str]:
        """The `k` candidates sharing the most distinct words with `question` (as retrieval would rank them;
        ties in their order)."""
        wanted = self.words(question)
        return sorted(candidates, key=lambda c: -len(wanted & self.words(c)))[:k]

    def normalized(self, text: str) -> str:
        """Text normalised like a passage (so an answer span can be found in it)."""
        return self._normalizer.run([Document(content=text)])["documents"][0].content or ""


def _example(
    rng: random.Random, passages: Passages, row: dict[str, Any], data: RecipeData, unanswerable: bool
) -> tuple[list[str], str] | None:
    """(passages, reply) for one question, or None when its answer cannot be found in its paragraph."""
    doc_id, answers = row.get("doc_id"), row.get("answers") or []
    if doc_id not in passages.text or not answers:
        return None
    answer = passages.normalized(str(answers[0])).strip()
    gold = [c for c in passages.chunks(doc_id) if answer and answer in c]
    if not gold:
        return None
    title = row.get("title", "")
    others = [c for d in passages.by_title.get(title, []) if d != doc_id for c in passages.chunks(d) if answer not in c]
    count = rng.randint(data.min_passages, data.max_passages)
    hard = rng.random() < data.hard_share
    if unanswerable and len(others) < data.min_passages:
        return None
    question = str(row["question"])
    wanted = min(count if unanswerable else count - 1, len(others))
    # hard: the passages retrieval would put next to (or instead of) the answer's, which share the question's words
    chosen = passages.nearest(rng.sample(others, len(others)), question, wanted) if hard else rng.sample(others, wanted)
    tokens = get_tokenizer("sudachi").tokenize(question)
    if unanswerable:
        return [passages.focused(c, tokens, data.focus_chars) for c in chosen], NOT_IN_DOCUMENTS
    focused = passages.focused(rng.choice(gold), tokens, data.focus_chars)
    if answer not in focused:  # the focus step dropped the answer's sentence: the model could not answer from it
        return None
    position = rng.randint(0, len(chosen))
    chosen = [passages.focused(c, tokens, data.focus_chars) for c in chosen]
    chosen.insert(position, focused)
    return chosen, f"{answer} [{position + 1}]"


def build_examples(
    data: RecipeData, fits: Callable[[list[dict[str, str]]], bool] | None = None, builder: Any = None
) -> list[dict[str, Any]]:
    """`data.examples` training conversations (`{"messages": [...]}`), drawn reproducibly from the seed.

    :param fits: whether a conversation fits the sequence length (longer ones are skipped).
    :raises RecipeError: `err.recipe_input` for unreadable files, `err.recipe_too_few` when too few examples remain.
    """
    rng = random.Random(data.seed)
    rows = list(_jsonl(data.questions))
    rng.shuffle(rows)
    passages = Passages(data.corpus)
    builder = builder or prompt_builder()
    out: list[dict[str, Any]] = []
    for row in rows:
        if len(out) >= data.examples:
            break
        drawn = _example(rng, passages, row, data, rng.random() < data.unanswerable)
        if drawn is None:
            continue
        messages = [
            *prompt_messages(builder, str(row["question"]), drawn[0]),
            {"role": "assistant", "content": drawn[1]},
        ]
        if fits is None or fits(messages):
            out.append({"messages": messages, "id": row.get("id", "")})
    if len(out) < min(data.examples, 10):
        raise RecipeError("err.recipe_too_few", n=len(out), wanted=data.examples)
    return out


def write_examples(examples: list[dict[str, Any]], path: Path) -> Path:
    """The examples as JSONL in the tone-tuning data format (one `{"messages": …}` per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps({"messages": example["messages"]}, ensure_ascii=False) + "\n")
    return path


@dataclass(frozen=True)
class RecipeRun:
    """How the adapter is trained: the recipe's defaults fit one hour on two CPU cores (950 examples, one pass)."""

    out_dir: Path
    minutes: float = 55.0
    threads: int = 2
    learning_rate: float = 5e-4
    rank: int = 16
    alpha: int = 32
    grad_accum: int = 8
    max_seq_len: int = 1024
    seed: int = 0


ADAPTER_FILE = "grounded-qa-gemma3-270m.gguf"


def train_recipe(data: RecipeData, run: RecipeRun, report: Callable[[Any], None]) -> Any:
    """Build the examples, tune the packaged model on them, export and verify the GGUF adapter.

    :param report: called with progress: a message string, or a `ToneEvent` from training.
    :returns: the `AdapterExport` (GGUF path and the llama.cpp check).
    """
    from transformers import AutoTokenizer

    from finetune.export.adapter import export_adapter
    from finetune.tone.bases import PACKAGED_BASE, ensure_packaged_base
    from finetune.tone.train import ToneConfig, train
    from pipelines.local_models import resolve_gguf

    base = ensure_packaged_base(report)
    tokenizer = AutoTokenizer.from_pretrained(str(base))

    def length(messages: list[dict[str, str]]) -> int:
        return len(tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"])

    examples = build_examples(data, lambda messages: length(messages) <= run.max_seq_len)
    path = write_examples(examples, run.out_dir / "data.jsonl")
    report(f"{len(examples)} examples → {path}")
    config = ToneConfig(
        base=str(base),
        data=str(path),
        out_dir=str(run.out_dir / "run"),
        preset="cpu",
        lora_rank=run.rank,
        lora_alpha=run.alpha,
        max_seq_len=run.max_seq_len,
        batch_size=1,
        grad_accum=run.grad_accum,
        epochs=1.0,
        learning_rate=run.learning_rate,
        eval_every=40,
        early_stopping_patience=0,
        validation_fraction=0.025,
        max_minutes=run.minutes,
        load_in_4bit=False,  # the base is the packaged Q4 model dequantised: train on exactly those weights
        threads=run.threads,
        seed=run.seed,
    )
    for event in train(config):
        report(event)
    prompts = tuple(
        tokenizer.apply_chat_template(e["messages"][:-1], tokenize=False, add_generation_prompt=True)
        for e in examples[:3]
    )
    adapter = run.out_dir / "run" / "adapter"
    return export_adapter(
        adapter, base, resolve_gguf(PACKAGED_BASE), run.out_dir / ADAPTER_FILE, prompts, quantised_base=True
    )
