"""The one way the project answers with a file: a safe `Content-Disposition` (RFC 6266).

`attachment_response(content, filename, content_type)` sends `content` as a download named
`filename`. The header carries an ASCII fallback (`filename="..."`, without quotes, backslashes,
control characters or path separators) and the exact name as `filename*=UTF-8''<percent-encoded>`,
so a `"`, a newline or an accent in a name (a rate table code, an uploaded file's name) can
neither break the header nor inject another one.
"""

import os
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isascii() and char.isprintable() and char not in '"\\/;%':
            kept.append(char)
        else:
            kept.append("_")
    return "".join(kept).strip(" .") or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The header's value for a file named `filename` (its last path part, control characters removed)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(
    content: bytes | str, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """An HTTP response sending `content` as a file named `filename` (`inline` shows it in the browser)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def storage_file_name(filename: str, *, fallback: str = "file", stem_length: int = 50) -> str:
    """A name safe to store a received file under: its base name in plain characters, the stem cut
    to `stem_length` and the extension to 8 (a hostile or very long name can neither escape the
    folder nor exceed the file system's or the field's limit). The original name is kept elsewhere."""
    base = os.path.basename(filename.replace("\\", "/"))
    stem, extension = os.path.splitext(base)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", _ascii_fallback(stem)).strip("_")[:stem_length] or fallback
    return stem + re.sub(r"[^A-Za-z0-9.]+", "", extension)[:8]


def streamed_attachment_response(
    chunks: Iterable[bytes], filename: str, content_type: str
) -> StreamingHttpResponse:
    """A download sent as it is produced (a large export's first bytes leave at once)."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
