"""Mutual TLS: a sandbox-issued client certificate gets through; none, a foreign or a revoked one does not."""
from __future__ import annotations

import ssl
import subprocess
import sys
from datetime import datetime, timezone

import httpx
import pytest
from cryptography import x509

from tests.conftest import Sandbox
from tests.helpers import ack_of, codes, fresh_pair, post_archive

VANTAA_KERAVA = "1.2.246.10.32213561.10.0"
HELSINKI = "1.2.246.10.2012566.10.40"


class TlsSandbox(Sandbox):
    scheme = "https"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return super().command() + ["--tls", "--no-demo-cards"]

    probe: tuple[str, str] | None = None  # the client certificate the fixture waits with

    def client(self, cert: tuple[str, str] | None = None, *, anonymous: bool = False) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.data_dir / "tls" / "sandbox-ca.pem"))
        if not anonymous and (cert or self.probe):
            context.load_cert_chain(*(cert or self.probe))
        return httpx.Client(base_url=self.url, verify=context, timeout=30)


@pytest.fixture(scope="module")
def tls_box(tmp_path_factory):
    box = TlsSandbox(tmp_path_factory.mktemp("tls") / "var")
    box.init()
    box.probe = issue_client(box, HELSINKI, tmp_path_factory.mktemp("probe"))
    box.start()
    yield box
    box.stop()


def issue_client(box, org: str, out) -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-m", "mock_kanta.cli", "tls", "client-cert", "--org", org, "--out", str(out),
                          "--data-dir", str(box.data_dir)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return str(out / f"client-{org}.pem"), str(out / f"client-{org}.key")


def test_sandbox_client_certificate_gets_through(tls_box, tmp_path, samples):
    cert = issue_client(tls_box, VANTAA_KERAVA, tmp_path)
    with tls_box.client(cert) as http:
        assert http.get("/healthz").status_code == 200
        frame, document = fresh_pair(tls_box, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], "1.2.246.10.32213561.95777.2026.2.1")
        ack = ack_of(post_archive(http, frame, document))
        assert ack["type_code"] == "AA", ack


def test_sender_must_be_the_certificate_organisation(tls_box, tmp_path, samples):
    cert = issue_client(tls_box, HELSINKI, tmp_path)
    with tls_box.client(cert) as http:
        frame, document = fresh_pair(tls_box, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], "1.2.246.10.32213561.95777.2026.2.2")
        ack = ack_of(post_archive(http, frame, document))  # SH-TRN-005 is modelled [I]: a warning (docs/verdicts.md)
        assert ack["type_code"] == "AA" and codes(ack, "E") == [] and "SH-TRN-005" in codes(ack, "W")


def test_no_client_certificate_fails_the_handshake(tls_box):
    with tls_box.client(anonymous=True) as http, pytest.raises(httpx.TransportError):
        http.get("/healthz")


def test_revoked_client_certificate_is_refused(tls_box, tmp_path):
    cert = issue_client(tls_box, VANTAA_KERAVA, tmp_path)
    with tls_box.client(cert) as http:
        assert http.get("/api/v1/organisations").status_code == 200
        issued = x509.load_pem_x509_certificate(open(cert[0], "rb").read())
        tls_box.pki.revoke(issued, x509.ReasonFlags.key_compromise, datetime.now(timezone.utc))
        refused = http.post("/kanta/shark/arkisto", content=b"x", headers={"Content-Type": "text/xml"})
        assert refused.status_code == 403
        ack = ack_of(refused)
        assert ack["type_code"] == "AR" and codes(ack) == ["SH-TRN-006"]
        problem = http.get("/api/v1/organisations")
        assert problem.status_code == 403 and "lost" in problem.json()["detail"]
