"""E-mail files (`.eml`) through the standard library's `email` package: Japanese headers (RFC 2047,
`=?ISO-2022-JP?B?…?=`), bodies in ISO-2022-JP, Shift_JIS or UTF-8, quoted-printable or base64.

The text part is used (HTML only when there is no text part); attachments are listed by name, not read. The subject
becomes the title and the headers a short block at the top, so "the mail from 田中 about 予約" can be found.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from corpus.encoding import decode_text
from corpus.errors import LoadError


def _text_of(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    if charset:
        try:
            return payload.decode(charset.replace("cp50220", "iso2022_jp_ext"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(payload)[0] if payload else ""


def load_eml(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An `.eml` file: headers, then the body text."""
    from corpus.loaders.html import html_to_markdown
    from tokka.locales import t

    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except (ValueError, TypeError, IndexError) as e:
        raise LoadError("err.mail_bad", detail=type(e).__name__) from e
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        body = _text_of(body_part)
        if body_part.get_content_type() == "text/html":
            body = html_to_markdown(body)[0]
    attachments = [a.get_filename() for a in message.iter_attachments() if a.get_filename()]
    subject = str(message.get("subject", "") or "").strip()
    lines = [f"{t(f'doc.mail.{key}')}: {message.get(key)}" for key in ("from", "to", "date") if message.get(key)]
    if subject:
        lines.insert(0, f"# {subject}")
    if attachments:
        lines.append(f"{t('doc.mail.attachments')}: {', '.join(attachments)}")
    text = "\n".join(lines) + "\n\n" + body.strip()
    if not body.strip() and not subject:
        raise LoadError("err.no_text", detail=path.name)
    return text, subject, {"attachments": len(attachments)}
