"""Documents: loaders per format, Japanese text handling, embedding models, the stores and search over them.

The lowest layer above `tokka` (see docs/architecture.md): it must not import `pipelines`, `finetune` or `apps`,
nor Gradio.
"""

import tokka  # noqa: F401 - first: switches telemetry off before any library loads
