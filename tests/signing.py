"""Signing helpers for tests: software keys certified by the sandbox PKI, re-signing, sample trust.

A software key issued by the sandbox's own CA is a real key with a real chain; card
tests use SoftHSM tokens instead (tests/unit/test_cards.py, tests/integration/test_signatures.py).
"""
from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from mock_kanta.signing.pki import Pki, card_subject, system_subject
from mock_kanta.signing.xmldsig import sign_document
from mock_kanta.wire import cda, safexml
from mock_kanta.wire.paths import NS

# Who signed each public sample: (kind, certificate subject fields)
SAMPLE_SIGNERS = {
    "asiakkuusasiakirja": ("system", ("Vantaan ja Keravan hyvinvointialue", "1.2.246.10.32213561.10.0")),
    "asiakassuunnitelma": ("professional", ("Angelica", "Johansson", "25104559650")),
}


class SoftwareSigner:
    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate):
        self._key, self.certificate = key, certificate

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


@lru_cache(maxsize=None)
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue_signer(pki: Pki, kind: str, fields: tuple, *, days: int = 365, start: datetime | None = None) -> SoftwareSigner:
    """A signer certified by the sandbox PKI: kind "professional" (given, family, registration no.) or "system" (org name, OID)."""
    start = start or datetime.now(timezone.utc) - timedelta(days=1)
    if kind == "professional":
        given, family, number = fields
        profile, subject = "professional", card_subject(given, family, registration_number=number, title="251 sosionomi, socionom")
    else:
        name, oid = fields
        profile, subject = "system-signature", system_subject(name, oid, "mock-kanta test system")
    cert = pki.issue(profile, _key().public_key(), subject, not_before=start, not_after=start + timedelta(days=days))
    return SoftwareSigner(_key(), cert)


def strip_signatures(root: etree._Element) -> None:
    local = root.find("hl7fi:localSocialHeader", NS)
    for el in local.findall("hl7fi:signatureCollection", NS) + local.findall("hl7fi:signature", NS):
        local.remove(el)


def resign(document: bytes, signers: list[tuple[object, str]]) -> bytes:
    """The document with its signatures replaced by new ones, one per (signer, kind)."""
    root = safexml.parse(document)
    strip_signatures(root)
    for signer, kind in signers:
        sign_document(root, signer, kind=kind)
    return cda.to_bytes(root)


def sample_certificates_pem(sample_dir: Path) -> bytes:
    """The DVV TEST signing certificates of the public samples as a PEM bundle (for MOCK_KANTA_EXTRA_TRUST)."""
    pems = set()
    for path in sorted(sample_dir.glob("*-document.xml")):
        for b64 in re.findall(rb"<X509Certificate>\s*([A-Za-z0-9+/=\s]+?)\s*</X509Certificate>", path.read_bytes()):
            der = base64.b64decode(b"".join(b64.split()))
            pems.add(b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n")
    return b"".join(sorted(pems))
