"""Training: a small language model from scratch (`finetune.scratch`), tone tuning (`finetune.tone`), and export
to GGUF + Ollama (`finetune.export`). Above `pipelines`, below `apps`; it must not import Gradio."""

import tokka  # noqa: F401 - first: switches telemetry off before any library loads
