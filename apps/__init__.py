"""The Gradio app: one launcher (`python -m apps`) and one module per tab. UI strings live in `tokka.locales`.

The top layer (see docs/architecture.md): tabs call `corpus`, `pipelines` and `finetune` and hold no retrieval or
training logic themselves.
"""

import tokka  # noqa: F401 - first: switches telemetry off before any library loads
