"""Professional and system signers valid on a tenant's clock: virtual cards and system keys on SoftHSM tokens in
the sandbox's data directory, certificates from its CA (through `mock_kanta.scenario.keys`, which reuses a card
or key that already covers the times, so a test run does not pile up tokens)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509

from mock_kanta.client import Org, Professional, Unit, signed_bytes
from mock_kanta.core.model import ClinicalDocument
from mock_kanta.scenario.keys import Keys
from mock_kanta.scenario.model import ProfessionalSpec
from mock_kanta.signing.cards import Card, CardSigner
from mock_kanta.signing.pkcs11_key import TokenSigner
from mock_kanta.testing.tenant import TenantClock

# The sandbox's fixture organisation and one of its units (fixtures/), and a fictional professional
# (registration numbers 2519999xxxx are made up, like the demo cards').
ORGANISATION = Org("1.2.246.10.32213561.10.0", "Vantaan ja Keravan hyvinvointialue")
UNIT = Unit("1.2.246.10.1246109.10.2001213", "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue")
PROFESSIONAL = Professional("25199990071", "Pia", "Pytest", title="sosiaaliohjaaja")
CARD_COVERS = timedelta(days=365)  # a card is valid this long either side of the clock's time (within 5 years)


class _Signs:
    """What both signers do with their key: `signer` (a card's or a token's) and `kind` come from the subclass."""

    @property
    def certificate(self) -> x509.Certificate:
        return self.signer.certificate

    def sign(self, data: bytes) -> bytes:
        return self.signer.sign(data)

    def sign_document(self, document: ClinicalDocument, *, signed_at: datetime | None = None) -> bytes:
        return signed_bytes(document, [(self, self.kind)], signed_at=signed_at)


@dataclass(frozen=True)
class ProfessionalSigner(_Signs):
    """A professional's virtual card: pass it as the signer, `signed_bytes(doc, [(signer, "professional")])`,
    or call `signer.sign_document(doc)`."""

    professional: Professional
    card: Card
    signer: CardSigner
    kind = "professional"


@dataclass(frozen=True)
class SystemSigner(_Signs):
    """An organisation's system signature key (järjestelmäallekirjoitus), used like `ProfessionalSigner`."""

    organisation: Org
    signer: TokenSigner
    kind = "system"


class Signers:
    """Signers whose certificates are valid at the tenant's clock time (now, unless `at` is given)."""

    organisation, unit, professional_default = ORGANISATION, UNIT, PROFESSIONAL

    def __init__(self, keys: Keys, clock: TenantClock):
        self.keys, self.clock = keys, clock

    def professional(self, person: Professional | None = None, *, pin: str = "1234",
                     at: datetime | None = None) -> ProfessionalSigner:
        """A card of `person` (default: a fictional sosiaaliohjaaja) valid from a year before the clock's time
        (or `at`) to a year after it at least."""
        person = person or PROFESSIONAL
        at = at or self.clock.now()
        spec = ProfessionalSpec(alias=person.registration_number, registration=person.registration_number,
                                given=person.given, family=person.family, title=person.title, hetu=person.hetu, pin=pin)
        card, signer, _ = self.keys.card(spec, at - CARD_COVERS, at + CARD_COVERS)
        return ProfessionalSigner(person, card, signer)

    def system(self, organisation: Org | None = None, *, at: datetime | None = None) -> SystemSigner:
        """The organisation's (default: the fixture organiser's) system key, its certificate valid at the clock's
        time (or `at`)."""
        organisation = organisation or ORGANISATION
        return SystemSigner(organisation, self.keys.system_signer(organisation.oid, organisation.name,
                                                                 at or self.clock.now()))
