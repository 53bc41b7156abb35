"""Ingestion: loaders per format, Japanese text handling, stable chunk ids, the stores and collections.

Must not import Gradio (see DESIGN.md).
"""
