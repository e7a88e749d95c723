"""Issue 9: hostile files sent to every upload endpoint (hypothesis) never end in a server error,
and each is answered with a clear message: a refusal naming what is wrong, a form error on its
field, or — for a file the worker reads — a job that ends with its outcome.

The endpoints are every view reading `request.FILES` or a form/serializer `FileField`:
rate tables (page and API), branding images (page and API), the platform's tenant documents
(onboarding steps) and the SIM listing (page and API). `test_every_upload_endpoint_is_fuzzed`
fails when a new one appears in the code without being added here.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.delimited import write_xlsx
from tests.conftest import in_schema

RATE_HEADER = (
    "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;"
    "CONNECTION_FEE;VALID_FROM"
)
RATE_ROW = "336;Mobile France;FR_MOBILE;VOICE;HOME;0,15;MIN;60;1;0,12;2026-10-01"
SIM_HEADER = "ICCID;IMSI;MSISDN;PIN;PUK;PROFILE"
SIM_ROW = "8933150000000000001;208150000000001;33600000001;1234;12345678;STD"
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x","y")', "\t=1"]


# --- Hostile files ------------------------------------------------------------------------------
def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    return write_xlsx(header, rows)


def _raw_xlsx_with_formulas(cells: list[str]) -> bytes:
    """A workbook whose cells are real formulas (the shared writer would make them inert)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(RATE_HEADER.split(";"))
    sheet.append([*cells, *RATE_ROW.split(";")[len(cells) :]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_bomb(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b"0" * size + b"</row>")
    return out.getvalue()


def _image(kind: str, width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1" if kind == "PNG" else "RGB", (width, height)).save(out, kind)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG header announcing a huge image (a decompression bomb), with no pixel data."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    )


def _text(header: str, row: str) -> st.SearchStrategy[bytes]:
    body = f"{header}\n{row}\n"
    return st.one_of(
        # NUL bytes somewhere in an otherwise sound file
        st.integers(0, len(body)).map(lambda at: (body[:at] + "\x00" + body[at:]).encode()),
        # a quoted field longer than the csv module's limit, or a very long line
        st.sampled_from([140_000, 300_000]).map(lambda n: f'{header}\n336;"{"x" * n}\n'.encode()),
        st.sampled_from([200_000, 1_000_000]).map(lambda n: f"{header}\n{'9' * n}\n".encode()),
        # wrong encodings
        st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"]).map(
            lambda enc: body.replace("Mobile", "Réunion ½ €").encode(enc, errors="replace")
        ),
        st.binary(min_size=1, max_size=40).map(lambda junk: header.encode() + b"\n" + junk + b"\xff\xfe\xc3"),
        # formula cells
        st.sampled_from(FORMULAS).map(lambda f: f"{header}\n{f};{row}\n".encode()),
        # a header only, an empty file, a lone trailer
        st.just(f"{header}\n".encode()),
        st.just(b""),
        st.just(b"TRAILER;5\n"),
    )


def _workbooks(header: str, row: str) -> st.SearchStrategy[bytes]:
    sound = _xlsx(header.split(";"), [row.split(";")] * 3)
    return st.one_of(
        # truncated or damaged workbooks
        st.integers(1, len(sound) - 1).map(lambda at: sound[:at]),
        st.integers(30, len(sound) - 1).map(lambda at: sound[:at] + b"\x00" * 16 + sound[at + 16 :]),
        # zip bombs within the upload size, over and under the unpack limits
        st.sampled_from([2_000_000, 5_000_000, 500_000]).map(_zip_bomb),
        # a zip that is no workbook
        st.just(_zip_bomb(10)),
        # formula cells stored as formulas
        st.sampled_from(FORMULAS).map(lambda f: _raw_xlsx_with_formulas([f])),
    )


def _images() -> st.SearchStrategy[bytes]:
    png = _image("PNG", 95, 95)
    return st.one_of(
        st.integers(1, len(png) - 1).map(lambda at: png[:at]),
        st.tuples(st.integers(1, 70_000), st.integers(1, 70_000)).map(lambda wh: _png_claiming(*wh)),
        st.sampled_from([(4001, 10), (5000, 5000)]).map(lambda wh: _image("PNG", *wh)),
        st.just(_image("GIF", 10, 10)),
        st.just(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        st.just(b"GIF89a" + b"\x00" * 20),
    )


def sound_files(header: str = RATE_HEADER, row: str = RATE_ROW) -> list[bytes]:
    """Files an endpoint may accept: their odd names must not break the success path either."""
    rows = "\n".join(row.replace("336", f"3{i:04d}", 1).replace("00000", f"{i:05d}", 1) for i in range(400))
    return [
        f"{header}\n{row}\n".encode(),
        f"{header}\n{rows}\n".encode(),  # past the worker threshold set below
        _xlsx(header.split(";"), [row.split(";")]),
        _image("PNG", 95, 95),
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ]


def hostile_files(header: str = RATE_HEADER, row: str = RATE_ROW) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(sound_files(header, row)),
        st.binary(max_size=3000),
        _text(header, row),
        _workbooks(header, row),
        _images(),
    )


NAMES = ["rates.csv", "rates.xlsx", "logo.png", "doc.pdf", "sims.csv", "sims.xlsx"]
ODD_NAMES = [
    "../../etc/passwd.csv",
    'a"b\r\nSet-Cookie: x=1.xlsx',
    "été ½.csv",
    "x" * 300 + ".csv",
    ".xlsx",
    "noextension",
    "C:\\Windows\\win.ini.pdf",
    "%00.png",
]
HOSTILE_NAMES = st.sampled_from(NAMES + ODD_NAMES)


# --- What a clear answer is --------------------------------------------------------------------
CLEAR_ON_PAGE = re.compile(
    r'class="(?:field-error|message error)"[^>]*>\s*[^<\s]|data-testid="upload-refused"[^>]*>\s*[^<\s]'
)


def _page_is_clear(client: Client, response: Any, tenant: Any, callbacks: list[Callable[[], Any]]) -> str:
    """'' when the answer of a page is clear, else what is wrong with it."""
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code == 302:
        target = response["Location"]
        if re.fullmatch(r"/jobs/\d+/", target):
            return _job_is_clear(tenant, int(target.split("/")[2]), callbacks)
        follow = client.get(target)
        body = follow.content.decode()
        return "" if follow.status_code == 200 and 'class="message' in body else f"no message at {target}"
    body = response.content.decode()
    return "" if CLEAR_ON_PAGE.search(body) else f"{response.status_code} without a message on the page"


def _job_is_clear(tenant: Any, job_id: int, callbacks: list[Callable[[], Any]]) -> str:
    """Run what the request queued (the worker, in-process): the job ends with its outcome."""
    from jobs.models import Job

    with in_schema(tenant):
        for callback in callbacks:
            callback()
        callbacks.clear()
        job = Job.objects.get(pk=job_id)
    if job.status not in ("done", "failed") or not job.message:
        return f"job {job.status} without a message"
    if job.status == "failed" and not job.result.get("errors") and "file" not in job.result:
        return f"job failed without saying why: {job.message}"
    return ""


def _api_is_clear(response: Any) -> str:
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code < 400:
        return ""
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} without a JSON body"
    text = body.get("detail") if isinstance(body, dict) else None
    fields = body if isinstance(body, dict) else {}
    if text or any(isinstance(v, list) and v for v in fields.values()):
        return ""
    return f"{response.status_code} without a message: {body}"


