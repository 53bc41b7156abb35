"""Load pipeline YAML: only our packages may be deserialised (aliases and huge files refused first), and
`${collection}` is filled in.

Haystack does not expand variables in YAML (docs/libraries.md §1.3), so the indexing pipeline's
`${collection}` placeholder is substituted here with `string.Template` before loading.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from string import Template

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
