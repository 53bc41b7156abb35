"""The role guard: every handler is checked on the server, errors become messages, unguarded events stop the app."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from apps.context import AppContext
from apps.guard import Permission, assert_all_guarded, guarded, named, on, permission_of
from tokka.errors import TokkaError

ADMIN = SimpleNamespace(username="admin")
MEMBER = SimpleNamespace(username="staff")


@pytest.fixture
def ctx() -> AppContext:
    return AppContext(lang="ja", auth_enabled=True, admins=frozenset({"admin"}))


def test_roles_and_permissions(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ctx.role(ADMIN) == "admin" and ctx.role(MEMBER) == "member" and ctx.role(None) is None
    assert ctx.allowed(Permission.READ, MEMBER) and not ctx.allowed(Permission.ADMIN, MEMBER)
    assert not ctx.allowed(Permission.UPLOAD, MEMBER)  # members may not upload unless the setting says so
    ctx.settings = type(ctx.settings)(**{**ctx.settings.__dict__, "members_may_upload": True})
    assert ctx.allowed(Permission.UPLOAD, MEMBER) and not ctx.allowed(Permission.ADMIN, MEMBER)
    local = AppContext(lang="ja")  # no logins: one local user, an administrator
    assert local.role(None) == "admin" and local.allowed(Permission.ADMIN, None)


def test_a_member_is_refused_an_admin_handler(ctx: AppContext) -> None:
    calls = []
    wrapper = guarded(ctx, Permission.ADMIN, lambda name: calls.append(name) or "done")
    assert wrapper("x", request=ADMIN) == "done"
    with pytest.raises(gr.Error) as caught:
        wrapper("y", request=MEMBER)
    assert "管理者" in str(caught.value) and calls == ["x"]
    with pytest.raises(gr.Error, match="ログイン"):
        wrapper("z", request=None)
    assert permission_of(wrapper) is Permission.ADMIN


def test_errors_go_to_the_message_area_and_never_replace_outputs(ctx: AppContext) -> None:
    message = gr.Markdown(render=False)

    def failing() -> str:
        raise TokkaError("err.invalid_name", name="a/b")

    out = guarded(ctx, Permission.READ, failing, message)(request=MEMBER)
    assert list(out) == [message] and "使えません" in out[message]  # only the message area is updated

    def broken() -> str:
        raise KeyError("secret/path/inside")

    out = guarded(ctx, Permission.READ, broken, message)(request=MEMBER)
    assert "予期しないエラー" in out[message] and "secret" not in out[message]  # no raw exception text


def test_generators_are_guarded_too(ctx: AppContext) -> None:
    def stream(n: int):
        yield from range(n)

    wrapper = guarded(ctx, Permission.ADMIN, stream)
    assert list(wrapper(3, request=ADMIN)) == [0, 1, 2]
    with pytest.raises(gr.Error):
        list(wrapper(3, request=MEMBER))


def test_the_request_reaches_handlers_that_ask_for_it(ctx: AppContext) -> None:
    seen = []
    wrapper = guarded(ctx, Permission.READ, lambda value, request: seen.append((value, request.username)))
    wrapper("v", request=MEMBER)
    assert seen == [("v", "staff")]
    assert list(__import__("inspect").signature(wrapper).parameters) == ["value", "request"]


def test_named_forms_keep_ordered_parameters(ctx: AppContext) -> None:
    handler = named(["urls", "depth"], lambda values, request: (values, request))
    assert list(__import__("inspect").signature(handler).parameters) == ["urls", "depth", "request"]
    assert handler("https://example.org/", 2, request=ADMIN) == ({"urls": "https://example.org/", "depth": 2}, ADMIN)


def test_an_unguarded_event_stops_the_app_from_starting(ctx: AppContext) -> None:
    with gr.Blocks() as demo:
        button = gr.Button()
        box = gr.Textbox()
        on(ctx, button.click, lambda: "ok", None, box, permission=Permission.READ)
    assert_all_guarded(demo)  # fine
    with demo:
        button.click(lambda: "forgot", None, box)
    with pytest.raises(RuntimeError, match="no role guard"):
        assert_all_guarded(demo)


def test_the_message_area_must_be_an_output(ctx: AppContext) -> None:
    with gr.Blocks():
        button, box, message = gr.Button(), gr.Textbox(), gr.Markdown()
        with pytest.raises(ValueError, match="outputs"):
            on(ctx, button.click, lambda: "x", None, box, permission=Permission.READ, message=message)
