"""The Gradio app: one launcher (`python -m apps`) and one module per tab. UI strings live in `tokka.locales`.

Must not hold retrieval or training logic (see DESIGN.md): tabs call `corpus`, `pipelines` and `finetune`.
"""
