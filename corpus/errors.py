"""Errors raised by `corpus` (loading files, the stores, embedding models); all are :class:`tokka.errors.TokkaError`."""

from __future__ import annotations

from tokka.errors import TokkaError


class LoadError(TokkaError):
    """A file could not be turned into text. Nothing is written to the store."""


class StoreError(TokkaError):
    """The store refused an operation (unknown collection, mixed embedding models, duplicates)."""


class EmbedderUnavailableError(TokkaError):
    """The embedding model a collection needs cannot be reached."""
