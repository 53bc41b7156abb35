"""Japanese normalisation as a pipeline step."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.normalize import normalize_text


@component
class JapaneseNormalizer:
    """NFKC, U+3000, line endings, hard-wrapped lines joined; paragraphs kept (see `corpus.japanese.normalize`).

    Records the normalised length as `meta["chars"]`.

    ### Usage example
    ```python
    JapaneseNormalizer().run([Document(content="ＡＢＣ\u3000ｶﾀｶﾅ")])["documents"][0].content  # 'ABC カタカナ'
    ```

    :param join_wrapped_lines: join lines broken mid-sentence by a fixed line width (PDFs, old text files).
    """

    def __init__(self, join_wrapped_lines: bool = True) -> None:
        self.join_wrapped_lines = join_wrapped_lines

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, join_wrapped_lines=self.join_wrapped_lines)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JapaneseNormalizer:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        """Normalise each document's content.

        :returns: `documents` with normalised content.
        """
        out = []
        for doc in documents:
            text = normalize_text(doc.content or "", join_wrapped_lines=self.join_wrapped_lines)
            out.append(replace(doc, content=text, meta={**doc.meta, "chars": len(text)}))
        return {"documents": out}
