"""Saving assistant files safely: validated before writing, written atomically, every previous version kept.

Versions live in `$TOKKA_DATA_DIR/assistant_versions/<id>/<timestamp>.yaml`; deleting an assistant also keeps its
last version there, so a mistake can always be undone from the builder's version list.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.registry import AssistantError, AssistantRegistry
from pipelines.validation import Issue, render_yaml, validate_text
from tokka.paths import ASSISTANT_ID, check_name, inside
from tokka.settings import get_settings


@dataclass(frozen=True)
class Version:
    """A kept earlier version of an assistant file."""

    id: str
    saved: str
    path: Path


def check_id(assistant_id: str) -> str:
    """Return the id when it can be a file name, else raise `err.builder_id`."""
    return check_name(assistant_id, ASSISTANT_ID, "err.builder_id", AssistantError)


def versions_dir(assistant_id: str) -> Path:
    """Where earlier versions of one assistant are kept."""
    return inside(get_settings().data_dir / "assistant_versions", check_id(assistant_id))


def _archive(path: Path, assistant_id: str) -> None:
    if not path.is_file():
        return
    folder = versions_dir(assistant_id)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    shutil.copy2(path, folder / f"{stamp}.yaml")


def save_assistant(registry: AssistantRegistry, assistant_id: str, text: str, lang: str | None = None) -> list[Issue]:
    """Validate and write `pipelines/assistants/<id>.yaml`, keeping the previous version.

    :returns: the remaining warnings (and missing collections/models), which do not stop saving.
    :raises AssistantError: `err.save_refused` with every error and its line (nothing is written).
    """
    check_id(assistant_id)
    issues = validate_text(render_yaml(text))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        details = "\n".join(i.message(lang, f"{assistant_id}.yaml") for i in errors)
        raise AssistantError("err.save_refused", details=details)
    path = registry.directory / f"{assistant_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    _archive(path, assistant_id)
    partial = path.with_suffix(".yaml.partial")
    partial.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    os.replace(partial, path)
    registry.refresh(force=True)
    return issues


def list_versions(assistant_id: str) -> list[Version]:
    """Earlier versions, newest first."""
    folder = versions_dir(assistant_id)
    files = sorted(folder.glob("*.yaml"), reverse=True) if folder.is_dir() else []
    out = []
    for file in files:
        stamp = datetime.datetime.strptime(file.stem, "%Y%m%d-%H%M%S-%f")
        out.append(Version(file.stem, stamp.strftime("%Y-%m-%d %H:%M:%S"), file))
    return out


def restore_version(registry: AssistantRegistry, assistant_id: str, version_id: str) -> None:
    """Make an earlier version current again (the current one is kept as a version too).

    :raises AssistantError: `err.version_not_found`.
    """
    match = next((v for v in list_versions(assistant_id) if v.id == version_id), None)
    if match is None:
        raise AssistantError("err.version_not_found", id=assistant_id, version=version_id)
    path = registry.directory / f"{assistant_id}.yaml"
    _archive(path, assistant_id)
    shutil.copyfile(match.path, path)
    registry.refresh(force=True)


def duplicate_assistant(registry: AssistantRegistry, assistant_id: str, new_id: str, suffix: str) -> str:
    """Copy an assistant to `new_id`, adding `suffix` to its display name. :returns: the new id.

    :raises AssistantError: `err.builder_exists` when `new_id` is taken.
    """
    check_id(new_id)
    source = registry.get(assistant_id)
    target = registry.directory / f"{new_id}.yaml"
    if target.exists():
        raise AssistantError("err.builder_exists", id=new_id)
    text = re.sub(
        r"^(\s+name:\s*)(\"?)(.+?)(\"?)\s*$",
        lambda m: f"{m[1]}{m[2]}{m[3]}{suffix}{m[4]}",
        source.text,
        count=1,
        flags=re.M,
    )
    target.write_text(text, encoding="utf-8")
    registry.refresh(force=True)
    return new_id


def delete_assistant(registry: AssistantRegistry, assistant_id: str) -> None:
    """Remove an assistant file; its last version stays in the version list (restorable)."""
    path = registry.directory / f"{check_id(assistant_id)}.yaml"
    if not path.is_file():
        registry.get(assistant_id)  # raises err.unknown_assistant
    _archive(path, assistant_id)
    path.unlink()
    registry.refresh(force=True)
