"""Log-in and request hygiene (session rotation, CSRF, framing, redirects) and uploaded or
downloaded files (size limits, attachment downloads)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD, in_schema
from tests.offers.conftest import SAMPLE_TABLE


def test_the_session_key_changes_at_log_in(acme, make_user):
    user = make_user(acme, "admin")
    client = Client(HTTP_HOST="acme.localhost")
    client.get("/login/")
    client.cookies["ism_session"] = "attacker-chosen-session-key-0123456789"
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert client.cookies["ism_session"].value != "attacker-chosen-session-key-0123456789"
    assert client.get("/customers/").status_code == 200


@pytest.mark.parametrize("urlconf", ["ism.urls_tenant", "ism.urls_public"])
def test_no_page_view_is_csrf_exempt(urlconf):
    def walk(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry)
            elif isinstance(entry, URLPattern):
                yield entry

    exempt = [
        p.name
        for p in walk(get_resolver(urlconf))
        if getattr(p.callback, "csrf_exempt", False)
        # DRF views are marked exempt and check CSRF themselves for session-authenticated calls.
        and not hasattr(p.callback, "cls")
    ]
    assert exempt == []


def test_a_post_without_csrf_token_is_refused_on_pages_and_session_api(acme, make_user):
    user = make_user(acme, "admin")
    client = Client(HTTP_HOST="acme.localhost", enforce_csrf_checks=True)
    with in_schema(acme):
        client.force_login(user)
    assert client.post("/customers/new/", {"company_name": "X"}).status_code == 403
    assert client.post("/settings/domains/", {"domain": "x.example"}).status_code == 403
    assert client.post("/api/v1/customers/", {"company_name": "X"}).status_code == 403
    assert client.post("/logout/").status_code == 403


def test_staff_pages_send_the_csrf_token_with_htmx_and_refuse_framing(acme, make_user, client_for):
    response = client_for(acme, make_user(acme, "admin")).get("/customers/")
    assert "X-CSRFToken" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example"]
)
def test_no_open_redirect_after_log_in_or_language_change(target, acme, make_user, client_for):
    user = make_user(acme, "admin")
    login = client_for(acme).post(f"/login/?next={target}", {"username": user.username, "password": PASSWORD})
    assert "evil" not in login["Location"]
    language = client_for(acme).post("/language/", {"language": "en", "next": target})
    assert language.status_code == 302 and "evil" not in language["Location"]


def test_language_change_keeps_a_local_next(acme, client_for):
    response = client_for(acme).post("/language/", {"language": "en", "next": "/customers/?q=a"})
    assert response["Location"] == "/customers/?q=a"


def test_a_too_large_rate_file_is_refused_before_reading(acme, make_user, client_for, api_for, monkeypatch):
    from offers import services
    from offers.models import Rate
    from offers.services import rate_table_create

    monkeypatch.setattr(services, "RATE_FILE_MAX_BYTES", 100)
    with in_schema(acme):
        table = rate_table_create(data={"code": "BIG", "label": "Big"}, by=None)
    admin = make_user(acme, "admin")
    page = client_for(acme, admin).post(
        f"/catalogue/rate-tables/{table.pk}/upload/",
        {"file": SimpleUploadedFile("g.csv", SAMPLE_TABLE.read_bytes())},
    )
    assert page.status_code == 400 and "trop volumineux" in page.content.decode()
    api = api_for(acme, admin).post(
        f"/api/v1/rate-tables/{table.pk}/upload/",
        {"file": SimpleUploadedFile("g.csv", SAMPLE_TABLE.read_bytes())},
        format="multipart",
    )
    assert api.status_code == 400 and api.json()["field"] == "file"
    with in_schema(acme):
        assert not Rate.objects.filter(table=table).exists()


def test_downloads_of_stored_files_are_attachments(acme, make_user, client_for):
    from offers.services import rate_table_create, rate_table_import

    with in_schema(acme):
        table = rate_table_create(data={"code": "DL", "label": "Dl"}, by=None)
        rate_table_import(
            table=table,
            data=SAMPLE_TABLE.read_bytes(),
            filename='../../etc/<b>x".csv',
            by=None,
            today=dt.date(2026, 10, 1),
        )
        upload = table.uploads.first()
    client = client_for(acme, make_user(acme, "admin"))
    response = client.get(f"/catalogue/rate-tables/{table.pk}/uploads/{upload.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "/" not in response["Content-Disposition"].split("filename=")[1]
    assert f"/{acme.schema_name}/" in upload.file.path and ".." not in upload.file.name
    export = client.get(f"/catalogue/rate-tables/{table.pk}/export.csv")
    assert export["Content-Disposition"].startswith("attachment;")
