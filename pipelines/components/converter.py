"""Files → Documents, with a reason for every file that cannot be read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict, logging
from haystack.dataclasses import ByteStream

from corpus.errors import LoadError
from corpus.sandbox import load_bytes_isolated, load_file_isolated
from tokka.settings import get_settings

logger = logging.getLogger(__name__)


@component
class JapaneseFileConverter:
    """Convert files of any supported format (txt md html pdf docx csv xlsx json jsonl) into Documents.

    Unlike Haystack's converters, a file that cannot be read is not only logged: it is returned in `failures` with
    a message key, so the caller can show the user why. Files are read in a worker process with a memory and a time
    limit (`corpus.sandbox`), so a hostile file fails alone.

    ### Usage example
    ```python
    JapaneseFileConverter().run(sources=["案内.pdf"])
    # {"documents": [Document(content="…", meta={"source": "/abs/案内.pdf", "title": …})], "failures": []}
    ```

    :param max_file_mb: refuse larger files; `None` uses the `TOKKA_MAX_FILE_MB` setting.
    """

    def __init__(self, max_file_mb: float | None = None) -> None:
        self.max_file_mb = max_file_mb

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, max_file_mb=self.max_file_mb)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JapaneseFileConverter:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], failures=list[dict[str, Any]])
    def run(
        self, sources: list[str | ByteStream], progress: Callable[[str, int, int], None] | None = None
    ) -> dict[str, Any]:
        """Load each file, or each downloaded document given as a `ByteStream`.

        :param sources: file paths, or ByteStreams with meta `source` (e.g. the URL), `file_name` (its extension
            chooses the loader), `modified` and optionally `type` (e.g. `web`).
        :param progress: called with `(stage, page, pages)` while a paged file is read (`page` or `ocr`).
        :returns: `documents` (one per readable file) and `failures` (`source`, `code`, `params`, `message`).
        """
        limit_mb = self.max_file_mb if self.max_file_mb is not None else get_settings().max_file_mb
        max_bytes = int(limit_mb * 2**20) if limit_mb else None
        documents: list[Document] = []
        failures: list[dict[str, Any]] = []
        for source in sources:
            label = str(source.meta.get("source", "")) if isinstance(source, ByteStream) else str(source)
            try:
                if isinstance(source, ByteStream):
                    loaded = load_bytes_isolated(
                        source.data,
                        str(source.meta.get("file_name", "")),
                        label,
                        float(source.meta.get("modified", 0.0)),
                        max_bytes,
                        source.meta.get("type"),
                        progress,
                    )
                else:
                    loaded = load_file_isolated(Path(source), max_bytes=max_bytes, progress=progress)
            except LoadError as e:
                logger.warning("Could not read {source}: {error}", source=label, error=str(e))
                failures.append({"source": label, "code": e.code, "params": e.params, "message": e.message()})
                continue
            meta = {
                "source": loaded.source,
                "title": loaded.title,
                "type": loaded.type,
                "modified": loaded.modified,
                **{k: v for k, v in loaded.meta.items() if k not in {"source", "title", "type", "modified"}},
            }
            documents.append(Document(content=loaded.text, meta=meta))
        return {"documents": documents, "failures": failures}
