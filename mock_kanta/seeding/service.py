"""Test data for the sandbox: artificial clients, guardians, matters, register usage rights and cards.

`people(n, seed)` generates the people, deterministically from the seed (no database);
`seed(services, n, seed)` loads them into a sandbox the way reality would:

- every henkilötunnus is artificial (individual number 900-999) and every century sign
  occurs, including the 2023 ones (B-F for 2000s births, U-Y for 1900s births), which
  Faker's fi_FI `ssn()` lacks (../shared/stack-notes.md section 6);
- Finnish speakers get Faker fi_FI names, Swedish speakers sv_SE names (`language`);
- addresses are in real municipalities (`MUNICIPALITIES`), and the municipality decides
  the organiser (Helsinki, Vantaa-Kerava or Keusote, from the fixtures);
- minors get one or two guardians in the guardians table (`omakanta.add_guardianship`);
- each client gets a matter opened by the organiser (`Store.add_matter`);
- some clients get a register usage right for a provider unit: the organiser's
  client-relationship document naming the unit, signed with the organiser's system key
  and archived in-process through the Archive, so the right comes from the document.
  Keusote's register takes documents only from its `kanta_from` date: when the sandbox
  clock is earlier, its clients get no right;
- a few professional cards per provider (fictional registration numbers 2519xxxxxxx).

Idempotent: ids derive from the seed, so a second run skips what exists.
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from faker import Faker

from mock_kanta.client import (
    Client,
    Org,
    Professional,
    TaskGrant,
    Unit,
    client_relationship_document,
    frame_bytes,
    frame_for,
    signed_bytes,
)
from mock_kanta.client.ids import id_base
from mock_kanta.core.identity import check_char, parse_hetu
from mock_kanta.omakanta import service as omakanta
from mock_kanta.signing.cards import CardStore

HKI = ZoneInfo("Europe/Helsinki")
ID_YEAR = 2026  # the year arc of seeded ids (fixed: ids must not depend on the day of the run)

# Century signs by century; the 2023 additions (B-F, U-Y) are what Faker lacks.
SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}
SIGN_FAMILIES = {"+": "1800", "-": "1900 classic", "A": "2000 classic",
                 **{s: "1900 (2023)" for s in "YXWVU"}, **{s: "2000 (2023)" for s in "BCDEF"}}

# Real municipalities (Statistics Finland codes), a real postcode of each, Finnish and Swedish names.
MUNICIPALITIES = {
    "091": ("Helsinki", "Helsingfors", "00100"),
    "092": ("Vantaa", "Vanda", "01300"),
    "245": ("Kerava", "Kervo", "04200"),
    "106": ("Hyvinkää", "Hyvinge", "05800"),
    "186": ("Järvenpää", "Träskända", "04400"),
    "858": ("Tuusula", "Tusby", "04300"),
    "543": ("Nurmijärvi", "Nurmijärvi", "01900"),
    "505": ("Mäntsälä", "Mäntsälä", "04600"),
    "611": ("Pornainen", "Borgnäs", "07170"),
}
HELSINKI, VANTAA_KERAVA, KEUSOTE = "1.2.246.10.2012566.10.40", "1.2.246.10.32213561.10.0", "1.2.246.10.32213449.10.0"
ORGANISER_OF = {"091": HELSINKI, "092": VANTAA_KERAVA, "245": VANTAA_KERAVA,
                **{m: KEUSOTE for m in ("106", "186", "858", "543", "505", "611")}}
MUNICIPALITY_WEIGHTS = {"091": 30, "092": 20, "245": 6, "106": 8, "186": 8, "858": 8, "543": 8, "505": 6, "611": 2}
SWEDISH_SHARE = 0.15
RIGHT_SHARE = 0.3
CARDS_PER_PROVIDER = 3


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    municipality_code: str
    municipality: str


@dataclass(frozen=True)
class Person:
    hetu: str
    given: str
    family: str
    language: str  # fi | sv
    address: Address
    guardians: tuple[str, ...] = ()  # henkilötunnus values (of people in the guardians list)

    @property
    def organiser_oid(self) -> str:
        return ORGANISER_OF[self.address.municipality_code]


@dataclass
class People:
    clients: list[Person]
    guardians: list[Person]


def hetu(born: date, number: int, sign: str | None = None) -> str:
    """An artificial henkilötunnus with the given (or classic) century sign; any sign of the century."""
    if not 900 <= number <= 999:
        raise ValueError(f"test identities use individual numbers 900-999, not {number}")
    signs = SIGNS.get(born.year // 100 * 100)
    if signs is None:
        raise ValueError(f"no century sign for {born.year}")
    sign = sign or signs[0]
    if sign not in signs:
        raise ValueError(f"century sign {sign!r} is not for {born.year}")
    six, individual = born.strftime("%d%m%y"), f"{number:03d}"
    return f"{six}{sign}{individual}{check_char(six, individual)}"


class _Maker:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.faker = {"fi": Faker("fi_FI"), "sv": Faker("sv_SE")}
        for i, f in enumerate(self.faker.values()):
            f.seed_instance(seed * 10 + i)
        self.used: set[str] = set()

    def _born(self, low_age: int, high_age: int) -> date:
        """A birth date in [today - high_age years, today - low_age years]."""
        start = self.today - timedelta(days=int(high_age * 365.25))
        span = (self.today - start).days - int(low_age * 365.25) - 1
        return start + timedelta(days=self.rng.randint(0, max(span, 0)))

    def _hetu(self, born: date, sign: str | None = None) -> str:
        signs = SIGNS[born.year // 100 * 100]
        while True:
            if sign is None:  # mostly the classic signs, the 2023 ones for a third
                sign_now = signs[0] if len(signs) == 1 or self.rng.random() < 0.65 else self.rng.choice(signs[1:])
            else:
                sign_now = sign
            value = hetu(born, self.rng.randint(900, 999), sign_now)
            if value not in self.used:
                self.used.add(value)
                return value
            born += timedelta(days=1) if born < self.today - timedelta(days=2) else timedelta(days=-1)
            if born.year // 100 * 100 not in SIGNS or (sign and sign not in SIGNS[born.year // 100 * 100]):
                sign = None

    def person(self, born: date, *, language: str | None = None, family: str | None = None,
               address: Address | None = None, sign: str | None = None) -> Person:
        language = language or ("sv" if self.rng.random() < SWEDISH_SHARE else "fi")
        value = self._hetu(born, sign)
        fake = self.faker[language]
        male = int(value[7:10]) % 2 == 1
        given = f"{fake.first_name_male() if male else fake.first_name_female()}"
        if self.rng.random() < 0.5:
            given += " " + (fake.first_name_male() if male else fake.first_name_female())
        return Person(value, given, family or fake.last_name(), language, address or self.address(language))

    def address(self, language: str) -> Address:
        code = self.rng.choices(list(MUNICIPALITY_WEIGHTS), weights=list(MUNICIPALITY_WEIGHTS.values()))[0]
        fi_name, sv_name, postcode = MUNICIPALITIES[code]
        street = self.faker[language].street_name() if language == "sv" else self.faker["fi"].street_name()
        return Address(f"{street} {self.rng.randint(1, 60)}", postcode, code, sv_name if language == "sv" else fi_name)


def people(n: int, seed: int, today: date | None = None) -> People:
    """`n` clients (and their minors' guardians), the same for the same seed and day.

    The first clients take every century sign in turn (so each occurs once n >= 12);
    about a fifth are minors. `today` (default the real date) only decides who is a minor.
    """
    today = today or date.today()
    maker = _Maker(seed, today)
    clients, guardians = [], []
    cycle = "+" + SIGNS[1900] + SIGNS[2000]
    for i in range(n):
        sign = cycle[i] if i < len(cycle) else None
        if sign == "+":
            born = date(1899, 1, 1) + timedelta(days=maker.rng.randint(0, 364))  # the oldest: artificial anyway
        elif (sign is not None and sign in SIGNS[2000]) or (sign is None and maker.rng.random() < 0.2):
            born = maker._born(0, 17)  # a minor (births from 2009 on use the 2000 signs)
        elif sign is not None and sign in SIGNS[1900]:
            born = maker._born(27, 95)
        else:
            born = maker._born(18, 95)
        if born.year >= 2000 and sign is not None and sign in SIGNS[1900]:
            sign = None
        client = maker.person(born, sign=sign)
        if _age(born, today) < 18:
            parents = []
            for _ in range(1 if maker.rng.random() < 0.3 else 2):
                parent_born = maker._born(max(20, _age(born, today) + 18), 60)
                parents.append(maker.person(parent_born, language=client.language, family=client.family,
                                            address=client.address))
            guardians += parents
            client = Person(client.hetu, client.given, client.family, client.language, client.address,
                            tuple(p.hetu for p in parents))
        clients.append(client)
    return People(clients, guardians)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- loading into a sandbox -----------------------------------------------------------------------------


@dataclass
class Summary:
    clients: int = 0
    minors: int = 0
    guardianships: int = 0
    matters: int = 0
    rights: int = 0
    rights_skipped: int = 0  # the organiser's register was not in Kanta yet by the sandbox clock
    refused: list[str] = field(default_factory=list)  # "<hetu>: <rule ids>" of relationship documents refused
    cards: int = 0
    existing: int = 0  # things a previous run had made already
    languages: dict[str, int] = field(default_factory=dict)
    century_signs: dict[str, int] = field(default_factory=dict)
    clients_file: str = ""

    def lines(self) -> list[str]:
        out = [
            f"clients: {self.clients} ({', '.join(f'{k} {v}' for k, v in sorted(self.languages.items()))}), "
            f"{self.minors} minors with {self.guardianships} guardianships",
            "century signs: " + " ".join(f"{k}:{v}" for k, v in sorted(self.century_signs.items())),
            f"matters: {self.matters}; register usage rights: {self.rights} (from archived client-relationship documents)"
            + (f"; {self.rights_skipped} skipped (register not in Kanta yet by the sandbox clock)" if self.rights_skipped else ""),
            f"cards: {self.cards}; already there from an earlier run: {self.existing}",
        ]
        if self.refused:
            out.append(f"refused relationship documents: {len(self.refused)} (first: {self.refused[0]})")
        if self.clients_file:
            out.append(f"people: {self.clients_file}")
        return out


def _seed_id(org_oid: str, seed: int, kind: int, i: int) -> str:
    """A deterministic OID under the organisation (see mock_kanta.client.ids): kind 1 matter, 2 relationship, 3 document."""

    return f"{id_base(org_oid)}.95.{ID_YEAR}.{7 * 10**8 + seed % 10**8}.{kind}{i:06d}"


def _officer(org_oid: str):
    return Professional(f"2519{int(org_oid.split('.')[4]) % 10**7:07d}", "Seed", "Virkailija", title="sosiaalityöntekijä")


def seed(services, n: int, seed_value: int, *, tenant: str | None = None,
         progress: Callable[[int], None] | None = None) -> Summary:
    """Load `n` clients from `people(n, seed_value)` into the sandbox of `services`; call progress(1) per client."""

    tenant = tenant or services.settings.default_tenant
    services.ensure_tenant(tenant)
    store = services.store
    now = services.clock.now(tenant).astimezone(HKI)
    today = now.date()
    # Who is a minor is decided on a fixed day from the seed's point of view: the sandbox date.
    data = people(n, seed_value, today)
    orgs = {o["oid"]: o for o in store.organisations(tenant)}
    units = store.service_units(tenant)
    providers = [o for o in orgs.values() if o["kind"] == "provider"]
    provider_units = [u for u in units if orgs.get(u["organisation_oid"], {}).get("kind") == "provider"]
    cards = CardStore(services.settings.data_dir, services.pki)
    summary = Summary()
    rng = random.Random(seed_value * 7919 + 1)

    summary.cards, existing = _cards(cards, providers, seed_value)
    summary.existing += existing

    for i, client in enumerate(data.clients):
        summary.clients += 1
        summary.languages[client.language] = summary.languages.get(client.language, 0) + 1
        family = SIGN_FAMILIES[client.hetu[6]]
        summary.century_signs[family] = summary.century_signs.get(family, 0) + 1
        organiser = orgs[client.organiser_oid]
        # guardians
        if client.guardians:
            summary.minors += 1
            born = _born_of(client.hetu)
            known = {g["guardian_id"] for g in omakanta.guardianships(store, tenant, minor_client_id=client.hetu)}
            for guardian in client.guardians:
                if guardian in known:
                    summary.existing += 1
                    continue
                omakanta.add_guardianship(store, tenant, minor_client_id=client.hetu, guardian_id=guardian, since=born,
                                          source=f"seed {seed_value}")
                summary.guardianships += 1
        # the organiser's matter
        matter_id = _seed_id(organiser["oid"], seed_value, 1, i)
        if store.matter(tenant, matter_id) is None:
            store.add_matter(tenant, {"matter_id": matter_id, "organiser_oid": organiser["oid"], "client_id": client.hetu,
                                      "source": f"seed {seed_value}"})
            summary.matters += 1
        else:
            summary.existing += 1
        # a register usage right for a provider unit, from a client-relationship document
        wants_right = rng.random() < RIGHT_SHARE
        unit_row = rng.choice(provider_units) if provider_units else None
        start = today - timedelta(days=rng.randint(0, 60))  # drawn every time: the draws stay in step across runs
        if wants_right and unit_row is not None:
            kanta_from = _as_date(organiser.get("kanta_from"))
            if kanta_from is not None and today < kanta_from:
                summary.rights_skipped += 1
            else:
                doc_id = _seed_id(organiser["oid"], seed_value, 3, i)
                if store.document(tenant, doc_id, summary=True) is not None:
                    summary.existing += 1
                else:
                    org = Org(organiser["oid"], organiser["name"])
                    own = next(u for u in units if u["organisation_oid"] == organiser["oid"])
                    own_unit, provider_unit = Unit(own["oid"], own["name"]), Unit(unit_row["oid"], unit_row["name"])
                    signer = cards.system_signer(org.oid, org.name)
                    at = services.clock.now(tenant).astimezone(HKI)  # after the key: a new key's certificate starts now
                    if at < signer.certificate.not_valid_before_utc:  # the clock is back before the key was made
                        summary.refused.append(f"{client.hetu}: not sent, the system key of {org.name} is not valid yet "
                                               "by the sandbox clock")
                        if progress:
                            progress(1)
                        continue
                    doc = client_relationship_document(
                        organiser=org, client=_client(client), effective_time=at, document_id=doc_id,
                        relationship_id=_seed_id(organiser["oid"], seed_value, 2, i),
                        tasks=[TaskGrant("24", own_unit, ["45"], start, provider_unit=False),
                               TaskGrant("24", provider_unit, ["45"], start)],
                        language=client.language)
                    frame = frame_for(doc, sender_oid=org.oid, author_person=_officer(org.oid).frame_person(),
                                      author_org=own_unit.ref(), creation_time=at)
                    parsed = services.archive.read_parts(frame_bytes(frame), signed_bytes(doc, [(signer, "system")], signed_at=at),
                                                         "seed")
                    outcome = services.archive.archive_parsed(tenant, parsed)
                    if outcome.ack == "AA":
                        summary.rights += 1
                    else:
                        summary.refused.append(f"{client.hetu}: {', '.join(sorted({f.rule_id for f in outcome.errors}))}")
        if progress:
            progress(1)

    path = services.settings.data_dir / "seed" / f"people-{tenant}-{seed_value}-{n}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seed": seed_value, "on": today.isoformat(),
                                "clients": [asdict(c) for c in data.clients],
                                "guardians": [asdict(g) for g in data.guardians]}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    summary.clients_file = str(path)
    return summary


def _cards(cards, providers: list[dict], seed_value: int) -> tuple[int, int]:
    """CARDS_PER_PROVIDER professional cards per provider (PIN 1234), skipping registration numbers issued before."""
    have = {c.registration_number for c in cards.list()}
    maker = _Maker(seed_value + 1, date(2026, 1, 1))
    made = existing = 0
    for p, provider in enumerate(sorted(providers, key=lambda o: o["oid"])):
        for k in range(CARDS_PER_PROVIDER):
            person = maker.person(date(1980, 1, 1) + timedelta(days=maker.rng.randint(0, 7000)), language="fi")
            number = f"2519{seed_value % 1000:03d}{p:02d}{k:02d}"
            if number in have:
                existing += 1
                continue
            cards.issue("professional", person.given.split()[0], person.family, registration_number=number,
                        title=f"sosionomi, {provider['name']}")
            made += 1
    return made, existing


def _client(p: Person):
    return Client(p.hetu, p.given, p.family)


def _born_of(value: str) -> date:
    return parse_hetu(value).birth_date


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
