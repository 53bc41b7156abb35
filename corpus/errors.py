"""Errors raised by `corpus`: each carries a locale key and parameters, so the CLI and UI show it in the user's
language (see `tokka.locales`). `str(error)` is the English text, for logs."""

from __future__ import annotations

from tokka.locales import t


class CorpusError(Exception):
    """Base class. `code` is a key of `tokka.locales.MESSAGES`; `params` fill its placeholders."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(t(code, "en", **params))

    def message(self, lang: str | None = None) -> str:
        """The message in `lang` (default: the configured language)."""
        return t(self.code, lang, **self.params)


class LoadError(CorpusError):
    """A file could not be turned into text. Nothing is written to the store."""


class StoreError(CorpusError):
    """The store refused an operation (unknown collection, mixed embedding models, duplicates)."""


class EmbedderUnavailableError(CorpusError):
    """The embedding model a collection needs cannot be reached."""
