"""Who may do what, checked on the server for every event handler, and how failures are shown.

Every handler is wired with :func:`on`, which wraps it in :func:`guarded`: the wrapper finds the caller's role from
the request (Gradio passes it to any function that declares a `gr.Request` parameter), refuses with a clear message
when the role lacks the permission, and turns a `TokkaError` into a message in the tab's message area (and a
toast) instead of replacing the outputs the user is working on. `assert_all_guarded` runs when the app is built:
an event added later without a guard stops the app from starting, and the API test calls every endpoint as a
member (tests/security/test_api_roles.py).

Roles: `admin` may do everything; `member` may chat, search and see (and upload, when `TOKKA_MEMBERS_MAY_UPLOAD`
is set). Without logins there is one local user with admin rights, which the launcher allows only on loopback.
"""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import gradio as gr

from tokka.errors import TokkaError

if TYPE_CHECKING:
    from apps.context import AppContext

logger = logging.getLogger(__name__)


class Permission(StrEnum):
    """What an event needs: `read` (every login), `upload` (admins; members when allowed), `admin`."""

    READ = "read"
    UPLOAD = "upload"
    ADMIN = "admin"


class NotAllowedError(TokkaError):
    """The caller's role may not use this event."""


def escape(text: str) -> str:
    """Text for Markdown/HTML output: `<` `>` `&` escaped, so `<block end>` in an error stays visible."""
    return html.escape(text, quote=False)


def _with_request(fn: Callable[..., Any]) -> tuple[inspect.Signature, bool]:
    """The signature Gradio should see (the handler's own, plus `request: gr.Request` at the end)."""
    signature = inspect.signature(fn)
    wants = "request" in signature.parameters
    params = [p for name, p in signature.parameters.items() if name != "request"]
    params.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
    return signature.replace(parameters=params), wants


class _Guard:
    """The checks around one handler: the caller's role first, then the call; failures become messages."""

    def __init__(
        self, ctx: AppContext, permission: Permission, fn: Callable[..., Any], message: gr.components.Component | None
    ) -> None:
        self.ctx, self.permission, self.fn, self.message = ctx, permission, fn, message
        self.signature, self.wants_request = _with_request(fn)

    def arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The handler's arguments, after the role check (made before anything looks at them)."""
        request = self.signature.bind_partial(*args, **kwargs).arguments.get("request")
        self.ctx.require(self.permission, request)
        arguments = dict(self.signature.bind(*args, **kwargs).arguments)
        arguments.pop("request", None)
        if self.wants_request:
            arguments["request"] = request
        return arguments

    def failure(self, error: Exception) -> Any:
        """A refusal raises (a toast, nothing touched); any other error goes to the message area."""
        ctx = self.ctx
        if isinstance(error, NotAllowedError):
            raise gr.Error(escape(error.message(ctx.lang, ui=True)), title=ctx.t("ui.toast.refused")) from error
        if isinstance(error, TokkaError):
            text = error.message(ctx.lang, ui=True)
        else:
            logger.exception("Handler %s failed", getattr(self.fn, "__name__", self.fn))
            text = ctx.t("err.unexpected", kind=type(error).__name__)
        if self.message is None:
            raise gr.Error(escape(text), title=ctx.t("ui.toast.error")) from error
        gr.Warning(escape(text), title=ctx.t("ui.toast.error"))
        return {self.message: f"⚠ {escape(text)}"}


def guarded(
    ctx: AppContext, permission: Permission, fn: Callable[..., Any], message: gr.components.Component | None = None
) -> Callable[..., Any]:
    """`fn` behind the role check, with errors turned into messages.

    :param message: the component that shows errors (a Markdown among the event's outputs); without one, errors
        are raised as `gr.Error` (a toast).
    """
    guard = _Guard(ctx, permission, fn, message)

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(**guard.arguments(args, kwargs))
            except (gr.Error, GeneratorExit):
                raise
            except Exception as e:
                yield guard.failure(e)

    else:

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(**guard.arguments(args, kwargs))
            except gr.Error:
                raise
            except Exception as e:
                return guard.failure(e)

    wrapper.__signature__ = guard.signature  # type: ignore[attr-defined] - what Gradio inspects (inputs + request)
    # Gradio finds the request parameter by its type hint; the handler's own hints are not needed (and may name
    # types that only exist for type checkers).
    wrapper.__annotations__ = {"request": gr.Request}
    wrapper._tokka_permission = permission  # type: ignore[attr-defined]
    return wrapper


def on(
    ctx: AppContext,
    trigger: Callable[..., Any],
    fn: Callable[..., Any],
    inputs: Any = None,
    outputs: Any = None,
    *,
    permission: Permission,
    message: gr.components.Component | None = None,
    api_name: str | bool = False,
    **kwargs: Any,
) -> Any:
    """Wire `fn` to `trigger` (e.g. `button.click`) behind the role check.

    :param message: a Markdown among `outputs` where errors are shown (kept out of the other outputs).
    :raises ValueError: when `message` is not one of the outputs (a programming error, found at start-up).
    """
    listed = outputs if isinstance(outputs, list | tuple) else [outputs] if outputs is not None else []
    if message is not None and message not in listed:
        msg = "the message component must be one of the event's outputs"
        raise ValueError(msg)
    return trigger(guarded(ctx, permission, fn, message), inputs, outputs, api_name=api_name, **kwargs)


def named(names: list[str], fn: Callable[[dict[str, Any], Any], Any]) -> Callable[..., Any]:
    """A handler for a form: Gradio passes the inputs in order (so the API keeps named, ordered parameters) and
    `fn(values_by_name, request)` receives them as one mapping — no long positional signatures.
    """
    parameters = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
    parameters.append(inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
    signature = inspect.Signature(parameters)

    if inspect.isgeneratorfunction(fn):

        def handler(*args: Any, **kwargs: Any) -> Iterator[Any]:
            values = signature.bind(*args, **kwargs).arguments
            request = values.pop("request", None)
            yield from fn(values, request)

    else:

        def handler(*args: Any, **kwargs: Any) -> Any:
            values = signature.bind(*args, **kwargs).arguments
            request = values.pop("request", None)
            return fn(values, request)

    handler.__signature__ = signature  # type: ignore[attr-defined]
    handler.__name__ = getattr(fn, "__name__", "form")
    return handler


def assert_all_guarded(demo: gr.Blocks) -> None:
    """Refuse to start when any event handler was wired without a role guard.

    :raises RuntimeError: naming the handler.
    """
    for block_fn in demo.fns.values():
        fn = block_fn.fn
        if fn is not None and not isinstance(getattr(fn, "_tokka_permission", None), Permission):
            msg = f"The event handler {block_fn.name!r} has no role guard; wire it with apps.guard.on()"
            raise RuntimeError(msg)


def permission_of(fn: Callable[..., Any]) -> Permission | None:
    """The permission a guarded handler needs (None for an unguarded one)."""
    return getattr(fn, "_tokka_permission", None)
