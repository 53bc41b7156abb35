from haystack import Document
from haystack.dataclasses import ChatMessage

from pipelines.components.answer import CitedAnswerBuilder

DOCS = [
    Document(
        content=f"本文{i}",
        meta={"source": f"/d/{i}.md", "title": f"文書{i}", "bm25_score": 1.0 * i, "fused_score": 0.5},
    )
    for i in (1, 2, 3)
]


def run(text: str) -> dict:
    return CitedAnswerBuilder().run(replies=[ChatMessage.from_assistant(text)], documents=DOCS, query="質問")


def test_only_retrieved_numbers_are_kept() -> None:
    out = run("午後9時までです [1][7]。予約は前日まで【2】。")
    assert out["answer"] == "午後9時までです [1]。予約は前日まで[2]。"
    assert out["cited"] == [1, 2]
    assert out["meta"]["removed_citations"] == [7]
    assert [s["cited"] for s in out["sources"]] == [True, True, False]


def test_lists_and_full_width_brackets() -> None:
    out = run("答え ［3］ と [1, 4] と [2、3]")
    assert out["answer"] == "答え [3] と [1] と [2][3]"
    assert out["cited"] == [1, 2, 3]


def test_sources_carry_what_the_ui_shows() -> None:
    source = run("答え")["sources"][1]
    assert source == {
        "number": 2,
        "source": "/d/2.md",
        "title": "文書2",
        "heading": "",
        "content": "本文2",
        "bm25_score": 2.0,
        "vector_score": None,
        "fused_score": 0.5,
        "cited": False,
    }


def test_no_reply() -> None:
    out = CitedAnswerBuilder().run(replies=[], documents=[])
    assert out["answer"] == "" and out["sources"] == []
