"""Kanta's XMLDSig profile: signing (`sign_document`) and verification (`verify_document`).

Pure XML and cryptography: no trust decisions (chain, revocation, validity,
key usage) are taken here; see `pki.py`. The layout is the one of the public
samples (see `xmldsig_profile`). Signing writes no indentation inside the new
elements, so a signed document verifies strictly (whitespace kept) and, as long
as nobody re-indents `SignedInfo` or the body, also the .NET whitespace-dropping way.

A signer is any object with `.certificate` (`cryptography.x509.Certificate`) and
`.sign(data: bytes) -> bytes` returning an RSA PKCS#1 v1.5 SHA-256 signature.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re
import uuid
from datetime import datetime, timezone
from typing import Protocol
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from mock_kanta.signing.xmldsig.profile import (
    AUTH_METHOD,
    DS,
    EXC_C14N,
    FI,
    HL7,
    KINDS,
    RSA_SHA256,
    SHA256,
    SIGNATURE_TYPE_NAME,
    SIGNATURE_TYPE_SYSTEM,
    c14n,
    child,
    id_index,
    q,
)
from mock_kanta.signing.xmldsig.verify import SignatureResult, excess, verify_document

__all__ = ["Signer", "SigningError", "SignatureResult", "sign_document", "verify_document", "excess", "KINDS"]

try:
    from zoneinfo import ZoneInfo

    _LOCAL_TZ = ZoneInfo("Europe/Helsinki")
except Exception:  # no tz database: the header time is then written in UTC (+0000)
    _LOCAL_TZ = timezone.utc

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
# The new hl7fi:signature, exactly as in the samples (no indentation: see the module docstring).
# Filled in: ids (checked NCNames), code/display (constants), the body URI (escaped), Base64 values.
_TEMPLATE = (
    f'<signature xmlns="{FI}" ID="{{sig_id}}">'
    f'<signatureDescription code="{{code}}" displayName="{{display}}" codeSystem="{SIGNATURE_TYPE_SYSTEM}" '
    f'codeSystemName="{SIGNATURE_TYPE_NAME}"/>'
    '<signatureTimestamp ID="CDA-timestamp.{sig_id}">{timestamp}</signatureTimestamp>'
    f'<Signature xmlns="{DS}"><SignedInfo>'
    f'<CanonicalizationMethod Algorithm="{EXC_C14N}"/><SignatureMethod Algorithm="{RSA_SHA256}"/>'
    f'<Reference URI="{{body_uri}}"><Transforms><Transform Algorithm="{EXC_C14N}"/></Transforms>'
    f'<DigestMethod Algorithm="{SHA256}"/><DigestValue>{{body_digest}}</DigestValue></Reference>'
    f'<Reference URI="#CDA-timestamp.{{sig_id}}"><Transforms><Transform Algorithm="{EXC_C14N}"/></Transforms>'
    f'<DigestMethod Algorithm="{SHA256}"/><DigestValue/></Reference>'
    "</SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate>{cert}</X509Certificate></X509Data>"
    "</KeyInfo></Signature></signature>"
)
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")  # an NCName subset that is safe in a URI fragment


class Signer(Protocol):
    certificate: x509.Certificate

    def sign(self, data: bytes) -> bytes: ...


class SigningError(ValueError):
    """The document cannot be signed in Kanta's layout (missing id/body, wrong body ID, bad certificate)."""


