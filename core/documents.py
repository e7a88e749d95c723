"""The one PDF path of the platform: a Django template rendered to HTML, handed to WeasyPrint.

Images (logo, banner) are passed as `data:` URIs so rendering never reaches the network or the
file system of another tenant; `base_url` is there for static assets.
"""

import base64
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def image_data_uri(content: bytes | None, *, mimetype: str = "image/png") -> str:
    """A `data:` URI for an image to embed in a PDF ("" when there is no image)."""
    if not content:
        return ""
    return f"data:{mimetype};base64,{base64.b64encode(content).decode('ascii')}"


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None, variant: str | None = None
) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes; `variant` asks for a PDF
    flavour such as "pdf/a-3b" (an archivable PDF that may carry attachments, as Factur-X needs)."""
    from weasyprint import HTML  # heavy import, only where PDFs are made

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR / "static"))
    if variant:
        return document.write_pdf(pdf_variant=variant)  # type: ignore[no-any-return]
    return document.write_pdf()  # type: ignore[no-any-return]
