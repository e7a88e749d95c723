"""Issue 12: a tenant's own reading profiles of CDR files (encoding, separator, decimal mark,
trailer, column names), chosen per feed type and flow; pages, API, "try on a file", audit,
reprocessing after a profile is created, two-tenant isolation; the usage settings page and API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from cdr_import.models import Cdr, ReadingProfile
from cdr_import.services import import_file
from cdr_import.services_deposits import import_reprocess
from cdr_import.services_profiles import reading_profile_create, reading_profile_try
from core.errors import ApplicationError
from tests.cdr_import.conftest import NOW
from tests.conftest import in_schema

NAME = "RatedCDRs_MOBILE_ACME_20261002120000.csv"
# Another operator's layout: French column names, Windows-1252, decimal comma, a "FIN" trailer.
OTHER_HEADER = "IDENTIFIANT;TYPE;NUMERO;DEBUT;DUREE;VOLUME;APPELE;PAYS;COUT;LIBELLÉ"
OTHER_ROWS = [
    "F1;VOICE_MO;33750001000;2026-10-02 10:00:00;60;0;33612345678;;0,0123;Médiathèque",
    "F2;SMS_MO;33750001001;2026-10-02 10:05:00;0;0;33612345678;;0,01;Réseau",
    "F3;DATA;33750001002;2026-10-02 10:10:00;0;1048576;;;0,002;Données",
    "F4;VOICE_MO;33750001000;pas une date;60;0;33612345678;;0,01;Erreur",
]
COLUMNS = {
    "CDR_ID": "IDENTIFIANT",
    "EVENT_TYPE": "TYPE",
    "MSISDN": "NUMERO",
    "START_TIME": "DEBUT",
    "DURATION_S": "DUREE",
    "VOLUME_BYTES": "VOLUME",
    "CALLED_NUMBER": "APPELE",
    "ROAMING_COUNTRY": "PAYS",
    "WHOLESALE_COST": "COUT",
    "DESTINATION_LABEL": "LIBELLÉ",
}
VALUES = {
    "code": "acme-fr",
    "label": "Opérateur français",
    "feed_type": "rated",
    "flow": "acme",
    "encoding": "cp1252",
    "delimiter": ";",
    "decimal_mark": ",",
    "trailer": "checked",
    "trailer_label": "FIN",
    "column_names": COLUMNS,
}


def other_layout(rows: list[str] = OTHER_ROWS) -> bytes:
    return "\r\n".join([OTHER_HEADER, *rows, f"FIN;{len(rows)}", ""]).encode("cp1252")


@pytest.fixture
def admin(acme, make_user):
    return make_user(acme, "admin")


def test_a_file_rejected_under_the_default_profile_is_done_once_the_tenant_profile_exists(
    acme_lines, tmp_path
):
    path = tmp_path / NAME
    path.write_bytes(other_layout())
    with in_schema(acme_lines):
        rejected = import_file(path=path, source="feed", by=None, now=NOW)
        assert rejected.status == "rejected" and rejected.profile == "origyne-v1"
        assert "CDR_ID" in rejected.reason and "required column missing" in rejected.reason
        profile = reading_profile_create(values=VALUES, by=None)
        assert profile.flow == "ACME"
        done = import_reprocess(feed_import=rejected, by=None, now=NOW)
        assert (done.pk, done.status, done.profile) == (rejected.pk, "done_with_rejections", "acme-fr")
        assert (done.rows, done.imported, done.rejected) == (4, 3, 1)
        row = done.rejected_rows.get()
        assert (row.line, row.field) == (5, "START_TIME") and "pas une date" in row.reason
        cdr = Cdr.objects.get(cdr_id="F1")
        assert cdr.destination_label == "Médiathèque" and str(cdr.wholesale_cost) == "0.012300"
        assert cdr.mobile_line_id is not None and cdr.rating_status != "pending"
        assert AuditEvent.objects.filter(action="reading_profile.created").count() == 1


def test_the_profile_checks_its_trailer_and_applies_only_to_its_type_and_flow(acme_lines, tmp_path):
    with in_schema(acme_lines):
        reading_profile_create(values=VALUES, by=None)
        truncated = tmp_path / NAME
        truncated.write_bytes(other_layout()[: -len("FIN;4\r\n")] + b"FIN;9\r\n")
        imp = import_file(path=truncated, source="feed", by=None, now=NOW)
        assert imp.status == "rejected" and "truncated" in imp.reason and imp.profile == "acme-fr"
        # Another flow's file keeps the built-in profile.
        other = tmp_path / "RatedCDRs_MOBILE_NOVA_20261002120000.csv"
        other.write_bytes(other_layout(OTHER_ROWS[:1]))
        assert import_file(path=other, source="feed", by=None, now=NOW).profile == "origyne-v1"
        # Ignored trailer: a wrong count is accepted.
        ReadingProfile.objects.filter(code="acme-fr").update(trailer="ignored")
        again = tmp_path / "RatedCDRs_MOBILE_ACME_20261003120000.csv"
        again.write_bytes(other_layout(OTHER_ROWS[:2])[: -len("FIN;2\r\n")] + b"FIN;7\r\n")
        assert import_file(path=again, source="feed", by=None, now=NOW).status == "done"


def test_every_fault_of_a_profile_is_said_at_once_on_its_field(acme):
    with in_schema(acme):
        reading_profile_create(values=VALUES, by=None)
        with pytest.raises(ApplicationError) as refused:
            reading_profile_create(
                values={
                    **VALUES,
                    "code": "origyne-v1",
                    "label": "",
                    "encoding": "ebcdic",
                    "trailer_label": "",
                    "column_names": {"CDR_ID": "NUMERO", "MSISDN": "NUMERO", "NOPE": "x"},
                },
                by=None,
            )
    fields = {name for name, _message in refused.value.field_errors}
    assert {"code", "label", "encoding", "trailer_label", "flow", "column_names"} <= fields
    assert "column_names.MSISDN" in fields


def test_try_on_a_file_shows_the_rows_read_or_the_exact_faults(acme):
    with in_schema(acme):
        profile = reading_profile_create(values=VALUES, by=None)
        trial = reading_profile_try(profile=profile, data=other_layout(), filename=NAME)
        assert trial.ok and len(trial.rows) == 3 and trial.columns[0] == "IDENTIFIANT"
        assert [(e.line, e.column) for e in trial.errors] == [(5, "START_TIME")]
        bad = reading_profile_try(profile=profile, data=b"A;B\n1;2\n", filename="x.csv")
        assert not bad.ok and {e.column for e in bad.file_errors} >= {"IDENTIFIANT", "COUT"}


def test_the_pages_create_edit_and_try_a_profile(acme, admin, client_for):
    staff = client_for(acme, admin)
    assert staff.get("/imports/profiles/").status_code == 200
    form = {k: v for k, v in VALUES.items() if k != "column_names"}
    form |= {f"column_names.{k}": v for k, v in COLUMNS.items()}
    answer = staff.post("/imports/profiles/new/", {**form, "label": "", "trailer_label": ""})
    body = answer.content.decode()
    assert answer.status_code == 200 and body.count('class="field-error"') >= 2  # every error at once
    answer = staff.post("/imports/profiles/new/", form)
    assert answer.status_code == 302
    with in_schema(acme):
        profile = ReadingProfile.objects.get(code="acme-fr")
        assert profile.column_names["CDR_ID"] == "IDENTIFIANT"
    page = staff.get(f"/imports/profiles/{profile.pk}/").content.decode()
    assert "IDENTIFIANT" in page and "Opérateur français" in page
    assert staff.post(f"/imports/profiles/{profile.pk}/", {**form, "flow": "NOVA"}).status_code == 302
    tried = staff.post(
        f"/imports/profiles/{profile.pk}/try/", {"file": SimpleUploadedFile(NAME, other_layout())}
    )
    page = tried.content.decode()
    assert tried.status_code == 200 and 'data-testid="profile-try-rows"' in page and "F2" in page
    assert "0,0123" in page and "pas une date" in page
    refused = staff.post(
        f"/imports/profiles/{profile.pk}/try/", {"file": SimpleUploadedFile(NAME, b"\x00\x01")}
    )
    assert refused.status_code == 400 and 'class="message error"' in refused.content.decode()
    with in_schema(acme):
        assert AuditEvent.objects.filter(action="reading_profile.updated").count() == 1


def test_the_api_creates_changes_and_tries_a_profile(acme, admin, api_for):
    api = api_for(acme, admin)
    created = api.post("/api/v1/reading-profiles/", VALUES, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = api.post("/api/v1/reading-profiles/", {**VALUES, "label": ""}, format="json")
    assert refused.status_code == 400
    changed = api.patch(f"/api/v1/reading-profiles/{pk}/", {"trailer": "none"}, format="json")
    assert changed.status_code == 200 and changed.json()["trailer"] == "none"
    tried = api.post(
        f"/api/v1/reading-profiles/{pk}/try/",
        {"file": SimpleUploadedFile(NAME, other_layout(OTHER_ROWS[:2])), "feed_type": "rated"},
        format="multipart",
    )
    # No trailer expected now: the "FIN" line is read as a row, and refused with its reason.
    assert tried.status_code == 200 and len(tried.json()["rows"]) == 2 and tried.json()["errors"]
    assert api.get("/api/v1/reading-profiles/").json()["count"] == 1
    schema = api.get("/api/v1/schema/").content.decode()
    assert "/api/v1/reading-profiles/{id}/try/" in schema and "/api/v1/usage-settings/" in schema


def test_nova_never_reaches_acmes_profiles(acme, nova, admin, make_user, client_for, api_for):
    with in_schema(acme):
        profile = reading_profile_create(values=VALUES, by=None)
    nova_admin = make_user(nova, "admin")
    nova_staff, nova_api = client_for(nova, nova_admin), api_for(nova, nova_admin)
    pk = profile.pk
    assert nova_staff.get(f"/imports/profiles/{pk}/").status_code == 404
    assert (
        nova_staff.post(
            f"/imports/profiles/{pk}/try/", {"file": SimpleUploadedFile(NAME, other_layout())}
        ).status_code
        == 404
    )
    assert "acme-fr" not in nova_staff.get("/imports/profiles/").content.decode()
    assert nova_api.get(f"/api/v1/reading-profiles/{pk}/").status_code == 404
    assert nova_api.patch(f"/api/v1/reading-profiles/{pk}/", {"label": "x"}, format="json").status_code == 404
    assert nova_api.get("/api/v1/reading-profiles/").json()["count"] == 0
    with in_schema(nova):
        assert not ReadingProfile.objects.exists()


def test_the_usage_settings_page_and_api_take_french_amounts_and_are_audited(
    acme, admin, client_for, api_for
):
    staff = client_for(acme, admin)
    page = staff.get("/imports/usage-settings/").content.decode()
    assert "50,00" in page
    refused = staff.post(
        "/imports/usage-settings/",
        {"roaming_data_cap": "-1", "prepaid_vat_rate": "120", "alerts_enabled": "on"},
    )
    assert refused.status_code == 200 and refused.content.decode().count('class="field-error"') == 2
    saved = staff.post(
        "/imports/usage-settings/", {"roaming_data_cap": "1 250,50", "prepaid_vat_rate": "5,5"}
    )
    assert saved.status_code == 302
    assert "1 250,50" in staff.get("/imports/usage-settings/").content.decode().replace(
        "\u202f", " "
    ).replace("\xa0", " ")
    api = api_for(acme, admin)
    got = api.get("/api/v1/usage-settings/").json()
    assert got == {"roaming_data_cap": "1250.50", "prepaid_vat_rate": "5.50", "alerts_enabled": False}
    assert api.patch("/api/v1/usage-settings/", {"alerts_enabled": True}, format="json").json()[
        "alerts_enabled"
    ]
    assert api.patch("/api/v1/usage-settings/", {"prepaid_vat_rate": "150"}, format="json").status_code == 400
    with in_schema(acme):
        assert AuditEvent.objects.filter(action="usage_settings.updated").count() == 2


def test_a_deposit_may_name_the_profile_and_an_unknown_one_is_refused(acme, admin, api_for):
    with in_schema(acme):
        reading_profile_create(values={**VALUES, "flow": "", "feed_type": ""}, by=None)
    api = api_for(acme, admin)
    sent = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("cdrs-autre-operateur.csv", other_layout()),
            "feed_type": "rated",
            "profile": "acme-fr",
        },
        format="multipart",
    )
    assert sent.status_code == 202 and sent.json()["profile"] == "acme-fr"
    refused = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("x.csv", b"a;b\n"), "feed_type": "rated", "profile": "nope"},
        format="multipart",
    )
    assert refused.status_code == 400