# --- The endpoints ------------------------------------------------------------------------------
def _fuzz(files: st.SearchStrategy[bytes], send: Callable[[str, bytes], str], sound: list[bytes]) -> None:
    failures: list[str] = []

    def record(name: str, content: bytes) -> None:
        problem = send(name, content)
        if problem:
            failures.append(f"{name[:40]!r} ({len(content)} bytes, {content[:24]!r}…): {problem}")

    # Every odd name with every sound file (the success paths store and show the name)…
    for name in ODD_NAMES:
        for content in sound:
            record(name, content)

    # …then hostile contents under any name.
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(name=HOSTILE_NAMES, content=files)
    def check(name: str, content: bytes) -> None:
        record(name, content)

    check()
    assert failures == []


@pytest.fixture
def rate_table(acme: Any) -> Any:
    from offers.models import RateTable

    with in_schema(acme):
        return RateTable.objects.create(code="HOSTILE", label="Hostile")


@pytest.fixture
def small_worker_threshold(settings: Any) -> None:
    # Big enough hostile files then go through the worker's path too.
    settings.RATE_FILE_WORKER_FROM_BYTES = 20_000


def test_rate_table_upload_page(
    acme, rate_table, make_user, client_for, django_capture_on_commit_callbacks, small_worker_threshold
):
    client = client_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(
                f"/catalogue/rate-tables/{rate_table.pk}/upload/", {"file": SimpleUploadedFile(name, content)}
            )
        return _page_is_clear(client, response, acme, callbacks)

    _fuzz(hostile_files(), send, sound_files())


