"""The one PDF path of the platform: a Django template rendered to HTML, handed to WeasyPrint.

Images (logo, banner) are passed as `data:` URIs so rendering never reaches the network or the
file system of another tenant; `base_url` is there for static assets.
"""

import base64
import datetime as dt
import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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
    thresholds = gc.get_threshold()
    gc.set_threshold(20_000, 20, 20)  # a document makes some 100,000 short-lived objects
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@lru_cache(maxsize=16)
def _stylesheet(path: str, font_config: Any) -> Any:
    """A static stylesheet parsed once per process (and font configuration)."""
    from weasyprint import CSS

    return CSS(string=Path(path).read_text(encoding="utf-8"), font_config=font_config)


def _mend_html_parser_cache() -> None:
    """tinyhtml5 2.1.0 (WeasyPrint's HTML parser) caches the regular expression of each
    `chars_until` call under the wrong key (`characters = cache[(characters, opposite)] = regex`
    binds `characters` first), so it builds the expression again at every call: about a third of
    an invoice's parsing. Fill the cache under the key it looks up; the parsing is unchanged."""
    import re

    from tinyhtml5 import inputstream

    stream_class = inputstream.HTMLUnicodeInputStream
    if getattr(stream_class.chars_until, "cache_mended", False):
        return
    cache, original = inputstream.characters_until_regex, stream_class.chars_until

    def chars_until(self: Any, characters: Any, opposite: bool = False) -> str:
        key = (characters, opposite)
        if key not in cache:
            ranges = "".join(f"\\x{ord(character):02x}" for character in characters)
            cache[key] = re.compile(f"[{ranges}]+" if opposite else f"[^{ranges}]+")
        return original(self, characters, opposite)  # type: ignore[no-any-return]

    chars_until.cache_mended = True  # type: ignore[attr-defined]
    stream_class.chars_until = chars_until


@lru_cache(maxsize=1)
def _html_class() -> Any:
    """WeasyPrint's `HTML` with a leaner user-agent stylesheet. WeasyPrint's own gives every
    element six pseudo-elements (`::marker`, `::footnote-call`, `::footnote-marker`, `::note-call`,
    `::note-marker`, `::note-callback`) whose styles it computes for each element of the page:
    six styles out of seven on an invoice, for nothing. Here `::marker` is kept for list items,
    and the footnote and note pseudo-elements are left out: no PDF of the platform uses CSS
    footnotes or notes (`float: footnote`). Everything else is WeasyPrint's stylesheet as is."""
    from weasyprint import CSS, HTML
    from weasyprint import html as weasy_html
    from weasyprint.css.counters import CounterStyle

    _mend_html_parser_cache()
    rules = weasy_html.UA.replace("\n::marker {", "\nli::marker, summary::marker {")
    dropped = ("::footnote-call ", "::footnote-marker ", "::note-call ", "::note-marker ", "::note-callback ")
    lean = "\n".join(line for line in rules.splitlines() if not line.startswith(dropped))
    if lean.count("li::marker") != 1 or len(rules.splitlines()) - len(lean.splitlines()) != len(dropped):
        raise RuntimeError("WeasyPrint's user-agent stylesheet changed: review core.documents._html_class")
    # The counter styles it defines are already WeasyPrint's (`UA_COUNTER_STYLE`, which every
    # document copies): parsed into a dictionary of their own, they are not "defined twice".
    stylesheet = CSS(string=lean, counter_style=CounterStyle())

    class LeanHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [stylesheet, weasy_html.UA_FORM_STYLESHEET] if forms else [stylesheet]

    return LeanHTML


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in a PDF/A-3 (e.g. the Factur-X XML), with its relationship to the document
    (ISO 32000-2, 7.11.3: "Alternative", "Data", "Source", "Supplement")."""

    name: str
    content: bytes
    relationship: str
    description: str = ""


@dataclass(frozen=True)
class PdfInfo:
    """The document's information dictionary and XMP metadata. `xmp` holds extra `rdf:Description`
    elements (serialized, each declaring its namespaces) written into the one `rdf:RDF` of the
    document's XMP packet, e.g. a PDF/A extension schema and its properties."""

    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    lang: str = ""
    xmp: tuple[bytes, ...] = ()


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    base_url: str | None = None,
    variant: str | None = None,
    stylesheet: str | None = None,
    info: PdfInfo | None = None,
    attachments: Sequence[PdfAttachment] = (),
) -> bytes:
    """Render `template_name` with `context` and return the PDF bytes; `variant` asks for a PDF
    flavour such as "pdf/a-3b" (an archivable PDF that may carry attachments, as Factur-X needs);
    `stylesheet`, a CSS file under `static/` that every such document shares (parsed once);
    `info` and `attachments` are written by WeasyPrint in the same pass (no second copy of the PDF)."""
    html = render_to_string(template_name, context)
    font_config, cache = _font_config_and_cache()
    options: dict[str, Any] = {"cache": cache}
    if stylesheet:
        options["stylesheets"] = [_stylesheet(str(settings.BASE_DIR / "static" / stylesheet), font_config)]
    if variant:
        options["pdf_variant"] = variant
    html_document = _html_class()(string=html, base_url=base_url or str(settings.BASE_DIR / "static"))
    document = html_document.render(font_config, **options)
    if info:
        _set_info(document.metadata, info)
    for attachment in attachments:
        document.metadata.attachments.append(_weasyprint_attachment(attachment))
    return document.write_pdf(finisher=_one_af_entry_per_file, **options)  # type: ignore[no-any-return]


def _one_af_entry_per_file(document: Any, pdf: Any) -> None:
    """WeasyPrint 70's PDF/A-3 step lists each attachment twice in the catalog's associated files
    (`/AF`): once from the embedded-files name tree, once from the file specifications."""
    if "AF" in pdf.catalog:
        from pydyf import Array

        pdf.catalog["AF"] = Array(dict.fromkeys(pdf.catalog["AF"]))


def _set_info(metadata: Any, info: PdfInfo) -> None:
    """Fill WeasyPrint's document metadata; its dates are set once, so that the information
    dictionary and the XMP packet say the same (PDF/A asks for it)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    metadata.title = info.title or metadata.title
    metadata.authors = [info.author] if info.author else metadata.authors
    metadata.description = info.subject or metadata.description
    metadata.keywords = list(info.keywords) or metadata.keywords
    metadata.lang = info.lang or metadata.lang
    metadata.created = metadata.created or now
    metadata.modified = metadata.modified or now
    if info.xmp:
        generate = metadata.generate_rdf_metadata

        def with_extra(variant: Any, version: Any, conformance: Any) -> bytes:
            rdf: bytes = generate(variant, version, conformance)
            closing = b"</rdf:RDF>"
            if not rdf.endswith(closing):  # WeasyPrint writes its packet with the rdf prefix
                raise ValueError("unexpected XMP packet from WeasyPrint")
            return rdf[: -len(closing)] + b"".join(info.xmp) + closing

        metadata.generate_rdf_metadata = with_extra


def _weasyprint_attachment(attachment: PdfAttachment) -> Any:
    from weasyprint import Attachment

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # WeasyPrint writes it with a "Z"
    return Attachment(
        string=attachment.content,
        name=attachment.name,
        description=attachment.description,
        relationship=attachment.relationship,
        created=now,
        modified=now,
    )
