"""The grounded-answer recipe: training examples are the offline assistant's own prompt with numbered passages and a
cited span; a LoRA adapter tuned with the tone pipeline is exported as a GGUF adapter and checked in llama.cpp."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from finetune.recipes.grounded_qa import (
    NOT_IN_DOCUMENTS,
    RecipeData,
    RecipeError,
    build_examples,
    prompt_builder,
    prompt_messages,
    write_examples,
)

ARTICLES = {
    "レーザーカッター": [
        "レーザーカッターは木材やアクリル板を切ることができます。塩化ビニルは有毒なガスが出るため加工できません。",
        "使う前に講習を受ける必要があります。講習は毎週土曜日の午前10時から開かれます。",
        "加工中は機械から離れないでください。火が出たときは消火器ではなく付属のカバーを閉じます。",
    ],
    "3Dプリンター": [
        "3Dプリンターの材料にはPLAを使います。PLAはトウモロコシから作られた樹脂です。",
        "予約は受付の端末から行い、一回の利用は最長で4時間までです。",
        "造形が終わったらノズルが冷えるまで30分ほど待ってください。",
    ],
    "工房の利用": [
        "工房は平日の午後4時から午後9時まで開いています。日曜日は休みです。",
        "初めての人は保護めがねを借りることができます。貸出は受付で名前を書くだけです。",
        "会費は月額3000円で、学生は半額になります。",
    ],
}
QUESTIONS = [
    ("レーザーカッター", 0, "レーザーカッターで加工できない材料は？", "塩化ビニル"),
    ("レーザーカッター", 1, "講習は何曜日に開かれますか？", "土曜日"),
    ("レーザーカッター", 2, "火が出たときは何を閉じますか？", "付属のカバー"),
    ("3Dプリンター", 0, "3Dプリンターの材料は何ですか？", "PLA"),
    ("3Dプリンター", 1, "一回の利用は最長で何時間ですか？", "4時間"),
    ("3Dプリンター", 2, "造形の後は何分待ちますか？", "30分"),
    ("工房の利用", 0, "工房の休みは何曜日ですか？", "日曜日"),
    ("工房の利用", 1, "保護めがねはどこで借りますか？", "受付"),
    ("工房の利用", 2, "学生の会費はいくらですか？", "半額"),
]


def write_source(folder: Path, copies: int = 4) -> tuple[Path, Path]:
    """A JaQuAD-shaped question file and its paragraphs (each question repeated with a numbered variant)."""
    corpus = folder / "corpus.jsonl"
    questions = folder / "train.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        for t, (title, paragraphs) in enumerate(ARTICLES.items()):
            for p, text in enumerate(paragraphs):
                handle.write(json.dumps({"id": f"a{t}p{p}", "title": title, "text": text}, ensure_ascii=False) + "\n")
    titles = list(ARTICLES)
    with questions.open("w", encoding="utf-8") as handle:
        for c in range(copies):
            for n, (title, p, question, answer) in enumerate(QUESTIONS):
                doc_id = f"a{titles.index(title)}p{p}"
                row = {"id": f"q{c}-{n}", "doc_id": doc_id, "title": title, "question": question, "answers": [answer]}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return questions, corpus


def test_examples_are_the_assistants_prompt_with_a_cited_span(tmp_path: Path) -> None:
    questions, corpus = write_source(tmp_path)
    examples = build_examples(RecipeData(questions, corpus, examples=36, unanswerable=0.25, seed=3))
    assert len(examples) == 36
    refusals = 0
    for example in examples:
        system, user, reply = example["messages"]
        assert system["role"] == "system" and "資料に記載がありません" in system["content"]
        assert user["role"] == "user" and user["content"].rstrip().splitlines()[-1].startswith("質問: ")
        numbered = re.findall(r"^\[(\d+)\] (.+)$", user["content"], re.M)
        assert 2 <= len(numbered) <= 4 and [int(n) for n, _ in numbered] == list(range(1, len(numbered) + 1))
        question = user["content"].rstrip().splitlines()[-1][len("質問: ") :]
        answer = next(a for _, _, q, a in QUESTIONS if q == question)
        if reply["content"] == NOT_IN_DOCUMENTS:
            refusals += 1
            assert all(answer not in text for _, text in numbered)  # the answer is really absent
            continue
        span, cited = re.fullmatch(r"(.+) \[(\d)\]", reply["content"]).groups()
        assert span == answer and answer in dict(numbered)[cited]  # the cited passage holds the span
    assert 3 <= refusals <= 18  # about a quarter, as asked
    # the very messages the assistant sends: rendered by its own prompt builder
    first = examples[0]["messages"]
    passages = [text for _, text in re.findall(r"^\[(\d+)\] (.+)$", first[1]["content"], re.M)]
    question = first[1]["content"].rstrip().splitlines()[-1][len("質問: ") :]
    assert prompt_messages(prompt_builder(), question, passages) == first[:2]


def test_examples_are_reproducible_and_written_as_tone_data(tmp_path: Path) -> None:
    from finetune.tone.data import load_examples

    questions, corpus = write_source(tmp_path)
    data = RecipeData(questions, corpus, examples=20, seed=1)
    assert build_examples(data) == build_examples(data)
    assert build_examples(data) != build_examples(RecipeData(questions, corpus, examples=20, seed=2))
    path = write_examples(build_examples(data), tmp_path / "data.jsonl")
    report = load_examples(path)
    repeated = sum(params["n"] for key, params in report.problems if key == "warn.tone_duplicates")
    assert len(report.examples) + repeated == 20 and report.examples[0].messages[0]["role"] == "system"


def test_bad_recipe_input_is_reported(tmp_path: Path) -> None:
    questions, corpus = write_source(tmp_path)
    with pytest.raises(RecipeError) as info:
        build_examples(RecipeData(tmp_path / "missing.jsonl", corpus))
    assert info.value.code == "err.recipe_input" and "missing.jsonl" in info.value.message("ja")
    unrelated = tmp_path / "other.jsonl"
    unrelated.write_text(
        json.dumps({"id": "x", "title": "別", "text": "関係のない段落です。"}) + "\n", encoding="utf-8"
    )
    with pytest.raises(RecipeError) as info:
        build_examples(RecipeData(questions, unrelated, examples=20))
    assert info.value.code == "err.recipe_too_few"


def test_adapter_exported_to_gguf_is_applied_by_llama_cpp(tmp_path: Path) -> None:
    """Tune a tiny model with the tone pipeline on recipe data, export the LoRA as GGUF, check it in llama.cpp,
    and answer with it through the offline generator."""
    from haystack.dataclasses import ChatMessage

    from finetune.export.adapter import export_adapter
    from finetune.export.converter import convert_hf_to_gguf
    from finetune.tone.train import ToneConfig, train
    from pipelines.components.generators import LocalGGUFChatGenerator
    from tests.finetune.tiny_base import make_base

    base = make_base(tmp_path / "tiny")
    base_gguf = convert_hf_to_gguf(base, tmp_path / "tiny.gguf", "f32")
    questions, corpus = write_source(tmp_path)
    examples = build_examples(RecipeData(questions, corpus, examples=30, seed=0))
    data = write_examples(examples, tmp_path / "data.jsonl")
    config = ToneConfig(
        base=str(base),
        data=str(data),
        out_dir=str(tmp_path / "run"),
        steps=8,
        eval_every=4,
        lora_rank=8,
        lora_alpha=16,
        learning_rate=2e-2,
        load_in_4bit=False,
        max_seq_len=512,
        batch_size=2,
        grad_accum=1,
    )
    events = list(train(config))
    assert events[-1].kind == "done"
    from transformers import AutoTokenizer

    from finetune.tone.train import ensure_chat_template

    tokenizer = AutoTokenizer.from_pretrained(str(base))
    ensure_chat_template(tokenizer)
    prompts = tuple(
        tokenizer.apply_chat_template(e["messages"][:-1], tokenize=False, add_generation_prompt=True)
        for e in examples[:3]
    )
    result = export_adapter(tmp_path / "run" / "adapter", base, base_gguf, tmp_path / "adapter.gguf", prompts)
    assert result.gguf.stat().st_size > 0
    assert result.report.ok, [(c.same_tokens, c.same_top1, c.effect_correlation) for c in result.report.checks]
    assert result.report.max_logit_diff < 0.05  # an f32 base: llama.cpp and PyTorch agree closely

    def reply(lora: str) -> str:
        llm = LocalGGUFChatGenerator(
            model=str(base_gguf), lora=lora, chat_format="raw", max_tokens=8, temperature=0.0, repeat_penalty=1.0
        )
        return llm.run([ChatMessage.from_user("工房は何時まで開いていますか？")])["replies"][0].text

    assert reply(str(result.gguf)) != reply("")  # the adapter is applied at load


def test_an_unknown_adapter_is_a_validation_error(tmp_path: Path) -> None:
    from pipelines.validation import validate_text

    text = (Path(__file__).parents[2] / "pipelines" / "assistants" / "offline_guide.yaml").read_text(encoding="utf-8")
    broken = text.replace("lora: grounded-qa", "lora: no-such-adapter")
    issues = [i for i in validate_text(broken, check_environment=True) if i.code == "err.unknown_adapter"]
    assert (
        len(issues) == 1
        and issues[0].line
        == broken.splitlines().index(next(line for line in broken.splitlines() if "no-such-adapter" in line)) + 1
    )
    assert "no-such-adapter" in issues[0].message("ja") and "grounded-qa" in issues[0].message("ja")


FILLER = "この段落にはほかにも、質問とは関係のない説明がいくつか続きます。"


def test_passages_are_cut_as_the_assistants_focus_step_cuts_them(tmp_path: Path) -> None:
    """The adapter is trained on what the offline assistant gives it: each passage focused on the question."""
    from corpus.japanese.tokenizer import get_tokenizer
    from finetune.recipes.grounded_qa import Passages
    from pipelines.components.focus import focus_text

    questions, corpus = write_source(tmp_path)
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    with corpus.open("w", encoding="utf-8") as handle:  # paragraphs longer than the focus keeps
        for row in rows:
            handle.write(json.dumps({**row, "text": FILLER * 3 + row["text"] + FILLER * 2}, ensure_ascii=False) + "\n")
    chunks = Passages(corpus)
    whole = {c for row in rows for c in chunks.chunks(row["id"])}
    assert all(len(c) > 160 for c in whole)

    focused = build_examples(RecipeData(questions, corpus, examples=20, unanswerable=0.2, focus_chars=160, seed=4))
    for example in focused:
        user, reply = example["messages"][1]["content"], example["messages"][2]["content"]
        passages = dict(re.findall(r"^\[(\d+)\] (.+)$", user, re.M))
        question = user.rstrip().splitlines()[-1][len("質問: ") :]
        tokens = get_tokenizer("sudachi").tokenize(question)
        for text in passages.values():
            assert len(text) <= 160  # cut: every whole chunk is longer
            assert any(focus_text(c, tokens, 160) == text for c in whole)  # exactly the assistant's focus
        if reply != NOT_IN_DOCUMENTS:
            span, cited = re.fullmatch(r"(.+) \[(\d)\]", reply).groups()
            assert span in passages[cited]
    unfocused = build_examples(RecipeData(questions, corpus, examples=20, unanswerable=0.2, focus_chars=0, seed=4))
    for example in unfocused:
        assert set(re.findall(r"^\[\d+\] (.+)$", example["messages"][1]["content"], re.M)) <= whole


def test_hard_examples_put_the_passages_nearest_the_question_beside_the_answer(tmp_path: Path) -> None:
    """As retrieval does: the other passages are those sharing the most words with the question, not any."""
    from finetune.recipes.grounded_qa import Passages

    near = ["ボール盤を使うときは保護めがねをかけます。", "ボール盤の刃を交換するときは電源を切ります。"]
    far = ["会費は月額3000円です。", "日曜日は休みです。", "駐車場はありません。", "受付は二階にあります。"]
    corpus, questions = tmp_path / "corpus.jsonl", tmp_path / "train.jsonl"
    paragraphs = ["ボール盤は金属に穴をあける道具です。ボール盤の刃はドリルと呼ばれます。", *near, *far]
    corpus.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "title": "工房の道具", "text": t}, ensure_ascii=False) + "\n"
            for i, t in enumerate(paragraphs)
        ),
        encoding="utf-8",
    )
    row = {"doc_id": "p0", "title": "工房の道具", "question": "ボール盤の刃は何と呼ばれますか？", "answers": ["ドリル"]}
    questions.write_text(
        "".join(json.dumps({**row, "id": f"q{i}"}, ensure_ascii=False) + "\n" for i in range(40)), encoding="utf-8"
    )

    def shown(hard_share: float) -> list[list[str]]:
        data = RecipeData(questions, corpus, examples=40, unanswerable=0.3, focus_chars=0, hard_share=hard_share)
        return [re.findall(r"^\[\d+\] (.+)$", e["messages"][1]["content"], re.M) for e in build_examples(data)]

    for passages in shown(1.0):  # 1-3 others beside the answer, or 2-4 instead of it: the near ones first
        others = [p for p in passages if "ドリル" not in p]
        assert set(others) <= set(near) if len(others) <= len(near) else set(near) <= set(others)
    assert any(set(p) & set(far) and not set(p) & set(near) for p in shown(0.0))  # random: not always near
    assert set(Passages(corpus).nearest(far + near, row["question"], 2)) == set(near)
