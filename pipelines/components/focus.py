"""Give a small model less to read: each retrieved chunk cut to its sentences that share the most words with the
question, up to a length, in their original order. The chunks the user sees (and the citations) stay whole.

A 270M-parameter model reads a few hundred characters well and a thousand badly: with the question's sentence among
two or three others instead of a dozen, it picks the right span more often, and a prompt half as long answers in
half the time. The shipped grounded-answer adapter is trained on passages focused by :func:`focus_text` itself
(`finetune/recipes/grounded_qa.py`), so it reads at training time what this step gives it (docs/answers.md §4).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.chunker import split_sentences
from corpus.japanese.tokenizer import get_tokenizer, words_only

_SINGLE_KANA = re.compile(r"[\u3040-\u30ff]")


def focus_text(text: str, query_tokens: list[str], max_chars: int, tokenizer: str = "sudachi") -> str:
    """`text` cut to its best sentences (most distinct question words, ties to the earlier one), up to `max_chars`
    characters, kept in their order; the text itself when it is short enough."""
    if len(text) <= max_chars:
        return text
    wanted = {t for t in words_only(query_tokens) if not _SINGLE_KANA.fullmatch(t)}
    analyser = get_tokenizer(tokenizer)
    sentences = split_sentences(text)
    scores = [len(wanted & set(analyser.tokenize(s))) for s in sentences]
    chosen: set[int] = set()
    length = 0
    for index in sorted(range(len(sentences)), key=lambda i: (-scores[i], i)):
        if length + len(sentences[index]) > max_chars and chosen:
            continue
        chosen.add(index)
        length += len(sentences[index])
    return "".join(sentences[i] for i in sorted(chosen))[: max(max_chars, 1) * 2]


@component
class PassageFocus:
    """Cut each chunk to the sentences that share the most words with the question (for the prompt only).

    ### Usage example
    ```python
    PassageFocus(max_chars=220).run(documents=docs, query_tokens=["材料", "加工"])["documents"]
    ```

    :param max_chars: the most characters kept of one chunk (a chunk this short is passed as it is).
    :param tokenizer: how sentences and the question are split into words (`sudachi` or `char-bigram`).
    """

    def __init__(self, max_chars: int = 220, tokenizer: str = "sudachi") -> None:
        self.max_chars = max_chars
        self.tokenizer = tokenizer

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, max_chars=self.max_chars, tokenizer=self.tokenizer)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PassageFocus:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document], query_tokens: list[str] | None = None) -> dict[str, Any]:
        """:returns: `documents`, each with its content focused (same order, same ids and metadata)."""
        tokens = list(query_tokens or [])
        return {
            "documents": [
                replace(d, content=focus_text(d.content or "", tokens, self.max_chars, self.tokenizer))
                for d in documents
            ]
        }
