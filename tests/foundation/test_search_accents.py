"""Staff and audit trail searches ignore accents, case and punctuation."""

from audit.services import audit_record
from tests.conftest import in_schema


def test_header_search_finds_staff_without_their_accents(acme, make_user, client_for):
    make_user(acme, "support", username="hdarc", first_name="Hélène", last_name="D'Arc-Léger")
    client = client_for(acme, make_user(acme, "admin"))
    for query in ("helene", "HÉLÈNE", "d arc leger"):
        assert "hdarc" in client.get("/search/", {"q": query}).content.decode(), query


def test_audit_trail_search_finds_an_object_without_its_accents(acme, make_user, client_for):
    with in_schema(acme):
        audit_record(actor=None, action="customer.updated", object_repr="SOCIETE L ETOILE BLEUE")
    client = client_for(acme, make_user(acme, "admin"))
    for query in ("L'Étoile-Bleue", "l etoile bleue"):
        assert "SOCIETE L ETOILE BLEUE" in client.get("/audit/", {"q": query}).content.decode(), query
