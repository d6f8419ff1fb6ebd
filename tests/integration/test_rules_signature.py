"""The signature rules (SH-SIG-002/008/010/012/014/017) fired through the archive interface: a correct document
signed with certificates of the sandbox CA, its signature then spoilt where the signature profile is not
covered by a digest, or made at the wrong time, with the wrong certificate or of the wrong type. The rules of
basis modelled warn by default (docs/verdicts.md); a strict tenant of this module's own shows them refusing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_kanta.client import KantaClient, signed_bytes
from mock_kanta.signing.pki import Pki, card_subject, default_profiles_path
from tests.integration.test_tenants import create, fresh_id, header
from tests.rulecases import AUTHOR, SIGNATURE, clean, drop, put, refused_by, text, warned_as_modelled
from tests.signing import SoftwareSigner, issue_signer

DESCRIPTION = f"{SIGNATURE}/hl7fi:signatureDescription"
CERTIFICATE = f"{SIGNATURE}/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate"


@pytest.fixture(scope="module")
def encryption_card(sandbox, tmp_path_factory) -> SoftwareSigner:
    """AUTHOR's card from the sandbox's professional CA, as the professional profile but for key usage
    keyEncipherment alone: a certificate the archive trusts that does not allow signing."""
    config = yaml.safe_load(default_profiles_path().read_text(encoding="utf-8"))
    config["profiles"]["encryption-card"] = {**config["profiles"]["professional"], "key_usage": ["keyEncipherment"]}
    profiles = tmp_path_factory.mktemp("profiles") / "profiles.yaml"
    profiles.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    pki = Pki.open(sandbox.data_dir / "pki", profiles_path=profiles)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.now(timezone.utc) - timedelta(days=1)
    subject = card_subject(AUTHOR.given, AUTHOR.family, registration_number=AUTHOR.registration_number)
    return SoftwareSigner(key, pki.issue("encryption-card", key.public_key(), subject, not_before=start,
                                         not_after=start + timedelta(days=365)))


@pytest.fixture(scope="module")
def strict(sandbox):
    """A tenant of this module's own whose verdict profile is strict: every finding refuses (docs/verdicts.md)."""
    tenant = fresh_id("strict-sig")
    assert create(sandbox.http, tenant).status_code == 201
    r = sandbox.http.put("/api/v1/verdict-profile", json={"strict": True}, headers=header(tenant))
    assert r.status_code == 200, r.text
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        yield kanta
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


@pytest.mark.parametrize("kind", ["plan", "relationship"])
def test_the_correct_signatures_raise_no_finding(desk, kind):
    clean(desk.send(getattr(desk, kind)()))


@pytest.mark.parametrize("edit, problem", [
    (put(DESCRIPTION, codeSystem="1.2.246.537.5.99999"), "codeSystem"),
    (drop(f"{SIGNATURE}/@ID"), "no ID"),
], ids=["signature type from another code system", "signature without ID"])
def test_signature_outside_kantas_profile_is_refused(desk, edit, problem):
    """Neither the signature's type nor its ID is under a digest: the signature itself still verifies."""
    answer = desk.send(desk.plan(), signed=(edit,))
    d = refused_by(answer, "SH-SIG-002", "hl7fi:signature")
    assert problem in d.text
    assert not {"SH-SIG-003", "SH-SIG-004", "SH-SIG-005"} & set(answer.rule_ids)


@pytest.mark.parametrize("edit", [drop(CERTIFICATE), text(CERTIFICATE, "AAAA")], ids=["missing", "not DER"])
def test_signature_without_a_readable_certificate_is_refused(desk, edit):
    refused_by(desk.send(desk.plan(), signed=(edit,)), "SH-SIG-008", "KeyInfo")


def test_signature_made_outside_the_certificates_validity_is_refused(desk):
    """eIDAS (EU) 910/2014 art. 32(1)(b): a qualified signature is valid only if its certificate "was valid at the
    time of signing", and Kanta requires a valid signature with a DVV certificate (Kanta CDA R2 -asiakirjojen
    sähköinen allekirjoitus): SH-SIG-010 has basis kanta and refuses (docs/cards-and-signatures.md, "When a
    certificate must be valid")."""
    before = desk.card.certificate.not_valid_before_utc - timedelta(days=2)
    doc = desk.plan()
    answer = desk.kanta.archive(desk.frame(doc), signed_bytes(doc, [(desk.card, "professional")], signed_at=before))
    refused_by(answer, "SH-SIG-010", "KeyInfo")
    assert [d.rule for d in answer.errors] == ["SH-SIG-010"]
    assert "signed at" in answer.errors[0].text
    assert "SH-SIG-011" not in answer.rule_ids  # valid on arrival: only the signing time is wrong


def test_signature_by_a_certificate_revoked_before_signing_is_refused(sandbox, desk):
    """DVV's CRL gives the revocation's time; a card revoked before it signs (SH-SIG-012) is judged at the signing
    time like its validity (eIDAS art. 32(1)(b)); basis kanta, like SH-SIG-010: refused."""
    revoked = issue_signer(sandbox.pki, "professional", (AUTHOR.given, AUTHOR.family, AUTHOR.registration_number))
    sandbox.pki.revoke(revoked.certificate, x509.ReasonFlags.superseded, datetime.now(timezone.utc) - timedelta(hours=1))
    answer = desk.send(desk.plan(), signers=[(revoked, "professional")])
    refused_by(answer, "SH-SIG-012", "KeyInfo")
    assert [d.rule for d in answer.errors] == ["SH-SIG-012"]
    text = answer.errors[0].text
    assert "already on the revocation list at the signing time" in text and "reason superseded" in text


def test_signature_with_a_certificate_that_does_not_allow_signing_is_flagged(desk, encryption_card):
    answer = desk.send(desk.plan(), signers=[(encryption_card, "professional")])
    d = warned_as_modelled(answer, "SH-SIG-014", "KeyInfo")
    assert "keyEncipherment" in d.text
    assert not {"SH-SIG-009", "SH-SIG-019"} & set(answer.rule_ids)  # trusted, and a card's policy


def test_client_relationship_document_signed_by_a_professional_is_flagged(desk):
    d = warned_as_modelled(desk.send(desk.relationship(), signers=[(desk.card, "professional")]), "SH-SIG-017",
                           "signatureDescription")
    assert "type 1" in d.text and "group 1" in d.text


def test_signature_of_an_unknown_type_is_flagged(desk):
    """Type 2 is neither a professional's (1) nor a system's (3) signature; the type is not under a digest."""
    warned_as_modelled(desk.send(desk.plan(), signed=(put(DESCRIPTION, code="2"),)), "SH-SIG-017", "signatureDescription")
