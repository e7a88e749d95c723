"""Issue 3: staff management (invite, change role, deactivate) and custom domains over the settings
API, with the page's rules; acme's admin reaches nothing of nova's."""

from django.core import mail

from accounts.models import User
from audit.models import AuditEvent
from tenants.models import Domain
from tests.conftest import PASSWORD, in_schema


def test_an_admin_invites_changes_the_role_of_and_deactivates_a_colleague(
    acme, acme_admin, api_for, client_for
):
    api = api_for(acme, acme_admin)
    invited = api.post(
        "/api/v1/settings/team/",
        {"username": "lea-api", "email": "lea-api@acme.example", "role": "accountant"},
        format="json",
    )
    assert invited.status_code == 201 and invited.json()["role"] == "accountant"
    assert (
        mail.outbox[-1].to == ["lea-api@acme.example"]
        and "http://acme.localhost/reset/" in mail.outbox[-1].body
    )
    pk = invited.json()["id"]
    assert "lea-api" in [m["username"] for m in api.get("/api/v1/settings/team/").json()]
    assert (
        api.patch(f"/api/v1/settings/team/{pk}/", {"role": "sales"}, format="json").json()["role"] == "sales"
    )
    off = api.patch(f"/api/v1/settings/team/{pk}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    with in_schema(acme):
        lea = User.objects.get(pk=pk)
        lea.set_password(PASSWORD)
        lea.save()
        actions = set(AuditEvent.objects.filter(object_id=str(pk)).values_list("action", flat=True))
    assert {"user.invited"} <= actions and len(actions) >= 3
    assert client_for(acme).post("/login/", {"username": "lea-api", "password": PASSWORD}).status_code == 200


def test_the_team_api_keeps_the_pages_rules(acme, acme_admin, make_user, api_for):
    api = api_for(acme, acme_admin)
    customer_role = api.post(
        "/api/v1/settings/team/",
        {"username": "x", "email": "x@acme.example", "role": "customer"},
        format="json",
    )
    assert customer_role.status_code == 400 and customer_role.json()["field"] == "role"
    demote = api.patch(f"/api/v1/settings/team/{acme_admin.pk}/", {"role": "sales"}, format="json")
    assert demote.status_code == 400 and demote.json()["field"] == "role"
    assert api_for(acme, make_user(acme, "sales")).get("/api/v1/settings/team/").status_code == 403


def test_acme_admin_cannot_touch_novas_staff_or_domains_over_the_api(
    acme, nova, acme_admin, nova_admin, make_user, api_for
):
    api = api_for(acme, acme_admin)
    with in_schema(acme):
        acme_ids = set(User.objects.values_list("pk", flat=True))
    target = nova_admin
    while target.pk in acme_ids:  # an id that means nothing in acme's schema
        target = make_user(nova, "support")
    refused = api.patch(f"/api/v1/settings/team/{target.pk}/", {"is_active": False}, format="json")
    assert refused.status_code == 400
    with in_schema(nova):
        assert User.objects.get(pk=target.pk).is_active
    nova_domain = Domain.objects.get(domain="nova.localhost")
    assert api.delete(f"/api/v1/settings/domains/{nova_domain.pk}/").status_code == 400
    assert Domain.objects.filter(pk=nova_domain.pk).exists()
    assert "nova.localhost" not in [d["domain"] for d in api.get("/api/v1/settings/domains/").json()]


def test_a_custom_domain_is_added_and_removed_over_the_api_and_stays_unique(acme, acme_admin, api_for):
    api = api_for(acme, acme_admin)
    added = api.post("/api/v1/settings/domains/", {"domain": "extranet.acme-api.example"}, format="json")
    assert added.status_code == 201 and added.json()["is_primary"] is False
    taken = api.post("/api/v1/settings/domains/", {"domain": "nova.localhost"}, format="json")
    assert taken.status_code == 400
    main = Domain.objects.get(domain="acme.localhost")
    assert api.delete(f"/api/v1/settings/domains/{main.pk}/").status_code == 400
    assert api.delete(f"/api/v1/settings/domains/{added.json()['id']}/").status_code == 204
    assert not Domain.objects.filter(domain="extranet.acme-api.example").exists()
