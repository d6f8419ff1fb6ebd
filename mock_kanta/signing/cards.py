"""Virtual cards (varmennekortti): one SoftHSM token per card, a certificate from the test PKI.

A real card counts wrong PINs in hardware; SoftHSM has no lockout, so this layer
does: a salted PBKDF2 hash of the PIN and a retry counter per card live in
`<data-dir>/cards/cards.json`, checked before the token is touched. Three wrong
PINs in a row lock the card. Organisations' system signature keys live on tokens
of their own, recorded in the same file.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_kanta.signing.pkcs11_key import (
    KEY_ID,
    KEY_LABEL,
    SOFTHSM_LIBRARY,
    TokenSigner,
    create_token,
    delete_token,
    generate_exportable_signing_key,
    generate_signing_key,
    read_private_key,
    softhsm_env,
    store_certificate,
    token_labels,
    user_session,
)
from mock_kanta.signing.pki import Pki, atomic_write, card_subject, file_lock, readable_name, system_subject, utc

CARD_KINDS = ("professional", "staff", "actor")
MAX_PIN_ATTEMPTS = 3
PIN_ITERATIONS = 10_000  # a 4-digit PIN falls to brute force anyway; the hash keeps it out of plain sight
CARD_YEARS = 5
SYSTEM_VALIDITY = timedelta(days=730)
DEFAULT_SYSTEM_NAME = "mock-kanta järjestelmä"


class CardError(Exception):
    """A card operation refused."""


class UnknownCard(CardError, KeyError):
    def __str__(self) -> str:
        return f"no card {self.args[0]!r}"


class WrongPin(CardError):
    def __init__(self, remaining: int):
        super().__init__(f"wrong PIN; {remaining} attempt(s) left" if remaining else "wrong PIN; the card is now locked")
        self.remaining = remaining


class UnknownSystemKey(UnknownCard):
    def __str__(self) -> str:
        return f"no system key for organisation {self.args[0]!r}"


class NotExportable(CardError):
    """The key was generated non-extractable on its token: it cannot be exported."""


class CardLocked(CardError):
    def __init__(self, card_id: str):
        super().__init__(f"card {card_id} is locked after {MAX_PIN_ATTEMPTS} wrong PINs")
        self.card_id = card_id


@dataclass(frozen=True)
class Card:
    id: str
    kind: str
    given: str
    family: str
    registration_number: str | None
    title: str | None
    token_label: str
    certificate: x509.Certificate = field(repr=False)
    serial: str
    not_before: datetime
    not_after: datetime
    status: str  # "active" | "revoked" | "lost" | "locked" | "expired"
    created_at: datetime
    exportable: bool = False

    def to_json(self, *, with_certificate: bool = False) -> dict:
        out = {
            "id": self.id, "kind": self.kind, "given": self.given, "family": self.family,
            "registrationNumber": self.registration_number, "title": self.title, "tokenLabel": self.token_label,
            "subject": readable_name(self.certificate.subject), "issuer": readable_name(self.certificate.issuer),
            "serial": self.serial, "notBefore": self.not_before.isoformat(), "notAfter": self.not_after.isoformat(),
            "status": self.status, "createdAt": self.created_at.isoformat(), "exportable": self.exportable,
        }
        if with_certificate:
            out["certificatePem"] = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        return out


def _hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, PIN_ITERATIONS)


def _pin_record(pin: str) -> dict:
    salt = secrets.token_bytes(16)
    return {"salt": salt.hex(), "iterations": PIN_ITERATIONS, "hash": _hash_pin(pin, salt).hex()}


def _pin_matches(record: dict, pin: str) -> bool:
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(record["salt"]), record["iterations"])
    return hmac.compare_digest(digest, bytes.fromhex(record["hash"]))


def _add_years(at: datetime, years: int) -> datetime:
    try:
        return at.replace(year=at.year + years)
    except ValueError:  # 29 February
        return at.replace(year=at.year + years, day=28)


def reason_flag(reason: str | x509.ReasonFlags) -> x509.ReasonFlags:
    """A revocation reason from its RFC 5280 name ("keyCompromise") or ours ("key-compromise")."""
    if isinstance(reason, x509.ReasonFlags):
        return reason
    try:
        return x509.ReasonFlags(reason)
    except ValueError:
        pass
    try:
        return x509.ReasonFlags[reason.replace("-", "_").lower()]
    except KeyError:
        raise ValueError(f"unknown revocation reason {reason!r}") from None


def _system_label(org_oid: str, generation: int = 1) -> str:
    """`sys-<oid>` (a replacement: `sys<n>-<oid>`), hashed when longer than a token label may be."""
    prefix = "sys-" if generation == 1 else f"sys{generation}-"
    label = prefix + org_oid
    return label if len(label) <= 32 else prefix + hashlib.sha256(org_oid.encode()).hexdigest()[:32 - len(prefix)]


@dataclass(frozen=True)
class SystemKey:
    """An organisation's system signature key (järjestelmäallekirjoitus) on its token."""

    org_oid: str
    org_name: str
    system_name: str
    token_label: str
    certificate: x509.Certificate = field(repr=False)
    created_at: datetime
    exportable: bool

    def to_json(self, *, with_certificate: bool = False) -> dict:
        cert = self.certificate
        out = {"orgOid": self.org_oid, "orgName": self.org_name, "systemName": self.system_name,
               "tokenLabel": self.token_label, "subject": readable_name(cert.subject),
               "issuer": readable_name(cert.issuer), "serial": f"{cert.serial_number:x}",
               "notBefore": cert.not_valid_before_utc.isoformat(), "notAfter": cert.not_valid_after_utc.isoformat(),
               "createdAt": self.created_at.isoformat(), "exportable": self.exportable}
        if with_certificate:
            out["certificatePem"] = cert.public_bytes(serialization.Encoding.PEM).decode()
        return out


