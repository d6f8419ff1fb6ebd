"""Fuzzed over EVERY control API operation (all of mock_kanta/api/*.yaml): a tenant's token never reads or
changes another tenant, and a viewer's token changes nothing.

Each operation is called with tenant A's trainer and viewer tokens, with path parameters and body fields
taken from A's own rows, from tenant B's rows, and at random, with no tenant header and with B's. Every
answer is checked for B's markers (conftest.py); B's state is compared before and after; every request
that names B (header or path) is refused with 403, every viewer change with 403, and nothing answers 5xx."""
from __future__ import annotations

import json

import pytest

from tests.integration.access.conftest import B_CLOCK, MARKER_B
from tests.integration.access.operations import operations, random_value, sample

OPERATIONS = operations()
# GETs of tenant B that show everything the control API can change (read with the admin token)
B_STATE = ("/api/v1/clock", "/api/v1/organisations", "/api/v1/rule-modes", "/api/v1/verdict-profile",
           "/api/v1/traffic/", "/api/v1/audit/events", "/api/v1/rehearsals/", "/api/v1/service-units")


def state_of(world, tenant_id: str) -> dict:
    with world.client(world.admin, **{"X-Mock-Kanta-Tenant": tenant_id}) as admin:
        state = {path: admin.get(path).text for path in B_STATE}
        clock = admin.get("/api/v1/clock").json()
        state["/api/v1/clock"] = f"{clock['mode']} {clock['now']}"  # its offset from real time moves on
        state["tenant"] = admin.get(f"/api/v1/tenants/{tenant_id}").text
        state["tokens"] = admin.get(f"/api/v1/tenants/{tenant_id}/tokens").text
    return state


def values_from(ids: dict, own: dict):
    def pick(name: str, schema: dict):
        if ids is None:
            return random_value(schema) if name in own else None
        return ids.get(name)
    return pick


def test_the_walk_covers_every_spec():
    specs = {op.path.split("/")[3] if op.path.count("/") > 3 else "" for op in OPERATIONS}
    assert {"tenants", "traffic", "rehearsals", "audit", "omakanta", "archivist"} <= specs
    assert len(OPERATIONS) >= 60
    assert len({op.id for op in OPERATIONS}) == len(OPERATIONS)


@pytest.mark.parametrize("role", ["viewer", "trainer"])
def test_no_tenant_token_reaches_another_tenant(world, role):
    before = state_of(world, world.b.id)
    assert MARKER_B in json.dumps(before) and B_CLOCK[:10] in before["/api/v1/clock"]
    a = world.a
    token = a.viewer if role == "viewer" else a.trainer
    own = {**a.ids, "tokenId": a.spare_viewer["id"]}
    id_sets = {"own": own, "other": world.b.ids, "random": None}
    exercised, problems = set(), []
    with world.client(token) as http:
        for op in OPERATIONS:
            for set_name, ids in id_sets.items():
                values = values_from(ids, own) if ids is not None else values_from(None, {**own, **world.b.ids})
                url = op.url(lambda name, schema: values(name, schema) or own.get(name) or random_value(schema))
                body = sample(op.body, values) if op.body else None
                for header in (None, world.b.id):
                    headers = {"X-Mock-Kanta-Tenant": header} if header else {}
                    r = http.request(op.method, url, json=body, headers=headers)
                    exercised.add(op.id)
                    where = f"{role} {op.method} {url} ({op.id}, {set_name} ids, header {header}): {r.status_code}"
                    if r.status_code >= 500:
                        problems.append(f"5xx: {where} {r.text[:200]}")
                    if MARKER_B in r.text or B_CLOCK[:10] in r.text:
                        problems.append(f"B leaked: {where} {r.text[:300]}")
                    names_b = header == world.b.id or f"/{world.b.id}" in url
                    refused = r.status_code == 403 or (r.status_code == 404 and "path segment" in r.text)  # the gate's
                    if names_b and not refused:
                        problems.append(f"B named but not refused: {where}")
                    if role == "viewer" and op.method != "GET" and not refused:
                        problems.append(f"a viewer changed something: {where}")
    assert exercised == {op.id for op in OPERATIONS}
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
    assert state_of(world, world.b.id) == before, "tenant B changed"


def test_the_tenant_list_shows_only_the_own_tenant(world):
    for token in (world.a.trainer, world.a.viewer):
        with world.client(token) as http:
            assert [t["id"] for t in http.get("/api/v1/tenants/").json()] == [world.a.id]
    with world.client(world.admin) as admin:
        assert {world.a.id, world.b.id} <= {t["id"] for t in admin.get("/api/v1/tenants/").json()}


def test_admin_only_operations_are_refused_to_a_trainer(world):
    with world.client(world.a.trainer) as http:
        assert http.post("/api/v1/tenants/", json={"id": "acc-never"}).status_code == 403
        assert http.delete(f"/api/v1/tenants/{world.a.id}").status_code == 403
        assert http.post("/api/v1/audit/purge", json={}).status_code == 403
        assert http.post("/api/v1/cards/", json={}).status_code == 403  # shared by every tenant
        made = http.post(f"/api/v1/tenants/{world.a.id}/tokens", json={"role": "trainer"})
        assert made.status_code == 403 and "viewer tokens only" in made.json()["detail"]
    with world.client(world.admin) as admin:
        assert admin.get("/api/v1/tenants/acc-never").status_code == 404


def test_no_token_no_answer(world):
    with world.client() as http:
        for op in OPERATIONS:
            url = op.url(lambda name, schema: world.a.ids.get(name) or random_value(schema))
            r = http.request(op.method, url, json=sample(op.body, lambda *_: None) if op.body else None)
            if r.status_code == 404 and "path segment" in r.text:  # a random "." segment: refused before that
                continue
            assert r.status_code == 401, f"{op.method} {url}: {r.status_code}"
            assert r.headers["www-authenticate"].startswith("Bearer")


UI_PAGES = ("/ui/", "/ui/flow", "/ui/registers", "/ui/omakanta", "/ui/archivist", "/ui/rehearsals", "/ui/trainer")


def test_the_ui_shows_a_tenant_token_its_own_tenant_only(world):
    with world.client(world.a.viewer) as http:
        http.cookies.set("mk_tenant", world.b.id)  # a remembered tenant cannot widen the token
        for path in (*UI_PAGES, f"/ui/messages/{world.b.ids['seq']}", f"/ui/messages/{world.a.ids['seq']}"):
            r = http.get(path)
            assert r.status_code in (200, 404) and MARKER_B not in r.text and B_CLOCK[:10] not in r.text, path
            assert http.get(path, params={"tenant": world.b.id}).status_code == 403
        assert http.get("/ui/events", params={"tenant": world.b.id}).status_code == 403
        assert world.a.id in http.get("/ui/").text


def test_odd_spellings_of_another_tenant_s_path_are_refused(world):
    b = world.b.id
    before = state_of(world, b)
    with world.client(world.a.trainer) as http:
        for path in (f"/api/v1//tenants/{b}/reset", f"/api/v1/tenants//{b}/reset", f"/api/v1/tenants/{b}/reset/",
                     f"/api/v1/./tenants/{b}/reset", f"/api/v1/tenants/%61{b[1:]}/reset", "/api/v1//audit/purge"):
            r = http.post(path)
            assert r.status_code in (403, 404), (path, r.status_code)
    assert state_of(world, b) == before
