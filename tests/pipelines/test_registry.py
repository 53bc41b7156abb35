"""The assistant registry and validation: every shipped assistant validates; each kind of mistake is explained in
Japanese (and English) with the file and line; modules outside the allowlist are refused; files hot-reload."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipelines.ingest import ensure_sample_collection
from pipelines.registry import ASSISTANTS_DIR, AssistantError, AssistantRegistry
from pipelines.validation import suggest_component, validate_file, validate_text
from tests.fakes import FakeOllama, serve
from tokka.settings import get_settings

GUIDE = (ASSISTANTS_DIR / "school_guide.yaml").read_text(encoding="utf-8")
OFFLINE = (ASSISTANTS_DIR / "offline_guide.yaml").read_text(encoding="utf-8")


@pytest.fixture
def samples() -> None:
    ensure_sample_collection()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _errors(text: str, tmp_path: Path, name: str = "x.yaml") -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [i for i in validate_file(path) if i.severity in ("error", "missing")]


def test_every_shipped_assistant_validates(samples: None) -> None:
    files = sorted(ASSISTANTS_DIR.glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        issues = validate_file(path)
        assert [i for i in issues if i.severity != "warning"] == [], [i.message("en", path.name) for i in issues]
    registry = AssistantRegistry()
    assistants = registry.assistants()
    assert {a.generator for a in assistants} == {"ollama", "local", "none"}
    assert len({a.name for a in assistants}) == len(assistants)  # different personas
    for assistant in assistants:
        assert assistant.ok and assistant.collection == "samples" and assistant.description


def test_yaml_syntax_error_has_its_line(samples: None, tmp_path: Path) -> None:
    broken = GUIDE.replace("      top_k: 5  ", "      top_k 5  \n     bad: [", 1)
    (issue,) = _errors(broken, tmp_path)
    assert issue.code == "err.yaml_syntax"
    message = issue.message("ja", "x.yaml")
    assert message.startswith(f"x.yaml:{issue.line}:") and "インデント" in message
    assert abs(issue.line - _line_of(broken, "bad: [")) <= 2
    assert "indentation" in issue.message("en")


def test_unknown_component_gets_the_closest_valid_path(samples: None, tmp_path: Path) -> None:
    typo = GUIDE.replace("retrievers.HybridRetriever", "retrievers.HybirdRetriever")
    (issue,) = _errors(typo, tmp_path)
    assert issue.code == "err.unknown_component"
    assert issue.line == _line_of(typo, "HybirdRetriever")
    assert "もしかして: pipelines.components.retrievers.HybridRetriever" in issue.message("ja")


def test_short_re_exported_path_suggests_the_defining_module(samples: None, tmp_path: Path) -> None:
    short = GUIDE.replace(
        "haystack.components.builders.chat_prompt_builder.ChatPromptBuilder",
        "haystack.components.builders.ChatPromptBuilder",
    )
    (issue,) = _errors(short, tmp_path)
    assert issue.code == "err.unknown_component"
    assert "haystack.components.builders.chat_prompt_builder.ChatPromptBuilder" in issue.message("en")
    assert (
        suggest_component("pipelines.components.HybridRetriever") == "pipelines.components.retrievers.HybridRetriever"
    )


@pytest.mark.parametrize("evil", ["os.system", "subprocess.Popen", "builtins.eval"])
def test_modules_outside_the_allowlist_are_refused(samples: None, tmp_path: Path, evil: str) -> None:
    text = GUIDE.replace("pipelines.components.answer.CitedAnswerBuilder", evil)
    (issue,) = _errors(text, tmp_path)
    assert issue.code == "err.module_not_allowed"
    assert "安全のため" in issue.message("ja")
    registry_dir = tmp_path / "assistants"
    registry_dir.mkdir()
    (registry_dir / "evil.yaml").write_text(text, encoding="utf-8")
    registry = AssistantRegistry(registry_dir)
    assert not registry.get("evil").ok
    with pytest.raises(AssistantError):
        registry.pipeline("evil")


def test_bad_connection_has_the_connection_line(samples: None, tmp_path: Path) -> None:
    bad = GUIDE.replace("receiver: prompt_builder.documents", "receiver: prompt_builder.docs")
    (issue,) = _errors(bad, tmp_path)
    assert issue.code == "err.bad_connection"
    assert issue.line is not None and abs(issue.line - _line_of(bad, "prompt_builder.docs")) <= 1
    assert "prompt_builder.docs" in issue.message("ja")


def test_missing_prompt_variable(samples: None, tmp_path: Path) -> None:
    bad = GUIDE.replace("質問: {{ query }}", "質問: {{ question }}").replace(
        "[query, documents]", "[question, documents]"
    )
    errors = _errors(bad, tmp_path)
    assert [i.code for i in errors] == ["err.missing_prompt_variable"]
    assert "question" in errors[0].message("ja") and "query" in errors[0].message("ja")


def test_wrong_parameter(samples: None, tmp_path: Path) -> None:
    bad = GUIDE.replace("      top_k: 5 ", "      topk: 5 ")
    (issue,) = _errors(bad, tmp_path)
    assert issue.code == "err.component_params"
    assert "retriever" in issue.message("ja") and "topk" in issue.message("ja")


def test_unknown_collection(samples: None, tmp_path: Path) -> None:
    bad = GUIDE.replace("collection: samples", "collection: 存在しない")
    errors = _errors(bad, tmp_path)
    assert errors and all(i.code == "err.unknown_collection" for i in errors)
    assert "samples" in errors[0].message("ja")  # lists what exists
    assert errors[0].line == _line_of(bad, "collection: 存在しない")


def test_unknown_local_model(samples: None, tmp_path: Path) -> None:
    bad = OFFLINE.replace("model: gemma3-270m\n      lora", "model: missing.gguf\n      lora")
    (issue,) = _errors(bad, tmp_path)
    assert issue.code == "err.unknown_local_model"
    assert "data/models" in issue.message("ja") and "gemma3-270m" in issue.message("ja")


def test_unknown_ollama_model_and_unreachable_ollama(
    samples: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ollama unreachable: only a warning (the assistant stays usable; the chat explains at answer time).
    issues = validate_file(ASSISTANTS_DIR / "school_guide.yaml")
    assert [i.code for i in issues] == ["warn.ollama_unreachable"]
    with serve(FakeOllama(models=["llama3:8b"])) as url:  # an HTTP-level fake listing other models
        monkeypatch.setenv("OLLAMA_URL", url)
        get_settings.cache_clear()
        (issue,) = _errors(GUIDE, tmp_path)
    assert issue.code == "err.unknown_model"
    assert "ollama pull gemma3:4b" in issue.message("ja")


def test_context_window_too_small(samples: None, tmp_path: Path) -> None:
    bad = GUIDE.replace("num_ctx: 8192", "num_ctx: 2048")
    (issue,) = _errors(bad, tmp_path)
    assert issue.code == "err.context_too_small"
    assert "top_k" in issue.message("ja")


def test_broken_file_is_listed_and_others_still_work(samples: None, tmp_path: Path) -> None:
    folder = tmp_path / "assistants"
    folder.mkdir()
    (folder / "good.yaml").write_text(OFFLINE, encoding="utf-8")
    (folder / "broken.yaml").write_text("components: [", encoding="utf-8")
    registry = AssistantRegistry(folder)
    by_id = {a.id: a for a in registry.assistants()}
    assert by_id["good"].ok and not by_id["broken"].ok
    assert by_id["broken"].messages("ja")[0].startswith("broken.yaml:")
    assert registry.pipeline("good") is not None


def test_hot_reload(samples: None, tmp_path: Path) -> None:
    folder = tmp_path / "assistants"
    folder.mkdir()
    registry = AssistantRegistry(folder, check_interval=0)
    assert registry.assistants() == []
    path = folder / "copy.yaml"
    path.write_text(OFFLINE.replace("オフライン案内係 (お試し)", "コピー"), encoding="utf-8")
    assert [a.name for a in registry.assistants()] == ["コピー"]
    version = registry.version
    path.write_text(OFFLINE.replace("オフライン案内係 (お試し)", "改名"), encoding="utf-8")
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    assert [a.name for a in registry.assistants()] == ["改名"] and registry.version > version
    path.unlink()
    assert registry.assistants() == []
    with pytest.raises(AssistantError) as info:
        registry.get("copy")
    assert info.value.code == "err.unknown_assistant"


def test_japanese_is_kept_readable_when_dumped() -> None:
    from pipelines.registry import AssistantRegistry as _  # noqa: F401 - the assistants import cleanly

    assert "塾の案内係" in GUIDE  # shipped files are written with readable Japanese, not \\u escapes
    issues = validate_text("components: {}\n")
    assert issues[0].code == "err.yaml_structure"
