"""Card-signed submissions over HTTP, against the running sandbox (issue 3, "Done when").

Documents are signed with virtual cards on real SoftHSM tokens in the sandbox's own data
directory, so the server process sees revocations made beside it (also by the CLI, a
third process). Every refusal is checked for its rule id and location, in the archive and
in the validation clone, and for leaving nothing stored. python-xmlsec is the independent
verifier of an accepted document.
"""
from __future__ import annotations

import base64
import copy
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone

import pytest
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from mock_kanta.signing import xmldsig
from mock_kanta.signing.cards import CardLocked, CardStore, WrongPin
from mock_kanta.signing.xmldsig.profile import DS, FI, HL7
from mock_kanta.wire import cda, safexml
from mock_kanta.wire.paths import NS
from tests.conftest import SAMPLE_TIME, sample
from tests.helpers import ack_of, codes, post_archive, renumber
from tests.rulecases import MODELLED_NOTE
from tests.signing import strip_signatures

HELSINKI = "1.2.246.10.2012566.10.40"  # custodian and sender of the asiakassuunnitelma
VANTAA_KERAVA = "1.2.246.10.32213561.10.0"  # custodian and sender of the asiakkuusasiakirja
AUTHOR = {"given": "Angelica", "family": "Johansson", "registration_number": "25104559650"}  # the plan's author
TITLE = "251 sosionomi, socionom"
PIN = "1234"
CLONE = "/shark-validointi/validoi/asiakirja/tulos"
SERVICE_REQUEST = {"asiakassuunnitelma": "SP17", "asiakkuusasiakirja": "SP1"}
CUSTODIAN = {"asiakassuunnitelma": HELSINKI, "asiakkuusasiakirja": VANTAA_KERAVA}
# Warnings the re-signed plan is accepted with, from the sample itself (not from its signature):
# its frame's controlActProcess/code has no @code, and its encounter id has root and nullFlavor.
PLAN_WARNINGS = ["SH-FRM-006", "SH-HDR-015"]

SIG1 = "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature[1]"
LOCATION = {
    "SH-SIG-001": "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:signatureCollection",
    "SH-SIG-003": SIG1 + "/ds:Signature/ds:SignedInfo",
    "SH-SIG-004": SIG1 + "/ds:Signature/ds:SignedInfo",
    "SH-SIG-005": SIG1 + "/ds:Signature/ds:SignatureValue",
    "SH-SIG-006": SIG1,
    "SH-SIG-010": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-011": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-012": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-013": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-015": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-016": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-018": "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:signature/hl7fi:assignedAuthorSigner",
    "SH-SIG-019": SIG1 + "/ds:Signature/ds:KeyInfo",
    "SH-SIG-020": SIG1 + "/ds:Signature/ds:KeyInfo",
}
_SIG = "hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature"


def doc_id(name: str, n: int) -> str:
    """A document id of this module's own (arc 3 = issue 3), apart from other modules' ids."""
    root = "1.2.246.10.2012566.95.2026.3" if name == "asiakassuunnitelma" else "1.2.246.10.32213561.95777.2026.3"
    return f"{root}.{n}"


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cards(sandbox) -> CardStore:
    """The sandbox's own cards: same data directory as the server, so it sees our revocations."""
    return CardStore(sandbox.data_dir, sandbox.pki)


@pytest.fixture(scope="module")
def author_card(cards):
    """A card freshly issued to the plan's author."""
    return cards.issue("professional", title=TITLE, **AUTHOR)


@pytest.fixture(scope="module")
def author_signer(cards, author_card):
    return cards.signer(author_card.id, PIN)


# --- helpers --------------------------------------------------------------------------------

def unsigned(name: str, n: int) -> tuple[bytes, etree._Element]:
    """A renumbered copy of a public sample, its signatures (and header signature block) removed."""
    frame, document = renumber(sample(name, "frame"), sample(name, "document"), doc_id(name, n))
    root = safexml.parse(document)
    strip_signatures(root)
    return frame, root


def signed(name: str, n: int, signer, kind: str = "professional", **kwargs) -> tuple[bytes, etree._Element]:
    frame, root = unsigned(name, n)
    xmldsig.sign_document(root, signer, kind=kind, **kwargs)
    return frame, root


def the_signature(root: etree._Element, path: str = "") -> etree._Element:
    found = root.findall(_SIG + path, NS)
    assert len(found) == 1, (path, len(found))
    return found[0]


