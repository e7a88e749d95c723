"""The deposit console, the tracking pages, reprocessing, the API, roles and two-tenant isolation."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from cdr_import.models import Cdr, FeedFolder, Import, ImportStatus, RejectedRow
from cdr_import.services import import_file
from cdr_import.services_deposits import import_reprocess
from tests.cdr_import.conftest import MOBILE_NUMBERS, NOW, SAMPLES, make_lines
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"


def _upload(name: str = RATED, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else (SAMPLES / name).read_bytes())


@pytest.fixture(autouse=True)
def _queued_work_runs(django_capture_on_commit_callbacks, monkeypatch):
    """Work queued after the commit runs at once (each test is one transaction, never committed)."""
    from cdr_import import tasks

    monkeypatch.setattr(tasks.transaction, "on_commit", lambda callback, *a, **k: callback())


@pytest.fixture
def admin(acme, make_user):
    return make_user(acme, "admin")


@pytest.fixture
def staff(acme, admin, client_for):
    return client_for(acme, admin)


def test_a_dropped_file_is_received_then_read_on_the_worker(acme_lines, staff):
    response = staff.post("/imports/deposit/upload/", {"file": _upload(), "feed_type": "", "flow": "acme"})
    assert response.status_code == 202
    body = response.json()
    assert body["feed_type"] == "rated" and body["file"] == RATED
    progress = staff.get(f"/imports/{body['id']}/progress/").json()  # tasks run in-process in tests
    assert progress["status"] == "done" and progress["finished"] and progress["rows"] == 126
    with in_schema(acme_lines):
        done = Import.objects.get(pk=body["id"])
        assert (done.source, done.flow, done.created_by.role) == ("upload", "ACME", "admin")
        assert Cdr.objects.count() == 126
        assert AuditEvent.objects.filter(action="feed_import.deposited", object_id=str(done.pk)).count() == 1


def test_the_plain_form_deposits_several_files_with_one_feed_type(acme_lines, staff):
    response = staff.post(
        "/imports/deposit/",
        {
            "documents": [_upload(), _upload("SIM_ACME_CMD-000042.csv")],
            "feed_type": "",
            "flow": "ACME",
            "customer": "C-FEED-1",
        },
    )
    assert response.status_code == 302
    page = staff.get(response["Location"])
    assert page.status_code == 200
    with in_schema(acme_lines):
        assert sorted(Import.objects.values_list("feed_type", "status")) == [
            ("rated", "done"),
            ("sim", "done"),
        ]
        assert set(Import.objects.values_list("customer__number", flat=True)) == {"C-FEED-1"}


def test_an_unknown_customer_number_is_refused_on_its_field(acme_lines, staff):
    response = staff.post("/imports/deposit/", {"documents": [_upload()], "customer": "C-NOPE"})
    assert response.status_code == 200
    assert "C-NOPE" in response.context["form"].errors["customer"][0]
    with in_schema(acme_lines):
        assert not Import.objects.exists()


def test_the_same_file_deposited_again_is_a_duplicate_at_once(acme_lines, staff):
    first = staff.post("/imports/deposit/upload/", {"file": _upload()}).json()
    second = staff.post("/imports/deposit/upload/", {"file": _upload()}).json()
    assert second["status"] == "duplicate" and str(first["id"]) in second["reason"]


def test_the_tracking_page_filters_and_the_import_page_shows_counts_rows_and_the_csv(acme_lines, staff):
    data = (SAMPLES / RATED).read_bytes().replace(b"VOICE_MO", b"VOICE_XX", 1)
    body = staff.post("/imports/deposit/upload/", {"file": _upload(data=data)}).json()
    with in_schema(acme_lines):
        import_file(path=SAMPLES / "SIM_ACME_CMD-000042.csv", source="command", by=None, now=NOW)
    listing = staff.get("/imports/", {"feed_type": "rated", "status": "done_with_rejections"})
    assert [i.pk for i in listing.context["page"]] == [body["id"]]
    assert not list(staff.get("/imports/", {"customer": "C-FEED-1"}).context["page"])
    page = staff.get(f"/imports/{body['id']}/")
    assert page.status_code == 200
    assert [(r.line, r.field) for r in page.context["page"]] == [(5, "EVENT_TYPE")]
    csv = staff.get(f"/imports/{body['id']}/rejected.csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "LINE;FIELD;REASON;RAW" and lines[1].startswith("5;EVENT_TYPE;")
    original = staff.get(f"/imports/{body['id']}/file/")
    assert original.content == data and RATED in original["Content-Disposition"]


def test_reprocess_reads_the_archived_file_again_without_doubling_cdrs(acme, staff, tmp_path):
    with in_schema(acme):
        make_lines(MOBILE_NUMBERS[:3])  # three of the six lines exist yet
        first = import_file(path=SAMPLES / RATED, source="command", by=None, now=NOW)
        waiting = first.unknown_line
        assert first.status == "done" and waiting
        make_lines(MOBILE_NUMBERS[3:])
    response = staff.post(f"/imports/{first.pk}/reprocess/", {"feed_type": ""})
    assert response.status_code == 302
    with in_schema(acme):
        again = Import.objects.get(pk=first.pk)
        assert (again.status, again.rows, again.imported, again.known) == ("done", 126, 0, 126)
        assert Cdr.objects.count() == 126 and not Cdr.objects.filter(unknown_line=True).exists()
        event = AuditEvent.objects.get(action="feed_import.reprocessed")
        assert event.changes["unknown_lines_rated"] == waiting


def test_a_rejected_file_is_reprocessed_under_the_feed_type_chosen(acme, tmp_path):
    path = tmp_path / "liste_sims.csv"
    path.write_bytes((SAMPLES / "SIM_ACME_CMD-000042.csv").read_bytes())
    with in_schema(acme):
        rejected = import_file(path=path, source="upload", by=None, now=NOW)
        assert rejected.status == ImportStatus.REJECTED and "matches no known" in rejected.reason
        done = import_reprocess(feed_import=rejected, by=None, now=NOW, feed_type="sim")
        assert (done.pk, done.status, done.imported) == (rejected.pk, "done", 12)


def test_a_duplicate_or_running_import_cannot_be_reprocessed(acme):
    with in_schema(acme):
        first = import_file(path=SAMPLES / "SIM_ACME_CMD-000042.csv", source="command", by=None, now=NOW)
        first.status = ImportStatus.PARSING
        first.save()
        with pytest.raises(Exception, match="still running"):
            import_reprocess(feed_import=first, by=None, now=NOW)


def test_a_sales_role_sees_the_imports_but_may_not_deposit_or_reprocess(acme_lines, make_user, client_for):
    sales = client_for(acme_lines, make_user(acme_lines, "sales"))
    assert sales.get("/imports/").status_code == 200
    assert sales.get("/imports/deposit/").status_code == 403
    assert sales.post("/imports/deposit/upload/", {"file": _upload()}).status_code == 403
    with in_schema(acme_lines):
        done = import_file(path=SAMPLES / RATED, source="command", by=None, now=NOW)
    assert sales.post(f"/imports/{done.pk}/reprocess/").status_code == 403
    page = sales.get(f"/imports/{done.pk}/")
    assert "ne permet pas" in page.content.decode() or "does not allow" in page.content.decode()


# --- API --------------------------------------------------------------------------------------
def test_the_api_takes_a_file_answers_202_and_reads_it(acme_lines, admin, api_for):
    api = api_for(acme_lines, admin)
    response = api.post("/api/v1/imports/", {"file": _upload(), "flow": "ACME"}, format="multipart")
    assert response.status_code == 202, response.content
    pk = response.json()["id"]
    detail = api.get(f"/api/v1/imports/{pk}/").json()
    assert (detail["status"], detail["rows"], detail["feed_type"]) == ("done", 126, "rated")
    assert api.get("/api/v1/imports/", {"status": "done"}).json()["count"] == 1
    assert api.get("/api/v1/imports/", {"status": "rejected"}).json()["count"] == 0
    assert api.get("/api/v1/imports/", {"received_from": "someday"}).status_code == 400
    rows = api.get(f"/api/v1/imports/{pk}/rejected-rows/").json()
    assert rows["count"] == 0
    assert api.get(f"/api/v1/imports/{pk}/file/").content == (SAMPLES / RATED).read_bytes()
    again = api.post(f"/api/v1/imports/{pk}/reprocess/", {}, format="json")
    assert again.status_code == 202


def test_the_api_lists_the_feed_folders_and_fetches_one_now(acme_lines, admin, api_for):
    api = api_for(acme_lines, admin)
    folders = api.get("/api/v1/feed-folders/").json()
    assert {f["key"]: f["paths"] for f in folders}["rated"] == ["RatedCDRs"]
    assert "rate_table" not in {f["key"] for f in folders}  # an integrator has no wholesale tables
    fetched = api.post("/api/v1/feed-folders/rated/fetch/")
    assert fetched.status_code == 202
    with in_schema(acme_lines):
        folder = FeedFolder.objects.get(key="rated")
        assert folder.last_error and folder.failures == 1  # acme has no feed access in this test


def test_the_api_schema_describes_the_import_routes(acme, admin, api_for):
    schema = api_for(acme, admin).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    paths = (
        json.loads(schema.content)["paths"] if schema["Content-Type"].startswith("application/json") else {}
    )
    text = schema.content.decode()
    for route in ("/api/v1/imports/", "/api/v1/imports/{id}/reprocess/", "/api/v1/feed-folders/{key}/fetch/"):
        assert route in paths or route in text


# --- Two tenants --------------------------------------------------------------------------------
def test_nova_never_reaches_acmes_imports(acme_lines, nova, admin, make_user, client_for, api_for):
    data = (SAMPLES / RATED).read_bytes().replace(b"VOICE_MO", b"VOICE_XX", 1)
    with in_schema(acme_lines):
        path = io.BytesIO(data)
        from cdr_import.services_deposits import import_deposit

        acme_import, _run = import_deposit(data=path, filename=RATED, by=None, now=NOW)
        assert RejectedRow.objects.count() == 0  # not run yet: received
    nova_admin = make_user(nova, "admin")
    nova_staff, nova_api = client_for(nova, nova_admin), api_for(nova, nova_admin)
    pk = acme_import.pk
    for url in (
        f"/imports/{pk}/",
        f"/imports/{pk}/file/",
        f"/imports/{pk}/rejected.csv",
        f"/imports/{pk}/progress/",
    ):
        assert nova_staff.get(url).status_code == 404, url
    assert nova_staff.post(f"/imports/{pk}/reprocess/").status_code in (302, 404)
    for url in (
        f"/api/v1/imports/{pk}/",
        f"/api/v1/imports/{pk}/file/",
        f"/api/v1/imports/{pk}/rejected-rows/",
    ):
        assert nova_api.get(url).status_code == 404, url
    assert nova_api.get(f"/api/v1/imports/{pk}/rejected-rows.csv").status_code == 404
    assert nova_api.post(f"/api/v1/imports/{pk}/reprocess/").status_code == 404
    assert nova_api.get("/api/v1/imports/").json()["count"] == 0
    assert acme_import.original_name not in nova_staff.get("/imports/").content.decode()
    # acme's own staff reach it
    acme_staff = client_for(acme_lines, admin)
    assert acme_staff.get(f"/imports/{pk}/file/").content == data
