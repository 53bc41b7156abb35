"""Decode text files whose encoding nobody wrote down: UTF-8 (with or without BOM), Shift_JIS/CP932, EUC-JP, UTF-16,
and ISO-2022-JP (7-bit with escape sequences, as old mail and manuals have it).

Why not only `charset-normalizer`: on short Japanese files it often confuses CP932 and EUC-JP with each other or
with Latin code pages. The candidates here are few and decoding is strict, so we try each one and keep the decoding
that reads most like Japanese or ASCII text. A file that decodes to control characters under every candidate is
binary and is refused.
"""

from __future__ import annotations

import codecs
import re

from corpus.errors import LoadError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Order matters for ties: UTF-8 first, then the Japanese legacy encodings; the JIS X 0213 supersets last (they
# decode what CP932 and EUC-JP cannot: characters added in 2004).
_CANDIDATES = ("utf-8", "cp932", "euc-jp", "shift_jis_2004", "euc_jis_2004")

# Characters we expect in Japanese documents: ASCII printable + whitespace, kana, CJK, full-width forms,
# Japanese punctuation. Everything else (rare symbols, Latin-1 noise) counts against a decoding.
_PLAUSIBLE = re.compile(
    r"[\t\n\r\x20-\x7e\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff\uff00-\uffef\u2010-\u206f\u00b0-\u00ff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# ISO-2022-JP switches character sets with escape sequences: ESC $ @ / ESC $ B (JIS X 0208), ESC $ ( D / O / Q / P
# (JIS X 0212 / 0213), ESC ( J / ESC ( B (back to Roman / ASCII), ESC ( I (half-width katakana, CP50221-style).
_ISO2022_ESCAPES = re.compile(rb"\x1b(\$[@B]|\$\([DOPQ]|\([BJI])")
# Python's codecs, tried in order (strict): plain ISO-2022-JP first, then the supersets.
_ISO2022_CODECS = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_2")


def _plausibility(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    return len(_PLAUSIBLE.findall(sample)) / len(sample)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: NUL bytes appear (ASCII, line breaks) and one byte order reads as plausible text."""
    if len(data) % 2 or b"\x00" not in data[:8192]:
        return None
    best: tuple[float, str, str] | None = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, name)
    if best is None or best[0] < 0.9:
        return None
    return best[1], best[2]


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file.

    :param data: the raw file content.
    :returns: `(text, encoding_name)`.
    :raises LoadError: `err.binary_text` for binary data, `err.undecodable` when no candidate fits.
    """
    found = _with_bom(data) or _utf16_without_bom(data) or _iso2022(data)
    if found is not None:
        return found
    if b"\x00" in data[:8192]:
        raise LoadError("err.binary_text")
    best = _most_plausible(data)
    if best is None:
        raise LoadError("err.undecodable")
    score, text, name = best
    control_ratio = len(_CONTROL.findall(text[:20000])) / max(1, min(len(text), 20000))
    if control_ratio > 0.01 or score < 0.6:
        raise LoadError("err.binary_text")
    return text, name


def _iso2022(data: bytes) -> tuple[str, str] | None:
    """ISO-2022-JP: 7-bit bytes with its escape sequences; the first codec that decodes strictly wins.

    :raises LoadError: `err.undecodable` when the escapes are there but no variant decodes the bytes.
    """
    head = data[:65536]
    if not _ISO2022_ESCAPES.search(head) or any(b > 0x7F for b in head):
        return None
    for name in _ISO2022_CODECS:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise LoadError("err.undecodable")


def _with_bom(data: bytes) -> tuple[str, str] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "")
            except UnicodeDecodeError:
                raise LoadError("err.undecodable") from None
    return None


def _most_plausible(data: bytes) -> tuple[float, str, str] | None:
    """`(score, text, encoding)` of the candidate decoding that reads most like Japanese or ASCII text."""
    best: tuple[float, str, str] | None = None
    for name in _CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if name == "utf-8":
            # Valid UTF-8 multi-byte sequences almost never occur by chance in legacy encodings.
            score += 0.05
        if best is None or score > best[0]:
            best = (score, text, name)
    return best