def stored(sandbox, name: str, n: int):
    return sandbox.http.get(f"/api/v1/registers/{CUSTODIAN[name]}/documents/{doc_id(name, n)}")


def clone(sandbox, name: str, frame: bytes, document: bytes):
    return sandbox.http.post(CLONE, json={
        "messageId": str(uuid.uuid4()), "palveluPyynto": SERVICE_REQUEST[name], "level": "1",
        "siirtokehysXml": frame.decode("utf-8"), "asiakirjaXml": document.decode("utf-8")})


def _sig_findings(ack: dict, warnings: tuple[str, ...], modelled: tuple[str, ...]) -> list[dict]:
    """The answer's SH-SIG warnings: exactly `warnings` (the catalogue's) and `modelled` (errors of basis modelled,
    lowered by the default verdicts, docs/verdicts.md, and saying so), each at its location."""
    found = [d for d in ack["details"] if d["type_code"] == "W" and d["code"].startswith("SH-SIG")]
    assert sorted(d["code"] for d in found) == sorted(warnings + modelled), ack["details"]
    for d in found:
        assert d["location"] == LOCATION[d["code"]], d
        assert (MODELLED_NOTE in d["text"]) == (d["code"] in modelled), d
    return found


def assert_refused(sandbox, name: str, n: int, frame: bytes, root: etree._Element, rules: list[str],
                   modelled: tuple[str, ...] = ()) -> list[dict]:
    """AE with exactly `rules` as errors at their locations (and `modelled` as SH-SIG warnings), the clone agrees,
    nothing is stored. Returns the errors, then those warnings."""
    document = cda.to_bytes(root)
    response = post_archive(sandbox.http, frame, document)
    assert response.status_code == 200, response.text
    ack = ack_of(response)
    assert ack["type_code"] == "AE", ack
    errors = [d for d in ack["details"] if d["type_code"] == "E"]
    assert sorted(d["code"] for d in errors) == sorted(rules), ack["details"]
    for d in errors:
        assert d["location"] == LOCATION[d["code"]], d
    warned = _sig_findings(ack, (), modelled)
    verdict = clone(sandbox, name, frame, document)
    assert verdict.status_code == 400, verdict.text
    assert sorted(f["rule"] for f in verdict.json()["findings"] if f["severity"] == "error") == sorted(rules)
    assert stored(sandbox, name, n).status_code == 404
    return errors + warned


def assert_accepted(sandbox, name: str, n: int, frame: bytes, root: etree._Element, warnings: tuple[str, ...] = (),
                    modelled: tuple[str, ...] = ()) -> list[dict]:
    """AA with exactly `warnings` and `modelled` as its SH-SIG findings (see `_sig_findings`); the stored document
    is byte for byte what was sent. Returns those findings."""
    document = cda.to_bytes(root)
    ack = ack_of(post_archive(sandbox.http, frame, document))
    assert ack["type_code"] == "AA", ack
    assert codes(ack, "E") == []
    found = _sig_findings(ack, warnings, modelled)
    raw = sandbox.http.get(f"/api/v1/registers/{CUSTODIAN[name]}/documents/{doc_id(name, n)}/document.xml")
    assert raw.status_code == 200 and raw.content == document
    return found


def sandbox_chain(sandbox) -> list[x509.Certificate]:
    response = sandbox.http.get("/pki/ca.pem")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-pem-file")
    return x509.load_pem_x509_certificates(response.content)


def xmlsec_verify(document: bytes, trusted: list[x509.Certificate]) -> int:
    """Verify every ds:Signature with python-xmlsec (libxmlsec1 + OpenSSL), the chain included.

    xmlsec knows no Kanta ID attribute, so nonXMLBody@ID and signatureTimestamp@ID are
    registered as IDs. Raises xmlsec.Error on any failure; returns how many verified."""
    root = etree.fromstring(document)
    id_elements = [el for el in root.iter(f"{{{HL7}}}nonXMLBody", f"{{{FI}}}signatureTimestamp") if el.get("ID")]
    count = 0
    for dsig in root.iter(f"{{{DS}}}Signature"):
        manager = xmlsec.KeysManager()
        for cert in trusted:
            manager.load_cert_from_memory(cert.public_bytes(Encoding.PEM), xmlsec.constants.KeyDataFormatCertPem,
                                          xmlsec.constants.KeyDataTypeTrusted)
        ctx = xmlsec.SignatureContext(manager)
        for el in id_elements:
            ctx.register_id(el, "ID")
        ctx.verify(dsig)
        count += 1
    return count


