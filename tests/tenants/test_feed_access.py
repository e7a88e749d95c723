"""Feed access: the connection test against real servers, and the secret kept write-only."""

import datetime

import pytest

from audit.models import AuditEvent
from core.crypto import decrypt_secret
from tenants.models import FeedAccess
from tenants.platform.feed_access import FeedAccessError, FeedSettings, expected_folders, open_feed
from tenants.platform.services import feed_access_set, feed_access_test
from tests.tenants.conftest import make_feed_tree

TESTED_AT = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)

SECRET = "Zebra-s3cret-pass-987"
INTEGRATOR_SOME = ["AccountStatus", "RatedCDRs", "Cartes SIM", "Factures/Intégrateur"]
INTEGRATOR_MISSING = ["BilledCDRs/", "Factures/Clients/", "Documents/", "Personnalisation/", "Commandes/"]


def test_expected_folders_depend_on_the_kind():
    assert "RatedCDRs" in expected_folders("integrator") and "RatedCDRs/MOBILE" not in expected_folders(
        "integrator"
    )
    vno = expected_folders("vno")
    assert {"Account_VGA", "RatedCDRs/MOBILE", "RatedCDRs/VGA", "Tables tarifaires"} <= set(vno)


def test_ftp_test_lists_present_and_missing_folders(acme, operator, ftp_server):
    make_feed_tree(ftp_server.root, INTEGRATOR_SOME)
    feed_access_set(
        tenant=acme,
        by=operator,
        protocol="ftp",
        host=ftp_server.host,
        port=ftp_server.port,
        username=ftp_server.username,
        secret=ftp_server.password,
    )
    report = feed_access_test(tenant=acme, by=operator, now=TESTED_AT)
    assert report["connected"] and not report["ok"]
    assert report["present"] == ["AccountStatus/", "RatedCDRs/", "Cartes SIM/", "Factures/Intégrateur/"]
    assert report["missing"] == INTEGRATOR_MISSING


def test_ftp_client_reads_a_file(ftp_server):
    make_feed_tree(ftp_server.root, ["AccountStatus"])
    settings = FeedSettings(
        protocol="ftp",
        host=ftp_server.host,
        port=ftp_server.port,
        username=ftp_server.username,
        password=ftp_server.password,
    )
    with open_feed(settings) as client:
        entries = client.list("AccountStatus")
        assert [e.name for e in entries] == ["AccountStatus_ACME_20261021150000.csv"] and entries[
            0
        ].size == 11
        assert client.fetch("AccountStatus/AccountStatus_ACME_20261021150000.csv") == b"ICCID;IMSI\n"


def test_ftp_wrong_password_is_reported_clearly(acme, operator, ftp_server):
    feed_access_set(
        tenant=acme,
        by=operator,
        protocol="ftp",
        host=ftp_server.host,
        port=ftp_server.port,
        username=ftp_server.username,
        secret="not-the-password",
    )
    report = feed_access_test(tenant=acme, by=operator, now=TESTED_AT)
    assert not report["connected"]
    assert "acme" in report["error"] and "mot de passe" in report["error"]
    assert "not-the-password" not in report["error"]


def test_unreachable_host_is_reported_clearly():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_tcp_port = probe.getsockname()[1]
    settings = FeedSettings(
        protocol="ftp", host="127.0.0.1", port=unused_tcp_port, username="x", password="y", timeout=3
    )
    with pytest.raises(FeedAccessError) as error, open_feed(settings):
        pass
    assert "refusé la connexion" in error.value.message


def test_sftp_test_with_a_password_lists_present_and_missing_folders(nova, operator, sftp_server):
    make_feed_tree(
        sftp_server.root, ["AccountStatus", "Account_VGA", "RatedCDRs/MOBILE", "Tables tarifaires"]
    )
    feed_access_set(
        tenant=nova,
        by=operator,
        protocol="sftp",
        host=sftp_server.host,
        port=sftp_server.port,
        username=sftp_server.username,
        secret=sftp_server.password,
    )
    report = feed_access_test(tenant=nova, by=operator, now=TESTED_AT)
    assert report["connected"] and not report["ok"]
    assert report["present"] == ["AccountStatus/", "Account_VGA/", "RatedCDRs/MOBILE/", "Tables tarifaires/"]
    assert "RatedCDRs/VGA/" in report["missing"] and "BilledCDRs/MOBILE/" in report["missing"]
    # The server's key is recorded at the first connection.
    assert FeedAccess.objects.get(tenant=nova).host_key.startswith("SHA256:")


