"""The platform's tenant list search ignores accents, case and punctuation."""


def test_tenant_list_page_and_api_find_a_tenant_without_its_accents(
    acme, nova, operator_client, operator_api
):
    for query in ("Télécom", "telecom", "ACME-TELECOM", "acme telecom"):
        body = operator_client.get("/tenants/", {"q": query}).content.decode()
        assert "Acme Télécom" in body and "Nova Mobile" not in body, query
        names = [t["name"] for t in operator_api.get("/api/v1/tenants/", {"q": query}).json()["results"]]
        assert names == ["Acme Télécom"], query
