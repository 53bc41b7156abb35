"""Files given to handlers: they must be uploads that Gradio put in its own cache, never a path the caller chose.

Gradio's `/file=` route refuses server paths, but an API caller can still hand a handler a `FileData` whose path
points at any file on the server; every handler that takes files passes them through :func:`uploaded_file`.
"""

from __future__ import annotations

from pathlib import Path

from gradio.utils import get_upload_folder

from tokka.errors import TokkaError
from tokka.paths import is_inside


class UploadError(TokkaError):
    """A file argument that is not an upload."""


def upload_folder() -> Path:
    """Gradio's upload cache (`GRADIO_TEMP_DIR`, default `<tmp>/gradio`)."""
    return Path(get_upload_folder())


def uploaded_file(value: object) -> Path:
    """The path of an uploaded file, checked to lie inside Gradio's upload cache.

    :raises UploadError: `err.upload_outside` (the message never says whether the path exists).
    """
    raw = getattr(value, "path", None) or getattr(value, "name", None) or value
    if not isinstance(raw, str | Path) or not str(raw):
        raise UploadError("err.upload_outside", name="?")
    path = Path(raw)
    if not is_inside(path, upload_folder()) or not path.resolve().is_file():
        raise UploadError("err.upload_outside", name=path.name[:80])
    return path.resolve()


def discard(path: Path) -> None:
    """Remove an uploaded file from Gradio's cache once it has been handled (only ever inside the cache)."""
    if is_inside(path, upload_folder()):
        path.unlink(missing_ok=True)
