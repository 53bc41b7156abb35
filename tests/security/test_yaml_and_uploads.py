"""Small inputs that would expand: a YAML alias bomb is refused before anything walks it; an upload over the size
limit is refused by the server itself; a path that is not an upload is never read."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from corpus.stores import open_store
from pipelines.loading import PipelineFileError, load_pipeline_text
from pipelines.registry import AssistantRegistry
from pipelines.validation import validate_text
from tests.apps.html import table_rows
from tests.security.hostile import yaml_alias_bomb
from tokka.settings import get_settings


def test_a_yaml_alias_bomb_is_refused_with_its_line(tmp_path: Path) -> None:
    bomb = yaml_alias_bomb()
    assert len(bomb.encode()) < 1000
    (issue,) = validate_text(bomb)
    assert issue.code == "err.yaml_alias" and issue.line == 2 and "エイリアス" in issue.message("ja")
    with pytest.raises(PipelineFileError):
        load_pipeline_text(bomb)
    (tmp_path / "bomb.yaml").write_text(bomb, encoding="utf-8")
    (assistant,) = AssistantRegistry(tmp_path).assistants()
    assert not assistant.ok  # listed as broken; nothing else is affected


def test_an_upload_over_the_limit_is_refused_by_the_server(
    launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKKA_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    client = Client(launch(), verbose=False)
    big = tmp_path / "大きい.txt"
    big.write_text("大きなファイルです。" * 200_000, encoding="utf-8")  # about 6 MB
    with pytest.raises(Exception, match="(?i)size|large|大き"):
        client.predict("samples", [handle_file(str(big))], api_name="/add_files")
    assert all(not s.source.endswith("大きい.txt") for s in open_store("samples").sources())


def test_a_server_path_given_as_a_file_is_never_read(launch, tmp_path: Path) -> None:
    """The attack: an API caller hands the add-files handler a file that was never uploaded (here, a logins file)."""
    from apps.context import AppContext
    from apps.corpus import upload_work
    from apps.jobs import Job

    secret = tmp_path / "users.txt"
    secret.write_text("admin:very-secret-password\n", encoding="utf-8")
    launch()  # the sample collection exists
    job = Job(1, "upload", "collection:samples", "local", "x")
    upload_work(AppContext(lang="ja"), "samples", [str(secret)])(job)
    (result,) = job.snapshot
    assert result.status == "failed" and result.code == "err.upload_outside"
    store = open_store("samples")
    assert all("very-secret" not in (d.content or "") for d in store.filter_documents())
    assert all(not s.source.endswith("users.txt") for s in store.sources())
    status_rows = table_rows(
        __import__("apps.corpus", fromlist=["status_html"]).status_html(AppContext(lang="ja"), [result])
    )
    assert "アップロードされたファイルではありません" in status_rows[0][4]
