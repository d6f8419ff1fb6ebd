"""Who a document is about and who makes it: small value objects for the document builders.

Plain data with the few derived values the builders need (a client's birth date and
gender from the henkilötunnus, a professional as an HL7 person). Test identities only:
`artificial_hetu` makes henkilötunnus values with individual numbers 900-999.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from mock_kanta.core.identity import check_char, parse_hetu
from mock_kanta.core.model import II, OrgRef, Person, PersonName

HETU_ROOT = "1.2.246.21"  # henkilötunnus [S]
REGISTRATION_ROOT = "1.2.246.537.26"  # Valvira's registration number of a professional [S]
_CENTURY_SIGN = {1800: "+", 1900: "-", 2000: "A"}


@dataclass(frozen=True)
class Org:
    """An organisation: a service organiser (custodian of a register) or a provider."""

    oid: str
    name: str

    def ref(self) -> OrgRef:
        return OrgRef(II(root=self.oid), self.name)


@dataclass(frozen=True)
class Unit:
    """A service unit (palveluyksikkö) of the SOTE organisation register."""

    oid: str
    name: str

    def ref(self) -> OrgRef:
        return OrgRef(II(root=self.oid), self.name)


@dataclass(frozen=True)
class Client:
    """A client. `given` may hold several first names (the first one is the call name).

    gender: "1" mies / "2" nainen (AR/YDIN - Sukupuoli); None derives it from the
    henkilötunnus (odd individual number = 1, even = 2).
    """

    hetu: str
    given: str
    family: str
    gender: str | None = None

    @property
    def birth_date(self) -> date:
        return parse_hetu(self.hetu).birth_date

    @property
    def gender_code(self) -> str:
        if self.gender is not None:
            return self.gender
        return "1" if parse_hetu(self.hetu).individual_number % 2 else "2"

    @property
    def given_names(self) -> tuple[str, ...]:
        return tuple(self.given.split())

    @property
    def masked_hetu(self) -> str:
        """The henkilötunnus as display forms show it (birth date only, as in the samples)."""
        return self.hetu[:6] + "*****"


@dataclass(frozen=True)
class Professional:
    """A social welfare professional: registration number (Valvira), name, optional hetu and title."""

    registration_number: str
    given: str
    family: str
    hetu: str | None = None
    title: str | None = None

    @property
    def name(self) -> PersonName:
        return PersonName(tuple(self.given.split()), (self.family,))

    def author(self) -> Person:
        """The document author (author/assignedAuthor): identified by the registration number [S]."""
        return Person(id=II(root=REGISTRATION_ROOT, extension=self.registration_number), name=self.name)

    def frame_person(self) -> Person:
        """The frame's authorOrPerformer person: by henkilötunnus as in the samples [S], else by registration number."""
        if self.hetu:
            return Person(id=II(root=HETU_ROOT, extension=self.hetu), name=self.name)
        return self.author()


@dataclass(frozen=True)
class TaskGrant:
    """One service unit's part in a client relationship, within one service task (palvelutehtävä).

    provider_unit True: the unit produces the services (`palveluntuottaja[]` in the
    asiakkuusasiakirja JSON), which is what grants a provider the register usage right;
    False: the organiser's own unit responsible for the relationship
    (`palvelunjarjestajan_palveluyksikko[]`). An organiser unit that also produces the
    service, as in the public sample, is given twice, once each way.
    function_code and each social service: a code, or (code, display) for codes the
    sandbox's code lists do not name.
    """

    function_code: str | tuple[str, str]
    unit: Unit
    social_services: list[str | tuple[str, str]]
    start: date
    end: date | None = None
    provider_unit: bool = True


def artificial_hetu(born: date, number: int | None = None) -> str:
    """A valid artificial henkilötunnus (individual number 900-999; random when not given)."""
    if number is None:
        number = 900 + secrets.randbelow(100)
    if not 900 <= number <= 999:
        raise ValueError(f"test identities use individual numbers 900-999, not {number}")
    sign = _CENTURY_SIGN.get(born.year // 100 * 100)
    if sign is None:
        raise ValueError(f"no century sign for {born.year}")
    six, individual = born.strftime("%d%m%y"), f"{number:03d}"
    return f"{six}{sign}{individual}{check_char(six, individual)}"
