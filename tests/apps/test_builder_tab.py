"""The builder tab through `gradio_client`: form → YAML → registry → chat; validate, try, save, restore; refusal
of modules outside the allowlist; only admins may edit when the app has logins; evaluation on a sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from pipelines.registry import AssistantRegistry
from tests.pipelines.test_evaluation import SHEET, fruit_assistant, make_fruit_collection

FORM = [
    "museum_guide",
    "見学案内係",
    "見学者向けに短く答えます。",
    "samples",
    "local",
    "gemma3-270m",
    "あなたは見学の案内係です。",
    "short",
    3,
    1.0,
    0.2,
    0.2,
    4096,
    32,
]


def test_form_to_yaml_to_registry_to_chat(launch, quick_assistants: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    preview, message = client.predict(*FORM, api_name="/preview")
    assert "見学案内係" in preview and "LocalGGUFChatGenerator" in preview
    assert not (quick_assistants / "museum_guide.yaml").exists()  # a preview does not save
    picker, text, message, _ = client.predict(*FORM, api_name="/create_assistant")
    path = quick_assistants / "museum_guide.yaml"
    assert path.is_file() and "見学案内係" in path.read_text(encoding="utf-8")  # readable Japanese
    assert "保存しました" in message
    assert any(a.id == "museum_guide" and a.ok for a in AssistantRegistry(quick_assistants).assistants())
    chat, sources, *_ = client.predict("講習室には何人入れますか？", "museum_guide", api_name="/ask")
    assert sources["data"] and chat[-1]["role"] == "assistant"
    with pytest.raises(Exception, match="もうあります"):
        client.predict(*FORM, api_name="/create_assistant")


def test_validate_try_save_and_restore(launch, quick_assistants: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    original, issues, _ = client.predict("offline_guide", api_name="/load_assistant")
    assert "誤りはありません" in issues or "⚠" in issues

    broken = original.replace("retrievers.HybridRetriever", "retrievers.HybirdRetriever")
    message = client.predict("offline_guide", broken, api_name="/validate")
    assert "offline_guide.yaml:" in message and "もしかして" in message
    with pytest.raises(Exception, match="保存しませんでした"):
        client.predict("offline_guide", broken, api_name="/save_assistant")
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()

    edited = original.replace("top_k: 3", "top_k: 2", 1)
    answer, sources, prompt, notice = client.predict(
        edited, "レーザーカッターで加工できない材料は？", api_name="/try_assistant"
    )
    assert len(sources["data"]) == 2 and "塩化ビニル" in prompt  # the unsaved edit was used
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()

    _, text, message, versions = client.predict("offline_guide", edited, api_name="/save_assistant")
    assert "保存しました" in message
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == edited.rstrip()
    _, _, versions = client.predict("offline_guide", api_name="/load_assistant")
    version_id = versions["choices"][0][1] if isinstance(versions, dict) else None
    if version_id is None:  # gradio_client returns the dropdown's value; list the versions from the files
        from pipelines.assistant_files import list_versions

        version_id = list_versions("offline_guide")[0].id
    _, text, message, _ = client.predict("offline_guide", version_id, api_name="/restore_version")
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()
    assert "戻しました" in message


def test_duplicate_and_delete(launch, quick_assistants: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    _, text, message, _ = client.predict("offline_guide", "offline_copy", api_name="/duplicate_assistant")
    assert (quick_assistants / "offline_copy.yaml").is_file() and "(コピー)" in text
    with pytest.raises(Exception, match="削除してよい"):
        client.predict("offline_copy", False, api_name="/delete_assistant")
    client.predict("offline_copy", True, api_name="/delete_assistant")
    assert not (quick_assistants / "offline_copy.yaml").exists()


def test_modules_outside_the_allowlist_cannot_be_saved(launch, quick_assistants: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    original, _, _ = client.predict("offline_guide", api_name="/load_assistant")
    evil = original.replace("pipelines.components.answer.CitedAnswerBuilder", "subprocess.Popen")
    with pytest.raises(Exception, match="安全のため"):
        client.predict("evil", evil, api_name="/save_assistant")
    assert not (quick_assistants / "evil.yaml").exists()


def test_only_admins_can_edit(launch, quick_assistants: Path) -> None:  # noqa: ANN001
    url = launch(auth=[("admin", "a-pass"), ("staff", "s-pass")], admins=frozenset({"admin"}))
    staff = Client(url, auth=("staff", "s-pass"), verbose=False)
    original, _, _ = Client(url, auth=("admin", "a-pass"), verbose=False).predict(
        "offline_guide", api_name="/load_assistant"
    )
    with pytest.raises(Exception, match="管理者"):
        staff.predict("offline_guide", original, api_name="/save_assistant")
    with pytest.raises(Exception, match="管理者"):
        staff.predict(*FORM, api_name="/create_assistant")
    chat, *_ = staff.predict("駐車場はありますか？", "offline_guide", api_name="/ask")  # chatting is for everyone
    assert chat[-1]["role"] == "assistant"
    admin = Client(url, auth=("admin", "a-pass"), verbose=False)
    _, _, message, _ = admin.predict("offline_guide", original, api_name="/save_assistant")
    assert "保存しました" in message


def test_evaluation_in_the_tab(launch, tmp_path: Path, quick_assistants: Path) -> None:  # noqa: ANN001
    make_fruit_collection(tmp_path)
    (quick_assistants / "fruit.yaml").write_text(fruit_assistant(), encoding="utf-8")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    client = Client(launch(), verbose=False)
    summary, per_question, download, message = client.predict(
        handle_file(str(sheet)), False, ["fruit"], 2, False, api_name="/evaluate"
    )
    row = dict(zip(summary["headers"], summary["data"][0], strict=True))
    assert row["assistant"] == "fruit" and row["questions"] == 3 and row["k"] == 2
    assert row["recall@k"] == pytest.approx(0.6667, abs=1e-4) and row["MRR"] == pytest.approx(0.5)
    ranks = [r[per_question["headers"].index("rank")] for r in per_question["data"]]
    assert [str(r) for r in ranks] == ["1", "2", ""]
    assert Path(download).read_text(encoding="utf-8-sig").startswith("assistant,question")
    summary, *_ = client.predict(None, True, ["offline_guide", "school_guide"], 5, False, api_name="/evaluate")
    assert [r[0] for r in summary["data"]] == ["offline_guide", "school_guide"]  # two assistants compared
