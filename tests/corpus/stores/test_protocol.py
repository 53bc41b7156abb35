"""Both backends keep the `StoreBackend` contract: every method, with the same parameters."""

from __future__ import annotations

import inspect

import pytest

from corpus.stores.elastic import ElasticBackend
from corpus.stores.embedded import EmbeddedBackend
from corpus.stores.protocol import StoreBackend

METHODS = [name for name, value in vars(StoreBackend).items() if callable(value) and not name.startswith("_")]


def test_the_contract_lists_what_the_code_calls() -> None:
    assert {"bm25_search", "vector_search", "replace_source", "remove_source", "idf", "close"} <= set(METHODS)


@pytest.mark.parametrize("backend", [EmbeddedBackend, ElasticBackend])
@pytest.mark.parametrize("method", METHODS)
def test_each_backend_has_each_method_with_the_same_parameters(backend: type, method: str) -> None:
    assert callable(getattr(backend, method, None)), f"{backend.__name__} lacks {method}"
    expected = list(inspect.signature(getattr(StoreBackend, method)).parameters)
    actual = list(inspect.signature(getattr(backend, method)).parameters)
    assert actual == expected, f"{backend.__name__}.{method}"


def test_an_open_store_is_a_store_backend(tmp_path) -> None:
    backend = EmbeddedBackend.open(tmp_path / "x.sqlite3")
    assert isinstance(backend, StoreBackend)
