"""Haystack filters translated to Elasticsearch queries by our own code (no private API of the integration)."""

from __future__ import annotations

import pytest

from corpus.errors import StoreError
from corpus.stores.es_filters import to_query


def test_comparisons() -> None:
    assert to_query({"field": "meta.type", "operator": "==", "value": "pdf"}) == {"term": {"type": "pdf"}}
    assert to_query({"field": "meta.type", "operator": "!=", "value": "pdf"}) == {
        "bool": {"must_not": {"term": {"type": "pdf"}}}
    }
    assert to_query({"field": "meta.page", "operator": ">=", "value": 3}) == {"range": {"page": {"gte": 3}}}
    assert to_query({"field": "meta.type", "operator": "in", "value": ["pdf", "docx"]}) == {
        "terms": {"type": ["pdf", "docx"]}
    }
    assert to_query({"field": "meta.title", "operator": "==", "value": None}) == {
        "bool": {"must_not": {"exists": {"field": "title"}}}
    }


def test_nested_logic() -> None:
    query = to_query(
        {
            "operator": "OR",
            "conditions": [
                {"field": "meta.type", "operator": "==", "value": "pdf"},
                {
                    "operator": "NOT",
                    "conditions": [{"field": "meta.modified", "operator": "<", "value": 100}],
                },
            ],
        }
    )
    assert query == {
        "bool": {
            "should": [
                {"term": {"type": "pdf"}},
                {"bool": {"must_not": [{"bool": {"filter": [{"range": {"modified": {"lt": 100}}}]}}]}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_an_unknown_operator_is_explained() -> None:
    with pytest.raises(StoreError) as caught:
        to_query({"field": "meta.a", "operator": "~", "value": 1})
    assert caught.value.code == "err.bad_filter"
