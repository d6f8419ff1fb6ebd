"""Signing without Python against a real server: a card and a system key exported as PKCS#12 (CLI and control
API), the CA chain fetched from /pki/, and examples/shell-signer/sign-and-archive.sh (openssl and curl only)
archiving a system-signed and a card-signed document."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from mock_kanta.cards.export import TEST_MATERIAL, card_pkcs12
from mock_kanta.signing.cards import CardStore
from mock_kanta.signing.pki import Pki
from mock_kanta.wire.hl7v3 import parse_ack
from tests.conftest import Sandbox
from tests.helpers import fresh_hetu
from tests.integration.test_tenants import fresh_id

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "shell-signer" / "sign-and-archive.sh"
VANTAA = ("1.2.246.10.32213561.10.0", "Vantaan ja Keravan hyvinvointialue")
PASSWORD = "test-only-5ecret"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    """A sandbox of its own, without demo cards: its organisations' system keys are made here, exportable."""
    sandbox = Sandbox(tmp_path_factory.mktemp("shell-signer") / "var", args=["--no-demo-cards"])
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _cli(box, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOCK_KANTA_DATA_DIR": str(box.data_dir), "MOCK_KANTA_BASE_URL": box.url,
           "MOCK_KANTA_P12_PASSWORD": PASSWORD}
    env.pop("SOFTHSM2_CONF", None)
    return subprocess.run([sys.executable, "-m", "mock_kanta.cards.cli", *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def material(box, tmp_path_factory) -> dict[str, Path]:
    """card.p12 through the CLI, system.p12 through the control API."""
    out = tmp_path_factory.mktemp("p12")
    issued = _cli(box, "issue", "--type", "professional", "--name", "Angelica Johansson", "--registration-number",
                  "25104559650", "--title", "251 sosionomi, socionom", "--exportable", "--json")
    assert issued.returncode == 0, issued.stderr
    card_id = issued.stdout.split('"id": "')[1].split('"')[0]
    exported = _cli(box, "export", card_id, "--pin", "1234", "-o", str(out / "card.p12"))
    assert exported.returncode == 0, exported.stderr
    made = box.http.post("/api/v1/cards/systems", json={"orgOid": VANTAA[0], "orgName": VANTAA[1], "exportable": True})
    assert made.status_code == 201, made.text
    r = box.http.post(f"/api/v1/cards/systems/{VANTAA[0]}/export", json={"password": PASSWORD})
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-pkcs12"
    (out / "system.p12").write_bytes(r.content)
    return {"card": out / "card.p12", "system": out / "system.p12", "card_id": card_id}


def _run(box, material, out_dir: Path, *, tenant: str, card: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARD_P12_PASSWORD": PASSWORD, "SYSTEM_P12_PASSWORD": PASSWORD}
    return subprocess.run(
        ["bash", str(SCRIPT), "--url", box.url, "--tenant", tenant, "--card", str(card or material["card"]),
         "--system", str(material["system"]), "--client-hetu", fresh_hetu(date(2016, 4, 12)), "--out-dir", str(out_dir)],
        env=env, capture_output=True, text=True, timeout=300)


def test_the_shell_signer_archives_both_documents_accepted_without_signature_findings(box, material, tmp_path):
    tenant = fresh_id("shell")
    assert box.http.post("/api/v1/tenants", json={"id": tenant}).status_code == 201
    run = _run(box, material, tmp_path, tenant=tenant)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("relationship", "plan"):
        ack = parse_ack((tmp_path / f"{name}-ack.xml").read_bytes())
        assert ack["type_code"] == "AA", (name, ack)
        assert not [d["code"] for d in ack["details"] if d["code"].startswith("SH-SIG")], (name, ack["details"])
    assert not list(tmp_path.glob("*-key.pem"))  # the plain keys are removed after the run
    traffic = box.http.get("/api/v1/traffic/", headers={"X-Mock-Kanta-Tenant": tenant}).json()["items"]
    assert sorted(row["ack"] for row in traffic if row["channel"] == "archive") == ["AA", "AA"]


def test_a_card_from_another_sandbox_is_refused_before_anything_is_sent(box, material, tmp_path):
    other_dir = tmp_path / "other" / "var"
    other = CardStore(other_dir, Pki.open(other_dir / "pki"))
    card = other.issue("professional", "Angelica", "Johansson", registration_number="25104559650", exportable=True)
    foreign = tmp_path / "foreign.p12"
    foreign.write_bytes(card_pkcs12(other, card.id, "1234", PASSWORD))
    tenant = fresh_id("shell")
    assert box.http.post("/api/v1/tenants", json={"id": tenant}).status_code == 201
    run = _run(box, material, tmp_path / "out", tenant=tenant, card=foreign)
    assert run.returncode == 2 and "does not chain to the CAs of the sandbox" in run.stderr
    assert not (tmp_path / "out" / "relationship-ack.xml").exists()


def test_the_ca_chain_is_public_as_a_bundle_and_single_files(box, material):
    bundle = x509.load_pem_x509_certificates(box.http.get("/pki/ca.pem").content)
    index = box.http.get("/pki/").json()
    assert set(index["cas"]) == {"root", "professional", "staff-actor", "service"}
    for name, entry in index["cas"].items():
        der = x509.load_der_x509_certificate(box.http.get(entry["der"]).content)
        pem = x509.load_pem_x509_certificate(box.http.get(entry["pem"]).content)
        assert der == pem and der in bundle
    assert box.http.get("/pki/ca/nobody.pem").status_code == 404
    exported = pkcs12.load_pkcs12(material["system"].read_bytes(), PASSWORD.encode())
    assert {c.certificate for c in exported.additional_certs} <= set(bundle)  # the file's chain is the served one


def test_the_control_api_exports_only_what_was_made_exportable(box, material):
    plain = box.http.post("/api/v1/cards/", json={"type": "staff", "given": "Helmi", "family": "Henkilöstö"})
    assert plain.status_code == 201 and plain.json()["exportable"] is False
    refused = box.http.post(f"/api/v1/cards/{plain.json()['id']}/export", json={"pin": "1234", "password": PASSWORD})
    assert refused.status_code == 409 and "non-exportable" in refused.json()["detail"]
    wrong = box.http.post(f"/api/v1/cards/{material['card_id']}/export", json={"pin": "0000", "password": PASSWORD})
    assert wrong.status_code == 403 and "attempt(s) left" in wrong.json()["detail"]
    good = box.http.post(f"/api/v1/cards/{material['card_id']}/export", json={"pin": "1234", "password": PASSWORD})
    assert good.status_code == 200  # the right PIN resets the count
    bundle = pkcs12.load_pkcs12(good.content, PASSWORD.encode())
    assert bundle.cert.friendly_name.decode().startswith(TEST_MATERIAL)
    assert box.http.post(f"/api/v1/cards/{material['card_id']}/export", json={"pin": "1234", "password": "x"}).status_code == 400
    assert box.http.get("/api/v1/cards/9999").status_code == 404
    assert box.http.post("/api/v1/cards/systems", json={"orgOid": VANTAA[0], "orgName": VANTAA[1]}).status_code == 409
    route = box.http.get(f"/api/v1/cards/{material['card_id']}/pkcs11").json()
    assert route["module"].endswith("libsofthsm2.so") and route["tokenLabel"].startswith("card-")
    assert Path(route["softhsm2Conf"]).is_file()
