"""Shared services of one running app: settings, language, roles, the assistant registry and runner, the job
runner, the lists registry and the status line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.guard import NotAllowedError, Permission
from apps.jobs import JobRunner
from corpus.embeddings import ollama_models
from corpus.stores import get_backend
from pipelines.registry import AssistantRegistry
from pipelines.runner import AssistantRunner
from tokka.locales import t
from tokka.paths import display_path
from tokka.settings import Settings, get_settings

LOCAL_USER = "local"


@dataclass
class AppContext:
    """Created once by the launcher and handed to every tab's `build()`.

    :param auth_enabled: True when the app has logins; without them there is one local user (an admin).
    :param admins: the logins with the admin role; every other login is a member.
    """

    lang: str = "ja"
    settings: Settings = field(default_factory=get_settings)
    registry: AssistantRegistry = field(default_factory=AssistantRegistry)
    runner: AssistantRunner | None = None
    auth_enabled: bool = False
    admins: frozenset[str] = frozenset()
    jobs: JobRunner = field(default_factory=JobRunner)
    lists: Any = None  # apps.lists.Lists, made in __post_init__
    gates: list[tuple[Any, Permission]] = field(default_factory=list)
    loads: list[tuple[Any, list[Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from apps.lists import Lists

        if self.runner is None:
            self.runner = AssistantRunner(self.registry)
        if self.lists is None:
            self.lists = Lists(self)

    # ---- who is asking -------------------------------------------------------------------------------------------
    def user(self, request: object | None) -> str | None:
        """The login name (`local` without logins); None for a request without a login."""
        if not self.auth_enabled:
            return LOCAL_USER
        return getattr(request, "username", None) or None

    def role(self, request: object | None) -> str | None:
        """`admin`, `member`, or None (no login)."""
        user = self.user(request)
        if user is None:
            return None
        if not self.auth_enabled or user in self.admins:
            return "admin"
        return "member"

    def allowed(self, permission: Permission, request: object | None) -> bool:
        """Whether the caller's role has `permission`."""
        role = self.role(request)
        if role == "admin":
            return True
        if role == "member":
            return permission == Permission.READ or (
                permission == Permission.UPLOAD and self.settings.members_may_upload
            )
        return False

    def require(self, permission: Permission, request: object | None) -> None:
        """Raise unless the caller may use an event that needs `permission`.

        :raises NotAllowedError: `err.not_allowed` (with the role needed) or `err.not_logged_in`.
        """
        if self.allowed(permission, request):
            return
        if self.role(request) is None:
            raise NotAllowedError("err.not_logged_in")
        key = "err.not_allowed.uploader" if permission == Permission.UPLOAD else "err.not_allowed.admin"
        raise NotAllowedError(key)

    # ---- wiring that the app does once, after every tab is built ----------------------------------------------
    def gate(self, component: Any, permission: Permission) -> Any:
        """Show `component` only to callers with `permission` (clarity only: every handler checks for itself).

        With logins it starts hidden and the page load shows it to those allowed, so nothing flashes.
        """
        self.gates.append((component, permission))
        if self.auth_enabled and permission != Permission.READ:
            component.visible = False
        return component

    def on_load(self, fn: Any, outputs: list[Any]) -> None:
        """Run `fn` when a page loads (e.g. re-attach to a running job); it sees only the caller's own jobs."""
        self.loads.append((fn, outputs))

    # ---- shared helpers ----------------------------------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        """A UI string in this app's language."""
        return t(key, self.lang, **params)

    def backend(self) -> Any:
        """The configured store's engine (embedded or Elasticsearch)."""
        return get_backend()

    def shown_path(self, path: object) -> str:
        """A path as users see it: relative to the data directory."""
        return display_path(str(path), self.settings.data_dir)

    def status_markdown(self) -> str:
        """Backend, Ollama reachability and models, which generator each assistant uses, and running jobs."""
        s = self.settings
        backend = (
            self.t("ui.status.embedded", path=self.shown_path(s.store_path))
            if s.backend == "embedded"
            else self.t("ui.status.elasticsearch", url=s.elasticsearch_url)
        )
        models = ollama_models(s.ollama_url, timeout=1.5)
        if models is None:
            ollama = self.t("ui.status.ollama_down", url=s.ollama_url)
        else:
            ollama = self.t("ui.status.ollama_up", url=s.ollama_url, models=", ".join(models) or "-")
        lines = [f"**{self.t('ui.status.backend')}**: {backend}", f"**Ollama**: {ollama}"]
        for assistant in self.registry.assistants():
            kind = (
                self.t(f"ui.generator.{assistant.generator}")
                if assistant.generator in ("ollama", "local", "none")
                else "-"
            )
            state = "" if assistant.ok else f" — ⚠ {self.t('ui.status.broken')}"
            lines.append(f"- {assistant.name}: {kind} `{assistant.model or '-'}`{state}")
        running = self.jobs.running()
        if running:
            lines.append(self.t("ui.status.jobs", jobs=", ".join(j.label for j in running)))
        return "\n".join(lines)
