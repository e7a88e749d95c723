"""The customer's history, the dashboard and the audit trail show events in words, not codes."""

import re

from audit.services import audit_record
from tests.conftest import in_schema


def test_dashboard_audit_trail_and_history_show_words_not_codes(acme, make_user, make_customer, client_for):
    admin = make_user(acme, "admin")
    customer = make_customer(acme, by=admin)
    with in_schema(acme):
        audit_record(
            actor=admin, action="customer.updated", obj=customer, changes={"kind": ["consumer", "business"]}
        )
    client = client_for(acme, admin)
    for url in ("/", "/audit/", f"/customers/{customer.pk}/?tab=history"):
        # Codes stay in attributes (data-action) for scripts and tests, never in the text.
        body = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert "Client créé" in body, url
        assert "customer.created" not in body and "customer.updated" not in body, url
    trail = re.sub(r"<[^>]+>", " ", client.get("/audit/").content.decode())
    assert "customers.customer" not in trail and "Particulier → Professionnel" in trail
