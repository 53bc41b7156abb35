"""The assistant registry: every `pipelines/assistants/*.yaml` file, validated, reloaded when it changes.

A broken file is listed with its errors and never stops anything else. Each run gets a fresh `Pipeline` built from
the file's text, so concurrent chats never share component state (loaded models are shared by the components
themselves).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from haystack import Pipeline

from pipelines.loading import load_pipeline_text
from pipelines.validation import Issue, render_yaml, unsafe_yaml, validate_text
from tokka.errors import TokkaError
from tokka.settings import REPO_ROOT

ASSISTANTS_DIR = REPO_ROOT / "pipelines" / "assistants"


class AssistantError(TokkaError):
    """An assistant that does not exist or cannot be loaded."""


@dataclass
class Assistant:
    """One assistant file and what the registry learnt from it."""

    id: str
    path: Path
    text: str
    mtime: float
    name: str
    description: str = ""
    collection: str | None = None
    model: str = ""
    generator: str = ""  # "ollama", "local" (a GGUF through llama.cpp) or "none" (excerpts, no model)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    def messages(self, lang: str | None = None, ui: bool = False) -> list[str]:
        """Every issue as `file:line: message` (`ui`: the app's wording)."""
        return [i.message(lang, self.path.name, ui) for i in self.issues]


def _describe(assistant_id: str, path: Path, text: str, mtime: float, issues: list[Issue]) -> Assistant:
    rendered = render_yaml(text)
    try:
        data = (yaml.safe_load(rendered) or {}) if unsafe_yaml(rendered) is None else {}
    except yaml.YAMLError:
        data = {}
    meta = ((data.get("metadata") or {}).get("tokka") or {}) if isinstance(data, dict) else {}
    generator, model = "", str(meta.get("model") or "")
    for spec in (data.get("components") or {}).values() if isinstance(data, dict) else []:
        kind = str((spec or {}).get("type", "")).rsplit(".", 1)[-1]
        params = (spec or {}).get("init_parameters") or {}
        if kind == "OllamaChatGenerator":
            generator, model = "ollama", str(params.get("model", model))
        elif kind == "LocalGGUFChatGenerator":
            generator, model = "local", str(params.get("model", model))
        elif kind == "ExtractiveAnswerer":
            generator, model = "none", "-"
    return Assistant(
        id=assistant_id,
        path=path,
        text=text,
        mtime=mtime,
        name=str(meta.get("name") or assistant_id),
        description=str(meta.get("description") or ""),
        collection=meta.get("collection"),
        model=model,
        generator=generator,
        issues=issues,
    )


class AssistantRegistry:
    """Finds, validates and loads assistant YAML files; notices added, changed and removed files.

    ### Usage example
    ```python
    registry = AssistantRegistry()
    [a.name for a in registry.assistants()]        # ['安全アドバイザー', 'オフライン案内係 (お試し)', '塾の案内係']
    pipeline = registry.pipeline("school_guide")    # a fresh Haystack Pipeline
    ```

    :param directory: the folder of YAML files (default `pipelines/assistants/`, or `TOKKA_ASSISTANTS_DIR`).
    :param check_interval: seconds between checks of the folder for changes.
    """

    def __init__(self, directory: Path | None = None, check_interval: float = 1.0) -> None:
        import os

        self.directory = Path(directory or os.environ.get("TOKKA_ASSISTANTS_DIR") or ASSISTANTS_DIR)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._items: dict[str, Assistant] = {}
        self._checked = 0.0
        self.version = 0  # bumped on every change, so a UI knows when to refresh its picker

    def refresh(self, force: bool = False) -> bool:
        """Re-read files whose modification time changed. :returns: True when anything changed."""
        with self._lock:
            if not force and time.monotonic() - self._checked < self.check_interval:
                return False
            self._checked = time.monotonic()
            found = {p.stem: p for p in sorted(self.directory.glob("*.yaml"))} if self.directory.is_dir() else {}
            changed = False
            for stale in set(self._items) - set(found):
                del self._items[stale]
                changed = True
            for assistant_id, path in found.items():
                try:
                    mtime = path.stat().st_mtime
                except OSError:
                    continue
                current = self._items.get(assistant_id)
                if current is not None and current.mtime == mtime and not force:
                    continue
                self._items[assistant_id] = self._load(assistant_id, path, mtime)
                changed = True
            if changed:
                self.version += 1
            return changed

    @staticmethod
    def _load(assistant_id: str, path: Path, mtime: float) -> Assistant:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            return Assistant(
                assistant_id, path, "", mtime, assistant_id, issues=[Issue("err.read_failed", None, {"detail": str(e)})]
            )
        return _describe(assistant_id, path, text, mtime, validate_text(render_yaml(text)))

    def assistants(self) -> list[Assistant]:
        """All assistants (broken ones included), by display name."""
        self.refresh()
        with self._lock:
            return sorted(self._items.values(), key=lambda a: (not a.ok, a.name))

    def get(self, assistant_id: str) -> Assistant:
        """One assistant by id (file name without `.yaml`).

        :raises AssistantError: `err.unknown_assistant` listing the available ones.
        """
        self.refresh()
        with self._lock:
            found = self._items.get(assistant_id)
            if found is None:
                available = ", ".join(sorted(self._items)) or "-"
                raise AssistantError("err.unknown_assistant", name=assistant_id, available=available)
            return found

    def pipeline(self, assistant_id: str) -> Pipeline:
        """A fresh pipeline for one assistant.

        :raises AssistantError: when it does not exist or its file has errors.
        """
        assistant = self.get(assistant_id)
        if not assistant.ok:
            raise AssistantError("err.assistant_broken", name=assistant.name, details="\n".join(assistant.messages()))
        return load_pipeline_text(render_yaml(assistant.text))
