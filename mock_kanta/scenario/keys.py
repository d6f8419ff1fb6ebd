"""Virtual cards and system signature keys for scenario runs, valid at the scenario's sandbox times.

Each professional signs and reads with a virtual card (a SoftHSM token, `CardStore.issue`)
whose certificate is valid from before the scenario's earliest sandbox time: a scenario
dated 2.11.2026 needs a card valid then, whatever day it runs. Cards the runner issued
are remembered in `<data-dir>/scenario/keys.json` (card id and PIN) and reused by later
runs when they cover the scenario's times, so repeated runs do not pile up tokens.

System signatures (järjestelmäallekirjoitus) use the organisation's key from
`CardStore.system_signer` when its certificate is valid at the signing time. That key is
made when first asked for, valid from then on, so a scenario set in the past needs an
older one: the runner then makes a system key of its own on a SoftHSM token, with a
certificate from the same sandbox CA valid from 30 days before the signing time (as long
as the profile allows, two years), and remembers it in the same file.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mock_kanta.scenario.model import ProfessionalSpec
from mock_kanta.signing.cards import Card, CardError, CardSigner, CardStore
from mock_kanta.signing.pkcs11_key import (
    TokenSigner,
    create_token,
    generate_signing_key,
    softhsm_env,
    store_certificate,
    token_labels,
    user_session,
)
from mock_kanta.signing.pki import Pki, ProfileError, atomic_write, file_lock, system_subject, utc

MARGIN = timedelta(days=30)  # certificates start this long before the earliest time they are needed
CARD_SPAN = timedelta(days=1825)  # within the professional profile's 1829 days
SYSTEM_SPAN = timedelta(days=730)  # within the system-signature profile's 731 days
SYSTEM_NAME = "mock-kanta scenario system"


class KeyProblem(RuntimeError):
    """A card or key could not be made or opened (the message says why)."""


def _covers(cert: x509.Certificate, low: datetime, high: datetime) -> bool:
    return cert.not_valid_before_utc <= utc(low) and utc(high) <= cert.not_valid_after_utc


class Keys:
    """The cards and system keys of one sandbox data directory, as the runner uses them."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        if not (self.data_dir / "pki").is_dir():
            raise KeyProblem(f"{self.data_dir} holds no sandbox PKI (pki/): give the target's data directory "
                            "(--data-dir, env MOCK_KANTA_DATA_DIR), where its cards and CA live")
        self.pki = Pki.open(self.data_dir / "pki")
        self.cards = CardStore(self.data_dir, self.pki)
        self.path = self.data_dir / "scenario" / "keys.json"
        self._lock = self.data_dir / "scenario" / ".lock"
        self._systems: dict[tuple[str, str], TokenSigner] = {}

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"cards": {}, "systems": []}

    def _write(self, data: dict) -> None:
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode(), mode=0o600)

    # --- professional cards ---

    def card(self, person: ProfessionalSpec, low: datetime, high: datetime) -> tuple[Card, CardSigner, bool]:
        """A card of `person` valid from before `low` to after `high`: (card, signer, issued now)."""
        with file_lock(self._lock):
            data = self._read()
            for card in self.cards.list():
                known = data["cards"].get(card.id)
                if (known and known["pin"] == person.pin and card.status == "active" and card.kind == "professional"
                        and (card.given, card.family, card.registration_number, card.title)
                        == (person.given, person.family, person.registration, person.title)
                        and _covers(card.certificate, low, high)):
                    return card, self._signer(card.id, person.pin), False
            not_before = utc(low) - MARGIN
            if utc(high) > not_before + CARD_SPAN:
                raise KeyProblem(f"the scenario's times {low:%Y-%m-%d} .. {high:%Y-%m-%d} span more than one card's "
                                "five years")
            try:
                card = self.cards.issue("professional", person.given, person.family, registration_number=person.registration,
                                        title=person.title, pin=person.pin, not_before=not_before,
                                        not_after=not_before + CARD_SPAN)
            except (ProfileError, ValueError, CardError) as exc:
                raise KeyProblem(f"cannot issue a card for {person.alias}: {exc}") from None
            data["cards"][card.id] = {"pin": person.pin, "alias": person.alias}
            self._write(data)
        return card, self._signer(card.id, person.pin), True

    def _signer(self, card_id: str, pin: str) -> CardSigner:
        try:
            return self.cards.signer(card_id, pin)
        except CardError as exc:
            raise KeyProblem(f"card {card_id}: {exc}") from None

    # --- system signature keys ---

    def system_signer(self, org_oid: str, org_name: str, at: datetime) -> TokenSigner:
        """A system signature key of the organisation whose certificate is valid at `at`."""
        official = self.cards.system_signer(org_oid, org_name)
        if _covers(official.certificate, at, at):
            return official
        with file_lock(self._lock):
            data = self._read()
            for entry in data["systems"]:
                cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
                if entry["org_oid"] == org_oid and _covers(cert, at, at) and self.pki.revocation(cert) is None:
                    return self._system(entry["token_label"], entry["pin"], cert)
            entry = self._new_system(org_oid, org_name, at)
            data["systems"].append(entry)
            self._write(data)
        return self._system(entry["token_label"], entry["pin"], x509.load_pem_x509_certificate(entry["certificate"].encode()))

    def _system(self, label: str, pin: str, cert: x509.Certificate) -> TokenSigner:
        key = (label, pin)
        if key not in self._systems:
            softhsm_env(self.data_dir / "softhsm")
            self._systems[key] = TokenSigner(label, pin, cert)
        return self._systems[key]

    def _new_system(self, org_oid: str, org_name: str, at: datetime) -> dict:
        softhsm_env(self.data_dir / "softhsm")
        labels = set(token_labels())
        label = next(lb for lb in (f"scn-sys-{secrets.token_hex(6)}" for _ in range(100)) if lb not in labels)
        pin = secrets.token_hex(8)
        not_before = utc(at) - MARGIN
        create_token(label, pin)
        with user_session(label, pin) as session:
            public_key = generate_signing_key(session, self.pki.profile("system-signature").key_size)
            try:
                cert = self.pki.issue("system-signature", public_key, system_subject(org_name, org_oid, SYSTEM_NAME),
                                      not_before=not_before, not_after=not_before + SYSTEM_SPAN)
            except ProfileError as exc:
                raise KeyProblem(f"cannot make a system key of {org_name} valid at {at:%Y-%m-%d}: {exc}") from None
            store_certificate(session, cert)
        return {"org_oid": org_oid, "org_name": org_name, "token_label": label, "pin": pin,
                "created_at": datetime.now().astimezone().isoformat(),
                "certificate": cert.public_bytes(serialization.Encoding.PEM).decode()}
