"""Exportable cards and system keys on real SoftHSM tokens: PKCS#12 with the chain, refusals, the PKCS#11 route."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12

from mock_kanta.cards.export import TEST_MATERIAL, ExportError, card_pkcs11, card_pkcs12, system_pkcs11, system_pkcs12
from mock_kanta.signing.cards import CardError, CardLocked, CardStore, NotExportable, UnknownSystemKey, WrongPin
from mock_kanta.signing.pki import ROOT, Pki

ORG = ("1.2.246.10.99999999.10.0", "Testikunnan hyvinvointialue")  # fictional organisation


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> CardStore:
    data_dir = tmp_path_factory.mktemp("export") / "var"
    return CardStore(data_dir, Pki.open(data_dir / "pki"))


@pytest.fixture(scope="module")
def exportable(store):
    return store.issue("professional", "Sointu", "Testinen", registration_number="25199990011", exportable=True)


def _load(data: bytes, password: str = "s3cret"):
    return pkcs12.load_pkcs12(data, password.encode())


def test_an_exportable_card_exports_key_certificate_and_chain_marked_as_test_material(store, exportable):
    bundle = _load(card_pkcs12(store, exportable.id, "1234", "s3cret"))
    assert bundle.cert.certificate == exportable.certificate
    assert bundle.cert.friendly_name == f"{TEST_MATERIAL}: card {exportable.id}".encode()
    assert [c.certificate for c in bundle.additional_certs] == [store.pki.cas["professional"].certificate,
                                                                store.pki.cas[ROOT].certificate]
    assert all(c.friendly_name.startswith(TEST_MATERIAL.encode()) for c in bundle.additional_certs)
    # the exported key is the token's: a signature made on the card verifies with it, and one made with it on the cert
    signature = bundle.key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    exportable.certificate.public_key().verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())
    on_card = store.signer(exportable.id, "1234").sign(b"data")
    bundle.key.public_key().verify(on_card, b"data", padding.PKCS1v15(), hashes.SHA256())
    assert store.get(exportable.id).to_json()["exportable"] is True


def test_export_needs_the_cards_pin_and_counts_a_wrong_one(store):
    card = store.issue("staff", "Helmi", "Henkilöstö", exportable=True)
    with pytest.raises(WrongPin):
        card_pkcs12(store, card.id, "9999", "s3cret")
    with pytest.raises(WrongPin):
        card_pkcs12(store, card.id, "9998", "s3cret")
    with pytest.raises(WrongPin):
        card_pkcs12(store, card.id, "9997", "s3cret")
    with pytest.raises(CardLocked):
        card_pkcs12(store, card.id, "1234", "s3cret")  # locked like a card that signs


def test_a_card_issued_without_exportable_refuses_and_says_how(store):
    card = store.issue("actor", "Toni", "Toimittaja")
    with pytest.raises(NotExportable, match="--exportable"):
        card_pkcs12(store, card.id, "1234", "s3cret")
    assert store.get(card.id).exportable is False


def test_a_short_password_is_refused_before_the_pin_is_checked(store, exportable):
    with pytest.raises(ExportError, match="at least 4"):
        card_pkcs12(store, exportable.id, "0000", "abc")
    assert store._read()["cards"][exportable.id]["failed_pin_attempts"] == 0


def test_a_system_key_is_exportable_only_when_made_so_and_replace_gives_a_new_one(store):
    first = store.issue_system_key(*ORG)
    with pytest.raises(NotExportable, match="--replace"):
        system_pkcs12(store, ORG[0], "s3cret")
    with pytest.raises(CardError, match="has a system key already"):
        store.issue_system_key(*ORG, exportable=True)
    second = store.issue_system_key(*ORG, exportable=True, replace=True)
    assert second.token_label != first.token_label and second.certificate != first.certificate
    bundle = _load(system_pkcs12(store, ORG[0], "s3cret"))
    assert bundle.cert.certificate == second.certificate == store.system_signer(*ORG).certificate
    assert bundle.cert.friendly_name == f"{TEST_MATERIAL}: system key {ORG[0]}".encode()
    assert bundle.additional_certs[0].certificate == store.pki.cas["service"].certificate
    with pytest.raises(UnknownSystemKey, match="no system key"):
        system_pkcs12(store, "1.2.246.10.1.10.0", "s3cret")
    with pytest.raises(ValueError, match="not an OID"):
        store.issue_system_key("not-an-oid", "X")


def test_the_pkcs11_route_reaches_the_token_from_another_program(store, exportable):
    route = card_pkcs11(store, exportable.id)
    assert route["tokenLabel"] == exportable.token_label and route["pin"] is None
    listed = subprocess.run(
        ["pkcs11-tool", "--module", route["module"], "--token-label", route["tokenLabel"], "--login", "--pin", "1234",
         "--list-objects"], env={**os.environ, "SOFTHSM2_CONF": route["softhsm2Conf"]},
        capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "Private Key Object" in listed.stdout and f"label:      {route['keyLabel']}" in listed.stdout
    system = system_pkcs11(store, ORG[0])
    assert system["pin"] and system["tokenLabel"] == store.system_key(ORG[0]).token_label


def _cli(data_dir, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOCK_KANTA_DATA_DIR": str(data_dir)}
    env.pop("SOFTHSM2_CONF", None)
    if password is not None:
        env["MOCK_KANTA_P12_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "mock_kanta.cards.cli", *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def test_cli_issue_exportable_export_and_pkcs11_info(tmp_path):
    data_dir = tmp_path / "var"
    subprocess.run([sys.executable, "-m", "mock_kanta.cli", "init", "--no-demo-cards", "--demo-clients", "0", "--data-dir",
                    str(data_dir)], check=True, capture_output=True)  # the commands read an existing sandbox only
    issued = _cli(data_dir, "issue", "--type", "professional", "--name", "Sointu Testinen",
                  "--registration-number", "25199990011", "--exportable", "--json")
    assert issued.returncode == 0, issued.stderr
    card_id = json.loads(issued.stdout)["id"]
    plain = json.loads(_cli(data_dir, "issue", "--type", "staff", "--name", "Helmi Henkilöstö", "--json").stdout)["id"]

    out = tmp_path / "card.p12"
    exported = _cli(data_dir, "export", card_id, "--pin", "1234", "-o", str(out), password="s3cret")
    assert exported.returncode == 0, exported.stderr
    assert "TEST MATERIAL" in exported.stdout and (out.stat().st_mode & 0o777) == 0o600
    assert _load(out.read_bytes()).cert.certificate.subject.rfc4514_string().startswith("CN=Testinen Sointu")
    again = _cli(data_dir, "export", card_id, "--pin", "1234", "-o", str(out), password="s3cret")
    assert again.returncode == 1 and "exists" in again.stderr

    refused = _cli(data_dir, "export", plain, "--pin", "1234", "-o", str(tmp_path / "plain.p12"), password="s3cret")
    assert refused.returncode == 1 and "non-exportable" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "plain.p12").exists()
    both = _cli(data_dir, "export", card_id, "--system", ORG[0], "-o", str(tmp_path / "x.p12"), password="s3cret")
    assert both.returncode == 2 and "one of them" in both.stderr

    made = _cli(data_dir, "system-key", "--org", ORG[0], "--org-name", ORG[1], "--exportable", "--json")
    assert made.returncode == 0 and json.loads(made.stdout)["exportable"] is True
    system_out = tmp_path / "system.p12"
    assert _cli(data_dir, "export", "--system", ORG[0], "-o", str(system_out), password="s3cret").returncode == 0
    assert ORG[0] in _load(system_out.read_bytes()).cert.certificate.subject.rfc4514_string()
    assert "1 system key(s)" in _cli(data_dir, "systems").stdout

    info = _cli(data_dir, "pkcs11-info", card_id)
    assert info.returncode == 0 and "token label:  card-" in info.stdout and "/usr/lib/softhsm/libsofthsm2.so" in info.stdout
    assert json.loads(_cli(data_dir, "pkcs11-info", "--system", ORG[0], "--json").stdout)["pin"]
