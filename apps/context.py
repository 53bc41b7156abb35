"""Shared services of one running app: settings, language, the assistant registry and runner, the status line."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.embeddings import ollama_models
from pipelines.registry import AssistantRegistry
from pipelines.runner import AssistantRunner
from tokka.locales import t
from tokka.settings import Settings, get_settings


@dataclass
class AppContext:
    """Created once by the launcher and handed to every tab's `build()`."""

    lang: str = "ja"
    settings: Settings = field(default_factory=get_settings)
    registry: AssistantRegistry = field(default_factory=AssistantRegistry)
    runner: AssistantRunner | None = None
    auth_enabled: bool = False
    admins: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.runner is None:
            self.runner = AssistantRunner(self.registry)

    def is_admin(self, request: object | None) -> bool:
        """Without logins everyone may edit (one person's laptop); with logins only the listed admins may."""
        if not self.auth_enabled:
            return True
        return getattr(request, "username", None) in self.admins

    def t(self, key: str, **params: object) -> str:
        """A UI string in this app's language."""
        return t(key, self.lang, **params)

    def status_markdown(self) -> str:
        """Backend, Ollama reachability and models, and which generator each assistant uses."""
        s = self.settings
        backend = (
            self.t("ui.status.embedded", path=str(s.store_path))
            if s.backend == "embedded"
            else self.t("ui.status.elasticsearch", url=s.elasticsearch_url)
        )
        models = ollama_models(s.ollama_url, timeout=1.5)
        if models is None:
            ollama = self.t("ui.status.ollama_down", url=s.ollama_url)
        else:
            ollama = self.t("ui.status.ollama_up", url=s.ollama_url, models=", ".join(models) or "-")
        lines = [f"**{self.t('ui.status.backend')}**: {backend}  ·  **Ollama**: {ollama}"]
        for assistant in self.registry.assistants():
            kind = self.t(f"ui.generator.{assistant.generator}") if assistant.generator in ("ollama", "local") else "-"
            state = "" if assistant.ok else f" — ⚠ {self.t('ui.status.broken')}"
            lines.append(f"- {assistant.name}: {kind} `{assistant.model or '-'}`{state}")
        return "\n".join(lines)
