"""Issue 3: the platform API does what the tenant page does for onboarding: go live with a
reason, invite the admin again, test the feed — same checks and messages as the pages."""

import datetime

from django.core import mail

from accounts.models import Role, User
from audit.models import AuditEvent
from tenants.models import TenantStatus
from tenants.platform.services import feed_access_set, onboarding_checklist_ensure
from tests.conftest import in_schema
from tests.tenants.conftest import make_feed_tree


def test_going_live_over_the_api_needs_a_reason_and_is_audited(acme, operator, operator_api):
    acme.status = TenantStatus.ONBOARDING
    acme.save(update_fields=["status"])
    onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))
    refused = operator_api.post(f"/api/v1/tenants/{acme.pk}/activate/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    assert "checklist" in refused.json()["detail"] or "liste" in refused.json()["detail"]
    done = operator_api.post(
        f"/api/v1/tenants/{acme.pk}/activate/", {"reason": "Kbis reçu par courrier"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "active"
    event = AuditEvent.objects.get(action="tenant.onboarding_overridden", object_id=str(acme.pk))
    assert event.changes["reason"] == "Kbis reçu par courrier" and event.actor_label == operator.username


def test_the_api_invites_an_admin_on_the_tenants_domain(
    acme, operator_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_api.post(
            f"/api/v1/tenants/{acme.pk}/invite/", {"email": "chef-api@acme.example"}, format="json"
        )
    assert response.status_code == 201
    with in_schema(acme):
        assert User.objects.filter(email="chef-api@acme.example", role=Role.ADMIN).count() == 1
    assert mail.outbox[-1].to == ["chef-api@acme.example"]
    assert "http://acme.localhost/reset/" in mail.outbox[-1].body
    bad = operator_api.post(f"/api/v1/tenants/{acme.pk}/invite/", {"email": "pas-une-adresse"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "email"


def test_the_api_tests_the_feed_and_lists_the_missing_folders(acme, operator_api, operator, tmp_path):
    no_feed = operator_api.post(f"/api/v1/tenants/{acme.pk}/feed/test/")
    assert no_feed.status_code == 400
    make_feed_tree(tmp_path, ["AccountStatus"])
    feed_access_set(tenant=acme, by=operator, protocol="local", root_path=str(tmp_path))
    report = operator_api.post(f"/api/v1/tenants/{acme.pk}/feed/test/").json()
    assert report["connected"] and not report["ok"]
    assert "AccountStatus/" in report["present"] and report["missing"]


def test_a_tenant_admin_token_cannot_use_these_actions(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))
    for path in ("activate/", "invite/", "feed/test/"):
        assert api.post(f"/api/v1/tenants/{acme.pk}/{path}", {}, format="json").status_code == 404
