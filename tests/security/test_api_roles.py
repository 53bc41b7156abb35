"""Every endpoint of the app, called as a member: all but the read-only ones must be refused, and nothing may
change. The list of read-only endpoints is written here on purpose: an endpoint added later is refused for members
unless someone decides, in this file, that members may use it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from gradio_client import Client, handle_file

from apps.context import AppContext
from apps.guard import Permission, permission_of
from corpus.stores import get_backend
from tokka.settings import get_settings

# What a member may call: chat, search, read-only views, and trying an exported model.
READ_ONLY = {"/ask", "/clear", "/search", "/open_chunk", "/status", "/refresh_lists", "/tokenize", "/generate_scratch"}
USERS = [("admin", "a-pass"), ("staff", "s-pass")]


def _state(assistants: Path) -> tuple[object, ...]:
    data = get_settings().data_dir
    files = sorted(
        (str(p.relative_to(data)), p.stat().st_size)
        for p in data.rglob("*")
        if p.is_file() and not p.name.startswith("tokka.sqlite3") and "index" not in p.parts
    )
    collections = sorted((c.name, c.generation, c.chunks) for c in get_backend().collections())
    yamls = sorted((p.name, p.read_bytes()) for p in assistants.glob("*.yaml"))
    return files, collections, yamls


def _argument(parameter: dict, upload: Path) -> object:
    component = parameter.get("component", "")
    if component == "File":
        return (
            [handle_file(str(upload))]
            if "list" in str(parameter.get("python_type", {}).get("type", ""))
            else handle_file(str(upload))
        )
    return parameter.get("example_input")


def test_every_state_changing_endpoint_refuses_a_member(launch, quick_assistants: Path, tmp_path: Path) -> None:
    url = launch(auth=USERS, admins=frozenset({"admin"}))
    member = Client(url, auth=USERS[1], verbose=False)
    endpoints = member.view_api(return_format="dict", print_info=False, all_endpoints=True)["named_endpoints"]
    assert {"/ask", "/add_files", "/create_collection", "/delete_collection", "/save_assistant", "/train_tone"} <= set(
        endpoints
    )
    upload = tmp_path / "文書.csv"  # an extension every file input accepts
    upload.write_text("question,expected\nメンバーが追加しようとした文書です。,a.md\n", encoding="utf-8")
    before = _state(quick_assistants)
    refused = []
    for name, info in sorted(endpoints.items()):
        if name in READ_ONLY:
            continue
        args = [_argument(p, upload) for p in info["parameters"]]
        with pytest.raises(Exception, match="だけができます") as caught:
            member.predict(*args, api_name=name)
        refused.append((name, str(caught.value)[:40]))
    assert len(refused) >= 20  # every admin endpoint was tried
    assert _state(quick_assistants) == before  # nothing was written, read or deleted


def test_admins_still_can(launch, quick_assistants: Path) -> None:
    url = launch(auth=USERS, admins=frozenset({"admin"}))
    admin = Client(url, auth=USERS[0], verbose=False)
    message, _ = admin.predict("会議録", "none", api_name="/create_collection")
    assert "作成しました" in message or "会議録" in message
    assert get_backend().collection("会議録") is not None


def test_members_may_upload_only_when_the_setting_says_so(
    launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKKA_MEMBERS_MAY_UPLOAD", "1")
    get_settings.cache_clear()
    url = launch(auth=USERS, admins=frozenset({"admin"}))
    member = Client(url, auth=USERS[1], verbose=False)
    upload = tmp_path / "議事録.txt"
    upload.write_text("十二月の定例会の議事録です。工具の点検は毎週金曜日に行います。", encoding="utf-8")
    status, message = member.predict("samples", [handle_file(str(upload))], api_name="/add_files")
    assert "追加" in status and "完了" in message
    with pytest.raises(Exception, match="管理者だけ"):
        member.predict("samples", "samples", api_name="/delete_collection")


def test_every_handler_private_ones_included_checks_the_role() -> None:
    from apps.app import build_app

    ctx = AppContext(lang="ja", auth_enabled=True, admins=frozenset({"admin"}))
    demo = build_app(ctx)
    member = SimpleNamespace(username="staff")
    checked = 0
    for block_fn in demo.fns.values():
        permission = permission_of(block_fn.fn)
        assert permission is not None, block_fn.name
        if permission == Permission.READ:
            continue
        with pytest.raises(gr.Error):
            result = block_fn.fn(request=member)
            if hasattr(result, "__next__"):
                next(result)
        checked += 1
    assert checked >= 20
