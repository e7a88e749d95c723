"""The onboarding checklist: go-live waits for every step; an override needs a reason."""

import datetime

import pytest

from audit.models import AuditEvent
from core.errors import ApplicationError
from tenants.models import OnboardingStep, StepStatus, TenantStatus
from tenants.platform.services import (
    onboarding_checklist_ensure,
    onboarding_step_update,
    tenant_activate_override,
)
from tests.tenants.test_onboarding_automatic_steps import make_ready

TODAY = datetime.date(2026, 2, 2)


@pytest.fixture
def onboarding_acme(acme):
    acme.status = TenantStatus.ONBOARDING
    acme.save(update_fields=["status"])
    onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))
    return acme


def test_integrator_checklist_has_the_integrator_steps_only(onboarding_acme):
    codes = list(onboarding_acme.onboarding_steps.order_by("position").values_list("code", flat=True))
    assert len(codes) == 13 and codes[0] == "contracts_sent" and codes[-1] == "go_live"
    assert "sim_production" not in codes


def test_go_live_is_blocked_until_every_step_is_done(onboarding_acme, operator):
    go_live = onboarding_acme.onboarding_steps.get(code="go_live")
    with pytest.raises(ApplicationError) as error:
        onboarding_step_update(step=go_live, by=operator, today=TODAY, status=StepStatus.DONE)
    assert "bloquée" in error.value.message and "12" in error.value.message
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ONBOARDING
    for step in onboarding_acme.onboarding_steps.exclude(code="go_live"):
        onboarding_step_update(step=step, by=operator, today=TODAY, status=StepStatus.DONE, note="ok")
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ONBOARDING
    make_ready(onboarding_acme)  # the automatic steps (issue 10) are green too
    onboarding_step_update(step=go_live, by=operator, today=TODAY, status=StepStatus.DONE)
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ACTIVE
    assert AuditEvent.objects.filter(
        action="tenant.status_changed", object_id=str(onboarding_acme.pk)
    ).exists()


def test_go_live_refused_on_the_page_says_why(onboarding_acme, operator_client):
    go_live = onboarding_acme.onboarding_steps.get(code="go_live")
    response = operator_client.post(
        f"/tenants/{onboarding_acme.pk}/steps/{go_live.pk}/",
        {f"s{go_live.pk}-status": "done", f"s{go_live.pk}-note": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "bloquée" in body
    go_live.refresh_from_db()
    assert go_live.status == StepStatus.TODO


def test_override_needs_a_reason_activates_and_is_audited(onboarding_acme, operator, operator_client):
    with pytest.raises(ApplicationError):
        tenant_activate_override(tenant=onboarding_acme, reason="", by=operator, today=TODAY)
    response = operator_client.post(
        f"/tenants/{onboarding_acme.pk}/activate/",
        {"reason": "Client pressé, Kbis reçu par courrier", "confirmed": "on"},
    )
    assert response.status_code == 302
    onboarding_acme.refresh_from_db()
    assert onboarding_acme.status == TenantStatus.ACTIVE
    event = AuditEvent.objects.get(action="tenant.onboarding_overridden", object_id=str(onboarding_acme.pk))
    assert event.changes["reason"] == "Client pressé, Kbis reçu par courrier"
    assert event.actor_label == operator.username and len(event.changes["pending_steps"]) == 13
    assert onboarding_acme.onboarding_steps.get(code="go_live").status == StepStatus.DONE


def test_late_steps_stand_out_in_the_list_and_the_page(onboarding_acme, operator_client):
    body = operator_client.get("/tenants/").content.decode()
    assert "en retard" in body
    page = operator_client.get(f"/tenants/{onboarding_acme.pk}/").content.decode()
    assert page.count('class="badge late"') >= 13


def test_tenant_list_filters_by_kind_status_and_search(onboarding_acme, nova, operator_client):
    assert "Nova Mobile" not in operator_client.get("/tenants/?kind=integrator").content.decode()
    body = operator_client.get("/tenants/?status=onboarding").content.decode()
    assert "Acme Télécom" in body and "Nova Mobile" not in body
    body = operator_client.get("/tenants/?q=nova.local").content.decode()
    assert "Nova Mobile" in body and "Acme Télécom" not in body


def test_api_reads_the_checklist_and_updates_a_step(onboarding_acme, operator_api):
    steps = operator_api.get(f"/api/v1/tenants/{onboarding_acme.pk}/steps/").json()
    assert len(steps) == 13 and steps[0]["code"] == "contracts_sent" and steps[0]["late"] is True
    first, go_live = steps[0], steps[-1]
    response = operator_api.patch(
        f"/api/v1/tenants/{onboarding_acme.pk}/steps/{first['id']}/",
        {"status": "done", "done_on": "2026-01-06", "note": "Envoyés par e-mail"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["late"] is False
    assert OnboardingStep.objects.get(pk=first["id"]).done_on == datetime.date(2026, 1, 6)
    response = operator_api.patch(
        f"/api/v1/tenants/{onboarding_acme.pk}/steps/{go_live['id']}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "status"


def test_a_step_of_another_tenant_is_not_reachable_through_this_one(onboarding_acme, nova, operator_api):
    step = onboarding_acme.onboarding_steps.first()
    assert operator_api.get(f"/api/v1/tenants/{nova.pk}/steps/{step.pk}/").status_code == 404
    assert (
        operator_api.patch(
            f"/api/v1/tenants/{nova.pk}/steps/{step.pk}/", {"note": "x"}, format="json"
        ).status_code
        == 404
    )


def test_tenant_list_page_and_api_do_not_query_per_tenant(
    onboarding_acme, nova, operator_client, operator_api, django_assert_max_num_queries
):
    onboarding_checklist_ensure(tenant=nova, start=TODAY)
    # Six queries (domain, session, user, count, tenants, domains), each after its SET search_path.
    operator_client.get("/tenants/")
    with django_assert_max_num_queries(14):
        assert operator_client.get("/tenants/").status_code == 200
    operator_api.get("/api/v1/tenants/")
    with django_assert_max_num_queries(14):
        assert len(operator_api.get("/api/v1/tenants/").json()["results"]) == 2


def test_a_step_put_back_to_do_loses_its_done_date(onboarding_acme, operator):
    step = onboarding_acme.onboarding_steps.get(code="contracts_sent")
    step = onboarding_step_update(step=step, by=operator, today=TODAY, status=StepStatus.DONE)
    assert step.done_on is not None
    step = onboarding_step_update(
        step=step, by=operator, today=TODAY, status=StepStatus.TODO, done_on=step.done_on
    )
    assert step.done_on is None