def _system_key(org_oid: str, entry: dict) -> SystemKey:
    return SystemKey(org_oid=org_oid, org_name=entry["org_name"], system_name=entry["system_name"],
                     token_label=entry["token_label"],
                     certificate=x509.load_pem_x509_certificate(entry["certificate"].encode()),
                     created_at=datetime.fromisoformat(entry["created_at"]), exportable=bool(entry.get("exportable")))


def pkcs11_route(data_dir: Path, token_label: str) -> dict:
    """How a program on the same host or volume reaches a token through PKCS#11 (SoftHSM)."""
    softhsm = (Path(data_dir) / "softhsm").resolve()
    return {"module": SOFTHSM_LIBRARY, "softhsm2Conf": str(softhsm / "softhsm2.conf"),
            "tokenDir": str(softhsm / "tokens"), "tokenLabel": token_label, "keyLabel": KEY_LABEL,
            "keyId": KEY_ID.hex(), "mechanism": "CKM_SHA256_RSA_PKCS",
            "slot": "SoftHSM gives slots random ids that change: choose the token by its label"}


class CardStore:
    """The virtual cards and system signature keys of one data directory."""

    def __init__(self, data_dir: Path, pki: Pki):
        self.data_dir = Path(data_dir)
        self.pki = pki
        self.path = self.data_dir / "cards" / "cards.json"
        self._lock_path = self.data_dir / "cards" / ".lock"
        self._signers: dict[str, TokenSigner] = {}
        self._cached: tuple[tuple | None, dict] = (None, {})
        softhsm_env(self.data_dir / "softhsm")

    # --- cards.json ---

    def _read(self) -> dict:
        try:
            st = self.path.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return {"cards": {}, "systems": {}}
        if self._cached[0] != stamp:
            self._cached = (stamp, json.loads(self.path.read_bytes()))
        return json.loads(json.dumps(self._cached[1]))  # callers may modify their copy

    def _write(self, data: dict) -> None:
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode(), mode=0o600)

    def _fresh_token(self, label: str, pin: str) -> None:
        """Create token `label`; a leftover of an interrupted issue (unknown to cards.json) is replaced."""
        softhsm_env(self.data_dir / "softhsm")
        if label in token_labels():
            delete_token(label)
        create_token(label, pin)

    # --- cards ---

    def issue(self, kind: str, given: str, family: str, *, registration_number: str | None = None,
              title: str | None = None, pin: str = "1234", not_before: datetime | None = None,
              not_after: datetime | None = None, exportable: bool = False) -> Card:
        """A new card: token, key generated on it, certificate from the kind's CA stored beside the key.

        An `exportable` card's key is generated extractable, so `card_key` can hand it out (test material)."""
        if kind not in CARD_KINDS:
            raise ValueError(f"card kind must be one of {', '.join(CARD_KINDS)}, not {kind!r}")
        if kind == "professional" and not registration_number:
            raise ValueError("a professional card needs the holder's registration number")
        if not re.fullmatch(r"\d{4,8}", pin):
            raise ValueError("the PIN must be 4 to 8 digits")
        now = datetime.now(timezone.utc)
        not_before = utc(not_before) if not_before else now
        not_after = utc(not_after) if not_after else _add_years(not_before, CARD_YEARS)
        self.pki.check_window(kind, not_before, not_after)  # before any token exists
        subject = card_subject(given, family, registration_number=registration_number, title=title)
        with file_lock(self._lock_path):
            data = self._read()
            card_id = f"{max((int(i) for i in data['cards']), default=0) + 1:04d}"
            label = f"card-{card_id}"
            self._fresh_token(label, pin)
            generate = generate_exportable_signing_key if exportable else generate_signing_key
            with user_session(label, pin) as session:
                public_key = generate(session, self.pki.profile(kind).key_size)
                cert = self.pki.issue(kind, public_key, subject, not_before=not_before, not_after=not_after)
                store_certificate(session, cert)
            data["cards"][card_id] = {
                "kind": kind, "given": given, "family": family, "registration_number": registration_number,
                "title": title, "token_label": label, "created_at": now.isoformat(),
                "certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
                "pin": _pin_record(pin), "failed_pin_attempts": 0, "exportable": exportable,
            }
            self._write(data)
            return self._card(card_id, data["cards"][card_id], now)

    def _card(self, card_id: str, entry: dict, now: datetime) -> Card:
        cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
        revoked = self.pki.revocation(cert)
        if revoked and revoked[1] <= now:
            status = "lost" if revoked[0] is x509.ReasonFlags.key_compromise else "revoked"
        elif entry["failed_pin_attempts"] >= MAX_PIN_ATTEMPTS:
            status = "locked"
        elif now > cert.not_valid_after_utc:
            status = "expired"
        else:
            status = "active"
        return Card(
            id=card_id, kind=entry["kind"], given=entry["given"], family=entry["family"],
            registration_number=entry["registration_number"], title=entry["title"], token_label=entry["token_label"],
            certificate=cert, serial=f"{cert.serial_number:x}", not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc, status=status, created_at=datetime.fromisoformat(entry["created_at"]),
            exportable=bool(entry.get("exportable")),
        )

    def list(self, *, now: datetime | None = None) -> list[Card]:
        now = utc(now) if now else datetime.now(timezone.utc)
        return [self._card(i, e, now) for i, e in sorted(self._read()["cards"].items())]

    def get(self, card_id: str, *, now: datetime | None = None) -> Card:
        entry = self._read()["cards"].get(card_id)
        if entry is None:
            raise UnknownCard(card_id)
        return self._card(card_id, entry, utc(now) if now else datetime.now(timezone.utc))

    def revoke(self, card_id: str, reason: str | x509.ReasonFlags = "unspecified", *, at: datetime | None = None) -> Card:
        """Revoke the card's certificate (published in its CA's CRL)."""
        card = self.get(card_id)
        at = utc(at) if at else datetime.now(timezone.utc)
        self.pki.revoke(card.certificate, reason_flag(reason), at)
        return self.get(card_id, now=max(at, datetime.now(timezone.utc)))

    def report_lost(self, card_id: str) -> Card:
        """A lost card is revoked at once with reason keyCompromise."""
        return self.revoke(card_id, x509.ReasonFlags.key_compromise)

    def signer(self, card_id: str, pin: str) -> "CardSigner":
        """The card's signer after a PIN check: WrongPin counts down, CardLocked after three.

        The signer checks the card again before every signature, so a card locked later
        (three wrong PINs elsewhere) cannot sign at all, as a real card whose PIN is blocked."""
        entry = self._pin_checked(card_id, pin)
        signer = self._signers.get(card_id)
        if signer is None:
            softhsm_env(self.data_dir / "softhsm")
            cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
            signer = self._signers.setdefault(card_id, TokenSigner(entry["token_label"], pin, cert))
        return CardSigner(self, card_id, signer)

    def _pin_checked(self, card_id: str, pin: str) -> dict:
        """The card's entry after a PIN check: WrongPin counts down, CardLocked after three."""
        with file_lock(self._lock_path):
            data = self._read()
            entry = data["cards"].get(card_id)
            if entry is None:
                raise UnknownCard(card_id)
            if entry["failed_pin_attempts"] >= MAX_PIN_ATTEMPTS:
                raise CardLocked(card_id)
            if not _pin_matches(entry["pin"], pin):
                entry["failed_pin_attempts"] += 1
                self._write(data)
                raise WrongPin(MAX_PIN_ATTEMPTS - entry["failed_pin_attempts"])
            if entry["failed_pin_attempts"]:
                entry["failed_pin_attempts"] = 0
                self._write(data)
        return entry

    def card_key(self, card_id: str, pin: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """An exportable card's private key and certificate, after the PIN check (as `signer`)."""
        card = self.get(card_id)
        if not card.exportable:
            raise NotExportable(f"card {card_id} was issued non-exportable: its key was generated on the token and "
                                "cannot leave it; issue a card with --exportable (API: \"exportable\": true)")
        entry = self._pin_checked(card_id, pin)
        softhsm_env(self.data_dir / "softhsm")
        return read_private_key(entry["token_label"], pin), card.certificate

    def assert_not_locked(self, card_id: str) -> None:
        """Raise CardLocked if the card's PIN is blocked (re-reads cards.json only when it changed)."""
        entry = self._cached_entry(card_id)
        if entry is not None and entry["failed_pin_attempts"] >= MAX_PIN_ATTEMPTS:
            raise CardLocked(card_id)

    def _cached_entry(self, card_id: str) -> dict | None:
        self._read()  # refreshes the cache only when the file changed
        return self._cached[1].get("cards", {}).get(card_id)

    # --- system signature keys ---

    def system_signer(self, org_oid: str, org_name: str, system_name: str = DEFAULT_SYSTEM_NAME) -> TokenSigner:
        """The organisation's system signature key (järjestelmäallekirjoitus), created on first use.

        Later calls return the same key and certificate, whatever names they pass.
        """
        signer = self._signers.get(f"system:{org_oid}")
        if signer is not None:
            return signer
        with file_lock(self._lock_path):
            data = self._read()
            entry = data.setdefault("systems", {}).get(org_oid)
            if entry is None:
                entry = self._new_system(org_oid, org_name, system_name)
                data["systems"][org_oid] = entry
                self._write(data)
        softhsm_env(self.data_dir / "softhsm")
        cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
        return self._signers.setdefault(f"system:{org_oid}", TokenSigner(entry["token_label"], entry["pin"], cert))

    def _new_system(self, org_oid: str, org_name: str, system_name: str, *, exportable: bool = False,
                    generation: int = 1) -> dict:
        label, pin = _system_label(org_oid, generation), secrets.token_hex(8)
        now = datetime.now(timezone.utc)
        self._fresh_token(label, pin)
        generate = generate_exportable_signing_key if exportable else generate_signing_key
        with user_session(label, pin) as session:
            public_key = generate(session, self.pki.profile("system-signature").key_size)
            cert = self.pki.issue("system-signature", public_key, system_subject(org_name, org_oid, system_name),
                                  not_before=now, not_after=now + SYSTEM_VALIDITY)
            store_certificate(session, cert)
        return {"org_name": org_name, "system_name": system_name, "token_label": label, "pin": pin,
                "created_at": now.isoformat(), "certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
                "exportable": exportable, "generation": generation}

    def issue_system_key(self, org_oid: str, org_name: str, system_name: str = DEFAULT_SYSTEM_NAME, *,
                         exportable: bool = False, replace: bool = False) -> SystemKey:
        """A new system signature key for the organisation (on a token of its own).

        An organisation has one key; `replace` gives it a new one on a new token (the old token and
        certificate stay, unrevoked: documents signed with them still verify)."""
        if not re.fullmatch(r"[0-2](\.(0|[1-9]\d*))+", org_oid):
            raise ValueError(f"{org_oid!r} is not an OID")
        if not org_name.strip() or not system_name.strip():
            raise ValueError("the organisation's and the system's names must not be empty")
        with file_lock(self._lock_path):
            data = self._read()
            old = data.setdefault("systems", {}).get(org_oid)
            if old is not None and not replace:
                raise CardError(f"organisation {org_oid} has a system key already (token {old['token_label']}, "
                                f"{'exportable' if old.get('exportable') else 'not exportable'}); replace it to get a new one")
            generation = (old.get("generation", 1) + 1) if old is not None else 1
            entry = self._new_system(org_oid, org_name, system_name, exportable=exportable, generation=generation)
            data["systems"][org_oid] = entry
            self._write(data)
            self._signers.pop(f"system:{org_oid}", None)
        return _system_key(org_oid, entry)

    def system_keys(self) -> list[SystemKey]:
        return [_system_key(oid, e) for oid, e in sorted(self._read().get("systems", {}).items())]

    def system_key(self, org_oid: str) -> SystemKey:
        entry = self._read().get("systems", {}).get(org_oid)
        if entry is None:
            raise UnknownSystemKey(org_oid)
        return _system_key(org_oid, entry)

    def system_private_key(self, org_oid: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """An exportable system key's private key and certificate."""
        key = self.system_key(org_oid)
        if not key.exportable:
            raise NotExportable(f"the system key of {org_oid} was made non-exportable: its key was generated on the "
                                "token and cannot leave it; make a new one with `mock-kanta cards system-key "
                                f"--org {org_oid} --exportable --replace` (API: POST /api/v1/cards/systems)")
        softhsm_env(self.data_dir / "softhsm")
        return read_private_key(key.token_label, self._read()["systems"][org_oid]["pin"]), key.certificate

    def system_pin(self, org_oid: str) -> str:
        """The PIN of the organisation's system key token (generated; kept in cards.json)."""
        self.system_key(org_oid)
        return self._read()["systems"][org_oid]["pin"]


# --- demo data ---------------------------------------------------------------------

# Fictional professionals; registration numbers are made up (2519999xxxx).
DEMO_CARDS = (
    {"kind": "professional", "given": "Sointu", "family": "Testinen", "registration_number": "25199990011",
     "title": "251 sosionomi, socionom"},
    {"kind": "professional", "given": "Aatu", "family": "Kokeilu", "registration_number": "25199990022",
     "title": "sosiaalityöntekijä, socialarbetare"},
    {"kind": "staff", "given": "Helmi", "family": "Henkilöstö", "registration_number": None, "title": None},
    {"kind": "actor", "given": "Toni", "family": "Toimittaja", "registration_number": None, "title": None},
    {"kind": "professional", "given": "Ville", "family": "Vanhentunut", "registration_number": "25199990033",
     "title": "251 sosionomi, socionom", "expired": True},
)


class CardSigner:
    """A card's signer: the token's key, refused once the card is locked."""

    def __init__(self, store: CardStore, card_id: str, token: TokenSigner):
        self._store, self.card_id, self._token = store, card_id, token
        self.certificate = token.certificate

    def sign(self, data: bytes) -> bytes:
        self._store.assert_not_locked(self.card_id)
        return self._token.sign(data)


@dataclass(frozen=True)
class Demo:
    cards: list[Card]
    systems: dict[str, TokenSigner]


def demo_setup(card_store: CardStore, orgs: list[tuple[str, str]]) -> Demo:
    """Demo cards (PIN 1234; one already expired) and system keys for `orgs` [(oid, name)]; idempotent."""
    existing = {(c.kind, c.given, c.family, c.registration_number): c for c in card_store.list()}
    now = datetime.now(timezone.utc)
    cards = []
    for spec in DEMO_CARDS:
        key = (spec["kind"], spec["given"], spec["family"], spec["registration_number"])
        card = existing.get(key)
        if card is None:
            dates = {"not_before": _add_years(now, -3), "not_after": now - timedelta(days=30)} if spec.get("expired") else {}
            card = card_store.issue(spec["kind"], spec["given"], spec["family"],
                                    registration_number=spec["registration_number"], title=spec["title"], **dates)
        cards.append(card)
    systems = {oid: card_store.system_signer(oid, name) for oid, name in orgs}
    return Demo(cards, systems)
