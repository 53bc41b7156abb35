"""The one place that knows which components show lists (collections, assistants, base models) and keeps them
current: when a page loads, after any change in any tab, and when another user or the command line changed
something (a light fingerprint is compared every few seconds).

A tab registers its pickers and tables here instead of filling them once at build time; a dropdown keeps the
value the user chose when it still exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from apps.guard import Permission, on

if TYPE_CHECKING:
    from apps.context import AppContext

REFRESH_SECONDS = 5.0


@dataclass
class _Entry:
    kind: str
    component: Any
    # (current value, new values of the entries before it) -> a Gradio update
    update: Callable[[Any, dict[int, Any]], Any]


class Lists:
    """Pickers and tables that show what the store and the assistant folder hold."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._entries: list[_Entry] = []
        self._changes: list[Any] = []

    # ---- what each kind lists ----------------------------------------------------------------------------------
    def collection_names(self) -> list[str]:
        """Existing collections, by name."""
        return [c.name for c in self.ctx.backend().collections()]

    def assistant_choices(self) -> list[tuple[str, str]]:
        """(label, id) of every assistant; broken files carry a warning sign."""
        return [(a.name if a.ok else f"⚠ {a.name}", a.id) for a in self.ctx.registry.assistants()]

    def base_models(self) -> list[tuple[str, str]]:
        """(label, id) of the models tone tuning can start from."""
        from finetune.tone.bases import base_model_choices

        return base_model_choices()

    def choices(self, kind: str) -> list[Any]:
        """The current choices of a kind."""
        return {
            "collections": self.collection_names,
            "assistants": self.assistant_choices,
            "base_models": self.base_models,
        }[kind]()

    # ---- registration -------------------------------------------------------------------------------------------
    def dropdown(self, kind: str, component: gr.Dropdown, default_first: bool = True) -> gr.Dropdown:
        """Keep a dropdown (single or multi-select) filled with `kind`.

        The dropdown accepts values that are not (yet) among its choices: a page or an API client may know a
        collection made a moment ago; the handlers check every value against the store themselves.
        """
        component.allow_custom_value = True

        def update(current: Any, _: dict[int, Any]) -> Any:
            choices = self.choices(kind)
            values = [c[1] if isinstance(c, tuple) else c for c in choices]
            if isinstance(current, list):
                return gr.Dropdown(choices=choices, value=[v for v in current if v in values])
            value = current if current in values else (values[0] if values and default_first else None)
            return gr.Dropdown(choices=choices, value=value)

        self._entries.append(_Entry(kind, component, update))
        return component

    def view(self, kind: str, component: Any, render: Callable[..., Any], after: Any = None) -> Any:
        """Keep a table (or any view) current: `render()`, or `render(value)` of the component `after`."""

        def update(_: Any, resolved: dict[int, Any]) -> Any:
            if after is None:
                return render()
            return render(resolved.get(id(after), after.value))

        self._entries.append(_Entry(kind, component, update))
        return component

    @property
    def components(self) -> list[Any]:
        """Every registered component, in registration order."""
        return [e.component for e in self._entries]

    # ---- refreshing ---------------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """Changes whenever a collection, an assistant file or the base models change (cheap to compute)."""
        self.ctx.registry.refresh()
        parts = [f"{c.name}:{c.generation}" for c in self.ctx.backend().collections()]
        parts.append(f"assistants:{self.ctx.registry.version}")
        parts += [value for _, value in self.base_models()]
        return hashlib.sha1("\n".join(parts).encode()).hexdigest()  # noqa: S324 - a change detector

    def refresh(self, values: dict[Any, Any]) -> dict[Any, Any]:
        """New contents for every registered component, given their current values (by component)."""
        resolved: dict[int, Any] = {}
        out: dict[Any, Any] = {}
        for entry in self._entries:
            current = values.get(entry.component)
            update = entry.update(current, resolved)
            value = getattr(update, "value", None) if isinstance(update, gr.Dropdown) else current
            resolved[id(entry.component)] = value
            out[entry.component] = update
        return out

    def wire(self, demo: gr.Blocks) -> None:
        """Fill every list when a page loads, after every change event, and when the fingerprint changes.

        Called once, after every tab has registered its components and change events.
        """
        seen = gr.State("")
        timer = gr.Timer(REFRESH_SECONDS)
        components = self.components
        inputs = set(components)

        def load(values: dict[Any, Any]) -> dict[Any, Any]:
            return {**self.refresh(values), seen: self.fingerprint()}

        def tick(values: dict[Any, Any]) -> Any:
            current = self.fingerprint()
            if current == values[seen]:
                return gr.skip()
            return {**self.refresh(values), seen: current}

        R = Permission.READ
        on(self.ctx, demo.load, load, inputs, [*components, seen], permission=R, show_progress="hidden")
        on(self.ctx, timer.tick, tick, {seen, *inputs}, [*components, seen], permission=R, show_progress="hidden")
        for dependency in self._changes:
            on(self.ctx, dependency.then, self.refresh, inputs, components, permission=R, show_progress="hidden")

    def after(self, dependency: Any) -> Any:
        """Refresh every list once `dependency` (an event that changed something) has finished."""
        self._changes.append(dependency)
        return dependency
