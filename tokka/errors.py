"""The one error root of tokka: every error a user may read carries a locale key and its parameters.

Library code raises a subclass of :class:`TokkaError` with a key of `tokka.locales.MESSAGES`; the command lines and
the app turn it into text in the user's language with :meth:`TokkaError.message`. `str(error)` is the English text,
for logs. Each package defines its own subclasses (`corpus.errors`, `pipelines.registry.AssistantError`, …) so a
caller can catch one kind, and every one of them can be caught as `TokkaError`.
"""

from __future__ import annotations

from tokka.locales import t


class TokkaError(Exception):
    """Base class. `code` is a key of `tokka.locales.MESSAGES`; `params` fill its placeholders."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(t(code, "en", **params))

    def message(self, lang: str | None = None) -> str:
        """The message in `lang` (default: the configured language)."""
        return t(self.code, lang, **self.params)
