"""Names typed by users can never point outside their folder (collections, assistants, models, uploads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import manage
from corpus.errors import StoreError
from corpus.stores.records import validate_collection_name
from pipelines.assistant_files import check_id, versions_dir
from pipelines.registry import AssistantError
from tokka.paths import MODEL_NAME, PathError, check_name, display_path, inside
from tokka.settings import get_settings


@pytest.mark.parametrize("name", ["..", ".", "a\n", "../x", ".hidden", "a/b", "", "x" * 65, "a\x00b"])
def test_bad_collection_names_are_refused(name: str) -> None:
    with pytest.raises(StoreError) as caught:
        validate_collection_name(name)
    assert caught.value.code == "err.invalid_name"
    with pytest.raises(StoreError):
        manage.uploads_dir(name)


def test_japanese_collection_names_are_fine() -> None:
    assert manage.create_collection("社内規程-2026", "none").name == "社内規程-2026"


def test_deleting_a_collection_never_touches_the_data_folder() -> None:
    data = get_settings().data_dir
    manage.create_collection("ok", "none")
    (data / "keep.txt").parent.mkdir(parents=True, exist_ok=True)
    (data / "keep.txt").write_text("大事なデータ", encoding="utf-8")
    with pytest.raises(StoreError):
        manage.delete_collection("..", "..")
    assert (data / "keep.txt").read_text(encoding="utf-8") == "大事なデータ"
    assert manage.uploads_dir("ok").parent == (data / "uploads").resolve()


@pytest.mark.parametrize("value", ["guide\n", "../guide", "a b", ".", ""])
def test_assistant_ids_are_whole_matches(value: str) -> None:
    with pytest.raises(AssistantError):
        check_id(value)
    with pytest.raises(AssistantError):
        versions_dir(value)


@pytest.mark.parametrize("value", ["model\n", "../m", "M", ".m"])
def test_model_names_are_whole_matches(value: str) -> None:
    with pytest.raises(PathError):
        check_name(value, MODEL_NAME, "err.model_name")


def test_inside_refuses_escapes_and_symbolic_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    assert inside(root, "a", "b") == (root / "a" / "b").resolve()
    for parts in (("..",), ("a", "..", ".."), ("link",), ("link", "file")):
        with pytest.raises(PathError):
            inside(root, *parts)


def test_paths_are_shown_relative_to_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert display_path(data / "uploads" / "a.pdf", data) == "data/uploads/a.pdf"
    assert display_path("/etc/passwd", data) == "passwd"
