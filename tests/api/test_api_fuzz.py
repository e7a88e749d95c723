"""The tenant API fuzzed from its own OpenAPI schema (schemathesis): whatever a script sends, the
answer is never a server error."""

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient


def _operations(schema_dict: dict[str, Any], methods: set[str]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(schema_dict)
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.method.upper() in methods]


def _send(api: APIClient, case: Any) -> Any:
    """Send a generated case through Django's test client (the test's transaction stays open)."""
    request = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(request["url"])
    path = url.path + (f"?{url.query}" if url.query else "")
    if request.get("params"):
        path += ("&" if "?" in path else "?") + urlencode(request["params"], doseq=True)
    headers = {
        k: v for k, v in (request.get("headers") or {}).items() if k.lower() not in ("host", "content-length")
    }
    if "json" in request:
        body, content_type = json.dumps(request["json"]), "application/json"
    elif request.get("data") is not None:
        data = request["data"]
        body = data if isinstance(data, str | bytes) else urlencode(data, doseq=True)
        content_type = headers.pop("Content-Type", "application/x-www-form-urlencoded")
    else:
        body, content_type = "", "application/octet-stream"
    headers.pop("Content-Type", None)
    return api.generic(request["method"], path, body, content_type=content_type, headers=headers)


SITES = [("acme", "admin"), ("acme", "customer"), ("platform", "platform_admin")]


@pytest.mark.parametrize(("site", "role"), SITES, ids=["tenant-staff", "tenant-end-customer", "platform"])
@pytest.mark.parametrize("methods", [{"GET"}, {"POST", "PUT", "PATCH", "DELETE"}], ids=["reads", "writes"])
def test_no_api_call_generated_from_the_schema_ends_in_a_server_error(
    request, site, role, make_user, api_for, methods
):
    tenant = request.getfixturevalue(site)
    api = api_for(tenant, make_user(tenant, role))
    schema_dict = (
        api_for(tenant, make_user(tenant, "platform_admin" if site == "platform" else "admin"))
        .get("/api/v1/schema/?format=json")
        .json()
    )
    operations = _operations(schema_dict, methods)
    assert len(operations) >= 3
    failures: list[str] = []
    for operation in operations:
        _fuzz(api, operation, failures)
    assert failures == []


def _fuzz(api: APIClient, operation: Any, failures: list[str]) -> None:
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = _send(api, case)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {operation.path} → {response.status_code}")

    check()
