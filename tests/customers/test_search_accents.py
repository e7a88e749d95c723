"""Searches ignore accents, case and punctuation: the query is put the way names are stored."""

import pytest

from core.text import search_normalise

QUERIES = ("Étoile", "etoile", "L'Étoile-Bleue", "l etoile bleue")


def test_search_normalise_puts_a_query_the_way_names_are_stored():
    assert [search_normalise(q) for q in QUERIES] == ["ETOILE", "ETOILE", "L ETOILE BLEUE", "L ETOILE BLEUE"]


@pytest.fixture
def etoile(acme, make_customer):
    make_customer(acme, company_name="GARAGE MARTIN")
    return make_customer(acme, company_name="SOCIETE L ETOILE BLEUE")


@pytest.mark.parametrize("query", QUERIES)
def test_the_customer_list_finds_the_name_whatever_the_accents_case_and_punctuation(
    acme, etoile, make_user, client_for, query
):
    body = client_for(acme, make_user(acme, "support")).get("/customers/", {"q": query}).content.decode()
    assert "SOCIETE L ETOILE BLEUE" in body and "GARAGE MARTIN" not in body


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_search_parameter_finds_the_name_the_same_way(acme, etoile, make_user, api_for, query):
    results = (
        api_for(acme, make_user(acme, "support")).get("/api/v1/customers/", {"q": query}).json()["results"]
    )
    assert [c["id"] for c in results] == [etoile.pk]


@pytest.mark.parametrize("query", QUERIES)
def test_the_header_search_finds_the_customer(acme, etoile, make_user, client_for, query):
    hits = client_for(acme, make_user(acme, "support")).get("/search/", {"q": query}).content.decode()
    assert f"/customers/{etoile.pk}/" in hits


def test_contact_names_keep_their_accents_and_are_found_without_them(
    acme, make_customer, make_user, client_for
):
    from core.search import unaccent_available

    make_customer(acme, company_name="SOCIETE L ETOILE BLEUE", login_email="helene@etoile.example")
    with_accents = make_customer(acme, company_name="CLIENT ACCENTS")
    from customers.models import Contact
    from tests.conftest import in_schema

    with in_schema(acme):
        Contact.objects.filter(customer=with_accents).update(name="Hélène D'Arc")
        assert unaccent_available()
    client = client_for(acme, make_user(acme, "support"))
    for query in ("Hélène", "helene d arc", "HELENE-D'ARC"):
        assert "CLIENT ACCENTS" in client.get("/customers/", {"q": query}).content.decode(), query
    # E-mails are matched as typed, punctuation included.
    assert "SOCIETE L ETOILE BLEUE" in client.get("/customers/", {"q": "helene@etoile"}).content.decode()


def test_without_unaccent_the_normalised_query_still_finds_stored_names(
    acme, etoile, make_user, client_for, monkeypatch
):
    from django.db import connection

    from core import search

    monkeypatch.setitem(search._unaccent_by_database, str(connection.settings_dict["NAME"]), False)
    client = client_for(acme, make_user(acme, "support"))
    for query in QUERIES:
        assert "SOCIETE L ETOILE BLEUE" in client.get("/customers/", {"q": query}).content.decode(), query


def test_the_accent_blind_search_keeps_the_list_queries_bounded(
    acme, etoile, make_user, client_for, django_assert_max_num_queries
):
    client = client_for(acme, make_user(acme, "support"))
    client.get("/customers/", {"q": "l etoile bleue"})
    with django_assert_max_num_queries(12):
        assert client.get("/customers/", {"q": "L'Étoile-Bleue"}).status_code == 200
