"""Load and dump pipeline YAML: only our packages may be deserialised, `${collection}` is filled in, and Japanese
stays readable.

Haystack does not expand variables in YAML (pitfall 3 in `shared/notes/libraries.md`), so the indexing pipeline's
`${collection}` placeholder is substituted here with `string.Template` before loading. `Pipeline.dumps()` writes
Japanese as `\\uXXXX` escapes (pitfall 4), so files we write go through :func:`dump_pipeline_yaml` instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from string import Template

import yaml
from haystack import Pipeline

from corpus.stores.records import validate_collection_name
from pipelines import ALLOWED_MODULES
from pipelines.validation import unsafe_yaml
from tokka.errors import TokkaError

PIPELINES_DIR = Path(__file__).resolve().parent
INDEXING_DIR = PIPELINES_DIR / "indexing"


def load_pipeline_text(text: str) -> Pipeline:
    """Load YAML text with the module allowlist limited to our packages (aliases and huge files refused first).

    :raises PipelineFileError: `err.yaml_alias` or `err.yaml_too_large`.
    """
    unsafe = unsafe_yaml(text)
    if unsafe is not None:
        raise PipelineFileError(unsafe.code, **unsafe.params)
    return Pipeline.loads(text, allowed_modules=ALLOWED_MODULES)


class PipelineFileError(TokkaError):
    """A pipeline file that is refused before loading."""


def indexing_yaml_path(collection: str) -> Path:
    """`pipelines/indexing/<collection>.yaml` when it exists, else `default.yaml`."""
    own = INDEXING_DIR / f"{collection}.yaml"
    return own if own.is_file() else INDEXING_DIR / "default.yaml"


def load_indexing_pipeline(collection: str, path: Path | None = None) -> tuple[Pipeline, str]:
    """The indexing pipeline for `collection`.

    :param path: a specific YAML file (default: :func:`indexing_yaml_path`).
    :returns: the pipeline and its settings hash (changes when any component parameter changes).
    """
    validate_collection_name(collection)
    source = path or indexing_yaml_path(collection)
    text = Template(source.read_text(encoding="utf-8")).safe_substitute(collection=collection)
    pipeline = load_pipeline_text(text)
    return pipeline, pipeline_hash(pipeline)


def pipeline_hash(pipeline: Pipeline) -> str:
    """A hash of the components and their parameters (not comments or metadata)."""
    data = pipeline.to_dict()
    material = json.dumps({"components": data["components"], "connections": data["connections"]}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def dump_pipeline_yaml(pipeline: Pipeline, metadata: dict | None = None) -> str:
    """YAML text for a pipeline, with Japanese written as is (`allow_unicode`) and keys in their natural order.

    :param metadata: replaces the pipeline's metadata block (e.g. `{"tokka": {"name": …}}`).
    """
    data = pipeline.to_dict()
    if metadata is not None:
        data["metadata"] = metadata
    ordered = {key: data[key] for key in ("metadata", "components", "connections") if key in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=120)
