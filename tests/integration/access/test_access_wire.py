"""The wire side with access control on: the archive, the validation clone and the read side take a tenant's
token (which chooses the tenant; X-Mock-Kanta-Tenant must agree or be absent), a viewer only reads, and with
mutual TLS a verified client certificate is enough on the wire (not on the control API)."""
from __future__ import annotations

import ssl
import subprocess
import sys

import httpx
import pytest

from tests.conftest import Sandbox
from tests.helpers import ack_of

ARCHIVE, VALIDATION, QUERY = "/kanta/shark/arkisto", "/shark-validointi/validoi/asiakirja/tulos", "/kanta/shark/haku"
HELSINKI = "1.2.246.10.2012566.10.40"


def garbage(marker: str) -> dict:
    return {"content": f"<notHl7>{marker}</notHl7>".encode(), "headers": {"Content-Type": "text/xml"}}


def traffic_count(world, tenant: str) -> int:
    with world.client(world.admin, **{"X-Mock-Kanta-Tenant": tenant}) as admin:
        return len(admin.get("/api/v1/traffic/", params={"limit": 500, "channel": "archive"}).json()["items"])


def test_the_archive_takes_the_token_s_tenant(world):
    before_a, before_b = traffic_count(world, world.a.id), traffic_count(world, world.b.id)
    with world.client(world.a.trainer) as http:
        r = http.post(ARCHIVE, **garbage("wire-a-1"))
        assert r.status_code not in (401, 403) and ack_of(r)["type_code"] == "AR"
        agreed = http.post(ARCHIVE, content=b"<x/>", headers={"Content-Type": "text/xml", "X-Mock-Kanta-Tenant": world.a.id})
        assert agreed.status_code not in (401, 403)
        other = http.post(ARCHIVE, content=b"<x/>", headers={"Content-Type": "text/xml", "X-Mock-Kanta-Tenant": world.b.id})
        assert other.status_code == 403 and world.a.id in other.json()["detail"]
    # the two that reached the archive went to A; the one naming B was refused before it
    assert (traffic_count(world, world.a.id), traffic_count(world, world.b.id)) == (before_a + 2, before_b)


def test_no_token_or_a_bad_one_is_refused_on_every_wire_path(world):
    for token in (None, "mkt_not-a-token", world.a.spare_viewer["token"] + "x"):
        with world.client(token) as http:
            for path in (ARCHIVE, VALIDATION, QUERY, "/kanta/shark/nouto"):
                r = http.post(path, content=b"<x/>", headers={"Content-Type": "text/xml"})
                assert r.status_code == 401, (path, r.status_code)
    with world.client() as http:
        assert http.post(ARCHIVE, content=b"<x/>", headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401


def test_a_viewer_reads_and_validates_but_does_not_archive(world):
    before = traffic_count(world, world.a.id)
    with world.client(world.a.viewer) as http:
        assert http.post(ARCHIVE, **garbage("viewer")).status_code == 403
        assert http.post(VALIDATION, json={"messageId": "x"}).status_code not in (401, 403, 500)
        assert http.post(QUERY, content=b"<x/>", headers={"Content-Type": "text/xml"}).status_code not in (401, 403, 500)
    assert traffic_count(world, world.a.id) == before  # the refused archive call never reached the archive


def test_public_paths_need_nothing(world):
    with world.client(**{"Host": "anything.example"}) as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/pki/ca/root.crt").status_code == 200


class TlsAuthSandbox(Sandbox):
    probe: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def client(self, cert=None, *, anonymous: bool = False, **headers) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.data_dir / "tls" / "sandbox-ca.pem"))
        if not anonymous and (cert or self.probe):
            context.load_cert_chain(*(cert or self.probe))
        return httpx.Client(base_url=self.url, verify=context, timeout=30, headers=headers)


@pytest.fixture(scope="module")
def tls_auth_box(tmp_path_factory):
    box = TlsAuthSandbox(tmp_path_factory.mktemp("tls-auth") / "var", args=["--tls", "--auth", "--no-demo-cards"])
    box.init()
    out = tmp_path_factory.mktemp("client")
    run = subprocess.run([sys.executable, "-m", "mock_kanta.cli", "tls", "client-cert", "--org", HELSINKI, "--out",
                          str(out), "--data-dir", str(box.data_dir)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    box.probe = (str(out / f"client-{HELSINKI}.pem"), str(out / f"client-{HELSINKI}.key"))
    box.start()
    yield box
    box.stop()


def test_mutual_tls_is_enough_on_the_wire_but_not_for_the_control_api(tls_auth_box):
    with tls_auth_box.client() as http:
        r = http.post(ARCHIVE, **garbage("mtls"))
        assert r.status_code not in (401, 403) and ack_of(r)["type_code"] == "AR"
        assert http.get("/api/v1/tenants/").status_code == 401
        admin = (tls_auth_box.data_dir / "admin-token").read_text().strip()
        assert http.get("/api/v1/tenants/", headers={"Authorization": f"Bearer {admin}"}).status_code == 200
