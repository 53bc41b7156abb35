"""Training: a small language model from scratch (`finetune.scratch`), tone tuning, and export to GGUF + Ollama
(`finetune.export`). Must not import Gradio (see DESIGN.md)."""