def cards_cli(sandbox, *args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "mock_kanta.cli", "cards", *args, "--data-dir", str(sandbox.data_dir)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def crl(sandbox, ca: str) -> x509.CertificateRevocationList:
    response = sandbox.http.get(f"/pki/crl/{ca}.crl")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pkix-crl"
    revocations = x509.load_der_x509_crl(response.content)
    issuer = next(c for c in sandbox_chain(sandbox) if c.subject == revocations.issuer)
    assert revocations.is_signature_valid(issuer.public_key())
    return revocations


# --- a freshly issued card ---------------------------------------------------------------------

def test_ca_chain_is_served(sandbox):
    chain = sandbox_chain(sandbox)
    assert b"".join(c.public_bytes(Encoding.PEM) for c in chain) == sandbox.pki.chain_pem()
    root, *issuing = chain
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    for ca in issuing:
        ca.verify_directly_issued_by(root)
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert sorted(c.subject.rfc4514_string() for c in issuing) == sorted(
        ca.certificate.subject.rfc4514_string() for name, ca in sandbox.pki.cas.items() if name != "root")


def test_document_signed_with_a_fresh_card_is_accepted_and_xmlsec_agrees(sandbox, author_card, author_signer):
    assert author_card.status == "active" and author_card.kind == "professional"
    assert author_card.certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == "25104559650"
    frame, root = signed("asiakassuunnitelma", 1, author_signer)
    header = root.find("hl7fi:localSocialHeader/hl7fi:signature", NS)
    assert header.findtext("hl7fi:assignedAuthorSigner", namespaces=NS) == "25104559650"
    document = cda.to_bytes(root)
    assert clone(sandbox, "asiakassuunnitelma", frame, document).status_code == 200
    ack = ack_of(post_archive(sandbox.http, frame, document))
    assert ack["type_code"] == "AA", ack
    assert codes(ack, "E") == [] and sorted(codes(ack, "W")) == PLAN_WARNINGS  # no SH-SIG-007: strictly valid
    raw = sandbox.http.get(f"/api/v1/registers/{HELSINKI}/documents/{doc_id('asiakassuunnitelma', 1)}/document.xml")
    assert raw.status_code == 200 and raw.content == document
    # The independent verifier: the stored bytes, the chain as served by the sandbox.
    assert xmlsec_verify(raw.content, sandbox_chain(sandbox)) == 1
    # ... and it does check the chain: with only an unrelated CA trusted it refuses.
    foreign = [c for c in sandbox_chain(sandbox) if c.subject != author_card.certificate.issuer
               and c.subject != c.issuer]
    with pytest.raises(xmlsec.Error):
        xmlsec_verify(raw.content, foreign)


def test_unsigned_document_is_refused(sandbox):
    frame, root = unsigned("asiakassuunnitelma", 2)
    assert_refused(sandbox, "asiakassuunnitelma", 2, frame, root, ["SH-SIG-001"])


# --- tampering ---------------------------------------------------------------------------------

def test_changed_body_is_refused_and_xmlsec_agrees(sandbox, author_signer):
    frame, root = signed("asiakassuunnitelma", 3, author_signer)
    text = root.find("hl7:component/hl7:nonXMLBody/hl7:text", NS)
    xhtml = base64.b64decode(text.text)
    informed = "<p>Kyllä</p>".encode()  # "the client was told of their rights: yes"
    assert xhtml.count(informed) == 1
    text.text = base64.b64encode(xhtml.replace(informed, "<p>Ei</p>".encode())).decode("ascii")
    assert_refused(sandbox, "asiakassuunnitelma", 3, frame, root, ["SH-SIG-003"])
    with pytest.raises(xmlsec.Error):
        xmlsec_verify(cda.to_bytes(root), sandbox_chain(sandbox))


def test_changed_timestamp_is_refused(sandbox, author_signer):
    frame, root = signed("asiakassuunnitelma", 4, author_signer)
    timestamp = the_signature(root, "/hl7fi:signatureTimestamp")
    when, fraction = re.fullmatch(r"(.*\.)(\d{6})Z", timestamp.text).groups()
    # another instant within the same second: still a valid time for the card
    timestamp.text = f"{when}{'000001' if fraction == '000000' else '000000'}Z"
    assert_refused(sandbox, "asiakassuunnitelma", 4, frame, root, ["SH-SIG-004"])


def test_changed_signature_value_is_refused(sandbox, author_signer):
    frame, root = signed("asiakassuunnitelma", 5, author_signer)
    value = the_signature(root, "/ds:Signature/ds:SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[len(raw) // 2] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode("ascii")
    assert_refused(sandbox, "asiakassuunnitelma", 5, frame, root, ["SH-SIG-005"])


@pytest.mark.parametrize("n, attack, rules", [
    (6, "decoy", []),  # a copy of the signed body with the same ID, the real body untouched: only SH-SIG-006
    (7, "swap", ["SH-SIG-003"]),  # the signed body hidden as the decoy, a changed body in its place
])
def test_wrapped_signature_is_reported(sandbox, author_signer, n, attack, rules):
    """W3C XML Signature Best Practices (signature wrapping): SH-SIG-006 is the sandbox's own guard (modelled, so a
    warning by default); a body changed under it is refused by its digest (SH-SIG-003, Kanta's signature profile)."""
    frame, root = signed("asiakassuunnitelma", n, author_signer)
    body = root.find("hl7:component/hl7:nonXMLBody", NS)
    root.find("hl7fi:localSocialHeader", NS).append(copy.deepcopy(body))  # a second element, same ID
    if attack == "swap":
        text = body.find("hl7:text", NS)
        text.text = base64.b64encode(base64.b64decode(text.text).replace(b"asda", b"ei tapaamisia")).decode("ascii")
    assert [el.get("ID") for el in root.iter(f"{{{HL7}}}nonXMLBody")] == [f"OID{doc_id('asiakassuunnitelma', n)}"] * 2
    if rules:
        found = assert_refused(sandbox, "asiakassuunnitelma", n, frame, root, rules, modelled=("SH-SIG-006",))
    else:
        found = assert_accepted(sandbox, "asiakassuunnitelma", n, frame, root, modelled=("SH-SIG-006",))
    wrapping = next(d for d in found if d["code"] == "SH-SIG-006")
    assert "is carried by 2 elements" in wrapping["text"] and "it must resolve to exactly one" in wrapping["text"]


# --- the card's life: revoked, lost, expired, locked -------------------------------------------

def test_card_revoked_by_the_cli_is_refused_by_the_running_server(sandbox, cards):
    """DVV's CRL says from when a certificate is revoked; the sandbox judges revocation at the signing time
    (docs/cards-and-signatures.md, "When a certificate must be valid"): what the card signs after the revocation
    is refused (SH-SIG-012, basis kanta: Kanta requires a valid signature, and eIDAS art. 32(1)(b) judges a
    certificate at the signing time), what it signed before is accepted with SH-SIG-020, since no public source
    says whether Kanta also judges at arrival."""
    card = cards.issue("professional", title=TITLE, **AUTHOR)
    frame, before = signed("asiakassuunnitelma", 8, cards.signer(card.id, PIN))
    assert clone(sandbox, "asiakassuunnitelma", frame, cda.to_bytes(before)).status_code == 200  # valid before
    assert "revoked (unspecified); status revoked" in cards_cli(sandbox, "revoke", card.id)
    frame_after, after = signed("asiakassuunnitelma", 15, cards.signer(card.id, PIN))  # a revoked card still signs
    flagged = assert_refused(sandbox, "asiakassuunnitelma", 15, frame_after, after, ["SH-SIG-012"])
    assert f"(serial {card.serial}) revoked" in flagged[0]["text"] and "reason unspecified" in flagged[0]["text"]
    assert "already on the revocation list at the signing time" in flagged[0]["text"]
    warned = assert_accepted(sandbox, "asiakassuunnitelma", 8, frame, before, warnings=("SH-SIG-020",))
    assert "revoked after the signing time" in warned[0]["text"] and "no public source" in warned[0]["text"]
    entry = crl(sandbox, "professional").get_revoked_certificate_by_serial_number(card.certificate.serial_number)
    assert entry is not None
    with pytest.raises(x509.ExtensionNotFound):  # RFC 5280: reason "unspecified" is omitted
        entry.extensions.get_extension_for_class(x509.CRLReason)
    assert cards.get(card.id).status == "revoked"


def test_card_reported_lost_is_refused(sandbox, cards):
    """As for a revoked card: a lost card (revoked with reason keyCompromise) is refused for what it signs after
    the report (SH-SIG-013, basis kanta); a signature claiming an earlier time is accepted with
    SH-SIG-020, which says that the claimed signing time of a lost card proves nothing."""
    card = cards.issue("professional", title=TITLE, **AUTHOR)
    frame, before = signed("asiakassuunnitelma", 9, cards.signer(card.id, PIN))
    assert clone(sandbox, "asiakassuunnitelma", frame, cda.to_bytes(before)).status_code == 200
    assert cards.report_lost(card.id).status == "lost"
    frame_after, after = signed("asiakassuunnitelma", 16, cards.signer(card.id, PIN))
    flagged = assert_refused(sandbox, "asiakassuunnitelma", 16, frame_after, after, ["SH-SIG-013"])
    assert "reason keyCompromise" in flagged[0]["text"]
    warned = assert_accepted(sandbox, "asiakassuunnitelma", 9, frame, before, warnings=("SH-SIG-020",))
    assert "reason keyCompromise" in warned[0]["text"] and "keyCompromise) whoever holds it" in warned[0]["text"]
    entry = crl(sandbox, "professional").get_revoked_certificate_by_serial_number(card.certificate.serial_number)
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is x509.ReasonFlags.key_compromise


def test_card_that_expired_after_signing_is_accepted_with_a_warning(sandbox, cards):
    """No public source says whether Kanta judges a certificate's validity at the signing time or at arrival
    (docs/cards-and-signatures.md, "When a certificate must be valid"); the reading that refuses less is taken:
    signed inside its validity, the plan is accepted after the card expired, with SH-SIG-011 saying so. Signed
    after the card expired, it is refused with SH-SIG-010 (basis kanta: eIDAS art. 32(1)(b))."""
    card = cards.issue("professional", title=TITLE, not_before=datetime(2026, 7, 1, tzinfo=timezone.utc),
                       not_after=datetime(2026, 8, 1, tzinfo=timezone.utc), **AUTHOR)
    assert card.status == "expired"
    frame, late = signed("asiakassuunnitelma", 17, cards.signer(card.id, PIN),
                         signed_at=datetime(2026, 8, 15, 9, 0, tzinfo=timezone.utc))
    flagged = assert_refused(sandbox, "asiakassuunnitelma", 17, frame, late, ["SH-SIG-010"])
    assert "expired 2026-08-01T00:00:00+00:00; signed at 2026-08-15T09:00:00+00:00" in flagged[0]["text"]
    frame, root = signed("asiakassuunnitelma", 10, cards.signer(card.id, PIN),
                         signed_at=datetime(2026, 7, 17, 9, 0, tzinfo=timezone.utc))
    warned = assert_accepted(sandbox, "asiakassuunnitelma", 10, frame, root, warnings=("SH-SIG-011",))
    assert "expired 2026-08-01T00:00:00+00:00" in warned[0]["text"] and "valid at the signing time" in warned[0]["text"]


def test_client_relationship_sample_signed_inside_its_validity_is_accepted_after_it_expired(sandbox):
    """The asiakkuusasiakirja sample was signed on 17.7.2026 with a DVV TEST system certificate valid until
    9.10.2026 ([S] the sample); on 23.11.2026 it is accepted, with SH-SIG-011 naming the expiry
    (docs/cards-and-signatures.md, "When a certificate must be valid"). A tenant of its own keeps the sample's
    document id free of the other modules' archiving."""
    tenant = "signed-before-expiry"
    assert sandbox.http.post("/api/v1/tenants", json={"id": tenant}).status_code == 201
    try:
        sandbox.http.put("/api/v1/clock", json={"time": "2026-11-23T10:00:00+00:00"},
                         headers={"X-Mock-Kanta-Tenant": tenant}).raise_for_status()
        ack = ack_of(post_archive(sandbox.http, *[sample("asiakkuusasiakirja", p) for p in ("frame", "document")], tenant=tenant))
        assert ack["type_code"] == "AA", ack
        assert sorted(codes(ack)) == ["SH-SIG-007", "SH-SIG-011"] and codes(ack, "E") == []
        expired = next(d for d in ack["details"] if d["code"] == "SH-SIG-011")
        assert "expired 2026-10-09" in expired["text"] and "valid at the signing time" in expired["text"]
    finally:
        assert sandbox.http.delete(f"/api/v1/tenants/{tenant}").status_code in (200, 204)


def test_locked_card_cannot_sign(sandbox, cards):
    card = cards.issue("professional", title=TITLE, pin="2468", **AUTHOR)
    remaining = []
    for _ in range(3):
        with pytest.raises(WrongPin) as wrong:
            cards.signer(card.id, "1357")
        remaining.append(wrong.value.remaining)
    assert remaining == [2, 1, 0]
    with pytest.raises(CardLocked):
        cards.signer(card.id, "2468")  # the right PIN no longer opens it
    # The lock is kept in the data directory, not in this object: another client sees it too.
    with pytest.raises(CardLocked):
        CardStore(sandbox.data_dir, sandbox.pki).signer(card.id, "2468")
    assert cards.get(card.id).status == "locked"
    assert '"status": "locked"' in cards_cli(sandbox, "show", card.id, "--json")


def test_signer_taken_before_the_lock_cannot_sign_after_it(sandbox, cards):
    card = cards.issue("professional", title=TITLE, **AUTHOR)
    early = cards.signer(card.id, PIN)
    early.sign(b"before")  # works while the card is open
    for _ in range(3):
        with pytest.raises(WrongPin):
            cards.signer(card.id, "0000")
    with pytest.raises(CardLocked):
        early.sign(b"after three wrong PINs")
    frame, root = unsigned("asiakassuunnitelma", 14)
    with pytest.raises(CardLocked):
        xmldsig.sign_document(root, early, kind="professional")
    assert root.find("hl7fi:localSocialHeader/hl7fi:signatureCollection", NS) is None  # left unchanged


# --- who signed --------------------------------------------------------------------------------

def _demo_card(cards, given: str):
    found = [c for c in cards.list() if c.given == given and c.kind == "professional" and c.status == "active"]
    assert found, f"the sandbox's demo card of {given} is missing"
    return found[0]


def test_signer_the_header_names_is_accepted_though_not_the_author(sandbox, cards):
    """The header's hl7fi:signature block names who signed ([S] the client-plan sample: "Uses Last User"); a
    signer it names is named by the document, though the author is somebody else."""
    other = _demo_card(cards, "Sointu")  # Sointu Testinen 25199990011, a demo professional
    frame, root = signed("asiakassuunnitelma", 11, cards.signer(other.id, PIN))
    assert root.find("hl7:author/hl7:assignedAuthor/hl7:id", NS).get("extension") == "25104559650"
    assert root.findtext("hl7fi:localSocialHeader/hl7fi:signature/hl7fi:assignedAuthorSigner", namespaces=NS) == "25199990011"
    assert_accepted(sandbox, "asiakassuunnitelma", 11, frame, root)


def test_header_naming_another_signer_is_reported(sandbox, author_signer):
    """[S] the client-plan sample: the header names the card that signed. Here the author signs with her own card
    but the header names somebody else, who did not sign (SH-SIG-018, modelled: a warning by default)."""
    frame, root = signed("asiakassuunnitelma", 12, author_signer)
    block = root.find("hl7fi:localSocialHeader/hl7fi:signature", NS)
    block.find("hl7fi:assignedAuthorSigner", NS).text = "25199990011"
    block.find("hl7fi:signer/hl7fi:name/hl7fi:given", NS).text = "Sointu"
    block.find("hl7fi:signer/hl7fi:name/hl7fi:family", NS).text = "Testinen"
    flagged = assert_accepted(sandbox, "asiakassuunnitelma", 12, frame, root, modelled=("SH-SIG-018",))
    assert "assignedAuthorSigner is 25199990011" in flagged[0]["text"] and "cards: 25104559650)" in flagged[0]["text"]


def test_document_co_signed_by_two_professionals_is_accepted_and_xmlsec_agrees(sandbox, cards, author_signer):
    """kanta-facts §3 and [S] the client-plan sample: a document may carry several professional signatures. The
    author signs, a colleague co-signs last and the header names the colleague: both are named."""
    other = _demo_card(cards, "Sointu")
    frame, root = signed("asiakassuunnitelma", 18, author_signer)
    xmldsig.sign_document(root, cards.signer(other.id, PIN), kind="professional")
    assert root.findtext("hl7fi:localSocialHeader/hl7fi:signature/hl7fi:assignedAuthorSigner", namespaces=NS) == "25199990011"
    assert_accepted(sandbox, "asiakassuunnitelma", 18, frame, root)
    raw = sandbox.http.get(f"/api/v1/registers/{HELSINKI}/documents/{doc_id('asiakassuunnitelma', 18)}/document.xml")
    assert xmlsec_verify(raw.content, sandbox_chain(sandbox)) == 2


def test_co_signer_the_document_names_nowhere_is_reported(sandbox, cards, author_signer):
    """A colleague signs first and the author last, so the header names the author: the colleague's signature is
    by somebody the document names neither as author nor as signer ([I] kanta-facts §3: a professional's
    certificate is the author's or assignedAuthorSigner's; modelled, so a warning by default)."""
    other = _demo_card(cards, "Sointu")
    frame, root = signed("asiakassuunnitelma", 19, cards.signer(other.id, PIN))
    xmldsig.sign_document(root, author_signer, kind="professional")
    flagged = assert_accepted(sandbox, "asiakassuunnitelma", 19, frame, root, modelled=("SH-SIG-015",))
    assert "card 25199990011" in flagged[0]["text"] and "author (25104559650)" in flagged[0]["text"]


def test_another_professionals_card_under_the_authors_header_is_reported(sandbox, cards):
    # The header block (not covered by the signature) still names the author; the card is Sointu's.
    other = _demo_card(cards, "Sointu")
    frame, document = renumber(sample("asiakassuunnitelma", "frame"), sample("asiakassuunnitelma", "document"),
                               doc_id("asiakassuunnitelma", 13))
    root = safexml.parse(document)
    authors_block = copy.deepcopy(root.find("hl7fi:localSocialHeader/hl7fi:signature", NS))  # names Angelica
    strip_signatures(root)
    xmldsig.sign_document(root, cards.signer(other.id, PIN), kind="professional")
    header = root.find("hl7fi:localSocialHeader", NS)
    header.replace(header.find("hl7fi:signature", NS), authors_block)
    assert_accepted(sandbox, "asiakassuunnitelma", 13, frame, root, modelled=("SH-SIG-015", "SH-SIG-018"))


def test_system_signature_of_another_organisation_is_reported(sandbox, cards):
    # The asiakkuusasiakirja is sent by Vantaa and Kerava; Helsinki's system key signs it.
    helsinki = cards.system_signer(HELSINKI, "Helsingin sosiaali- ja terveystoimi")
    assert helsinki.certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == HELSINKI
    frame, root = signed("asiakkuusasiakirja", 1, helsinki, kind="system")
    flagged = assert_accepted(sandbox, "asiakkuusasiakirja", 1, frame, root, modelled=("SH-SIG-016",))
    assert f"serialNumber {HELSINKI} is not the sending organisation {VANTAA_KERAVA}" in flagged[0]["text"]
    # The sender's own system key: valid (checked with the clone, which stores nothing).
    frame, root = signed("asiakkuusasiakirja", 2, cards.system_signer(VANTAA_KERAVA, "Vantaan ja Keravan hyvinvointialue"),
                         kind="system")
    assert clone(sandbox, "asiakkuusasiakirja", frame, cda.to_bytes(root)).status_code == 200


def test_tls_certificate_is_reported_as_no_system_signature_certificate(sandbox):
    # A TLS client certificate of the sending organisation (right serialNumber, digitalSignature) is no
    # system signature certificate: its policy is for TLS (found by this module's review).
    from datetime import timedelta

    from mock_kanta.signing.pki import system_subject
    from tests.signing import SoftwareSigner, _key

    now = datetime.now(timezone.utc)
    cert = sandbox.pki.issue("tls-client", _key().public_key(), system_subject("Vantaan ja Keravan hyvinvointialue", VANTAA_KERAVA, "TLS"),
                             not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    frame, root = signed("asiakkuusasiakirja", 3, SoftwareSigner(_key(), cert), kind="system")
    flagged = assert_accepted(sandbox, "asiakkuusasiakirja", 3, frame, root, modelled=("SH-SIG-019",))
    assert "1.2.246.517.99.10.308.2" in flagged[0]["text"]
