"""The one error root of tokka: every error a user may read carries a locale key and its parameters.

Library code raises a subclass of :class:`TokkaError` with a key of `tokka.locales.MESSAGES`; the command lines and
the app turn it into text in the user's language with :meth:`TokkaError.message`. `str(error)` is the English text,
for logs. Each package defines its own subclasses (`corpus.errors`, `pipelines.registry.AssistantError`, …) so a
caller can catch one kind, and every one of them can be caught as `TokkaError`.
"""

from __future__ import annotations

from tokka.locales import for_ui, t


class TokkaError(Exception):
    """Base class. `code` is a key of `tokka.locales.MESSAGES`; `params` fill its placeholders."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(t(code, "en", **params))

    def message(self, lang: str | None = None, ui: bool = False) -> str:
        """The message in `lang` (default: the configured language); `ui` picks the app's wording (no commands)."""
        return t(for_ui(self.code) if ui else self.code, lang, **self.params)

    def __reduce__(self) -> tuple[object, ...]:
        """Picklable with its key and parameters (the default would rebuild it from the English text)."""
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls: type[TokkaError], code: str, params: dict[str, object]) -> TokkaError:
    return cls(code, **params)
