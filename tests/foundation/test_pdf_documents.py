"""The one PDF path (`core.documents`): attachments and XMP written in WeasyPrint's own pass, the
leaner user-agent stylesheet, and the mended cache of WeasyPrint's HTML parser."""

import io
import re

from pypdf import PdfReader

from core.documents import PdfAttachment, PdfInfo, _html_class, _mend_html_parser_cache, render_pdf

EXTRA = (
    b'<rdf:Description xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:example#"'
    b' rdf:about=""><ex:Kind>TEST</ex:Kind></rdf:Description>'
)


def _pdf() -> bytes:
    return render_pdf(
        "cdr_import/operator_pdf_demo.html",
        {"month": "10/2026", "amount": "1 234,56 €"},
        variant="pdf/a-3b",
        info=PdfInfo(title="Relevé 10/2026", author="Acme", keywords=("Test",), lang="fr-FR", xmp=(EXTRA,)),
        attachments=[
            PdfAttachment(name="data.xml", content=b"<a>1</a>", relationship="Data", description="Data")
        ],
    )


def test_an_attachment_and_extra_xmp_are_written_with_the_page_in_one_pdf_a_3():
    reader = PdfReader(io.BytesIO(_pdf()))
    root = reader.trailer["/Root"]
    assert len(root["/AF"]) == 1  # WeasyPrint 70 lists it twice; the finisher keeps one
    spec = root["/AF"][0].get_object()
    assert (spec["/F"], spec["/AFRelationship"], spec["/Desc"]) == ("data.xml", "/Data", "Data")
    assert spec["/EF"]["/F"].get_object().get_data() == b"<a>1</a>"
    assert reader.attachments == {"data.xml": [b"<a>1</a>"]}
    assert reader.metadata.title == "Relevé 10/2026" and reader.metadata.author == "Acme"
    assert root["/Lang"] == "fr-FR"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert xmp.count("<rdf:RDF") == 1  # one RDF element: the extra description is inside it
    assert re.search(r"<ex:Kind>TEST</ex:Kind></rdf:Description></rdf:RDF>", xmp)
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    # the information dictionary and the XMP packet give the same dates (PDF/A)
    created = reader.metadata["/CreationDate"]  # D:YYYYMMDDHHMMSSZ
    stamp = (
        f"{created[2:6]}-{created[6:8]}-{created[8:10]}T{created[10:12]}:{created[12:14]}:{created[14:16]}Z"
    )
    assert f"<xmp:CreateDate>{stamp}</xmp:CreateDate>" in xmp


def test_a_plain_document_has_neither_attachment_nor_pdf_a_metadata():
    pdf = render_pdf("cdr_import/operator_pdf_demo.html", {"month": "10/2026", "amount": "1 234,56 €"})
    reader = PdfReader(io.BytesIO(pdf))
    assert "/AF" not in reader.trailer["/Root"] and not reader.attachments
    assert "1 234,56" in reader.pages[0].extract_text().replace("\u00a0", " ")


def test_the_leaner_user_agent_stylesheet_keeps_list_markers_and_gives_the_same_text():
    from weasyprint import HTML

    html = "<h1>Titre</h1><ul><li>Un</li><li>Deux</li></ul><ol><li>Trois</li></ol><p>Fin</p>"

    def text(document_class) -> str:  # noqa: ANN001
        return PdfReader(io.BytesIO(document_class(string=html).write_pdf())).pages[0].extract_text()

    lean = text(_html_class())
    assert lean == text(HTML)
    assert "•" in lean and "1." in lean


def test_the_html_parser_cache_is_filled_under_the_key_it_reads_and_parses_the_same():
    import tinyhtml5
    from tinyhtml5 import inputstream

    html = "<p class=\"a\" title='b'>x &amp; y</p><pre>  a  b  </pre><!-- c -->"
    before = tinyhtml5.parse(html)
    _mend_html_parser_cache()
    _mend_html_parser_cache()  # once only
    after = tinyhtml5.parse(html)
    from xml.etree.ElementTree import tostring

    assert tostring(before) == tostring(after)
    keys = [key for key in inputstream.characters_until_regex if not isinstance(key[0], re.Pattern)]
    assert keys, "the mended cache holds the characters the parser asks for"
    size = len(inputstream.characters_until_regex)
    tinyhtml5.parse(html)
    assert len(inputstream.characters_until_regex) == size  # found again, not built again
