"""Assistants and indexing flows as Haystack pipeline YAML, our Haystack components, ingestion and evaluation.

Above `corpus`, below `finetune` and `apps` (see docs/architecture.md); it holds no UI code.
"""

import tokka  # noqa: F401 - first: switches telemetry off before any library loads

# Haystack refuses to deserialise classes outside its own packages unless allowed; these are ours.
ALLOWED_MODULES = ["pipelines", "corpus"]
