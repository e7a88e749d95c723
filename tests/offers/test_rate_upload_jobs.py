"""Issue 9: a large rate-table upload (page or API) never holds a web worker. The request keeps
the file in the tenant's storage, creates a job and queues it; the worker reads the file through
the streaming reader with progress, applies it all or nothing, and the job page (or the jobs API)
shows the outcome: rows applied, or the faults (file, line, column, reason), their total and the
whole list as CSV."""

import io
import os
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from core.delimited import write_xlsx
from offers.models import Rate, RateTable, RateTableUpload
from tests.conftest import in_schema

HEADER = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"


def rate_csv(count: int, price: str = "0,15") -> bytes:
    rows = "\n".join(f"33{i:06d};Dest {i};FR;VOICE;HOME;{price};MIN;60;60;0;2026-10-01" for i in range(count))
    return f"{HEADER}\n{rows}\n".encode()


def _table(tenant, code: str = "BIG") -> RateTable:
    with in_schema(tenant):
        return RateTable.objects.create(code=code, label=f"Table {code}")


def _stored_files(tenant) -> list[str]:
    """The names of the rate files kept in the tenant's storage."""
    with in_schema(tenant):
        root = default_storage.path("rate_tables")
        return [name for _folder, _dirs, names in os.walk(root) for name in names]


def _run_queued(tenant, callbacks) -> None:
    """What the request's commit does: queue the task (run in-process in the tests)."""
    with in_schema(tenant):
        for callback in callbacks:
            callback()


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000)
def test_a_large_upload_on_the_page_is_stored_queued_and_followed_on_its_job_page(
    acme, make_user, client_for, django_capture_on_commit_callbacks
):
    from jobs.models import Job

    admin = make_user(acme, "admin")
    table = _table(acme)
    client = client_for(acme, admin)
    content = rate_csv(300)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/catalogue/rate-tables/{table.pk}/upload/", {"file": SimpleUploadedFile("big.csv", content)}
        )
    job_url = response["Location"]
    assert response.status_code == 302 and re.fullmatch(r"/jobs/\d+/", job_url)
    with in_schema(acme):
        # The request read nothing: no row yet, the job waits for the worker.
        job = Job.objects.get(pk=int(job_url.split("/")[2]))
        assert job.status == "queued" and job.kind == "offers.rate_table_import"
        assert "big.csv" in job.label and job.created_by == admin
        assert not Rate.objects.filter(table=table).exists() and len(callbacks) == 1
    _run_queued(acme, callbacks)
    with in_schema(acme):
        job.refresh_from_db()
        assert job.status == "done" and job.percent == 100 and job.result["rows"] == 300
        assert Rate.objects.filter(table=table).count() == 300
        upload = RateTableUpload.objects.get(table=table)
        # The file the request stored is the archive: not copied, not lost.
        assert upload.row_count == 300 and upload.file.name.startswith("rate_tables/")
        with default_storage.open(upload.file.name, "rb") as handle:
            assert handle.read() == content
    page = client.get(job_url).content.decode()
    assert "300" in page and f'href="/catalogue/rate-tables/{table.pk}/"' in page
    archived = client.get(f"/catalogue/rate-tables/{table.pk}/uploads/{upload.pk}/")
    assert archived.status_code == 200 and archived.content == content


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000, UPLOAD_ERRORS_SHOWN=5)
def test_a_large_refused_upload_shows_its_faults_on_the_job_page_with_the_whole_list(
    acme, make_user, client_for, django_capture_on_commit_callbacks
):
    from jobs.models import Job

    admin = make_user(acme, "admin")
    table = _table(acme, "BAD")
    client = client_for(acme, admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/catalogue/rate-tables/{table.pk}/upload/",
            {"file": SimpleUploadedFile("faulty.csv", rate_csv(40, price="abc"))},
        )
    assert any(name.endswith("faulty.csv") for name in _stored_files(acme))
    _run_queued(acme, callbacks)
    with in_schema(acme):
        job = Job.objects.get(pk=int(response["Location"].split("/")[2]))
        assert job.status == "failed" and "40" in job.message
        assert job.result["error_count"] == 40 and len(job.result["errors"]) == 5
        first = job.result["errors"][0]
        assert first["line"] == 2 and first["column"] == "PRICE" and "abc" in first["reason"]
        assert not Rate.objects.filter(table=table).exists()
        assert not RateTableUpload.objects.filter(table=table).exists()
    # Nothing applied, nothing kept: the stored file is gone with the refusal.
    assert not any(name.endswith("faulty.csv") for name in _stored_files(acme))
    body = client.get(response["Location"]).content.decode()
    assert "faulty.csv" in body and body.count("abc") >= 5
    assert 'data-testid="job-errors"' in body and "PRICE" in body
    link = body.split('data-testid="job-errors-csv"')[0].rsplit('href="', 1)[1].split('"')[0]
    whole = client.get(link)
    assert whole.status_code == 200 and whole.content.count(b"abc") == 40


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000)
def test_a_large_upload_through_the_api_answers_202_with_its_job(
    acme, make_user, api_for, django_capture_on_commit_callbacks
):
    admin = make_user(acme, "admin")
    table = _table(acme, "APIBIG")
    api = api_for(acme, admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            f"/api/v1/rate-tables/{table.pk}/upload/",
            {"file": SimpleUploadedFile("api.csv", rate_csv(120))},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job_id, url = response.json()["job"], response.json()["url"]
    assert url == f"/api/v1/jobs/{job_id}/"
    assert api.get(url).json()["status"] == "queued"
    _run_queued(acme, callbacks)
    job = api.get(url).json()
    assert job["status"] == "done" and job["result"]["rows"] == 120 and job["percent"] == 100


def test_a_small_file_is_still_applied_at_once(acme, make_user, api_for):
    table = _table(acme, "SMALL")
    response = api_for(acme, make_user(acme, "admin")).post(
        f"/api/v1/rate-tables/{table.pk}/upload/",
        {"file": SimpleUploadedFile("small.csv", rate_csv(3))},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["rows"] == 3


def test_a_workbook_goes_to_the_worker_by_its_unpacked_size_not_its_compressed_one():
    from offers.selectors import rate_file_goes_to_worker

    rows = [f"33{i};Dest;FR;VOICE;HOME;0,1;MIN;60;1;0;2026-10-01".split(";") for i in range(5000)]
    workbook = write_xlsx(HEADER.split(";"), rows)
    with override_settings(RATE_FILE_WORKER_FROM_BYTES=len(workbook) * 2):
        assert rate_file_goes_to_worker(upload=SimpleUploadedFile("packed.xlsx", workbook))
        # A truncated workbook is no large file: it is refused at once, in the request.
        assert not rate_file_goes_to_worker(upload=SimpleUploadedFile("cut.xlsx", workbook[:500]))
        assert not rate_file_goes_to_worker(upload=SimpleUploadedFile("small.csv", rate_csv(10)))


def test_the_worker_reports_its_progress_while_reading_then_applying(acme, monkeypatch):
    from jobs.models import Job
    from offers import tasks
    from offers.services import rate_table_import_queue

    seen: list[tuple[int, str]] = []
    real = tasks.job_progress
    monkeypatch.setattr(
        tasks,
        "job_progress",
        lambda **kwargs: (seen.append((kwargs["done"], kwargs["message"])), real(**kwargs)),
    )
    table = _table(acme, "PROG")
    with in_schema(acme):
        upload = SimpleUploadedFile("progress.csv", rate_csv(5000))
        job, stored = rate_table_import_queue(table=table, upload=upload, by=None, now=timezone.now())
        tasks.rate_table_import_run(job.pk, table.pk, stored, "progress.csv", None, "2026-10-01")
        assert Job.objects.get(pk=job.pk).status == "done"
    reading = [done for done, message in seen if "rows read" in message or "lignes lues" in message]
    assert len(reading) == 2 and 0 < reading[0] < reading[1] <= 90
    assert seen[-1][0] == 90 and "5000" in seen[-1][1]


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000)
def test_a_large_file_over_the_size_limit_is_refused_before_anything_is_stored(
    acme, make_user, client_for, monkeypatch
):
    from jobs.models import Job
    from offers import services

    monkeypatch.setattr(services, "RATE_FILE_MAX_BYTES", 5000)
    table = _table(acme, "HUGE")
    response = client_for(acme, make_user(acme, "admin")).post(
        f"/catalogue/rate-tables/{table.pk}/upload/", {"file": SimpleUploadedFile("huge.csv", rate_csv(200))}
    )
    assert response.status_code == 400 and "huge.csv" in response.content.decode()
    assert not any(name.endswith("huge.csv") for name in _stored_files(acme))
    with in_schema(acme):
        assert not Job.objects.filter(label__contains="huge.csv").exists()


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000)
def test_a_job_of_acme_is_not_reachable_from_nova(
    acme, nova, make_user, client_for, api_for, django_capture_on_commit_callbacks
):
    table = _table(acme, "ISO")
    with django_capture_on_commit_callbacks():
        response = api_for(acme, make_user(acme, "admin")).post(
            f"/api/v1/rate-tables/{table.pk}/upload/",
            {"file": SimpleUploadedFile("iso.csv", rate_csv(60))},
            format="multipart",
        )
    job_id = response.json()["job"]
    nova_admin = make_user(nova, "admin")
    # Jobs live in each tenant's schema: the same id on nova is nova's job or none.
    page = client_for(nova, nova_admin).get(f"/jobs/{job_id}/")
    assert page.status_code == 404 or "iso.csv" not in page.content.decode()
    api = api_for(nova, nova_admin).get(f"/api/v1/jobs/{job_id}/")
    assert api.status_code == 404 or "iso.csv" not in api.content.decode()
    assert client_for(acme, make_user(acme, "admin")).get(f"/jobs/{job_id}/").status_code == 200


