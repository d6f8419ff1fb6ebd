"""The test PKI: hierarchy, profiles, chain checks, revocation and CRLs (software keys; cards are in test_cards)."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store

from mock_kanta.signing.pki import (
    QC_STATEMENTS_OID,
    Pki,
    ProfileError,
    card_subject,
    default_profiles_path,
    system_subject,
)
from tests.conftest import sample

NOW = datetime.now(timezone.utc)
ORG_OID = "1.2.246.10.99999999.10.0"  # fictional organisation


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("pki") / "pki", base_url="http://sandbox.test:9000")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _professional(pki: Pki, key, **dates) -> x509.Certificate:
    dates = dates or {"not_before": NOW - timedelta(days=1), "not_after": NOW + timedelta(days=365)}
    subject = card_subject("Sointu", "Testinen", registration_number="25199990011", title="251 sosionomi, socionom")
    return pki.issue("professional", key.public_key(), subject, **dates)


def _self_signed(key, name: str, *, ca: bool, key_usage: x509.KeyUsage | None, issuer=None, issuer_key=None):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.subject if issuer else subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if key_usage:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _usage(**flags) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{n: flags.get(n, False) for n in names})


def test_hierarchy_is_a_root_and_three_issuing_cas_in_dvv_style(pki):
    root = pki.cas["root"].certificate
    assert pki.trust_anchors() == [root]
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    assert root.public_key().key_size == 3072
    names = {n: pki.cas[n].certificate.subject for n in ("professional", "staff-actor", "service")}
    for name, subject in names.items():
        ica = pki.cas[name].certificate
        ica.verify_directly_issued_by(root)
        assert ica.public_key().key_size == 2048
        assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Digi- ja vaestotietovirasto TEST (mock-kanta)"
        assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "FI"
        assert ica.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    assert names["professional"].get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "MOCK Social Welfare and Healthcare Prof. Certs"
    assert names["professional"].get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == \
        "Sosiaali- ja terveydenhuollon testiammattivarmenteet"
    assert names["service"].get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == \
        "Sosiaali- ja terveydenhuollon testipalveluvarmenteet"
    assert len(x509.load_pem_x509_certificates(pki.chain_pem())) == 4
    assert x509.load_der_x509_certificate(pki.ca_der("service")) == pki.cas["service"].certificate


def test_two_processes_opening_a_fresh_directory_share_one_hierarchy(tmp_path):
    code = ("import sys; from pathlib import Path; from mock_kanta.signing.pki import Pki; "
            "print(Pki.open(Path(sys.argv[1])).cas['root'].certificate.fingerprint(__import__('cryptography.hazmat.primitives.hashes', "
            "fromlist=['SHA256']).SHA256()).hex())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "pki")], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    prints = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(prints) == 1 and all(p.returncode == 0 for p in procs)
    again = Pki.open(tmp_path / "pki")
    assert again.cas["root"].certificate.fingerprint(hashes.SHA256()).hex() in prints
    assert sorted(p.name for p in (tmp_path / "pki").glob("*.pem")) == sorted(
        f"{n}.{kind}.pem" for n in ("root", "professional", "staff-actor", "service") for kind in ("crt", "key"))


@pytest.mark.parametrize("profile, allowed, refused", [
    ("professional", 5 * 365 + 1, 6 * 365),
    ("staff", 5 * 365, 6 * 365),
    ("system-signature", 2 * 365, 3 * 365),
    ("tls-server", 365, 2 * 365),
])
def test_issue_enforces_the_profiles_maximum_validity(pki, rsa_key, profile, allowed, refused):
    subject = system_subject("Testikunta", ORG_OID, "Testijärjestelmä")
    cert = pki.issue(profile, rsa_key.public_key(), subject, not_before=NOW, not_after=NOW + timedelta(days=allowed))
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(days=allowed)
    with pytest.raises(ProfileError, match="exceeds"):
        pki.issue(profile, rsa_key.public_key(), subject, not_before=NOW, not_after=NOW + timedelta(days=refused))


def test_issue_refuses_unknown_profiles_and_reversed_dates(pki, rsa_key):
    subject = system_subject("Testikunta", ORG_OID, "x")
    with pytest.raises(ProfileError, match="unknown certificate profile"):
        pki.issue("citizen", rsa_key.public_key(), subject, not_before=NOW, not_after=NOW + timedelta(days=1))
    with pytest.raises(ProfileError, match="later"):
        pki.issue("professional", rsa_key.public_key(), subject, not_before=NOW, not_after=NOW)


def test_system_signature_certificate_carries_the_organisation_oid(pki, rsa_key):
    cert = pki.issue("system-signature", rsa_key.public_key(), system_subject("Testikunta", ORG_OID, "Testijärjestelmä"),
                     not_before=NOW, not_after=NOW + timedelta(days=730))
    assert [(a.oid, a.value) for a in cert.subject] == [
        (NameOID.COUNTRY_NAME, "FI"), (NameOID.ORGANIZATION_NAME, "Testikunta"),
        (NameOID.SERIAL_NUMBER, ORG_OID), (NameOID.COMMON_NAME, "Testijärjestelmä")]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_encipherment
    policies = [p.policy_identifier.dotted_string for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value]
    assert policies == ["0.4.0.2042.1.7", "1.2.246.517.99.10.308.2"]
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_oid(QC_STATEMENTS_OID)
    assert pki.ca_for(cert).name == "service"
    crl_url = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value[0].full_name[0].value
    assert crl_url == "http://sandbox.test:9000/pki/crl/service.crl"


def test_tls_server_certificate_has_names_and_server_auth(pki, rsa_key):
    cert = pki.issue("tls-server", rsa_key.public_key(), system_subject("Testikunta", ORG_OID, "kanta.testikunta.test"),
                     not_before=NOW, not_after=NOW + timedelta(days=365), dns_names=["kanta.testikunta.test"])
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) == \
        ["kanta.testikunta.test"]
    assert ExtendedKeyUsageOID.SERVER_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value


def test_check_trusts_sandbox_chains_extra_anchors_and_pinned_certificates(pki, rsa_key):
    assert pki.check(_professional(pki, rsa_key), at=NOW) == []

    foreign_root_key, ee_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    foreign_root = _self_signed(foreign_root_key, "Foreign Root", ca=True, key_usage=_usage(key_cert_sign=True, crl_sign=True))
    foreign_ee = _self_signed(ee_key, "Foreign Signer", ca=False, key_usage=_usage(content_commitment=True),
                              issuer=foreign_root, issuer_key=foreign_root_key)
    problems = pki.check(foreign_ee, at=NOW)
    assert [p.kind for p in problems] == ["untrusted"] and "Foreign Root" in problems[0].detail
    assert pki.check(foreign_ee, at=NOW, extra_trust=[foreign_root]) == []
    assert pki.check(foreign_ee, at=NOW, extra_trust=[foreign_ee]) == []  # pinned end entity
    assert pki.ca_for(foreign_ee) is None
    with pytest.raises(ValueError, match="not issued by the sandbox"):
        pki.revoke(foreign_ee, x509.ReasonFlags.superseded, NOW)


def test_check_reports_validity_at_the_given_time(pki, rsa_key):
    cert = _professional(pki, rsa_key, not_before=NOW + timedelta(days=10), not_after=NOW + timedelta(days=20))
    assert [p.kind for p in pki.check(cert, at=NOW)] == ["not-yet-valid"]
    assert pki.check(cert, at=NOW + timedelta(days=15)) == []
    assert [p.kind for p in pki.check(cert, at=NOW + timedelta(days=21))] == ["expired"]


def test_check_requires_a_signing_key_usage(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    for usage in (_usage(key_agreement=True), None):
        pinned = _self_signed(key, "Encryption only", ca=False, key_usage=usage)
        assert [p.kind for p in pki.check(pinned, at=NOW, extra_trust=[pinned])] == ["key-usage"]


def test_revocation_shows_in_check_and_in_the_signed_crl(pki, rsa_key):
    superseded, lost = _professional(pki, rsa_key), _professional(pki, rsa_key)
    before = pki.crl_der("professional")
    pki.revoke(superseded, x509.ReasonFlags.superseded, NOW)
    pki.revoke(lost, x509.ReasonFlags.key_compromise, NOW)
    pki.revoke(lost, x509.ReasonFlags.unspecified, NOW + timedelta(days=1))  # the first revocation stands

    assert pki.revocation(lost) == (x509.ReasonFlags.key_compromise, NOW)
    assert [p.kind for p in pki.check(superseded, at=NOW + timedelta(seconds=1))] == ["revoked"]
    assert [p.kind for p in pki.check(lost, at=NOW + timedelta(seconds=1))] == ["lost"]
    assert pki.check(lost, at=NOW - timedelta(hours=1)) == []  # signed before the revocation

    der = pki.crl_der("professional")
    assert der != before
    crl = x509.load_der_x509_crl(der)
    assert crl.is_signature_valid(pki.cas["professional"].certificate.public_key())
    assert crl.next_update_utc > crl.last_update_utc
    assert crl.issuer == pki.cas["professional"].certificate.subject
    for cert, reason in ((superseded, x509.ReasonFlags.superseded), (lost, x509.ReasonFlags.key_compromise)):
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is reason
    assert pki.crl_der("professional") == der  # cached until revocations change
    assert len(x509.load_der_x509_crl(pki.crl_der("service"))) == 0
    with pytest.raises(KeyError):
        pki.crl_der("nonexistent")

    reopened = Pki.open(pki.directory)  # another process's view: revocations are on disk
    assert reopened.revocation(superseded)[0] is x509.ReasonFlags.superseded


def test_chain_passes_cryptographys_rfc5280_verifier(pki, rsa_key):
    cert = _professional(pki, rsa_key)
    ee_policy = ExtensionPolicy.permit_all().require_present(x509.KeyUsage, Criticality.CRITICAL, None)
    verifier = (PolicyBuilder().store(Store(pki.trust_anchors())).time(NOW)
                .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
                .build_client_verifier())
    chain = verifier.verify(cert, [pki.cas["professional"].certificate]).chain
    assert chain[-1] == pki.cas["root"].certificate


def test_real_dvv_test_certificate_is_read_leniently(pki):
    """The sample's DVV TEST certificate has non-DER BasicConstraints that cryptography refuses to parse."""
    match = re.search(rb"X509Certificate>([^<]+)<", sample("asiakassuunnitelma", "document"))
    dvv = x509.load_der_x509_certificate(base64.b64decode(match.group(1)))
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert [p.kind for p in pki.check(dvv, at=at)] == ["untrusted"]
    assert pki.check(dvv, at=at, extra_trust=[dvv]) == []
    assert [p.kind for p in pki.check(dvv, at=datetime(2031, 1, 1, tzinfo=timezone.utc), extra_trust=[dvv])] == ["expired"]


