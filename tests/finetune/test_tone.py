"""Tone tuning end to end on a tiny Llama made in the test: data checks → QLoRA (4-bit base on CPU) → merge →
GGUF → loaded in llama.cpp with matching tokenisation and logits → Modelfile with the chat template; Ollama
registration against an HTTP-level fake."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from finetune.tone.data import ToneDataError, load_examples
from finetune.tone.train import ToneConfig, choose_preset, train
from tests.finetune.tiny_base import make_base, write_examples


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_base(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def tuned(base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("tone")
    data = write_examples(folder / "examples.jsonl")
    config = ToneConfig(
        base=str(base),
        data=str(data),
        out_dir=str(folder / "run"),
        steps=12,
        eval_every=4,
        lora_rank=8,
        lora_alpha=16,
        learning_rate=5e-3,
    )
    return folder / "run", list(train(config))


def test_data_checks(tmp_path: Path) -> None:
    sheet = tmp_path / "tone.csv"
    lines = ["instruction,input,output"] + [f"質問{i},,答え{i}です。" for i in range(12)]
    lines += ["質問1,,答え1です。", ",,", "長い質問," + "あ" * 50 + ",短い"]
    sheet.write_text("\n".join(lines), encoding="utf-8")
    report = load_examples(sheet, max_tokens=40)
    assert len(report.examples) == 12 and len(report.validation) == 1 and len(report.train) == 11
    codes = [key for key, _ in report.problems]
    assert codes == ["warn.tone_empty_rows", "warn.tone_duplicates", "warn.tone_too_long"]
    assert report.examples[0].messages == [
        {"role": "user", "content": "質問0"},
        {"role": "assistant", "content": "答え0です。"},
    ]
    few = tmp_path / "few.csv"
    few.write_text("instruction,output\nq,a\n", encoding="utf-8")
    with pytest.raises(ToneDataError) as info:
        load_examples(few)
    assert info.value.code == "err.tone_too_few" and "100" in info.value.message("ja")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ToneDataError) as info:
        load_examples(wrong)
    assert info.value.code == "err.tone_columns"


def test_chat_messages_in_jsonl(tmp_path: Path) -> None:
    import json

    path = tmp_path / "chat.jsonl"
    rows = [
        {
            "messages": [
                {"role": "system", "content": "丁寧に"},
                {"role": "user", "content": f"q{i}"},
                {"role": "assistant", "content": f"a{i}"},
            ]
        }
        for i in range(10)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert load_examples(path).examples[3].messages[0] == {"role": "system", "content": "丁寧に"}


def test_qlora_training_lowers_the_loss(tuned: tuple[Path, list]) -> None:
    run, events = tuned
    start = events[0]
    assert start.kind == "start" and start.info["backend"] == "peft" and start.info["four_bit"] is True
    assert start.info["preset"] == choose_preset("auto") == "cpu"
    assert (
        start.info["template_example"].startswith("<s>### 質問\n質問")
        and "### 回答\n" in start.info["template_example"]
    )
    losses = [e.loss for e in events if e.kind == "step"]
    assert len(losses) == 12 and losses[-1] < losses[0]
    assert [e.step for e in events if e.kind == "eval"] == [4, 8, 12]
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    assert events[-1].kind == "done"


def test_resume_continues_from_the_checkpoint(base: Path, tmp_path: Path) -> None:
    data = write_examples(tmp_path / "examples.jsonl")

    def config(resume: bool = False) -> ToneConfig:
        return ToneConfig(
            base=str(base),
            data=str(data),
            out_dir=str(tmp_path / "run"),
            steps=8,
            eval_every=4,
            lora_rank=8,
            learning_rate=5e-3,
            resume=resume,
        )

    whole = [
        e.loss
        for e in train(ToneConfig(**{**config().__dict__, "out_dir": str(tmp_path / "whole")}))
        if e.kind == "step"
    ]
    cancel = threading.Event()
    first = []
    for event in train(config(), cancel):
        first.append(event)
        if event.kind == "step" and event.step == 5:
            cancel.set()  # read after step 5: the run stops at the end of the next step, with a checkpoint
    stopped = first[-1]
    assert stopped.kind == "cancelled" and stopped.step == 6
    assert (tmp_path / "run" / "checkpoints" / "checkpoint-6" / "trainer_state.json").is_file()
    resumed = list(train(config(resume=True)))
    assert resumed[0].kind == "start" and resumed[0].info["resumed_from"] == 6
    steps = [e for e in resumed if e.kind == "step"]
    assert [e.step for e in steps] == [7, 8]  # not from the start
    assert [e.loss for e in steps] == pytest.approx(whole[6:8], rel=1e-3)  # same data, weights and optimizer


def test_early_stopping(base: Path, tmp_path: Path) -> None:
    data = write_examples(tmp_path / "examples.jsonl")
    config = ToneConfig(
        base=str(base),
        data=str(data),
        out_dir=str(tmp_path / "run"),
        steps=40,
        eval_every=1,
        lora_rank=4,
        learning_rate=1e-9,
        early_stopping_patience=2,
    )  # nothing improves
    events = list(train(config))
    stop = next(e for e in events if e.kind == "early_stop")
    assert stop.step < 40


def test_merge_gguf_verify_modelfile(tuned: tuple[Path, list]) -> None:
    import shutil

    from finetune.tone.export import export_tuned

    run = tuned[0].parent / "export-copy"
    shutil.copytree(tuned[0], run, dirs_exist_ok=True)
    result = export_tuned(run, "tone-test", ollama=False)
    assert result.report.ok, [(c.prompt, c.same_tokens, c.max_logit_diff) for c in result.report.checks]
    assert all(c.same_tokens for c in result.report.checks) and result.report.max_logit_diff < 1e-2
    assert (result.merged_dir / "tokenizer.model").is_file()  # copied from the base, not regenerated
    modelfile = result.modelfile.read_text(encoding="utf-8")
    assert modelfile.startswith("FROM ./tone-test.gguf")
    assert "{{ .Prompt }}" in modelfile and "### 質問" in modelfile and "{{ if .System }}" in modelfile
    assert 'PARAMETER stop "</s>"' in modelfile

    from pipelines.local_models import local_model_names

    assert "tone-test.gguf" in local_model_names()  # offered in the builder as a local model


def test_quantised_export(tuned: tuple[Path, list]) -> None:
    import shutil

    from finetune.tone.export import export_tuned

    run = tuned[0].parent / "q8-copy"
    shutil.copytree(tuned[0], run, dirs_exist_ok=True)
    result = export_tuned(run, "tone-q8", quant="q8_0", ollama=False)
    assert result.gguf.stat().st_size > 0 and all(c.same_tokens for c in result.report.checks)
    assert result.report.ok and result.report.tolerance == 0.5  # the 8-bit check passed, at the 8-bit tolerance


def test_registration_against_a_fake_ollama(tuned: tuple[Path, list]) -> None:
    import shutil

    from finetune.export.ollama import register
    from finetune.tone.export import export_tuned
    from tests.fakes import FakeOllama, serve

    run = tuned[0].parent / "reg-copy"
    shutil.copytree(tuned[0], run, dirs_exist_ok=True)
    result = export_tuned(run, "tone-reg", ollama=False)
    fake = FakeOllama(models=[])
    with serve(fake) as url:
        assert register(
            result.gguf.parent, "tone-reg", result.gguf.name, result.template, result.stops, {"num_ctx": 256}, url=url
        ).registered
    (created,) = fake.created
    assert created["template"] == result.template and "</s>" in created["parameters"]["stop"]


def test_cli(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from finetune.cli import main

    data = write_examples(tmp_path / "examples.jsonl")
    out = tmp_path / "cli-run"
    assert (
        main(
            [
                "--lang",
                "en",
                "tone",
                "--data",
                str(data),
                "--base",
                str(base),
                "--out",
                str(out),
                "--steps",
                "4",
                "--eval-every",
                "2",
                "--rank",
                "4",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Tuning: peft (4-bit=True)" in printed and "val_loss" in printed and "Adapter:" in printed
    assert (
        main(
            ["--lang", "en", "export", str(out), "--gguf", "--quant", "f32", "--ollama-name", "cli-tone", "--no-ollama"]
        )
        == 0
    )
    assert "tokenisation matches" in capsys.readouterr().out
