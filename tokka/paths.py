"""Names that users type, and the paths built from them: one place decides what may be a name, and every path made
from user input is resolved and checked to stay under its root before anything is read, written or deleted.

Patterns are matched with `fullmatch` (a `$` would let a trailing newline through), and no name may be `.` or `..`
or start with a dot.
"""

from __future__ import annotations

import re
from pathlib import Path

from tokka.errors import TokkaError

# Collection names may be Japanese (\w is Unicode-aware); they become folder names under data/uploads.
COLLECTION_NAME = re.compile(r"[\w\-][\w.\-]{0,63}")
# Assistant ids are file names in pipelines/assistants/ (ASCII, as they appear in URLs and commands).
ASSISTANT_ID = re.compile(r"[A-Za-z0-9_\-]{1,48}")
# Model names as Ollama accepts them (lower-case), also the GGUF file names in the models folder.
MODEL_NAME = re.compile(r"[a-z0-9][a-z0-9._\-]{0,62}")
# Training run names (folders under data/tone and data/scratch).
RUN_NAME = re.compile(r"[\w\-][\w.\-]{0,63}")


class PathError(TokkaError):
    """A name that cannot be used, or a path that would leave its folder."""


def check_name(
    value: object, pattern: re.Pattern[str], code: str, error: type[TokkaError] = PathError, **params: object
) -> str:
    """`value` when it is a whole match of `pattern` and not `.`/`..`.

    :param code: the message key raised otherwise (its placeholders are filled with `params` and `name`).
    :param error: the error class to raise (the caller's own kind, e.g. `StoreError`).
    :raises PathError: (or `error`) with `code`.
    """
    if not isinstance(value, str) or value in (".", "..") or not pattern.fullmatch(value):
        raise error(code, name=str(value)[:80], **params)
    return value


def inside(root: Path, *parts: str) -> Path:
    """`root / parts…`, resolved (symbolic links followed), checked to lie inside `root`.

    :raises PathError: `err.path_outside` when the result would leave `root`.
    """
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise PathError("err.path_outside", name="/".join(parts)[:80])
    return target


def is_inside(path: Path | str, root: Path | str) -> bool:
    """Whether `path` (resolved) lies inside `root` (resolved)."""
    base = Path(root).resolve()
    target = Path(path).resolve()
    return target == base or base in target.parents


def display_path(path: Path | str, data_dir: Path) -> str:
    """A path as users should see it: relative to the data directory (`data/…`), else only its name."""
    target = Path(path)
    try:
        return str(Path("data") / target.resolve().relative_to(Path(data_dir).resolve()))
    except ValueError:
        return target.name
