"""Tenant documents: stored privately per tenant, served through a checked view."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.models import TenantDocument


def test_upload_list_and_download_a_document(acme, operator_client):
    upload = SimpleUploadedFile("kbis acme.pdf", b"%PDF-1.4 kbis", content_type="application/pdf")
    response = operator_client.post(
        f"/tenants/{acme.pk}/documents/", {"file": upload, "title": "Kbis", "kind": "kbis"}
    )
    assert response.status_code == 302
    document = TenantDocument.objects.get(tenant=acme)
    assert document.file.name.startswith("tenant-documents/acme/")
    assert "Kbis" in operator_client.get(f"/tenants/{acme.pk}/documents/").content.decode()
    download = operator_client.get(f"/tenants/{acme.pk}/documents/{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 kbis"
    assert "kbis acme.pdf" in download["Content-Disposition"]


def test_wrong_extension_and_too_large_files_are_refused(acme, operator_client, settings, monkeypatch):
    upload = SimpleUploadedFile("virus.exe", b"MZ")
    response = operator_client.post(f"/tenants/{acme.pk}/documents/", {"file": upload, "kind": "other"})
    assert response.status_code == 200 and ".exe" in response.context["form"].errors["file"][0]
    monkeypatch.setattr("tenants.platform.services.DOCUMENT_MAX_BYTES", 10)
    upload = SimpleUploadedFile("big.pdf", b"x" * 11)
    response = operator_client.post(f"/tenants/{acme.pk}/documents/", {"file": upload, "kind": "other"})
    assert "volumineux" in response.context["form"].errors["file"][0]
    assert not TenantDocument.objects.filter(tenant=acme).exists()


def test_a_document_of_acme_is_not_served_under_nova_nor_from_a_tenant_domain(
    acme, nova, operator_client, make_user, client_for
):
    upload = SimpleUploadedFile("contrat.pdf", b"%PDF-1.4 contrat")
    operator_client.post(f"/tenants/{acme.pk}/documents/", {"file": upload, "kind": "contract"})
    document = TenantDocument.objects.get(tenant=acme)
    assert operator_client.get(f"/tenants/{nova.pk}/documents/{document.pk}/download/").status_code == 404
    acme_admin = client_for(acme, make_user(acme, "admin"))
    assert acme_admin.get(f"/tenants/{acme.pk}/documents/{document.pk}/download/").status_code == 404
    assert (
        acme_admin.get(f"/media/tenant-documents/acme/{document.file.name.split('/')[-1]}").status_code == 404
    )