def sign_document(
    root: etree._Element,
    signer: Signer,
    *,
    kind: str,
    signature_id: str | None = None,
    signed_at: datetime | None = None,
) -> etree._Element:
    """Sign `root` (a CDA `ClinicalDocument`) in place and return the new `hl7fi:signature`.

    kind: "professional" (signatureDescription 1, and the header `hl7fi:signature`
    block is written or replaced from the certificate) or "system" (code 3).
    The signature is appended to `hl7fi:localSocialHeader/hl7fi:signatureCollection`
    (created as the header's last child if missing). On any error the tree is left unchanged.
    """
    if kind not in KINDS:
        raise SigningError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    if root.tag != q(HL7, "ClinicalDocument"):
        raise SigningError(f"root element is {root.tag}, expected {{{HL7}}}ClinicalDocument")
    id_el = child(root, q(HL7, "id"))
    doc_id = id_el.get("root") if id_el is not None else None
    if not doc_id:
        raise SigningError("the document has no /hl7:ClinicalDocument/hl7:id/@root to sign against")
    component = child(root, q(HL7, "component"))
    body = child(component, q(HL7, "nonXMLBody")) if component is not None else None
    if body is None:
        raise SigningError("the document has no hl7:component/hl7:nonXMLBody to sign")
    if body.get("ID") != f"OID{doc_id}":
        raise SigningError(
            f"component/nonXMLBody/@ID is {body.get('ID')!r}; Kanta's body reference #OID<document id> "
            f"needs it to be 'OID{doc_id}'"
        )
    if signature_id is None:
        sig_id = f"sig_{uuid.uuid4()}"  # unique: no need to search the document
    else:
        sig_id = signature_id
        if not _ID.match(sig_id):
            raise SigningError(f"signature_id {sig_id!r} is not a usable XML ID")
        ids = id_index(root)
        for value in (sig_id, f"CDA-timestamp.{sig_id}"):
            if value in ids:
                raise SigningError(f"the ID {value!r} is already used in the document")
    when = _utc(signed_at)
    cert_b64 = _certificate_b64(signer.certificate)
    header_block = _header_block(signer.certificate, when) if kind == "professional" else None
    code, display = KINDS[kind]
    body_digest = base64.b64encode(hashlib.sha256(c14n(body)).digest()).decode("ascii")
    signature = etree.fromstring(
        _TEMPLATE.format(
            sig_id=sig_id, code=code, display=display, timestamp=when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            body_uri=escape(f"#OID{doc_id}", {'"': "&quot;"}), body_digest=body_digest, cert=cert_b64,
        ).encode("utf-8"),
        _PARSER,
    )
    timestamp, dsig = signature[1], signature[2]
    signed_info = dsig[0]

    header = child(root, q(FI, "localSocialHeader"))
    created_header = header is None
    if created_header:
        header = etree.Element(q(FI, "localSocialHeader"), nsmap={"hl7fi": FI})
        body.getparent().addprevious(header)
    collection = child(header, q(FI, "signatureCollection"))
    created_collection = collection is None
    if created_collection:
        collection = etree.SubElement(header, q(FI, "signatureCollection"), nsmap={None: FI})
    collection.append(signature)
    try:  # the timestamp and SignedInfo are canonicalised where they are: in the document
        digest = hashlib.sha256(c14n(timestamp)).digest()
        signed_info[3][2].text = base64.b64encode(digest).decode("ascii")
        value = signer.sign(c14n(signed_info))
        dsig[1].text = base64.b64encode(value).decode("ascii")
    except BaseException:
        collection.remove(signature)
        if created_collection:
            header.remove(collection)
        if created_header:
            header.getparent().remove(header)
        raise

    if header_block is not None:
        for old in header.findall(q(FI, "signature")):
            header.remove(old)
        collection.addprevious(header_block)
    return signature


@functools.lru_cache(maxsize=64)
def _certificate_b64(certificate: x509.Certificate) -> str:
    """The KeyInfo Base64 of a signer's certificate (cached: a card signs many documents)."""
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise SigningError("Kanta's profile signs with rsa-sha256; the signer's certificate has no RSA key")
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc)
    if when.tzinfo is None:  # naive: taken as UTC
        return when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _header_block(cert: x509.Certificate, when: datetime) -> etree._Element:
    """The professional's `hl7fi:signature` in the local header, from the certificate subject."""
    subject = cert.subject

    def one(oid: x509.ObjectIdentifier, label: str) -> str:
        values = [a.value for a in subject.get_attributes_for_oid(oid)]
        if not values or not str(values[0]).strip():
            raise SigningError(f"the professional certificate subject has no {label}")
        return str(values[0])

    registration = one(NameOID.SERIAL_NUMBER, "serialNumber (registration number)")
    given, family = one(NameOID.GIVEN_NAME, "GN (given name)"), one(NameOID.SURNAME, "SN (surname)")
    block = etree.Element(q(FI, "signature"))
    etree.SubElement(block, q(FI, "assignedAuthorSigner")).text = registration
    name = etree.SubElement(etree.SubElement(block, q(FI, "signer")), q(FI, "name"))
    etree.SubElement(name, q(FI, "given")).text = given
    etree.SubElement(name, q(FI, "family")).text = family
    etree.SubElement(block, q(FI, "authenticationMethod"), AUTH_METHOD)
    etree.SubElement(block, q(FI, "time"), value=when.astimezone(_LOCAL_TZ).strftime("%Y%m%d%H%M%S%z"))
    return block
