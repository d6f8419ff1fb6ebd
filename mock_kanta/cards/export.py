"""Signing material for systems not written in Python: PKCS#12 files of exportable cards and system keys,
and the PKCS#11 route to a token on the same host or volume."""
from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

from mock_kanta.signing.cards import CardStore, pkcs11_route

TEST_MATERIAL = "MOCK-KANTA TEST MATERIAL - NOT FOR PRODUCTION"
MIN_PASSWORD = 4
KDF_ROUNDS = 100_000


class ExportError(ValueError):
    """An export request that cannot be met as asked (a bad password)."""


def card_pkcs12(store: CardStore, card_id: str, pin: str, password: str) -> bytes:
    """An exportable card's key, certificate and CA chain as PKCS#12, after the card's PIN check."""
    _check_password(password)
    key, cert = store.card_key(card_id, pin)
    return _pkcs12(key, cert, store.pki.chain_for(cert), f"{TEST_MATERIAL}: card {card_id}", password)


def system_pkcs12(store: CardStore, org_oid: str, password: str) -> bytes:
    """An exportable system signature key, its certificate and CA chain as PKCS#12."""
    _check_password(password)
    key, cert = store.system_private_key(org_oid)
    return _pkcs12(key, cert, store.pki.chain_for(cert), f"{TEST_MATERIAL}: system key {org_oid}", password)


def card_pkcs11(store: CardStore, card_id: str) -> dict:
    """The PKCS#11 route to a card's token; its PIN is the card's (demo cards: 1234)."""
    card = store.get(card_id)
    return {"card": card_id, **pkcs11_route(store.data_dir, card.token_label), "pin": None,
            "pinNote": "the card's PIN, given when it was issued (demo cards: 1234); three wrong PINs through "
                       "mock-kanta lock the card, SoftHSM itself counts none"}


def system_pkcs11(store: CardStore, org_oid: str) -> dict:
    """The PKCS#11 route to an organisation's system key token, with its generated PIN."""
    key = store.system_key(org_oid)
    return {"system": org_oid, **pkcs11_route(store.data_dir, key.token_label), "pin": store.system_pin(org_oid),
            "pinNote": "generated when the key was made"}


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ExportError(f"the PKCS#12 password must have at least {MIN_PASSWORD} characters")


def _pkcs12(key: rsa.RSAPrivateKey, cert: x509.Certificate, chain: list[x509.Certificate], name: str,
            password: str) -> bytes:
    """PBES2 (PBKDF2-SHA256, AES-256-CBC) with an HMAC-SHA256 MAC: read by OpenSSL 3, .NET and Java 11+."""
    encryption = (PrivateFormat.PKCS12.encryption_builder().kdf_rounds(KDF_ROUNDS)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
                  .build(password.encode()))
    cas = [pkcs12.PKCS12Certificate(ca, f"{TEST_MATERIAL}: CA {_cn(ca)}".encode()) for ca in chain]
    return pkcs12.serialize_key_and_certificates(name.encode(), key, cert, cas, encryption)


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()
