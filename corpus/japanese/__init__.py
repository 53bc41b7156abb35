"""Japanese text handling: normalisation, sentence-aware chunking and BM25 tokenisation."""
