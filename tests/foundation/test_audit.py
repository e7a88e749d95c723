"""The audit trail: one service, secrets masked, a page for tenant admins, per tenant."""

from audit.models import AuditEvent
from audit.services import audit_changes, audit_record
from tests.conftest import PASSWORD, in_schema


def test_audit_record_keeps_who_what_and_masks_secrets(acme, make_user):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        event = audit_record(
            actor=admin,
            action="feed.updated",
            obj=admin,
            changes={"host": "ftp.example", "password": "hunter2", "nested": {"puk1": "12345678"}},
        )
        event.refresh_from_db()
    assert event.actor_label == admin.username
    assert event.changes == {"host": "ftp.example", "password": "***", "nested": {"puk1": "***"}}
    assert event.object_type == "accounts.user" and event.object_id == str(admin.pk)


def test_audit_changes_lists_only_what_changed():
    assert audit_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def test_system_actions_are_labelled_system(acme):
    with in_schema(acme):
        assert audit_record(actor=None, action="line.suspended").actor_label == "system"


def test_log_ins_and_failures_are_recorded(acme, make_user, client_for):
    user = make_user(acme, "sales")
    client_for(acme).post("/login/", {"username": user.username, "password": "bad-password"})
    client_for(acme).post("/login/", {"username": user.username, "password": PASSWORD})
    with in_schema(acme):
        actions = list(
            AuditEvent.objects.filter(object_repr__contains=user.username).values_list("action", flat=True)
        )
    assert "user.login_failed" in actions and "user.logged_in" in actions


def test_audit_page_is_for_tenant_admins_and_shows_only_this_tenant(acme, nova, make_user, client_for):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        audit_record(actor=admin, action="offer.created", object_repr="ACME-ONLY-OFFER")
    with in_schema(nova):
        audit_record(actor=None, action="offer.created", object_repr="NOVA-ONLY-OFFER")
    body = client_for(acme, admin).get("/audit/?q=ONLY").content.decode()
    assert "ACME-ONLY-OFFER" in body and "NOVA-ONLY-OFFER" not in body
    assert client_for(acme, make_user(acme, "sales")).get("/audit/").status_code == 403


def test_audit_api_lists_this_tenants_events(acme, nova, make_user, api_for):
    admin = make_user(acme, "admin")
    with in_schema(nova):
        audit_record(actor=None, action="x.nova", object_repr="NOVA-EVENT")
    with in_schema(acme):
        audit_record(actor=admin, action="x.acme", object_repr="ACME-EVENT")
    data = api_for(acme, admin).get("/api/v1/audit-events/?action=x.").json()
    assert [row["object_repr"] for row in data["results"]] == ["ACME-EVENT"]
    assert api_for(acme, make_user(acme, "support")).get("/api/v1/audit-events/").status_code == 403


def test_audit_page_does_not_grow_queries_with_rows(
    acme, make_user, client_for, django_assert_max_num_queries
):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        for i in range(60):
            audit_record(actor=admin, action="thing.done", object_repr=f"thing {i}")
    client = client_for(acme, admin)
    with django_assert_max_num_queries(12):
        assert client.get("/audit/").status_code == 200
