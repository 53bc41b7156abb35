"""Haystack metadata filters as Elasticsearch queries (our own translation: no private API of another package).

Haystack's filter grammar (`haystack.utils.filters`): a comparison `{"field": "meta.type", "operator": "==",
"value": "pdf"}` with `==`, `!=`, `>`, `>=`, `<`, `<=`, `in`, `not in`; or a logic node `{"operator": "AND" | "OR" |
"NOT", "conditions": [...]}`. tokka stores metadata as top-level fields, so `meta.type` becomes `type`.
"""

from __future__ import annotations

from typing import Any

from corpus.errors import StoreError

_RANGES = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


def _field(name: str) -> str:
    return name.removeprefix("meta.")


def _comparison(condition: dict[str, Any]) -> dict[str, Any]:
    field, operator, value = _field(str(condition["field"])), condition["operator"], condition.get("value")
    if operator == "==":
        return {"bool": {"must_not": {"exists": {"field": field}}}} if value is None else {"term": {field: value}}
    if operator == "!=":
        if value is None:
            return {"exists": {"field": field}}
        return {"bool": {"must_not": {"term": {field: value}}}}
    if operator in _RANGES:
        return {"range": {field: {_RANGES[operator]: value}}}
    if operator == "in":
        return {"terms": {field: list(value)}}
    if operator == "not in":
        return {"bool": {"must_not": {"terms": {field: list(value)}}}}
    raise StoreError("err.bad_filter", detail=f"operator {operator!r}")


def to_query(filters: dict[str, Any]) -> dict[str, Any]:
    """The Elasticsearch query for a Haystack filter.

    :raises StoreError: `err.bad_filter` for an operator Haystack does not define.
    """
    if "conditions" not in filters:
        return _comparison(filters)
    parts = [to_query(c) for c in filters["conditions"]]
    operator = str(filters.get("operator", "AND")).upper()
    if operator == "AND":
        return {"bool": {"filter": parts}}
    if operator == "OR":
        return {"bool": {"should": parts, "minimum_should_match": 1}}
    if operator == "NOT":
        return {"bool": {"must_not": [{"bool": {"filter": parts}}]}}
    raise StoreError("err.bad_filter", detail=f"operator {operator!r}")
