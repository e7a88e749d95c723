"""The deposit console in Chromium: two files dropped on the zone reach "Terminé"."""

import uuid

import pytest
from django.db import connection

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser

HEADER = (
    "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;"
    "DESTINATION_LABEL;APN;WHOLESALE_COST"
)


def _rated(prefix: str, count: int) -> str:
    rows = [
        f"{prefix}-{i};VOICE_MO;33799{i:06d};;2026-10-0{1 + i % 8} 10:00:00;60;0;33612345678;;MOBILE FRANCE;;0,0100"
        for i in range(count)
    ]
    return "\r\n".join([HEADER, *rows, f"TRAILER;{count}"]) + "\r\n"


def test_two_files_dropped_on_the_deposit_console_reach_done(committed_db, page, site_url):
    from accounts.models import User
    from cdr_import.models import Import
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    suffix = uuid.uuid4().hex[:8].upper()
    username = f"deposit-{suffix.lower()}"
    with in_schema(acme):
        user = User(username=username, role="support")
        user.set_password(PASSWORD)
        user.save()
    names = [f"RatedCDRs_MOBILE_ACME_2026100{n}120000.csv" for n in (1, 2)]
    files = [{"name": name, "text": _rated(f"BROWSER-{suffix}-{n}", 3 + n)} for n, name in enumerate(names)]
    try:
        page.goto(site_url("acme.localhost", "/imports/deposit/"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Dépôt de fichiers')")
        page.evaluate(
            """(files) => {
                const transfer = new DataTransfer();
                for (const f of files) { transfer.items.add(new File([f.text], f.name, {type: "text/csv"})); }
                const zone = document.querySelector("[data-dropzone]");
                zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
                zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }""",
            files,
        )
        page.wait_for_selector("tr[data-deposit-file] >> nth=1")
        # The feed type recognised from each name is shown, and could be changed.
        page.wait_for_function(
            "() => [...document.querySelectorAll('tr[data-deposit-file] select')].every(s => s.value === 'rated')"
        )
        page.click("button:has-text('Déposer')")
        page.wait_for_function(
            "() => document.querySelectorAll('tr[data-deposit-file] [data-status=done]').length === 2",
            timeout=30000,
        )
        cells = page.locator("tr[data-deposit-file] [data-status=done]")
        assert [cells.nth(i).inner_text() for i in range(2)] == ["Terminé", "Terminé"]
        with in_schema(acme):
            done = Import.objects.filter(original_name__in=names, created_by__username=username)
            assert sorted(done.values_list("rows", flat=True)) == [3, 4]
    finally:
        with in_schema(acme):
            Import.objects.filter(created_by__username=username).delete()
            with connection.cursor() as cursor:
                pattern = f"BROWSER-{suffix}-%"
                cursor.execute("DELETE FROM cdr_import_cdr WHERE cdr_id LIKE %s", [pattern])
                cursor.execute("DELETE FROM cdr_import_cdr_identity WHERE cdr_id LIKE %s", [pattern])
            User.objects.filter(username=username).delete()
