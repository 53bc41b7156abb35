"""The models tone tuning may start from: folders under `$TOKKA_DATA_DIR/models/hf/`, and the packaged Gemma 3 270M
(converted once from its GGUF to a Hugging Face folder, see :func:`ensure_packaged_base`).

Users pick a base by name, never by server path: a name is checked (`tokka.paths`) and resolved under the models
folder, so the tab cannot be used to probe which files exist on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tokka.errors import TokkaError
from tokka.paths import RUN_NAME, check_name, inside
from tokka.settings import get_settings

PACKAGED_BASE = "gemma3-270m"


class BaseModelError(TokkaError):
    """A base model name that is not offered, or a conversion that failed."""


def hf_models_dir() -> Path:
    """Where Hugging Face model folders live (`$TOKKA_DATA_DIR/models/hf`)."""
    return get_settings().data_dir / "models" / "hf"


def base_model_choices() -> list[tuple[str, str]]:
    """(label, name) of every base: the packaged one first, then the folders that hold a `config.json`."""
    root = hf_models_dir()
    folders = sorted(p.parent.name for p in root.glob("*/config.json")) if root.is_dir() else []
    packaged = f"{PACKAGED_BASE}-hf"
    return [(PACKAGED_BASE, PACKAGED_BASE), *((name, name) for name in folders if name != packaged)]


def check_base(name: str) -> str:
    """`name` when it is offered by :func:`base_model_choices` (nothing is converted or loaded).

    :raises BaseModelError: `err.tone_base_unknown` for any other name (a path is never accepted).
    """
    if name == PACKAGED_BASE:
        return name
    check_name(name or "", RUN_NAME, "err.tone_base_unknown", BaseModelError, available=_available())
    if not (inside(hf_models_dir(), name) / "config.json").is_file():
        raise BaseModelError("err.tone_base_unknown", name=name, available=_available())
    return name


def resolve_base(name: str, progress: Callable[[str], None] | None = None) -> Path:
    """The folder of a base model offered by :func:`base_model_choices` (the packaged one converted on first use,
    reporting its progress).

    :raises BaseModelError: `err.tone_base_unknown` for any other name; `err.tone_base_conversion`.
    """
    if check_base(name) == PACKAGED_BASE:
        return ensure_packaged_base(progress)
    return inside(hf_models_dir(), name)


def _available() -> str:
    return ", ".join(name for _, name in base_model_choices())


def ensure_packaged_base(progress: Callable[[str], None] | None = None) -> Path:
    """The packaged Gemma 3 270M as a Hugging Face folder, converted from its GGUF on first use (then cached).

    :raises BaseModelError: `err.tone_base_conversion` when the conversion fails.
    """
    from finetune.tone.gguf_base import convert_packaged_gguf

    target = hf_models_dir() / f"{PACKAGED_BASE}-hf"
    if (target / "config.json").is_file():
        return target
    return convert_packaged_gguf(target, progress)
