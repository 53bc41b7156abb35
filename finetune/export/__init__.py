"""Export trained models: Hugging Face folder → GGUF (llama.cpp's own converter) → verification in llama.cpp →
Ollama Modelfile and registration."""
