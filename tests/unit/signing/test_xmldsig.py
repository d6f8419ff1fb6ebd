"""Kanta's XMLDSig profile: the public samples verify, our signatures match their layout,
tampering and signature wrapping are caught, and python-xmlsec independently accepts our output."""
from __future__ import annotations

import base64
import copy
from datetime import datetime, timedelta, timezone

import pytest
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from mock_kanta.signing.xmldsig import SigningError, sign_document, verify_document
from mock_kanta.wire import cda, safexml
from mock_kanta.wire.paths import NS
from tests.conftest import sample

FI, DS, HL7 = NS["hl7fi"], NS["ds"], NS["hl7"]
SIG_PATH = "hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature"
NOW = datetime(2026, 3, 23, 8, 50, 35, 559014, tzinfo=timezone.utc)


# --- a real RSA key and self-issued certificates ------------------------------------------

class KeySigner:
    """The signer interface over a cryptography RSA key (a SoftHSM card does the same on the token)."""

    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate):
        self.key, self.certificate = key, certificate

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _name(*pairs) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def _cert(subject, issuer, key, issuer_key, ca=False, key_usage=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if key_usage:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _usage(**on):
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
    flags.update(on)
    return x509.KeyUsage(**flags)


@pytest.fixture(scope="module")
def pki():
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name((NameOID.COUNTRY_NAME, "FI"), (NameOID.ORGANIZATION_NAME, "MOCK Kanta TEST"),
                    (NameOID.COMMON_NAME, "MOCK Social Welfare and Healthcare Prof. Certs - G2R"))
    ca = _cert(ca_name, ca_name, ca_key, ca_key, ca=True, key_usage=_usage(key_cert_sign=True, crl_sign=True))
    prof_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    prof = _cert(
        _name((NameOID.COUNTRY_NAME, "FI"), (NameOID.SERIAL_NUMBER, "25104559650"),
              (NameOID.TITLE, "251 sosionomi, socionom"), (NameOID.SURNAME, "Testinen"),
              (NameOID.GIVEN_NAME, "Tiina"), (NameOID.COMMON_NAME, "Testinen Tiina 25104559650")),
        ca_name, prof_key, ca_key, key_usage=_usage(digital_signature=True, content_commitment=True))
    sys_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    system = _cert(
        _name((NameOID.COUNTRY_NAME, "FI"), (NameOID.ORGANIZATION_NAME, "Testin hyvinvointialue"),
              (NameOID.SERIAL_NUMBER, "1.2.246.10.32213561.10.0"), (NameOID.COMMON_NAME, "Potilastietojärjestelmä")),
        ca_name, sys_key, ca_key, key_usage=_usage(digital_signature=True, content_commitment=True))
    return {"ca": ca, "professional": KeySigner(prof_key, prof), "system": KeySigner(sys_key, system)}


# --- helpers -----------------------------------------------------------------------------

def _sample_root(name: str) -> etree._Element:
    return safexml.parse(sample(name, "document"))


def _unsigned(name: str = "asiakassuunnitelma") -> etree._Element:
    """A sample without its signatures and without the professional header block."""
    root = _sample_root(name)
    header = root.find("hl7fi:localSocialHeader", NS)
    for el in header.findall("hl7fi:signatureCollection", NS) + header.findall("hl7fi:signature", NS):
        header.remove(el)
    return root


def _signed(pki, kinds=("professional",), name: str = "asiakassuunnitelma") -> etree._Element:
    root = _unsigned(name)
    for kind in kinds:
        sign_document(root, pki[kind], kind=kind, signed_at=NOW)
    return root


def _roundtrip(root: etree._Element) -> etree._Element:
    return safexml.parse(cda.to_bytes(root))


def _only(results):
    assert len(results) == 1
    return results[0]


def _layout(sig: etree._Element) -> list:
    """The shape of an hl7fi:signature: element names, attribute names, Algorithm values;
    references keyed by their role, enveloped-signature left out."""
    shape = []
    for el in sig.iter(tag=etree.Element):
        attrs = {k: v for k, v in el.attrib.items() if k in ("Algorithm", "codeSystem", "codeSystemName")}
        if el.get("Algorithm") == "http://www.w3.org/2000/09/xmldsig#enveloped-signature":
            continue
        if el.tag == f"{{{DS}}}Reference":
            attrs["URI"] = "body" if el.get("URI").startswith("#OID") else "timestamp"
        shape.append((el.tag, tuple(sorted(el.attrib)), tuple(sorted(attrs.items()))))
    return shape


_REF_PARTS = {f"{{{DS}}}{n}" for n in ("Transforms", "Transform", "DigestMethod", "DigestValue")}


def _refs_by_role(shape: list) -> list:
    """Split a shape into its header part and its two reference blocks, sorted by role."""
    out, current, refs = [], None, []
    for item in shape:
        if item[0] == f"{{{DS}}}Reference":
            current = [item]
            refs.append(current)
        elif current is not None and item[0] in _REF_PARTS:
            current.append(item)
        else:
            current = None
            out.append(item)
    return out + sorted(refs)


# --- the public samples --------------------------------------------------------------------

def test_system_sample_verifies_with_whitespace_quirk():
    r = _only(verify_document(_sample_root("asiakkuusasiakirja")))
    assert (r.index, r.signature_id, r.description_code) == (1, "Epic.HL7Finland.Signature.1", "3")
    assert r.location == "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature[1]"
    assert r.signed_at == datetime(2026, 7, 17, 10, 6, 56, 425738, tzinfo=timezone.utc)
    assert r.body_digest_ok and r.timestamp_digest_ok and r.value_ok and r.whitespace_tolerant
    assert r.layout_problems == () and r.wrapping_problems == ()  # enveloped-signature + exc-c14n is accepted
    assert r.certificate_error is None
    assert r.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "1.2.246.10.32213561.10.0"


def test_professional_sample_verifies_both_signatures():
    results = verify_document(_sample_root("asiakassuunnitelma"))
    assert [r.index for r in results] == [1, 2]
    assert [r.signature_id for r in results] == [
        "sig_5bada148-2695-11f1-849f-005056805429", "sig_e513809e-2695-11f1-849f-005056805429"]
    assert [r.description_code for r in results] == ["1", "1"]
    assert results[1].location.endswith("/hl7fi:signatureCollection/hl7fi:signature[2]")
    assert [r.signed_at for r in results] == [
        datetime(2026, 3, 23, 8, 50, 35, 559014, tzinfo=timezone.utc),
        datetime(2026, 3, 23, 8, 54, 26, 76175, tzinfo=timezone.utc)]
    for r in results:
        assert r.body_digest_ok and r.timestamp_digest_ok and r.value_ok and r.whitespace_tolerant, r
        assert r.layout_problems == () and r.wrapping_problems == () and r.crypto_ok
        assert r.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "25104559650"


def test_verification_does_not_change_the_tree():
    root = _sample_root("asiakassuunnitelma")
    before = etree.tostring(root)
    verify_document(root)  # the whitespace-tolerant path works on copies
    assert etree.tostring(root) == before


def test_body_digest_once_per_document_and_certificates_parsed_once(monkeypatch):
    from mock_kanta.signing.xmldsig import parts as xmldsig_parts
    from mock_kanta.signing.xmldsig import verify as xmldsig_verify

    root = _sample_root("asiakassuunnitelma")
    body = root.find("hl7:component/hl7:nonXMLBody", NS)
    seen = []
    real = xmldsig_verify.c14n
    monkeypatch.setattr(xmldsig_verify, "c14n", lambda el, *a: seen.append(el) or real(el, *a))
    xmldsig_parts.load_certificate.cache_clear()
    results = verify_document(root)
    assert len(results) == 2 and all(r.crypto_ok for r in results)
    # strict once, whitespace-stripped once (a copy whose tag is the body's), for both signatures
    assert sum(1 for el in seen if el.tag == body.tag) == 2
    info = xmldsig_parts.load_certificate.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # both signatures carry the same certificate


def test_samples_verify_after_a_roundtrip():
    for name, count in (("asiakkuusasiakirja", 1), ("asiakassuunnitelma", 2)):
        results = verify_document(_roundtrip(_sample_root(name)))
        assert len(results) == count and all(r.crypto_ok and r.whitespace_tolerant for r in results)


def test_tampered_sample_body_fails_only_the_body_digest():
    data = sample("asiakassuunnitelma", "document").replace(b">PGRpdiBj", b">PGRpdiBk", 1)
    for r in verify_document(safexml.parse(data)):
        assert not r.body_digest_ok and r.timestamp_digest_ok and r.value_ok and not r.whitespace_tolerant


# --- signing -------------------------------------------------------------------------------

def test_professional_signature_has_the_sample_layout(pki):
    root = _signed(pki, ("professional",))
    ours = root.find(SIG_PATH, NS)
    theirs = _sample_root("asiakassuunnitelma").find(SIG_PATH, NS)
    assert _layout(ours) == _layout(theirs)
    assert ours.get("ID").startswith("sig_")
    desc = ours.find("hl7fi:signatureDescription", NS)
    assert dict(desc.attrib) == {
        "code": "1", "displayName": "Ammattihenkilön allekirjoitus",
        "codeSystem": "1.2.246.537.5.40127.2006",
        "codeSystemName": "KanTa-palvelut - Sähköisen allekirjoituksen tyyppi"}
    ts = ours.find("hl7fi:signatureTimestamp", NS)
    assert ts.get("ID") == f"CDA-timestamp.{ours.get('ID')}"
    assert ts.text == "2026-03-23T08:50:35.559014Z"
    uris = [r.get("URI") for r in ours.iterfind(".//ds:Reference", NS)]
    assert uris == ["#OID1.2.246.10.2012566.95.2026.688883.2655274", f"#{ts.get('ID')}"]
    der = base64.b64decode(ours.findtext(".//ds:X509Certificate", namespaces=NS))
    assert der == pki["professional"].certificate.public_bytes(Encoding.DER)


def test_professional_header_block(pki):
    root = _unsigned()
    header = root.find("hl7fi:localSocialHeader", NS)
    sign_document(root, pki["professional"], kind="professional", signed_at=NOW)
    sign_document(root, pki["professional"], kind="professional", signed_at=NOW + timedelta(minutes=4))
    blocks = header.findall("hl7fi:signature", NS)
    assert len(blocks) == 1, "the header block is replaced, not duplicated"
    block = blocks[0]
    assert block.getnext().tag == f"{{{FI}}}signatureCollection"
    assert header[-1].tag == f"{{{FI}}}signatureCollection"
    assert block.findtext("hl7fi:assignedAuthorSigner", namespaces=NS) == "25104559650"
    assert block.findtext("hl7fi:signer/hl7fi:name/hl7fi:given", namespaces=NS) == "Tiina"
    assert block.findtext("hl7fi:signer/hl7fi:name/hl7fi:family", namespaces=NS) == "Testinen"
    method = block.find("hl7fi:authenticationMethod", NS)
    assert (method.get("code"), method.get("codeSystem")) == ("1", "1.2.246.537.5.40128.2006")
    assert block.find("hl7fi:time", NS).get("value") == "20260323105435+0200"  # Helsinki time (EET)
    # the header block parses into the domain model
    doc = cda.document_from_tree(root)
    assert doc.local.signature.assigned_author_signer == "25104559650"
    # an existing block of the sample is replaced as well
    sample_root = _sample_root("asiakassuunnitelma")
    sign_document(sample_root, pki["professional"], kind="professional", signed_at=NOW)
    blocks = sample_root.findall("hl7fi:localSocialHeader/hl7fi:signature", NS)
    assert [b.findtext("hl7fi:signer/hl7fi:name/hl7fi:given", namespaces=NS) for b in blocks] == ["Tiina"]


def test_system_signature_matches_the_system_sample(pki):
    root = _signed(pki, ("system",), name="asiakkuusasiakirja")
    ours = root.find(SIG_PATH, NS)
    theirs = _sample_root("asiakkuusasiakirja").find(SIG_PATH, NS)
    assert _refs_by_role(_layout(ours)) == _refs_by_role(_layout(theirs))
    assert ours.find("hl7fi:signatureDescription", NS).get("code") == "3"
    assert ours.find("hl7fi:signatureDescription", NS).get("displayName") == "Järjestelmäallekirjoitus"
    assert root.find("hl7fi:localSocialHeader/hl7fi:signature", NS) is None, "no header block for a system signature"
    r = _only(verify_document(root))
    assert r.description_code == "3" and r.crypto_ok and not r.whitespace_tolerant and r.layout_problems == ()


def test_two_signatures_verify_strictly_and_after_roundtrip(pki):
    root = _signed(pki, ("professional", "system"))
    for tree in (root, _roundtrip(root), _roundtrip(_roundtrip(root))):
        results = verify_document(tree)
        assert [r.description_code for r in results] == ["1", "3"]
        assert [r.index for r in results] == [1, 2]
        for r in results:
            assert r.body_digest_ok and r.timestamp_digest_ok and r.value_ok, r
            assert not r.whitespace_tolerant and r.layout_problems == () and r.wrapping_problems == ()
            assert r.signed_at == NOW
        assert results[0].certificate == pki["professional"].certificate
        assert results[1].certificate == pki["system"].certificate


def test_signing_a_built_document(pki):
    doc, _ = cda.parse_document(sample("asiakkuusasiakirja", "document"))
    root = cda.build_document(doc)
    sig = sign_document(root, pki["system"], kind="system", signature_id="sig_fixed", signed_at=NOW)
    assert sig.get("ID") == "sig_fixed"
    r = _only(verify_document(safexml.parse(cda.to_bytes(root))))
    assert r.signature_id == "sig_fixed" and r.crypto_ok and not r.whitespace_tolerant


def test_reindented_signed_document_verifies_whitespace_tolerant(pki):
    """The vendor quirk reproduced: sign a whitespace-free tree, indent the output afterwards."""
    root = etree.fromstring(etree.tostring(_unsigned()), etree.XMLParser(remove_blank_text=True))
    sign_document(root, pki["professional"], kind="professional", signed_at=NOW)
    assert _only(verify_document(root)).whitespace_tolerant is False
    etree.indent(root, space="\t")
    r = _only(verify_document(_roundtrip(root)))
    assert r.crypto_ok and r.whitespace_tolerant


def test_signing_errors_leave_the_tree_unchanged(pki):
    root = _unsigned()
    before = etree.tostring(root)
    root.find("hl7:component/hl7:nonXMLBody", NS).set("ID", "OID1.2.3")
    with pytest.raises(SigningError, match="OID1.2.246.10.2012566.95.2026.688883.2655274"):
        sign_document(root, pki["system"], kind="system")
    root = _unsigned()
    with pytest.raises(SigningError):
        sign_document(root, pki["system"], kind="patient")
    with pytest.raises(SigningError, match="registration number"):  # no serialNumber in the subject
        sign_document(root, KeySigner(pki["system"].key, _no_serial(pki)), kind="professional")
    with pytest.raises(SigningError, match="GN"):  # a system certificate names no person
        sign_document(root, pki["system"], kind="professional")

    class Broken(KeySigner):
        def sign(self, data):
            raise RuntimeError("card removed")

    with pytest.raises(RuntimeError):
        sign_document(root, Broken(pki["system"].key, pki["system"].certificate), kind="system")
    assert etree.tostring(root) == before
    sign_document(root, pki["system"], kind="system", signature_id="sig_x")
    with pytest.raises(SigningError, match="already used"):
        sign_document(root, pki["system"], kind="system", signature_id="sig_x")


def test_non_rsa_keys_are_refused_and_reported(pki):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    name = _name((NameOID.COMMON_NAME, "ec"))
    ec_cert = _cert(name, name, ec_key, ec_key)
    with pytest.raises(SigningError, match="RSA"):
        sign_document(_unsigned(), KeySigner(pki["system"].key, ec_cert), kind="system")
    root = _signed(pki, ("system",))
    cert = root.find(SIG_PATH + "/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    cert.text = base64.b64encode(ec_cert.public_bytes(Encoding.DER)).decode()
    r = _only(verify_document(root))
    assert r.certificate == ec_cert and not r.value_ok
    assert any("ECPublicKey, not RSA" in p for p in r.layout_problems)


def _no_serial(pki):
    key = pki["system"].key
    name = _name((NameOID.COMMON_NAME, "nobody"))
    return _cert(name, name, key, key)


# --- tampering -------------------------------------------------------------------------------

def _tamper_b64_char(text: str, pos: int = 10) -> str:
    ch = text[pos]
    return text[:pos] + ("A" if ch != "A" else "B") + text[pos + 1:]


def test_tampered_body(pki):
    root = _signed(pki)
    text = root.find("hl7:component/hl7:nonXMLBody/hl7:text", NS)
    for node in text.xpath("text()"):  # the Base64 XHTML is the comment's tail in this sample
        if node.strip():
            owner = node.getparent()
            if node.is_tail:
                owner.tail = _tamper_b64_char(owner.tail, 40)
            else:
                owner.text = _tamper_b64_char(owner.text, 40)
            break
    r = _only(verify_document(root))
    assert (r.body_digest_ok, r.timestamp_digest_ok, r.value_ok) == (False, True, True)
    assert not r.whitespace_tolerant and r.wrapping_problems == ()


def test_tampered_timestamp(pki):
    root = _signed(pki)
    ts = root.find(SIG_PATH + "/hl7fi:signatureTimestamp", NS)
    ts.text = "2026-03-23T08:50:36.559014Z"
    r = _only(verify_document(root))
    assert (r.body_digest_ok, r.timestamp_digest_ok, r.value_ok) == (True, False, True)
    assert r.signed_at == NOW + timedelta(seconds=1)


def test_tampered_signature_value(pki):
    root = _signed(pki)
    value = root.find(SIG_PATH + "/ds:Signature/ds:SignatureValue", NS)
    value.text = _tamper_b64_char(value.text)
    r = _only(verify_document(root))
    assert (r.body_digest_ok, r.timestamp_digest_ok, r.value_ok) == (True, True, False)
    assert r.certificate is not None and r.certificate_error is None


def test_tampered_digest_value_breaks_the_signature_value(pki):
    root = _signed(pki)
    digest = root.find(SIG_PATH + "/ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue", NS)
    digest.text = _tamper_b64_char(digest.text, 3)
    r = _only(verify_document(root))
    assert (r.body_digest_ok, r.timestamp_digest_ok, r.value_ok) == (False, True, False)


def test_swapped_certificate(pki):
    root = _signed(pki)
    cert = root.find(SIG_PATH + "/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    cert.text = base64.b64encode(pki["system"].certificate.public_bytes(Encoding.DER)).decode()
    r = _only(verify_document(root))
    assert (r.body_digest_ok, r.timestamp_digest_ok, r.value_ok) == (True, True, False)
    assert r.certificate == pki["system"].certificate


def test_broken_certificate_and_base64_do_not_raise(pki):
    root = _signed(pki)
    cert = root.find(SIG_PATH + "/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    cert.text = _tamper_b64_char(cert.text, 8)  # inside the DER header: not a certificate any more
    r = _only(verify_document(root))
    assert r.certificate is None and r.certificate_error and not r.value_ok
    assert r.body_digest_ok and r.timestamp_digest_ok

    cert.text = "not base64 !!!"
    root.find(SIG_PATH + "/ds:Signature/ds:SignatureValue", NS).text = "%%%"
    r = _only(verify_document(root))
    assert r.certificate is None and "Base64" in r.certificate_error
    assert any("SignatureValue is not valid Base64" in p for p in r.layout_problems)


def test_hostile_and_incomplete_signatures_do_not_raise(pki):
    root = _signed(pki)
    dsig = root.find(SIG_PATH + "/ds:Signature", NS)
    for child in list(dsig):
        dsig.remove(child)
    ts = root.find(SIG_PATH + "/hl7fi:signatureTimestamp", NS)
    ts.text = "yesterday"
    r = _only(verify_document(root))
    assert not (r.body_digest_ok or r.timestamp_digest_ok or r.value_ok)
    assert r.signed_at is None
    problems = " | ".join(r.layout_problems)
    for needle in ("SignedInfo is missing", "KeyInfo is missing", "not an ISO dateTime"):
        assert needle in problems
    # an empty signature element, a signature in a stray collection, a non-CDA root
    root = _unsigned()
    coll = etree.SubElement(root.find("hl7fi:localSocialHeader", NS), f"{{{FI}}}signatureCollection")
    etree.SubElement(coll, f"{{{FI}}}signature")
    stray = etree.SubElement(root.find("hl7:component", NS), f"{{{FI}}}signatureCollection")
    etree.SubElement(stray, f"{{{FI}}}signature", ID="x")
    results = verify_document(root)
    assert len(results) == 2 and not any(r.value_ok for r in results)
    assert any("signatureCollection is at" in p for p in results[1].layout_problems)
    assert verify_document(etree.fromstring(b"<x/>")) == []


# --- profile (layout) problems ----------------------------------------------------------------

def test_foreign_reference_uri_is_a_layout_problem(pki):
    root = _signed(pki)
    ref = root.find(SIG_PATH + "/ds:Signature/ds:SignedInfo/ds:Reference", NS)
    ref.set("URI", "#OID9.9.9")
    r = _only(verify_document(root))
    assert not r.body_digest_ok and not r.value_ok
    assert any("'#OID9.9.9' is neither" in p for p in r.layout_problems)
    assert any("resolves to no element" in p for p in r.wrapping_problems)


def test_other_algorithms_and_extra_references_are_layout_problems(pki):
    root = _signed(pki)
    si = root.find(SIG_PATH + "/ds:Signature/ds:SignedInfo", NS)
    si.find("ds:SignatureMethod", NS).set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    si.find("ds:Reference/ds:Transforms/ds:Transform", NS).set(
        "Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    si.append(copy.deepcopy(si.find("ds:Reference", NS)))
    r = _only(verify_document(root))
    problems = " | ".join(r.layout_problems)
    assert "rsa-sha1" in problems and "REC-xml-c14n-20010315" in problems
    assert "3 References" in problems and "2 References to the body" in problems
    assert not r.value_ok


# --- signature wrapping -------------------------------------------------------------------------

def test_wrapping_second_component_with_the_body_id(pki):
    root = _signed(pki)
    component = root.find("hl7:component", NS)
    component.addnext(copy.deepcopy(component))
    r = _only(verify_document(root))
    assert r.body_digest_ok  # the document's own body is still the signed one ...
    assert any("carried by 2 elements" in p for p in r.wrapping_problems)  # ... but the ID is ambiguous


def test_wrapping_original_body_moved_into_ds_object(pki):
    root = _signed(pki)
    body = root.find("hl7:component/hl7:nonXMLBody", NS)
    dsig = root.find(SIG_PATH + "/ds:Signature", NS)
    obj = etree.SubElement(dsig, f"{{{DS}}}Object")
    obj.append(copy.deepcopy(body))  # the signed original hides here ...
    text = body.find("hl7:text", NS)  # ... while the archived body is changed
    text[0].tail = _tamper_b64_char(text[0].tail, 40)
    r = _only(verify_document(root))
    assert not r.body_digest_ok
    assert r.wrapping_problems and any("ds:Signature/ds:Object" in p for p in r.wrapping_problems)
    assert any("Object" in p for p in r.layout_problems)


def test_wrapping_original_body_renamed_away(pki):
    root = _signed(pki)
    body = root.find("hl7:component/hl7:nonXMLBody", NS)
    decoy = copy.deepcopy(body)
    body.set("ID", "OIDsomething.else")
    root.find(SIG_PATH, NS).append(decoy)  # a naive resolver would digest the decoy and pass
    r = _only(verify_document(root))
    assert any("instead of /hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody" in p for p in r.wrapping_problems)


def test_wrapping_duplicate_timestamp_id(pki):
    root = _signed(pki, ("professional", "system"))
    first, second = root.findall(SIG_PATH, NS)
    attacker = etree.SubElement(root.find("hl7fi:localSocialHeader", NS), f"{{{FI}}}signatureTimestamp")
    attacker.set("ID", first.find("hl7fi:signatureTimestamp", NS).get("ID"))
    attacker.text = "2020-01-01T00:00:00Z"
    results = verify_document(root)
    assert any("carried by 2 elements" in p for p in results[0].wrapping_problems)
    assert results[1].wrapping_problems == ()
    # a timestamp reference pointing at ANOTHER signature's timestamp
    root = _signed(pki, ("professional", "system"))
    first, second = root.findall(SIG_PATH, NS)
    other = first.find("hl7fi:signatureTimestamp", NS).get("ID")
    second.find("hl7fi:signatureTimestamp", NS).set("ID", other)
    assert verify_document(root)[1].wrapping_problems


# --- an independent verifier ---------------------------------------------------------------------

def _xmlsec_verify(root: etree._Element, trusted: x509.Certificate) -> int:
    """Verify every ds:Signature with python-xmlsec (libxmlsec1 + OpenSSL); return how many passed."""
    ids = [el for el in root.iter(f"{{{HL7}}}nonXMLBody", f"{{{FI}}}signatureTimestamp") if el.get("ID")]
    count = 0
    for dsig in root.iterfind(".//ds:Signature", NS):
        manager = xmlsec.KeysManager()
        manager.load_cert_from_memory(trusted.public_bytes(Encoding.PEM), xmlsec.constants.KeyDataFormatCertPem,
                                      xmlsec.constants.KeyDataTypeTrusted)
        ctx = xmlsec.SignatureContext(manager)
        for el in ids:
            ctx.register_id(el, "ID")
        ctx.verify(dsig)  # raises xmlsec.Error when anything fails
        count += 1
    return count


def test_python_xmlsec_accepts_our_signatures(pki):
    root = safexml.parse(cda.to_bytes(_signed(pki, ("professional", "system"))))
    assert _xmlsec_verify(root, pki["ca"]) == 2


def test_python_xmlsec_checks_the_certificate(pki):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_name = _name((NameOID.COMMON_NAME, "another CA"))
    other_ca = _cert(other_name, other_name, other_key, other_key, ca=True,
                     key_usage=_usage(key_cert_sign=True, crl_sign=True))
    root = safexml.parse(cda.to_bytes(_signed(pki, ("system",))))
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(root, other_ca)


def test_python_xmlsec_rejects_a_tampered_body(pki):
    root = safexml.parse(cda.to_bytes(_signed(pki, ("professional",))))
    text = root.find("hl7:component/hl7:nonXMLBody/hl7:text", NS)
    text[0].tail = _tamper_b64_char(text[0].tail, 40)
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(root, pki["ca"])


def test_random_damage_never_raises(pki):
    """Seeded fuzzing of the signature area: elements dropped, attributes and texts replaced."""
    import random

    rng = random.Random(20260323)
    signed = cda.to_bytes(_signed(pki, ("professional", "system")))
    junk = ["", " ", "%%", "AAAA", "#", "#OID", "x" * 5000, "2026-13-45T99:99:99Z", "\u00e4\u00f6", "-1"]
    for _ in range(300):
        root = safexml.parse(signed)
        area = [el for el in root.find("hl7fi:localSocialHeader", NS).iter() if isinstance(el.tag, str)]
        area += [root.find("hl7:component/hl7:nonXMLBody", NS)]
        for _ in range(rng.randint(1, 4)):
            el = rng.choice(area)
            action = rng.randrange(4)
            if action == 0 and el.getparent() is not None:
                el.getparent().remove(el)
            elif action == 1 and el.attrib:
                el.set(rng.choice(list(el.attrib)), rng.choice(junk))
            elif action == 2:
                el.text = rng.choice(junk)
            elif el.getparent() is not None:
                el.getparent().append(copy.deepcopy(el))
        for r in verify_document(root):
            assert isinstance(r.layout_problems, tuple) and isinstance(r.wrapping_problems, tuple)
            assert not any("could not be checked" in p for p in r.layout_problems), r.layout_problems