def test_rate_table_upload_api(
    acme, rate_table, make_user, api_for, django_capture_on_commit_callbacks, small_worker_threshold
):
    api = api_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        with django_capture_on_commit_callbacks() as callbacks:
            response = api.post(
                f"/api/v1/rate-tables/{rate_table.pk}/upload/",
                {"file": SimpleUploadedFile(name, content)},
                format="multipart",
            )
        if response.status_code == 202:
            return _job_is_clear(acme, response.json()["job"], callbacks)
        return _api_is_clear(response)

    _fuzz(hostile_files(), send, sound_files())


@pytest.mark.parametrize("field", ["logo", "banner"])
def test_branding_page(acme, make_user, client_for, field):
    client = client_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = client.post(
            "/settings/branding/",
            {"primary_color": "#1d4ed8", "ink_color": "#ffffff", field: SimpleUploadedFile(name, content)},
        )
        return _page_is_clear(client, response, acme, [])

    _fuzz(hostile_files(), send, sound_files())


@pytest.mark.parametrize("field", ["logo", "banner"])
def test_branding_api(acme, make_user, api_for, field):
    api = api_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = api.put(
            "/api/v1/settings/branding/",
            {"primary_color": "#1d4ed8", "ink_color": "#ffffff", field: SimpleUploadedFile(name, content)},
            format="multipart",
        )
        return _api_is_clear(response)

    _fuzz(hostile_files(), send, sound_files())


def test_tenant_onboarding_documents_page(acme, platform, make_user, client_for):
    from tenants.models import OnboardingStep

    client = client_for(platform, make_user(platform, "platform_admin"))
    step = OnboardingStep.objects.filter(tenant=acme).first()

    def send(name: str, content: bytes) -> str:
        response = client.post(
            f"/tenants/{acme.pk}/documents/",
            {
                "file": SimpleUploadedFile(name, content),
                "title": name[:200],
                "kind": "other",
                "step": step.pk if step is not None else "",
            },
        )
        return _page_is_clear(client, response, platform, [])

    _fuzz(hostile_files(), send, sound_files())


