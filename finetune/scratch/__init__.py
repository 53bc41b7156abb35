"""A small language model trained from scratch on one collection: tokenizer, model, training loop, sampling.

Read in this order: `tokenizer.py` (SentencePiece), `model.py` (the Llama), `data.py` (tokens from a collection),
`train.py` (the loop), then `finetune/export/` (GGUF for llama.cpp and Ollama).
"""
