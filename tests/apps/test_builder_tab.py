"""The builder tab through `gradio_client`: form → YAML → registry → chat; validate, try, save, restore; refusal
of modules outside the allowlist; errors in the message area with the editor kept; evaluation (retrieval and
answers) as a job; only admins may edit when the app has logins."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from pipelines.assistant_files import list_versions
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
    "rrf",
    0.5,
    0.2,
    4096,
    32,
]


def _untouched(value: object) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and "value" not in value


def test_form_to_yaml_to_registry_to_chat(launch, quick_assistants: Path) -> None:
    client = Client(launch(), verbose=False)
    preview, issues, _ = client.predict(*FORM, api_name="/preview")
    assert "見学案内係" in preview and "LocalGGUFChatGenerator" in preview
    assert "# 見学案内係" in preview and "検索" in preview  # Japanese comments in the generated file
    assert "fusion: rrf " in preview and "vector_share: 0.5 " in preview  # the fusion chosen in the form
    assert not (quick_assistants / "museum_guide.yaml").exists()  # a preview does not save
    picker, text, message, issues, _, form_message = client.predict(*FORM, api_name="/create_assistant")
    path = quick_assistants / "museum_guide.yaml"
    assert path.is_file() and "見学案内係" in path.read_text(encoding="utf-8")  # readable Japanese
    assert "保存しました" in message and picker == "museum_guide" and "作成しました" in form_message
    assert any(a.id == "museum_guide" and a.ok for a in AssistantRegistry(quick_assistants).assistants())
    chat, sources, *_ = client.predict("講習室には何人入れますか？", "museum_guide", api_name="/ask")
    assert "tokka-card" in sources and chat[-1]["role"] == "assistant"
    *_, form_message = client.predict(*FORM, api_name="/create_assistant")
    assert "もうあります" in form_message


def test_a_bad_form_is_explained_without_touching_the_editor(launch) -> None:
    client = Client(launch(), verbose=False)
    editor, issues, form_message = client.predict("bad id!", *FORM[1:], api_name="/preview")
    assert "ファイル名" in form_message and _untouched(editor) and _untouched(issues)


def test_validate_try_save_and_restore(launch, quick_assistants: Path) -> None:
    client = Client(launch(), verbose=False)
    _, original, _, issues, _ = client.predict("offline_guide", api_name="/load_assistant")
    assert "誤りはありません" in issues or "⚠" in issues

    broken = original.replace("retrievers.HybridRetriever", "retrievers.HybirdRetriever")
    message, issues = client.predict("offline_guide", broken, api_name="/validate")
    assert "offline_guide.yaml:" in issues and "もしかして" in issues and message == ""
    picker, editor, message, issues, versions = client.predict("offline_guide", broken, api_name="/save_assistant")
    assert "保存しませんでした" in message and _untouched(editor)  # the editor keeps the user's text
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()

    unindented = original.replace("  retriever:\n", "retriever:\n", 1)
    _, issues = client.predict("offline_guide", unindented, api_name="/validate")
    assert "字下げ" in issues and "&lt;block end&gt;" in issues or "block end" in issues  # the whole message

    edited = original.replace("top_k: 3", "top_k: 2", 1)
    answer, sources, prompt, notice = client.predict(
        edited, "レーザーカッターで加工できない材料は？", api_name="/try_assistant"
    )
    assert sources.count('class="tokka-card"') == 2 and "塩化ビニル" in prompt  # the unsaved edit was used
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()

    _, text, message, issues, _ = client.predict("offline_guide", edited, api_name="/save_assistant")
    assert "保存しました" in message
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == edited.rstrip()
    version_id = list_versions("offline_guide")[0].id
    _, text, message, _, _ = client.predict("offline_guide", version_id, api_name="/restore_version")
    assert (quick_assistants / "offline_guide.yaml").read_text(encoding="utf-8").rstrip() == original.rstrip()
    assert "戻しました" in message


def test_duplicate_and_delete(launch, quick_assistants: Path) -> None:
    client = Client(launch(), verbose=False)
    picker, text, *_ = client.predict("offline_guide", "offline_copy", api_name="/duplicate_assistant")
    assert (quick_assistants / "offline_copy.yaml").is_file() and "(コピー)" in text and picker == "offline_copy"
    *_, message, _, _, _ = client.predict("offline_copy", False, api_name="/delete_assistant")
    assert "削除してよい" in message and (quick_assistants / "offline_copy.yaml").exists()
    client.predict("offline_copy", True, api_name="/delete_assistant")
    assert not (quick_assistants / "offline_copy.yaml").exists()


def test_modules_outside_the_allowlist_cannot_be_saved(launch, quick_assistants: Path) -> None:
    client = Client(launch(), verbose=False)
    _, original, *_ = client.predict("offline_guide", api_name="/load_assistant")
    evil = original.replace("pipelines.components.answer.CitedAnswerBuilder", "subprocess.Popen")
    _, _, message, _, _ = client.predict("evil", evil, api_name="/save_assistant")
    assert "安全のため" in message
    assert not (quick_assistants / "evil.yaml").exists()


def test_only_admins_can_edit(launch, quick_assistants: Path) -> None:
    url = launch(auth=[("admin", "a-pass"), ("staff", "s-pass")], admins=frozenset({"admin"}))
    staff = Client(url, auth=("staff", "s-pass"), verbose=False)
    admin = Client(url, auth=("admin", "a-pass"), verbose=False)
    _, original, *_ = admin.predict("offline_guide", api_name="/load_assistant")
    with pytest.raises(Exception, match="管理者"):
        staff.predict("offline_guide", original, api_name="/save_assistant")
    with pytest.raises(Exception, match="管理者"):
        staff.predict(*FORM, api_name="/create_assistant")
    chat, *_ = staff.predict("駐車場はありますか？", "offline_guide", api_name="/ask")  # chatting is for everyone
    assert chat[-1]["role"] == "assistant"
    _, _, message, _, _ = admin.predict("offline_guide", original, api_name="/save_assistant")
    assert "保存しました" in message


def test_evaluation_in_the_tab(launch, tmp_path: Path, quick_assistants: Path, monkeypatch) -> None:
    make_fruit_collection(tmp_path)
    (quick_assistants / "fruit.yaml").write_text(fruit_assistant(), encoding="utf-8")
    client = Client(launch(), verbose=False)
    cache = Path(__import__("gradio").utils.get_upload_folder())
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    message, summary, answers, per_question, download = client.predict(
        "uploaded", handle_file(str(sheet)), ["fruit"], 2, False, api_name="/evaluate"
    )
    row = dict(zip(summary["headers"], summary["data"][0], strict=True))
    assert row["アシスタント"] == "fruit" and row["質問数"] == 3 and row["k"] == 2
    assert row["recall@k (上位 k 件に入った割合)"] == pytest.approx(0.6667, abs=1e-4)
    assert row["MRR (順位の逆数の平均)"] == pytest.approx(0.5)
    ranks = [r[per_question["headers"].index("順位")] for r in per_question["data"]]
    assert [str(r) for r in ranks] == ["1", "2", ""]
    assert Path(download).read_text(encoding="utf-8-sig").startswith("アシスタント,質問")
    assert "完了" in message and cache.exists()
    message, summary, *_ = client.predict(
        "sample", None, ["offline_guide", "school_guide"], 5, False, api_name="/evaluate"
    )
    assert [r[0] for r in summary["data"]] == ["offline_guide", "school_guide"]  # two assistants compared
    message, *_ = client.predict("uploaded", None, ["fruit"], 2, False, api_name="/evaluate")
    assert "質問シートのファイルを選んで" in message  # the uploaded choice without a file is not the sample
