"""The chat tab through `gradio_client` against the launched app, with the real local GGUF model."""

from __future__ import annotations

import re
import threading

from gradio_client import Client

QUESTION = "レーザーカッターで加工できない材料は何ですか？"


def _answer_text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def test_a_japanese_question_gets_a_streamed_answer_and_sources(launch) -> None:
    client = Client(launch(), verbose=False)
    job = client.submit(QUESTION, "offline_guide", api_name="/ask")
    updates = list(job)
    chat, sources, prompt, notice, _ = job.result()
    assert len(updates) >= 3  # searching, streamed pieces, final
    partial = [_answer_text(u[0][-1]) for u in updates if u[0] and u[0][-1]["role"] == "assistant"]
    assert len({p for p in partial if p}) >= 2  # the answer grew while it was generated
    assert chat[-2]["role"] == "user" and _answer_text(chat[-2]) == QUESTION
    answer = _answer_text(chat[-1])
    assert answer and not answer.startswith("⚠")
    cards = re.findall(r'<div class="tokka-card">(.*?)</div></div>', sources, re.S)
    assert cards and "塩化ビニル" in sources  # the passage that answers is shown
    names = set(re.findall(r'<span class="tokka-source">([^<]+)</span>', sources))
    assert names and names <= {
        "faq.csv",
        "equipment_rules.docx",
        "events.jsonl",
        "floor.html",
        "guide.md",
        "newsletter.pdf",
        "safety.txt",
        "schedule.xlsx",
    }
    assert all("融合 0." in card for card in cards)  # fused scores shown on every card
    assert "検索方式: ハイブリッド" in notice
    assert "### user" in prompt and "塩化ビニル" in prompt


def test_ollama_down_is_explained_and_passages_shown(launch) -> None:
    client = Client(launch(), verbose=False)
    chat, sources, _, notice, _ = client.predict("工房は何時まで開いていますか？", "school_guide", api_name="/ask")
    answer = _answer_text(chat[-1])
    assert answer.startswith("【抜粋】") and "[1]" in answer  # the documents' own sentences instead of an error
    assert "Ollama" in notice and "抜き出して" in notice  # and the reason why
    assert "tokka-card" in sources  # the retrieved passages are still there


def test_history_is_per_session(launch) -> None:
    url = launch()
    first, second = Client(url, verbose=False), Client(url, verbose=False)
    first.predict("工房は何時まで開いていますか？", "offline_guide", api_name="/ask")
    chat, *_ = first.predict("入会金はいくらですか？", "offline_guide", api_name="/ask")
    assert [_answer_text(m) for m in chat if m["role"] == "user"] == [
        "工房は何時まで開いていますか？",
        "入会金はいくらですか？",
    ]
    chat, *_ = second.predict("駐車場はありますか？", "offline_guide", api_name="/ask")
    assert [_answer_text(m) for m in chat if m["role"] == "user"] == ["駐車場はありますか？"]


def test_eight_concurrent_sessions_without_cross_talk(launch) -> None:
    url = launch()
    questions = [f"質問{i}: 3Dプリンターの予約は何時までですか？" for i in range(8)]
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def session(i: int) -> None:
        try:
            client = Client(url, verbose=False)
            results[i] = client.predict(questions[i], "offline_guide", api_name="/ask")[0]
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert errors == []
    assert sorted(results) == list(range(8))
    for i, chat in results.items():
        users = [_answer_text(m) for m in chat if m["role"] == "user"]
        assert users == [questions[i]]  # each session sees only its own question
        assert not _answer_text(chat[-1]).startswith("⚠")


def test_empty_question_is_explained_in_the_message_area(launch) -> None:
    client = Client(launch(), verbose=False)
    chat, sources, prompt, notice, question = client.predict("   ", "offline_guide", api_name="/ask")
    assert "質問を入力してください" in notice
    for untouched in (chat, sources):  # nothing else was touched: updates without a value
        assert isinstance(untouched, dict) and untouched.get("__type__") == "update" and "value" not in untouched


def test_status_line(launch) -> None:
    client = Client(launch(), verbose=False)
    status = client.predict(api_name="/status")
    assert "内蔵ストア" in status and "Ollama" in status and "接続できません" in status
    assert "オフライン案内係 (お試し): ローカル GGUF" in status and "塾の案内係: Ollama" in status
