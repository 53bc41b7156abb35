"""Limits for Office files, which are zip archives: checked before any parser opens them.

A 748 KB `.docx` can inflate to 200 MB of XML, and a parser then needs gigabytes and minutes. Before python-docx,
openpyxl or python-pptx see a file, its zip directory is read (cheap: no member is decompressed) and the file is
refused when it has too many members, would unpack to more than `TOKKA_MAX_UNZIPPED_MB`, or holds a member that
inflates far more than real documents do. The limits are generous for real office files (images are already
compressed, XML compresses about 5–20×).
"""

from __future__ import annotations

import io
import zipfile

from corpus.errors import LoadError
from tokka.settings import get_settings

MAX_MEMBERS = 10_000
MAX_RATIO = 200  # real XML parts compress ~5–20×; bombs 1,000× and more
RATIO_CHECK_FROM = 10 * 2**20  # small members may have any ratio (a few MB of text is always fine)


def check_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """Open `data` as a zip archive after checking its size limits.

    :param kind: the format's name for messages (e.g. `Word (.docx)`).
    :returns: the opened archive.
    :raises LoadError: `err.office_corrupt` (not a zip) or `err.archive_too_large`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise LoadError("err.office_corrupt", kind=kind, detail=type(e).__name__) from e
    members = archive.infolist()
    limit = get_settings().max_unzipped_mb * 2**20
    if len(members) > MAX_MEMBERS:
        raise LoadError("err.archive_too_large", kind=kind, detail=f"{len(members):,} parts")
    total = sum(m.file_size for m in members)
    if total > limit:
        raise LoadError("err.archive_too_large", kind=kind, detail=f"{total / 2**20:,.0f} MB")
    for member in members:
        if member.file_size > RATIO_CHECK_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise LoadError("err.archive_too_large", kind=kind, detail=f"{member.filename}")
    return archive
