"""Issue 3: each onboarding step carries its attached documents."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.models import TenantDocument
from tenants.platform.services import onboarding_checklist_ensure


def test_a_document_attached_to_a_step_is_listed_under_that_step(acme, operator_client):
    step = onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))[1]
    upload = SimpleUploadedFile("bon de commande.pdf", b"%PDF-1.4 bdc", content_type="application/pdf")
    response = operator_client.post(
        f"/tenants/{acme.pk}/documents/",
        {"file": upload, "title": "Bon de commande signé", "kind": "contract", "step": step.pk},
    )
    assert response.status_code == 302
    document = TenantDocument.objects.get(tenant=acme)
    assert document.step_id == step.pk
    page = operator_client.get(f"/tenants/{acme.pk}/").content.decode()
    row = page[page.index(step.title) :]
    row = row[: row.index("</td>")]
    assert "Bon de commande signé" in row
    assert f"/tenants/{acme.pk}/documents/{document.pk}/download/" in row


def test_a_step_of_another_tenant_cannot_be_attached(acme, nova, operator_client):
    onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))
    foreign = onboarding_checklist_ensure(tenant=nova, start=datetime.date(2026, 1, 5))[0]
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = operator_client.post(
        f"/tenants/{acme.pk}/documents/", {"file": upload, "kind": "other", "step": foreign.pk}
    )
    assert response.status_code == 200 and "step" in response.context["form"].errors
    assert not TenantDocument.objects.filter(tenant=acme).exists()
