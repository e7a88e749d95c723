"""The one PDF path of the platform: a Django template rendered to HTML, handed to WeasyPrint.

Images (logo, banner) are passed as `data:` URIs so rendering never reaches the network or the
file system of another tenant; `base_url` is there for static assets.
"""

import base64
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def image_data_uri(content: bytes | None, *, mimetype: str = "image/png") -> str:
    """A `data:` URI for an image to embed in a PDF ("" when there is no image)."""
    if not content:
        return ""
    return f"data:{mimetype};base64,{base64.b64encode(content).decode('ascii')}"


_reused = threading.local()


def _font_config_and_cache() -> tuple[Any, dict[str, Any]]:
    """What WeasyPrint may keep from one document to the next, per thread (a batch of invoices
    renders in one worker thread): the font configuration (fonts found and loaded once) and the
    image cache (a logo decoded once)."""
    if not hasattr(_reused, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _reused.font_config = FontConfiguration()
        _reused.cache = {}
    if len(_reused.cache) > 200:  # images of many tenants: start again rather than grow
        _reused.cache.clear()
    return _reused.font_config, _reused.cache


@contextmanager
def pdf_batch() -> Iterator[None]:
    """Around a batch of documents rendered in one process: what is alive before it (Django,
    WeasyPrint's fonts and stylesheets) is set apart from the garbage collector, whose full passes
    otherwise walk it again every few documents (about 5 % of each render, issue 13)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@lru_cache(maxsize=16)
def _stylesheet(path: str, font_config: Any) -> Any:
    """A static stylesheet parsed once per process (and font configuration)."""
    from weasyprint import CSS

    return CSS(string=Path(path).read_text(encoding="utf-8"), font_config=font_config)


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    base_url: str | None = None,
    variant: str | None = None,
    stylesheet: str | None = None,
) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes; `variant` asks for a PDF
    flavour such as "pdf/a-3b" (an archivable PDF that may carry attachments, as Factur-X needs);
    `stylesheet`, a CSS file under `static/` that every such document shares (parsed once)."""
    from weasyprint import HTML  # heavy import, only where PDFs are made

    html = render_to_string(template_name, context)
    font_config, cache = _font_config_and_cache()
    options: dict[str, Any] = {"font_config": font_config, "cache": cache}
    if stylesheet:
        options["stylesheets"] = [_stylesheet(str(settings.BASE_DIR / "static" / stylesheet), font_config)]
    if variant:
        options["pdf_variant"] = variant
    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR / "static"))
    return document.write_pdf(**options)  # type: ignore[no-any-return]
