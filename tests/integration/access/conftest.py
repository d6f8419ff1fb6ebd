"""A real `mock-kanta serve --auth` process for the access tests, and a world of two tenants in it.

Tenant A is the one whose tokens the tests use; tenant B holds markers (an organisation, a token label, a
traffic entry's body and a rehearsal session carry MARKER_B; its clock stands still at B_CLOCK), so any answer
that leaks B shows it. The server re-checks tokens on every request (MOCK_KANTA_AUTH_RECHECK=0), so revocation
is seen at once without waiting."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import Sandbox

MARKER_B = "zqxmarkb7c1e"  # a constant: this module is imported twice (as conftest and by the tests)
B_CLOCK = "2031-03-03T03:03:03+00:00"
B_ORG = "1.2.246.10.99999991.10.0"


@dataclass
class Tenant:
    id: str
    trainer: str
    viewer: str
    spare_viewer: dict = field(default_factory=dict)  # a token row {id, token} the tests may revoke
    ids: dict = field(default_factory=dict)  # values for path parameters, by name


@dataclass
class World:
    url: str
    admin: str
    a: Tenant
    b: Tenant

    def client(self, token: str | None = None, **headers) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="package")
def auth_box(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("auth") / "var", env={"MOCK_KANTA_AUTH_RECHECK": "0"},
                  args=["--auth", "--no-demo-cards"])
    box.start()
    yield box
    box.stop()


def _tenant(admin: httpx.Client, name: str) -> Tenant:
    r = admin.post("/api/v1/tenants/", json={"id": name})
    assert r.status_code == 201, r.text
    tokens = r.json()["tokens"]
    spare = admin.post(f"/api/v1/tenants/{name}/tokens", json={"role": "viewer", "label": "spare"})
    assert spare.status_code == 201, spare.text
    return Tenant(name, tokens["trainer"], tokens["viewer"], spare.json())


@pytest.fixture(scope="package")
def world(auth_box) -> World:
    admin_token = (auth_box.data_dir / "admin-token").read_text().strip()
    suffix = secrets.token_hex(3)
    with httpx.Client(base_url=auth_box.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60) as admin:
        a, b = _tenant(admin, f"acc-a-{suffix}"), _tenant(admin, f"acc-b-{suffix}")
        for tenant, marker in ((a, "fuzz-a"), (b, MARKER_B)):
            _populate(admin, tenant, marker)
        assert admin.put("/api/v1/clock", json={"time": B_CLOCK, "frozen": True},
                         headers={"X-Mock-Kanta-Tenant": b.id}).status_code == 200
    return World(auth_box.url, admin_token, a, b)


def _populate(admin: httpx.Client, tenant: Tenant, marker: str) -> None:
    """Give the tenant a row of each kind the control API addresses by id, carrying `marker` where it can."""
    head = {"X-Mock-Kanta-Tenant": tenant.id}
    r = admin.post("/api/v1/organisations", headers=head, json={"oid": B_ORG, "name": marker, "kind": "provider"})
    assert r.status_code == 201, r.text
    r = admin.post("/kanta/shark/arkisto", headers={**head, "Content-Type": "text/xml"},
                   content=f"<notHl7>{marker}</notHl7>".encode())
    assert r.status_code < 500, r.text
    entries = admin.get("/api/v1/traffic/", headers=head).json()["items"]
    assert entries, "the refused message is in the tenant's traffic log"
    r = admin.post("/api/v1/rehearsals/", headers=head, json={"test": "register-usage-right-test",
                   "organisationOid": "1.2.246.10.29876516.10.0", "organiserOid": "1.2.246.10.32213449.10.0",
                   "system": marker})
    assert r.status_code == 201, r.text
    label = admin.post(f"/api/v1/tenants/{tenant.id}/tokens", json={"role": "viewer", "label": marker})
    assert label.status_code == 201, label.text
    seq = int(entries[0]["links"]["self"].rsplit("/", 1)[1])
    tenant.ids = {"tenantId": tenant.id, "seq": seq, "sessionId": r.json()["id"], "tokenId": label.json()["id"],
                  "oid": B_ORG, "organisationOid": B_ORG, "registerOid": "1.2.246.10.32213449.10.0"}