def test_check_is_cached_and_fast(pki, rsa_key):
    cert = _professional(pki, rsa_key)
    pki.check(cert, at=NOW)
    started = time.perf_counter()
    for _ in range(2000):
        pki.check(cert, at=NOW)
    per_check = (time.perf_counter() - started) / 2000
    print(f"pki.check: {per_check * 1e6:.0f} us per call")
    assert per_check < 0.001


def test_profiles_file_marks_every_modelled_value():
    data = yaml.safe_load(default_profiles_path().read_text(encoding="utf-8"))
    for section in ("cas", "profiles"):
        for name, spec in data[section].items():
            assert isinstance(spec["verified"], bool), name
            if not spec["verified"]:
                assert len(spec.get("note", "")) > 20, f"{name} is modelled but has no note"
    profiles = data["profiles"]
    assert profiles["professional"]["policies"] == ["1.2.246.517.99.10.306.1"]
    assert "1.2.246.517.99.10.308.2" in profiles["system-signature"]["policies"]
    assert {n for n, p in profiles.items() if not p["verified"]} >= {"staff", "actor", "tls-client"}
    assert profiles["professional"]["max_validity_days"] <= 5 * 366
    assert profiles["system-signature"]["max_validity_days"] <= 2 * 366
    assert profiles["tls-server"]["max_validity_days"] <= 366


def test_ca_keys_are_private_files(pki):
    for ca in pki.cas:
        assert (pki.directory / f"{ca}.key.pem").stat().st_mode & 0o077 == 0
        serialization.load_pem_private_key((pki.directory / f"{ca}.key.pem").read_bytes(), None)
