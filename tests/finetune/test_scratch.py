"""The from-scratch LM: tokenizer training, the model against transformers' Llama, training lowers the loss,
resume gives the same next loss, and the GGUF export matches in llama.cpp. Real (tiny) training throughout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from corpus.japanese.normalize import normalize_text
from corpus.loaders import load_file
from corpus.sample_corpus import SAMPLES_DIR
from finetune.scratch.model import Llama, LlamaConfig
from finetune.scratch.tokenizer import MAX_PIECE_CHARS, Tokenizer, train_tokenizer
from finetune.scratch.train import TrainConfig, parameter_count, train


def sample_texts() -> list[str]:
    return [normalize_text(load_file(p).text) for p in sorted(SAMPLES_DIR.iterdir())]


def quick(out: Path, steps: int = 12, **extra: object) -> TrainConfig:
    return TrainConfig(
        out_dir=str(out),
        steps=steps,
        batch_size=4,
        eval_every=6,
        eval_batches=2,
        sample_every=6,
        checkpoint_every=6,
        **extra,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("scratch-run")
    events = list(train(quick(out, steps=20), sample_texts()))
    return out, events


def test_tokenizer(tmp_path: Path) -> None:
    tokenizer = Tokenizer(train_tokenizer(sample_texts(), tmp_path, vocab_size=800))
    assert (tokenizer.sp.unk_id(), tokenizer.bos_id, tokenizer.eos_id) == (0, 1, 2)
    pieces = [tokenizer.sp.id_to_piece(i) for i in range(tokenizer.vocab_size)]
    assert max(len(p.replace("▁", "")) for p in pieces if not p.startswith("<")) <= MAX_PIECE_CHARS
    text = "工房では保護めがねを必ずかけてください。🙂"
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text  # byte fallback: even an unseen emoji round-trips
    assert any(p.startswith("<0x") for p in tokenizer.pieces("🙂"))
    assert tokenizer.encode("工房", bos=True, eos=True)[0] == 1 and tokenizer.encode("工房", eos=True)[-1] == 2


def test_model_is_transformers_llama() -> None:
    from transformers import LlamaConfig as HFConfig
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=300, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, ffn_dim=96, max_seq_len=32)
    ours = Llama(config)
    hf_values = {k: v for k, v in config.hf_config().items() if k not in ("architectures", "model_type", "torch_dtype")}
    theirs = LlamaForCausalLM(HFConfig(**hf_values))
    theirs.load_state_dict(ours.state_dict())
    idx = torch.randint(0, 300, (2, 20))
    assert torch.allclose(ours(idx)[0], theirs(idx).logits, atol=1e-5)
    assert parameter_count("cpu-tiny") == 2_391_744


def test_training_lowers_the_loss(trained: tuple[Path, list]) -> None:
    out, events = trained
    start = next(e for e in events if e.kind == "start")
    assert start.info["parameters"] > 1_000_000 and start.info["train_tokens"] > 500
    losses = [e.loss for e in events if e.kind == "step"]
    assert len(losses) == 20
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5  # from ln(vocab) ≈ 7 towards the data
    assert [e.step for e in events if e.kind == "eval"] == [6, 12, 18, 20]
    samples = [e.text for e in events if e.kind == "sample"]
    assert samples and all(isinstance(s, str) and s for s in samples)
    assert (out / "checkpoint.pt").is_file() and (out / "tokenizer.model").is_file()
    assert events[-1].kind == "done" and events[-1].val_loss is not None


def test_resume_gives_the_same_next_loss(tmp_path: Path) -> None:
    texts = sample_texts()
    whole = [e for e in train(quick(tmp_path / "whole"), texts) if e.kind == "step"]

    import threading

    cancel = threading.Event()
    interrupted = tmp_path / "interrupted"
    for event in train(quick(interrupted), texts, cancel):
        if event.kind == "step" and event.step == 7:
            cancel.set()  # stop after step 7: a checkpoint at 7 is written
    resumed = [e for e in train(quick(interrupted, resume=True)) if e.kind == "step"]
    assert resumed[0].step == 8
    assert resumed[0].loss == pytest.approx(whole[7].loss, abs=1e-6)
    assert resumed[-1].loss == pytest.approx(whole[-1].loss, abs=1e-5)


def test_export_to_gguf_matches_in_llama_cpp(trained: tuple[Path, list], tmp_path: Path) -> None:
    from finetune.scratch.export import export_run

    run = tmp_path / "run"
    shutil.copytree(trained[0], run)
    result = export_run(run, "juku-test", "f32", ollama=False)
    assert result.report.ok, [(c.prompt, c.same_tokens, c.max_logit_diff) for c in result.report.checks]
    assert result.report.max_logit_diff < 1e-2
    assert all(c.same_tokens for c in result.report.checks)
    config = (result.hf_dir / "config.json").read_text(encoding="utf-8")
    assert '"LlamaForCausalLM"' in config and (result.hf_dir / "tokenizer.model").is_file()
    modelfile = result.modelfile.read_text(encoding="utf-8")
    assert modelfile.startswith("FROM ./juku-test.gguf") and 'PARAMETER stop "</s>"' in modelfile
    assert "PARAMETER num_ctx 128" in modelfile

    from haystack.dataclasses import ChatMessage

    from pipelines.components.generators import LocalGGUFChatGenerator
    from pipelines.local_models import local_model_names

    assert "juku-test.gguf" in local_model_names()  # selectable for the chat's local GGUF generator
    reply = LocalGGUFChatGenerator(model="juku-test.gguf", chat_format="raw", max_tokens=16).run(
        messages=[ChatMessage.from_user("モノづくり塾は")]
    )["replies"][0]
    assert reply.text  # real generation in llama.cpp


def test_f16_and_q8_exports_stay_close(trained: tuple[Path, list], tmp_path: Path) -> None:
    from finetune.scratch.export import export_run

    run = tmp_path / "run"
    shutil.copytree(trained[0], run)
    f16 = export_run(run, "juku-f16", "f16", ollama=False).report
    q8 = export_run(run, "juku-q8", "q8_0", ollama=False).report
    assert f16.ok and q8.ok  # tokens equal, same top-1, logits within each format's tolerance
    assert f16.max_logit_diff < 0.05 and q8.max_logit_diff < 0.5
    assert f16.max_logit_diff <= q8.max_logit_diff  # 8-bit weights are coarser than 16-bit ones
    assert [c.gguf_tokens for c in f16.checks] == [c.gguf_tokens for c in q8.checks]


def test_registration_in_ollama(trained: tuple[Path, list], tmp_path: Path) -> None:
    """Against an HTTP-level fake: the blob upload and the create request we send."""
    from finetune.export.ollama import register
    from finetune.scratch.export import export_run
    from tests.fakes import FakeOllama, serve

    run = tmp_path / "run"
    shutil.copytree(trained[0], run)
    result = export_run(run, "juku-reg", "f32", ollama=False)
    fake = FakeOllama(models=[])
    with serve(fake) as url:
        registration = register(
            result.gguf.parent, "juku-reg", result.gguf.name, stop=["</s>"], parameters={"num_ctx": 128}, url=url
        )
    assert registration.registered
    (created,) = fake.created
    assert created["model"] == "juku-reg" and list(created["files"]) == ["juku-reg.gguf"]
    assert created["template"] == "{{ .Prompt }}" and created["parameters"]["stop"] == ["</s>"]
    assert fake.blobs[created["files"]["juku-reg.gguf"]] == result.gguf.stat().st_size
    offline = register(result.gguf.parent, "juku-reg", result.gguf.name, url="http://127.0.0.1:9")
    assert not offline.registered and "ollama create juku-reg -f Modelfile" in offline.commands


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from finetune.cli import main
    from pipelines.ingest import ensure_sample_collection

    ensure_sample_collection()
    out = tmp_path / "cli-run"
    assert (
        main(
            [
                "--lang",
                "en",
                "scratch",
                "--collection",
                "samples",
                "--steps",
                "4",
                "--out",
                str(out),
                "--batch-size",
                "2",
                "--eval-every",
                "2",
                "--log-every",
                "1",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "2,391,744 parameters" in printed and "val_loss" in printed and "Done." in printed
    assert main(["--lang", "en", "export", str(out), "--gguf", "--ollama-name", "cli-model", "--no-ollama"]) == 0
    assert "tokenisation matches" in capsys.readouterr().out
    assert main(["--lang", "en", "export", str(out), "--gguf", "--ollama-name", "Bad Name"]) == 2