def test_the_stream_size_of_a_file_object_is_its_length():
    from offers.services import _stream_size

    data = io.BytesIO(b"x" * 123)
    data.read(10)
    assert _stream_size(data) == 123 and data.tell() == 10


pytestmark = pytest.mark.django_db


@override_settings(RATE_FILE_WORKER_FROM_BYTES=1000)
def test_a_long_or_odd_file_name_is_archived_and_shown_as_given(
    acme, make_user, client_for, django_capture_on_commit_callbacks
):
    from jobs.models import Job

    table = _table(acme, "LONG")
    name = "tarifs été " + "x" * 280 + ".csv"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(acme, make_user(acme, "admin")).post(
            f"/catalogue/rate-tables/{table.pk}/upload/", {"file": SimpleUploadedFile(name, rate_csv(50))}
        )
    _run_queued(acme, callbacks)
    with in_schema(acme):
        job = Job.objects.get(pk=int(response["Location"].split("/")[2]))
        assert job.status == "done", job.message
        upload = RateTableUpload.objects.get(table=table)
        # (Django keeps at most 255 characters of a name, its extension included.)
        assert upload.filename.startswith("tarifs été xxx") and upload.filename.endswith(".csv")
        assert len(upload.file.name) <= 100 and default_storage.exists(upload.file.name)
