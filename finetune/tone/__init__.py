"""Tone tuning: teach a chat model how the organisation writes, from its own example texts (LoRA / QLoRA).

`data.py` reads and checks the examples, `train.py` fine-tunes (Unsloth 4-bit QLoRA on an NVIDIA GPU; transformers +
PEFT, with bitsandbytes 4-bit where it works, on a CPU), `export.py` merges, converts to GGUF, verifies in
llama.cpp and writes the Ollama Modelfile with the base model's chat template.
"""