def test_sftp_with_a_private_key_and_all_folders_is_ok(nova, operator, sftp_server):
    make_feed_tree(sftp_server.root, expected_folders("vno"))
    feed_access_set(
        tenant=nova,
        by=operator,
        protocol="sftp",
        host=sftp_server.host,
        port=sftp_server.port,
        username=sftp_server.username,
        auth="key",
        secret=sftp_server.client_key_pem,
    )
    report = feed_access_test(tenant=nova, by=operator, now=TESTED_AT)
    assert report["ok"] and report["missing"] == []


def test_sftp_wrong_password_is_reported_clearly(nova, operator, sftp_server):
    feed_access_set(
        tenant=nova,
        by=operator,
        protocol="sftp",
        host=sftp_server.host,
        port=sftp_server.port,
        username=sftp_server.username,
        secret="wrong-one",
    )
    report = feed_access_test(tenant=nova, by=operator, now=TESTED_AT)
    assert not report["connected"] and "SFTP" in report["error"] and "mot de passe" in report["error"]


def test_sftp_server_whose_key_changed_is_refused(nova, operator, sftp_server):
    feed_access_set(
        tenant=nova,
        by=operator,
        protocol="sftp",
        host=sftp_server.host,
        port=sftp_server.port,
        username=sftp_server.username,
        secret=sftp_server.password,
    )
    FeedAccess.objects.filter(tenant=nova).update(host_key="SHA256:somethingelse")
    report = feed_access_test(tenant=nova, by=operator, now=TESTED_AT)
    assert not report["connected"] and "SHA256:somethingelse" in report["error"]


def test_local_folder_feed(acme, operator, tmp_path):
    make_feed_tree(tmp_path, expected_folders("integrator"))
    feed_access_set(tenant=acme, by=operator, protocol="local", root_path=str(tmp_path))
    assert feed_access_test(tenant=acme, by=operator, now=TESTED_AT)["ok"]
    feed_access_set(tenant=acme, by=operator, protocol="local", root_path=str(tmp_path / "nope"))
    report = feed_access_test(tenant=acme, by=operator, now=TESTED_AT)
    assert not report["connected"] and "n'existe pas" in report["error"]


def test_the_secret_is_encrypted_kept_when_left_empty_and_never_shown(
    acme, operator, operator_client, operator_api, ftp_server
):
    response = operator_client.post(
        f"/tenants/{acme.pk}/feed/",
        {
            "protocol": "ftp",
            "host": ftp_server.host,
            "port": ftp_server.port,
            "username": "acme",
            "auth": "password",
            "secret": SECRET,
            "root_path": "",
        },
    )
    assert response.status_code == 302
    access = FeedAccess.objects.get(tenant=acme)
    assert SECRET not in access.secret_encrypted and decrypt_secret(access.secret_encrypted) == SECRET
    # Saved again with the field empty: the secret stays.
    operator_client.post(
        f"/tenants/{acme.pk}/feed/",
        {
            "protocol": "ftp",
            "host": ftp_server.host,
            "port": ftp_server.port,
            "username": "acme2",
            "auth": "password",
            "secret": "",
            "root_path": "/",
        },
    )
    access.refresh_from_db()
    assert access.username == "acme2" and decrypt_secret(access.secret_encrypted) == SECRET
    operator_client.post(f"/tenants/{acme.pk}/feed/test/")
    pages = [
        "/tenants/",
        f"/tenants/{acme.pk}/",
        f"/tenants/{acme.pk}/identity/",
        f"/tenants/{acme.pk}/documents/",
        f"/tenants/{acme.pk}/feed/",
        "/audit/",
    ]
    for path in pages:
        response = operator_client.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path
    for path in ("/api/v1/tenants/", f"/api/v1/tenants/{acme.pk}/", "/api/v1/audit-events/"):
        response = operator_api.get(path)
        assert response.status_code == 200 and SECRET not in response.content.decode(), path
    assert operator_api.get(f"/api/v1/tenants/{acme.pk}/").json()["feed_access"]["has_secret"] is True
    for event in AuditEvent.objects.filter(object_id=str(acme.pk)):
        assert SECRET not in str(event.changes)


def test_the_feed_page_reports_the_test(acme, operator, operator_client, ftp_server):
    make_feed_tree(ftp_server.root, INTEGRATOR_SOME)
    feed_access_set(
        tenant=acme,
        by=operator,
        protocol="ftp",
        host=ftp_server.host,
        port=ftp_server.port,
        username=ftp_server.username,
        secret=ftp_server.password,
    )
    body = operator_client.post(f"/tenants/{acme.pk}/feed/test/", follow=True).content.decode()
    assert "Commandes/" in body and "manquant" in body and "Cartes SIM/" in body
