"""Assistants and indexing flows as Haystack pipeline YAML, our Haystack components, and the registry that loads them.

Must not hold UI code (see DESIGN.md).
"""

# Haystack refuses to deserialise classes outside its own packages unless allowed; these are ours.
ALLOWED_MODULES = ["pipelines", "corpus"]
