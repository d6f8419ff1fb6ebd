"""Regression tests for what a schemathesis run against the control API found (tenants, traffic,
rehearsals, the core spec, omakanta, archivist, audit): each hostile request gets a clear
application/problem+json answer, never a 500, and changes nothing."""
from __future__ import annotations

import pytest

from tests.integration.test_tenants import fresh_id, header

PROBLEM = "application/problem+json"


def problem(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body = r.json()
    assert body["status"] == status and body["detail"]
    return body


def test_a_traffic_seq_beyond_64_bits_is_a_400_not_an_overflow(sandbox):
    for path in ("/api/v1/traffic/9454243881926453624832", "/api/v1/traffic/?after=9454243881926453624832"):
        assert "maximum" in problem(sandbox.http.get(path), 400)["detail"]


def test_a_page_offset_beyond_64_bits_is_a_400(sandbox):
    r = sandbox.http.get("/api/v1/registers/1.2.246.10.32213449.10.0/documents?offset=99999999999999999999")
    assert "maximum" in problem(r, 400)["detail"]


@pytest.mark.parametrize("body", [{"hours": 3.3e200}, {"days": 10**12}, {"seconds": -1e18}, {"days": 400_000}])
def test_moving_the_clock_out_of_range_is_a_400_and_leaves_it(sandbox, body):
    tenant = fresh_id("rob")
    assert sandbox.http.post("/api/v1/tenants", json={"id": tenant}).status_code == 201
    before = sandbox.http.get("/api/v1/clock", headers=header(tenant)).json()
    r = sandbox.http.post("/api/v1/clock/advance", json=body, headers=header(tenant))
    assert "1900-01-01 and 2999-12-31" in problem(r, 400)["detail"]
    assert sandbox.http.get("/api/v1/clock", headers=header(tenant)).json()["mode"] == before["mode"] == "real"


@pytest.mark.parametrize("time", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+02:00", "1899-12-31T23:00:00Z"])
def test_setting_the_clock_out_of_range_is_a_400_and_leaves_it(sandbox, time):
    tenant = fresh_id("rob")
    assert sandbox.http.post("/api/v1/tenants", json={"id": tenant}).status_code == 201
    r = sandbox.http.put("/api/v1/clock", json={"time": time}, headers=header(tenant))
    assert "1900-01-01 and 2999-12-31" in problem(r, 400)["detail"]
    assert sandbox.http.get("/api/v1/clock", headers=header(tenant)).json()["mode"] == "real"


def test_a_seed_value_beyond_the_database_integer_is_refused_before_the_tenant_is_made(sandbox):
    tenant = fresh_id("rob")
    r = sandbox.http.post("/api/v1/tenants", json={"id": tenant, "seed": {"clients": 1, "seed": 10**20}})
    problem(r, 400)
    assert sandbox.http.get(f"/api/v1/tenants/{tenant}").status_code == 404  # no half-made tenant


def test_the_rules_list_matches_its_schema_stages(sandbox):
    import yaml

    from mock_kanta.core.resources import package_file

    spec = yaml.safe_load(package_file("api", "openapi.yaml").read_text(encoding="utf-8"))
    stages = set(spec["components"]["schemas"]["Rule"]["properties"]["stage"]["enum"])
    rules = sandbox.http.get("/api/v1/rules").json()
    rules = rules["rules"] if isinstance(rules, dict) else rules
    assert {r["stage"] for r in rules} <= stages
    assert "access" in {r["stage"] for r in rules}


@pytest.mark.parametrize("path", ["/api/v1/tenants/" + "0" * 65, "/api/v1/rehearsals/checklists/" + "x" * 65,
                                  "/api/v1/traffic/0", "/api/v1/tenants/?bogus=1"])
def test_parameters_out_of_their_schema_are_documented_400s(sandbox, path):
    problem(sandbox.http.get(path), 400)


def test_every_operation_documents_its_400():
    """strict_validation answers 400 for an unknown query parameter on every operation: the specs say so."""
    import yaml

    from mock_kanta.core.resources import package_file

    for spec_path in sorted(package_file("api").glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if method in ("get", "put", "post", "delete", "patch"):
                    assert "400" in op["responses"], f"{spec_path.name} {method.upper()} {path}"


@pytest.mark.parametrize("method, path", [("POST", "/api/v1/tenants/"), ("PUT", "/api/v1/clock"),
                                          ("POST", "/api/v1/matters"), ("POST", "/api/v1/service-units/register")])
def test_a_json_body_that_is_not_utf8_is_a_400(sandbox, method, path):
    tenants_before = sandbox.http.get("/api/v1/tenants").json()
    r = sandbox.http.request(method, path, content=b"\xde\x5a\x8f\x8d\x01", headers={"Content-Type": "application/json"})
    assert "UTF-8" in problem(r, 400)["detail"]
    assert sandbox.http.get("/api/v1/tenants").json() == tenants_before


@pytest.mark.parametrize("path", ["/api/v1/tenants/a%0Ab", "/api/v1/rehearsals/checklists/a%0A",
                                  "/api/v1/omakanta/clients/a%0A", "/api/v1/audit/clients/a%0A/log",
                                  "/api/v1/registers/1.2%0A/documents"])
def test_a_line_break_in_a_path_is_a_404(sandbox, path):
    problem(sandbox.http.get(path), 404)
