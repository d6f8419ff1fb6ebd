"""Virtual cards on real SoftHSM tokens: certificate profile, signing, PIN lockout, revocation, CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pkcs11
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, ObjectClass

from mock_kanta.signing.cards import CardLocked, CardStore, UnknownCard, WrongPin, demo_setup
from mock_kanta.signing.pkcs11_key import KEY_ID, token_certificate, token_labels, user_session
from mock_kanta.signing.pki import QC_STATEMENTS_OID, Pki, ProfileError

ORG = ("1.2.246.10.99999999.10.0", "Testikunnan hyvinvointialue")  # fictional organisation


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> CardStore:
    data_dir = tmp_path_factory.mktemp("cards") / "var"
    return CardStore(data_dir, Pki.open(data_dir / "pki"))


@pytest.fixture(scope="module")
def card(store):
    return store.issue("professional", "Sointu", "Testinen", registration_number="25199990011",
                       title="251 sosionomi, socionom")


def _verify(cert: x509.Certificate, signature: bytes, data: bytes) -> None:
    cert.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def test_card_certificate_follows_the_dvv_professional_profile(card):
    cert = card.certificate
    assert [(a.oid, a.value) for a in cert.subject] == [
        (NameOID.COUNTRY_NAME, "FI"), (NameOID.TITLE, "251 sosionomi, socionom"),
        (NameOID.SERIAL_NUMBER, "25199990011"), (NameOID.GIVEN_NAME, "Sointu"), (NameOID.SURNAME, "Testinen"),
        (NameOID.COMMON_NAME, "Testinen Sointu 25199990011")]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.content_commitment
    assert not (usage.value.digital_signature or usage.value.key_encipherment or usage.value.key_agreement)
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.2.246.517.99.10.306.1"]
    assert cert.extensions.get_extension_for_oid(QC_STATEMENTS_OID).value.value == bytes.fromhex("300a3008060604008e460104")
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest == \
        x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
    assert cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert cert.public_key().key_size == 2048
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(days=5 * 366)
    assert card.status == "active" and card.token_label == f"card-{card.id}" and card.serial == f"{cert.serial_number:x}"


def test_card_chain_verifies_to_the_root_and_not_to_a_foreign_ca(store, card, tmp_path):
    chain = [card.certificate, store.pki.ca_for(card.certificate).certificate, store.pki.trust_anchors()[0]]
    for child, parent in zip(chain, chain[1:]):
        child.verify_directly_issued_by(parent)
    assert store.pki.check(card.certificate, at=datetime.now(timezone.utc)) == []
    foreign = Pki.open(tmp_path / "foreign-pki")
    assert [p.kind for p in foreign.check(card.certificate, at=datetime.now(timezone.utc))] == ["untrusted"]


def test_six_year_card_is_refused_before_any_token_is_made(store):
    before = token_labels()
    now = datetime.now(timezone.utc)
    with pytest.raises(ProfileError, match="exceeds"):
        store.issue("professional", "Liian", "Pitkä", registration_number="25199990099", not_after=now + timedelta(days=6 * 365))
    assert token_labels() == before


def test_private_key_stays_on_the_token_with_the_certificate_beside_it(card):
    with user_session(card.token_label, "1234") as session:
        key = session.get_key(ObjectClass.PRIVATE_KEY, id=KEY_ID)
        assert key[Attribute.EXTRACTABLE] is False and key[Attribute.SENSITIVE] is True
        assert key[Attribute.NEVER_EXTRACTABLE] is True and key[Attribute.ALWAYS_SENSITIVE] is True
        with pytest.raises(pkcs11.PKCS11Error):
            key[Attribute.VALUE]
        with pytest.raises(pkcs11.AttributeSensitive):
            key[Attribute.PRIVATE_EXPONENT]
    assert token_certificate(card.token_label) == card.certificate


def test_signature_made_on_the_token_verifies_with_the_certificate(store, card):
    signer = store.signer(card.id, "1234")
    assert signer.certificate == card.certificate
    signature = signer.sign(b"<ds:SignedInfo/>")
    _verify(card.certificate, signature, b"<ds:SignedInfo/>")
    with pytest.raises(InvalidSignature):
        _verify(card.certificate, signature, b"<ds:SignedInfo>tampered</ds:SignedInfo>")


def test_wrong_pin_counts_down_and_a_right_pin_resets(store):
    card = store.issue("staff", "Pirkko", "Pinninen")
    for remaining in (2, 1):
        with pytest.raises(WrongPin) as wrong:
            store.signer(card.id, "0000")
        assert wrong.value.remaining == remaining
    store.signer(card.id, "1234")
    with pytest.raises(WrongPin) as wrong:
        CardStore(store.data_dir, store.pki).signer(card.id, "9999")  # the counter is on disk
    assert wrong.value.remaining == 2


def test_three_wrong_pins_lock_the_card_even_for_the_right_pin(store):
    card = store.issue("actor", "Lasse", "Lukittu", pin="246810")
    for remaining in (2, 1, 0):
        with pytest.raises(WrongPin) as wrong:
            store.signer(card.id, "1234")
        assert wrong.value.remaining == remaining
    with pytest.raises(CardLocked):
        store.signer(card.id, "246810")
    assert store.get(card.id).status == "locked"
    with pytest.raises(UnknownCard):
        store.signer("9999", "1234")


def test_revoked_and_lost_cards_show_in_check_status_and_crl(store):
    revoked = store.issue("professional", "Raimo", "Revokoitu", registration_number="25199990044")
    lost = store.issue("professional", "Kaisa", "Kadonnut", registration_number="25199990055")
    assert store.revoke(revoked.id, "affiliation-changed").status == "revoked"
    assert store.report_lost(lost.id).status == "lost"

    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert [p.kind for p in store.pki.check(revoked.certificate, at=later)] == ["revoked"]
    problems = store.pki.check(lost.certificate, at=later)
    assert [p.kind for p in problems] == ["lost"] and "keyCompromise" in problems[0].detail

    crl = x509.load_der_x509_crl(store.pki.crl_der("professional"))
    assert crl.is_signature_valid(store.pki.cas["professional"].certificate.public_key())
    reasons = {r.serial_number: r.extensions.get_extension_for_class(x509.CRLReason).value.reason for r in crl}
    assert reasons[revoked.certificate.serial_number] is x509.ReasonFlags.affiliation_changed
    assert reasons[lost.certificate.serial_number] is x509.ReasonFlags.key_compromise
    assert {c.id: c.status for c in store.list()}[lost.id] == "lost"


def test_expired_card_is_reported_expired(store):
    now = datetime.now(timezone.utc)
    card = store.issue("professional", "Eero", "Erääntynyt", registration_number="25199990066",
                       not_before=now - timedelta(days=3 * 365), not_after=now - timedelta(days=1))
    assert card.status == "expired"
    assert [p.kind for p in store.pki.check(card.certificate, at=now)] == ["expired"]
    assert store.pki.check(card.certificate, at=now - timedelta(days=2)) == []


def test_system_signature_key_is_made_once_and_carries_the_organisation_oid(store):
    signer = store.system_signer(*ORG)
    subject = signer.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == ORG[0]
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG[1]
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "mock-kanta järjestelmä"
    assert store.pki.ca_for(signer.certificate).name == "service"
    _verify(signer.certificate, signer.sign(b"frame"), b"frame")
    assert CardStore(store.data_dir, store.pki).system_signer(ORG[0], "other name").certificate == signer.certificate


def test_eight_threads_sign_concurrently_while_a_card_is_issued(store, card):
    other = store.issue("professional", "Riina", "Rinnakkainen", registration_number="25199990077",
                        title="sosiaalityöntekijä, socialarbetare")
    signers = [store.signer(card.id, "1234"), store.signer(other.id, "1234")]
    results, errors = [], []
    start = threading.Barrier(9)

    def sign(n: int) -> None:
        start.wait()
        try:
            for i in range(40):
                data = f"thread {n} message {i}".encode()
                signer = signers[n % 2]
                results.append((signer.certificate, data, signer.sign(data)))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    def issue() -> None:
        start.wait()
        try:
            store.issue("staff", "Samuli", "Samanaikainen")  # reinitialises the library mid-flight
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=sign, args=(n,)) for n in range(8)] + [threading.Thread(target=issue)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 320
    for cert, data, signature in results:
        _verify(cert, signature, data)


def test_signatures_per_second_on_one_card(store, card):
    signer = store.signer(card.id, "1234")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 2.0:
        signer.sign(b"x" * 512)
        count += 1
    rate = count / (time.perf_counter() - started)
    print(f"card signing: {rate:.0f} signatures/s (RSA-2048, PKCS#1 v1.5 SHA-256, one thread)")
    assert rate > 50


def test_demo_setup_is_idempotent(store):
    count = len(store.list())
    first = demo_setup(store, [ORG])
    assert {c.status for c in first.cards} == {"active", "expired"} and len(first.cards) == 5
    assert len(store.list()) == count + 4  # Sointu Testinen (the module's card) is reused
    count = len(store.list())
    second = demo_setup(store, [ORG])
    assert len(store.list()) == count
    assert [c.id for c in second.cards] == [c.id for c in first.cards]
    assert second.systems[ORG[0]].certificate == first.systems[ORG[0]].certificate


def _cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MOCK_KANTA_DATA_DIR": str(data_dir)}
    env.pop("SOFTHSM2_CONF", None)
    return subprocess.run([sys.executable, "-m", "mock_kanta.cards.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_issue_list_show_revoke_report_lost(tmp_path):
    data_dir = tmp_path / "var"
    subprocess.run([sys.executable, "-m", "mock_kanta.cli", "init", "--no-demo-cards", "--demo-clients", "0", "--data-dir",
                    str(data_dir)], check=True, capture_output=True)  # the commands read an existing sandbox only
    issued = _cli(data_dir, "issue", "--type", "professional", "--name", "Sointu Testinen",
                  "--registration-number", "25199990011", "--title", "251 sosionomi, socionom", "--json")
    assert issued.returncode == 0, issued.stderr
    card_id = json.loads(issued.stdout)["id"]
    expired = _cli(data_dir, "issue", "--type", "staff", "--name", "Helmi Henkilöstö", "--expired")
    assert expired.returncode == 0 and "expired" in expired.stdout

    listed = json.loads(_cli(data_dir, "list", "--json").stdout)
    assert [(c["kind"], c["status"]) for c in listed] == [("professional", "active"), ("staff", "expired")]
    shown = json.loads(_cli(data_dir, "show", card_id, "--json").stdout)
    cert = x509.load_pem_x509_certificate(shown["certificatePem"].encode())
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "25199990011"
    assert "serialNumber=25199990011" in shown["subject"]

    revoked = _cli(data_dir, "revoke", card_id, "--reason", "superseded")
    assert revoked.returncode == 0 and "status revoked" in revoked.stdout
    text = _cli(data_dir, "show", card_id).stdout
    assert "revoked" in text and "reason superseded" in text
    assert "status lost" in _cli(data_dir, "report-lost", listed[1]["id"]).stdout
    assert "2 card(s)" in _cli(data_dir, "list").stdout

    unknown = _cli(data_dir, "show", "9999")
    assert unknown.returncode == 1 and "no card '9999'" in unknown.stderr
    assert (data_dir / "pki" / "root.crt.pem").is_file() and (data_dir / "softhsm" / "softhsm2.conf").is_file()