def test_sim_listing_page(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = client.post("/lines/sims/import/", {"file": SimpleUploadedFile(name, content)})
        return _page_is_clear(client, response, acme, [])

    _fuzz(hostile_files(SIM_HEADER, SIM_ROW), send, sound_files(SIM_HEADER, SIM_ROW))


def test_sim_listing_api(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = api.post(
            "/api/v1/sims/import/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        return _api_is_clear(response)

    _fuzz(hostile_files(SIM_HEADER, SIM_ROW), send, sound_files(SIM_HEADER, SIM_ROW))


CDR_HEADER = (
    "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;"
    "DESTINATION_LABEL;APN;WHOLESALE_COST"
)
CDR_ROW = "ORG-M-1;VOICE_MO;33750001002;208159000000002;2026-10-01 12:02:33;177;0;33800123456;;;;0,0295"


def _deposit_ran_clearly(tenant: Any, answer: dict[str, Any]) -> str:
    """A deposited file is run through the whole pipeline (as the worker does): it must end
    finished, and a refused file must say why."""
    from cdr_import.models import Import
    from cdr_import.services_deposits import import_run

    with in_schema(tenant):
        feed_import = Import.objects.get(pk=answer["id"])
        try:
            done = import_run(feed_import=feed_import, by=None, now=timezone.now())
        except Exception as exc:  # noqa: BLE001 (the point of the test)
            return f"the pipeline crashed: {exc!r}"
        if not done.is_finished:
            return f"left {done.status}"
        if done.status == "rejected" and not done.reason:
            return "rejected without a reason"
    return ""


def test_feed_deposit_page(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = client.post(
            "/imports/deposit/upload/", {"file": SimpleUploadedFile(name, content), "feed_type": "rated"}
        )
        if response.status_code == 400:
            errors = response.json().get("errors") or {}
            return "" if errors and all(errors.values()) else f"400 without a message: {errors}"
        if response.status_code != 202:
            return f"status {response.status_code}"
        return _deposit_ran_clearly(acme, response.json())

    _fuzz(hostile_files(CDR_HEADER, CDR_ROW), send, sound_files(CDR_HEADER, CDR_ROW))


def test_feed_deposit_api(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = api.post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile(name, content), "feed_type": "rated"},
            format="multipart",
        )
        if response.status_code == 202:
            return _deposit_ran_clearly(acme, response.json())
        return _api_is_clear(response)

    _fuzz(hostile_files(CDR_HEADER, CDR_ROW), send, sound_files(CDR_HEADER, CDR_ROW))


def _reading_profile(tenant: Any) -> int:
    from cdr_import.services_profiles import reading_profile_create

    with in_schema(tenant):
        return reading_profile_create(
            values={"code": "fuzz", "label": "Fuzz", "encoding": "cp1252", "trailer": "ignored"}, by=None
        ).pk


def test_reading_profile_try_page(acme, make_user, client_for):
    """ "Try on a file" reads the first rows of any sample: the rows, or the faults said on the page."""
    client = client_for(acme, make_user(acme, "admin"))
    pk = _reading_profile(acme)

    def send(name: str, content: bytes) -> str:
        response = client.post(f"/imports/profiles/{pk}/try/", {"file": SimpleUploadedFile(name, content)})
        if response.status_code == 200 and 'data-testid="profile-try-result"' in response.content.decode():
            return ""
        return _page_is_clear(client, response, acme, [])

    _fuzz(hostile_files(CDR_HEADER, CDR_ROW), send, sound_files(CDR_HEADER, CDR_ROW))


def test_reading_profile_try_api(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))
    pk = _reading_profile(acme)

    def send(name: str, content: bytes) -> str:
        response = api.post(
            f"/api/v1/reading-profiles/{pk}/try/",
            {"file": SimpleUploadedFile(name, content)},
            format="multipart",
        )
        if (
            response.status_code == 400
            and isinstance(response.json(), dict)
            and response.json().get("file_errors")
        ):
            return ""
        return _api_is_clear(response)

    _fuzz(hostile_files(CDR_HEADER, CDR_ROW), send, sound_files(CDR_HEADER, CDR_ROW))


PAIN002 = (
    b'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
    b"<CstmrPmtStsRpt><GrpHdr><MsgId>R1</MsgId><CreDtTm>2027-02-20T10:00:00</CreDtTm></GrpHdr>"
    b"<OrgnlGrpInfAndSts><OrgnlMsgId>X</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>"
    b"</OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"
)
XML_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&c;&x;</Document>'
)


def test_sepa_return_file_page(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = client.post("/billing/sepa/returns/", {"file": SimpleUploadedFile(name, content)})
        return _page_is_clear(client, response, acme, [])

    _fuzz(
        st.one_of(
            hostile_files(), st.just(XML_BOMB), st.binary(max_size=2000).map(lambda b: PAIN002[:200] + b)
        ),
        send,
        [PAIN002],
    )


def _bounce_reports() -> st.SearchStrategy[bytes]:
    from tests.billing.test_bounces import dsn

    report = dsn("<invoice-email.acme.1.00@ism.localhost>", "client@example.com")
    return st.one_of(
        hostile_files(),
        st.just(report),
        st.binary(max_size=2000).map(lambda b: report[:300] + b),  # a report cut and followed by noise
        st.binary(max_size=2000).map(lambda b: b"Content-Type: multipart/report; boundary=x\n\n--x\n" + b),
    )


def test_bounce_upload_page(acme, make_user, client_for):
    from billing.models import BillingRun, InvoiceMailing

    client = client_for(acme, make_user(acme, "admin"))
    with in_schema(acme):
        run = BillingRun.objects.create(
            period="2027-01", period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 1, 31),
            status="finalized", created_at=timezone.now(),
        )  # fmt: skip
        mailing = InvoiceMailing.objects.create(run=run, created_at=timezone.now())

    def send(name: str, content: bytes) -> str:
        response = client.post(
            f"/billing/mailings/{mailing.pk}/bounces/", {"files": SimpleUploadedFile(name, content)}
        )
        return _page_is_clear(client, response, acme, [])

    _fuzz(_bounce_reports(), send, [b"x"])


def test_bounce_upload_api(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))

    def send(name: str, content: bytes) -> str:
        response = api.post(
            "/api/v1/email-bounces/", {"files": SimpleUploadedFile(name, content)}, format="multipart"
        )
        return _api_is_clear(response)

    _fuzz(_bounce_reports(), send, [b"x"])


# Where the code reads uploads, and the test above that fuzzes each place.
FUZZED = {
    "offers/views.py": "test_rate_table_upload_page",
    "offers/api.py": "test_rate_table_upload_api",
    "tenants/settings/views.py": "test_branding_page",
    "tenants/settings/api.py": "test_branding_api",
    "tenants/platform/views.py": "test_tenant_onboarding_documents_page",
    "provisioning/views.py": "test_sim_listing_page",
    "provisioning/api.py": "test_sim_listing_api",
    "cdr_import/views.py": "test_feed_deposit_page",
    "cdr_import/api.py": "test_feed_deposit_api",
    "billing/views_collection.py": "test_sepa_return_file_page",
    "cdr_import/views_profiles.py": "test_reading_profile_try_page",
    "cdr_import/api_profiles.py": "test_reading_profile_try_api",
    "billing/views_bounces.py": "test_bounce_upload_page",
    "billing/api_bounces.py": "test_bounce_upload_api",
}
UPLOAD_MARKS = re.compile(r"request\.FILES|forms\.FileField\(|serializers\.FileField\(|forms\.ImageField\(")


def test_every_upload_endpoint_is_fuzzed():
    root = Path(django_settings.BASE_DIR)
    readers: set[str] = set()
    for path in root.glob("*/**/*.py"):
        parts = set(path.relative_to(root).parts)
        if {".venv", "node_modules", "tests", "migrations"} & parts:
            continue
        if UPLOAD_MARKS.search(path.read_text()):
            readers.add(str(path.relative_to(root)))
    # A form module is fuzzed through the view that uses it.
    forms = {
        "offers/forms.py",
        "tenants/settings/forms.py",
        "tenants/platform/forms.py",
        "provisioning/forms.py",
        "cdr_import/forms.py",
        "cdr_import/forms_profiles.py",
    }
    assert readers - forms - set(FUZZED) == set(), "upload endpoints not fuzzed here"
    assert all(name in globals() for name in FUZZED.values())
