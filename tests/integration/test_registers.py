"""The register usage right and the register rules, walked with the sandbox clock (Keusote's timeline).

Keusote's register is in Kanta from 1.9.2026 and takes providers' documents from 1.11.2026
(fixtures). Hoivakoti Kielo Oy serves Keusote's clients in its Tuusula unit.
"""
from __future__ import annotations

import dataclasses
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    Org,
    TaskGrant,
    Unit,
    artificial_hetu,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
    signed_bytes,
)
from mock_kanta.client.documents import replaces_of
from tests.helpers import fresh_hetu
from tests.rulecases import MODELLED_NOTE
from tests.parties import HKI, HYVINKAA, KEUSOTE, KEUSOTE_UNIT, KIELO, NURSE, OFFICER, TUUSULA
from tests.signing import issue_signer

PHASE = ("4", "Palvelun toteutus")


def at(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), HKI).replace(hour=hour)


@pytest.fixture(scope="module")
def world(sandbox):
    pki = sandbox.pki
    keusote = (issue_signer(pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700, start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")
    kielo = (issue_signer(pki, "system", (KIELO.name, KIELO.oid), days=700, start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")
    nurse = (issue_signer(pki, "professional", (NURSE.given, NURSE.family, NURSE.registration_number), days=700,
                          start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "professional")
    with KantaClient(sandbox.url) as kanta:
        yield type("World", (), {"kanta": kanta, "keusote": keusote, "kielo": kielo, "nurse": nurse, "http": sandbox.http})
        kanta.clock_reset()


_ADULTS = itertools.count()


def adult() -> Client:
    """A client of this module alone: a birth date of its own per call (a random number could repeat one)."""
    return Client(artificial_hetu(date(1950, 3, 4) + timedelta(days=next(_ADULTS)), 901), "Testi", "Keusotelainen")


def grant(world, client: Client, unit: Unit, start: date, end: date | None = None, *, when: datetime, previous=None):
    """Keusote archives the client's client-relationship document naming `unit` (AA expected)."""
    doc = client_relationship_document(
        organiser=KEUSOTE, client=client, effective_time=when,
        relationship_id=previous.local.client_relationship if previous else new_document_id(KEUSOTE.oid),
        tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], start, provider_unit=False), TaskGrant("24", unit, ["45"], start, end)],
        replaces=replaces_of(previous) if previous else None,
    )
    frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref())
    return doc, world.kanta.archive(frame, signed_bytes(doc, [world.keusote]))


def open_matter(world, client: Client) -> str:
    matter = new_document_id(KEUSOTE.oid)
    r = world.http.post("/api/v1/matters", json={"matterId": matter, "organiserOid": KEUSOTE.oid, "clientId": client.hetu})
    assert r.status_code == 201, r.text
    return matter


def provider_document(client: Client, *, when: datetime, matter: str | None, unit: Unit = TUUSULA, custodian: Org = KEUSOTE,
                      organiser: Org | None = None, **kwargs):
    return client_document(custodian=custodian, organiser=organiser or custodian, unit=unit, author=NURSE, client=client,
                           effective_time=when, matter_id=matter, service_process=kwargs.pop("service_process", PHASE), **kwargs)


def send(world, doc, *, usage: str = "2", sender: Org = KIELO, unit: Unit = TUUSULA):
    frame = frame_for(doc, sender_oid=sender.oid, author_person=NURSE.frame_person(), author_org=unit.ref(), usage_situation=usage)
    return world.kanta.archive(frame, signed_bytes(doc, [world.nurse]))


def stored(world, doc) -> bool:
    r = world.http.get(f"/api/v1/registers/{doc.custodian.id.root}/documents/{doc.document_id}")
    return r.status_code == 200


def refused(world, answer, doc, *rules: str) -> None:
    assert answer.ack == "AE", answer.details
    assert set(rules) <= set(answer.rule_ids), answer.rule_ids
    assert not stored(world, doc)


def warned(world, answer, doc, rule: str) -> None:
    """Accepted and stored, `rule` among the warnings (an error of basis organiser or modelled, by default)."""
    accepted(world, answer, doc)
    assert rule in [d.rule for d in answer.warnings], answer.details


def accepted(world, answer, doc) -> None:
    assert (answer.ack, list(answer.errors)) == ("AA", []), answer.details
    assert stored(world, doc)


def modelled(answer, *rules: str, note: str = MODELLED_NOTE) -> None:
    """Each of `rules` is a warning that says Kanta is not known to refuse it: an error of basis modelled (or, with
    `note=KEUSOTE_NOTE`, organiser), lowered by the default verdicts (docs/verdicts.md), in an answer that may refuse
    for another (kanta) rule."""
    for rule in rules:
        found = [d for d in answer.warnings if d.rule == rule]
        assert found and note in found[0].text, answer.details


KEUSOTE_NOTE = "[Kanta is not known to refuse this; Keusote's guide demands it.]"


def test_keusote_timeline(world):
    """The register usage right as kanta.fi "Sosiaalihuollon rekisterinkäyttöoikeus" describes it [V]: Keusote names
    Kielo's unit and the start of the relationship on the client's asiakkuusasiakirja, and from then Kielo may
    store into Keusote's register; a unit it did not name (SH-REG-004) or a date before the start (SH-REG-005) is
    refused. Keusote's timeline ([K] liittymisopas: SH-REG-008, 010; basis organiser, off here), the end of a right (SH-REG-006: a later entry
    may carry the "erityinen syy" classification, vasso.fi), the organiser named (SH-REG-001) and the usage
    situation code (SH-REG-002) are modelled: by default they warn (docs/verdicts.md)."""
    client = adult()
    kanta = world.kanta

    kanta.clock_set(at("2026-08-31"), frozen=True)  # Keusote's register is not in Kanta yet
    early_client = adult()  # a grant only warned about is stored: kept apart from `client`'s walk
    early, answer = grant(world, early_client, TUUSULA, date(2026, 9, 15), when=at("2026-08-31"))
    accepted(world, answer, early)
    modelled(answer, "SH-REG-010", note=KEUSOTE_NOTE)
    doc = provider_document(client, when=at("2026-08-31"), matter=None)
    answer = send(world, doc)
    refused(world, answer, doc, "SH-REG-004")  # no right yet
    modelled(answer, "SH-REG-008", note=KEUSOTE_NOTE)

    kanta.clock_set(at("2026-09-01"), frozen=True)  # Keusote goes live: it can name Kielo's unit
    relationship, answer = grant(world, client, TUUSULA, date(2026, 9, 15), when=at("2026-09-01"))
    assert (answer.ack, answer.details) == ("AA", ()), answer.details
    rights = world.http.get(f"/api/v1/clients/{client.hetu}/rights", params={"at": "2026-09-15"}).json()["rights"]
    assert [(r["unitOid"], r["startDate"], r["endDate"]) for r in rights if r["unitOid"] == TUUSULA.oid] == [
        (TUUSULA.oid, "2026-09-15", None)]
    matter = open_matter(world, client)
    kanta.clock_set(at("2026-09-20"), frozen=True)
    doc = provider_document(client, when=at("2026-09-20"), matter=matter)
    answer = send(world, doc)
    accepted(world, answer, doc)  # providers only from 1.11.2026: Keusote's guide, an organiser warning
    modelled(answer, "SH-REG-008", note=KEUSOTE_NOTE)
    assert "2026-11-01" in next(d.text for d in answer.warnings if d.rule == "SH-REG-008")

    kanta.clock_set(at("2026-11-02"), frozen=True)  # providers may store now
    doc = provider_document(client, when=at("2026-11-02"), matter=matter)
    answer = send(world, doc)
    accepted(world, answer, doc)
    assert not [d.rule for d in answer.details if d.rule.startswith("SH-REG")], answer.details

    before_start = provider_document(client, when=at("2026-09-10"), matter=matter)  # the relationship began 15.9.
    refused(world, send(world, before_start), before_start, "SH-REG-005")

    other_unit = provider_document(client, when=at("2026-11-02"), matter=matter, unit=HYVINKAA)
    refused(world, send(world, other_unit, unit=HYVINKAA), other_unit, "SH-REG-004")

    # Kielo's own register: Kanta cannot know whether this is a self-paid service; a warning says what it saw.
    own_register = provider_document(client, when=at("2026-11-02"), matter=None, custodian=KIELO,
                                     service_process=("3", "Asiakkuuden suunnittelu"))
    answer = send(world, own_register, usage="1")
    accepted(world, answer, own_register)
    assert KEUSOTE.oid in next(d.text for d in answer.warnings if d.rule == "SH-REG-009")

    wrong_organiser = provider_document(client, when=at("2026-11-02"), matter=matter, organiser=KIELO)
    answer = send(world, wrong_organiser)
    accepted(world, answer, wrong_organiser)
    modelled(answer, "SH-REG-001")
    own_use_code = provider_document(client, when=at("2026-11-02"), matter=matter)
    answer = send(world, own_use_code, usage="1")
    accepted(world, answer, own_use_code)
    modelled(answer, "SH-REG-002", "SH-CON-010")

    # Version 2 of the client-relationship document ends the relationship on 31.12.2026.
    kanta.clock_set(at("2026-11-03"), frozen=True)
    _, answer = grant(world, client, TUUSULA, date(2026, 9, 15), date(2026, 12, 31), when=at("2026-11-03"), previous=relationship)
    assert answer.ack == "AA", answer.details
    every = world.http.get(f"/api/v1/clients/{client.hetu}/rights", params={"all": "true"}).json()["rights"]
    assert {(r["endDate"], r["replacedBy"] is None) for r in every if r["unitOid"] == TUUSULA.oid} == {
        ("2026-12-31", True), (None, False)}
    kanta.clock_set(at("2027-01-05"), frozen=True)
    after_end = provider_document(client, when=at("2027-01-05"), matter=matter)
    answer = send(world, after_end)
    accepted(world, answer, after_end)
    modelled(answer, "SH-REG-006")
    kanta.clock_reset()


def test_right_that_starts_tomorrow_and_ended_yesterday(world):
    """kanta.fi [V]: the provider stores from the start the organiser recorded (SH-REG-005 refuses before it); after
    the end a warning (SH-REG-006, modelled: vasso.fi names a classification for later entries)."""
    world.kanta.clock_set(at("2026-11-10"), frozen=True)
    tomorrow, yesterday = adult(), adult()
    assert grant(world, tomorrow, TUUSULA, date(2026, 11, 11), when=at("2026-11-10"))[1].ack == "AA"
    assert grant(world, yesterday, TUUSULA, date(2026, 10, 1), date(2026, 11, 9), when=at("2026-11-10"))[1].ack == "AA"
    doc = provider_document(tomorrow, when=at("2026-11-10"), matter=open_matter(world, tomorrow))
    refused(world, send(world, doc), doc, "SH-REG-005")
    doc = provider_document(yesterday, when=at("2026-11-10"), matter=open_matter(world, yesterday))
    answer = send(world, doc)
    accepted(world, answer, doc)
    modelled(answer, "SH-REG-006")
    world.kanta.clock_reset()


def test_unit_registered_in_soteri_today_is_usable_after_the_nightly_transfer(world):
    """[K] Keusote liittymisopas, "Palveluntuottajan ja palvelupisteen ilmoittaminen Soteriin": the unit must reach
    the SOTE organisation register (Soteri's data move there once a day) before a right is opened to it
    (SH-REG-015) and its documents are stored (SH-REG-007); both modelled, so warnings by default."""
    world.kanta.clock_set(at("2026-11-12", 10), frozen=True)
    unit = Unit(f"1.2.246.10.29876516.10.{datetime.now().microsecond + 1000}", "Hoivakoti Kielo, uusi yksikkö Järvenpää")
    r = world.http.post("/api/v1/service-units/register", json={"oid": unit.oid, "organisationOid": KIELO.oid, "name": unit.name})
    assert r.status_code == 201 and r.json()["soteRegisterFrom"] == "2026-11-13T01:00:00+00:00"  # 03:00 Helsinki
    client = adult()
    early, answer = grant(world, client, unit, date(2026, 11, 12), when=at("2026-11-12", 10))
    accepted(world, answer, early)
    modelled(answer, "SH-REG-015")
    assert "2026-11-13T01:00:00+00:00" in next(d.text for d in answer.warnings if d.rule == "SH-REG-015")
    matter = open_matter(world, client)
    doc = provider_document(client, when=at("2026-11-12", 10), matter=matter, unit=unit)
    answer = send(world, doc, unit=unit)
    accepted(world, answer, doc)
    modelled(answer, "SH-REG-007")
    world.kanta.clock_advance(days=1)
    assert (answer := grant(world, client, unit, date(2026, 11, 12), when=at("2026-11-13", 10), previous=early)[1]).ack == "AA"
    assert "SH-REG-015" not in answer.rule_ids
    doc = provider_document(client, when=at("2026-11-13", 10), matter=matter, unit=unit)
    answer = send(world, doc, unit=unit)
    accepted(world, answer, doc)
    assert not [d.rule for d in answer.details if d.rule.startswith("SH-REG")], answer.details
    world.kanta.clock_reset()


def test_a_unit_the_sote_organisation_register_does_not_hold_is_named_with_a_warning(world):
    """[K] Keusote liittymisopas: "Rekisterinkäyttöoikeus annetaan palveluyksikköön", a unit of the SOTE organisation
    register; one the sandbox's organisation data does not hold gets SH-REG-015 (modelled: that data stands in for
    the register and is not complete)."""
    world.kanta.clock_set(at("2026-11-12", 10), frozen=True)
    client = adult()
    nowhere = Unit("1.2.246.10.29876516.10.99999991", "Hoivakoti Kielo, rekisteröimätön yksikkö")
    doc, answer = grant(world, client, nowhere, date(2026, 11, 12), when=at("2026-11-12", 10))
    accepted(world, answer, doc)
    modelled(answer, "SH-REG-015")
    assert "not in the sandbox's organisation data" in next(d.text for d in answer.warnings if d.rule == "SH-REG-015")
    world.kanta.clock_reset()


@pytest.fixture
def served(world):
    """A client Kielo serves on Keusote's behalf, with a matter, on 2.11.2026 by the sandbox clock."""
    world.kanta.clock_set(at("2026-11-02"), frozen=True)
    client = adult()
    assert grant(world, client, TUUSULA, date(2026, 11, 1), when=at("2026-11-02"))[1].ack == "AA"
    yield client, open_matter(world, client)
    world.kanta.clock_reset()


def _without(doc, **local):
    return dataclasses.replace(doc, local=dataclasses.replace(doc.local, **local))


@pytest.mark.parametrize("case, rule", [
    ("matter", "SH-CTX-001"), ("service task", "SH-LSH-009"), ("social service", "SH-CTX-002"),
    ("service process", "SH-LSH-010"), ("service unit", "SH-HDR-009"), ("phase", "SH-CTX-004"),
    ("unknown matter", "SH-CTX-005"), ("another client's matter", "SH-CTX-006"),
])
def test_each_context_element(world, served, case, rule):
    client, matter = served
    when = at("2026-11-02")
    if case == "matter":
        doc = provider_document(client, when=when, matter=matter)
        doc = dataclasses.replace(doc, matter=dataclasses.replace(doc.matter, id=None))
    elif case == "service task":
        doc = _without(provider_document(client, when=when, matter=matter), function_code=None)
    elif case == "social service":
        doc = provider_document(client, when=when, matter=matter, social_services=())
    elif case == "service process":
        doc = _without(provider_document(client, when=when, matter=matter), service_process=None)
    elif case == "service unit":
        doc = provider_document(client, when=when, matter=matter)
        doc = dataclasses.replace(doc, matter=dataclasses.replace(doc.matter, service_unit=None))
    elif case == "phase":
        doc = provider_document(client, when=when, matter=matter, service_process=("3", "Asiakkuuden suunnittelu"))
    elif case == "unknown matter":
        doc = provider_document(client, when=when, matter=new_document_id(KEUSOTE.oid))
    else:
        other = adult()
        doc = provider_document(client, when=when, matter=open_matter(world, other))
    warned(world, send(world, doc), doc, rule)  # basis organiser or modelled: a warning by default (test_verdicts.py)


def test_visibility_and_minors(world, served):
    client, matter = served
    when = at("2026-11-02")
    no_text = provider_document(client, when=when, matter=matter, restriction={"code": "1"})
    answer = send(world, no_text)  # a coded reason alone restricts: said, not refused (test_verdicts.py)
    accepted(world, answer, no_text)
    assert [(d.rule, d.type_code) for d in answer.details] == [("SH-VIS-001", "I")]
    bad_delay = provider_document(client, when=when, matter=matter,
                                  restriction={"code": "1", "text": "Viivästys", "until": date(2026, 10, 1)})
    warned(world, send(world, bad_delay), bad_delay, "SH-VIS-003")
    delayed = provider_document(client, when=when, matter=matter,
                                restriction={"code": "1", "text": "Viivästys kuukaudeksi", "until": date(2026, 12, 2)})
    accepted(world, send(world, delayed), delayed)
    shown = world.http.get(f"/api/v1/registers/{KEUSOTE.oid}/documents/{delayed.document_id}").json()
    assert (shown["visibility"], shown["visibleFrom"]) == ("delayed", "2026-12-02")

    minor = Client(fresh_hetu(date(2014, 5, 6)), "Nuori", "Keusotelainen")
    assert grant(world, minor, TUUSULA, date(2026, 11, 1), when=when)[1].ack == "AA"
    minor_matter = open_matter(world, minor)
    no_consent = provider_document(minor, when=when, matter=minor_matter, consent=None)
    warned(world, send(world, no_consent), no_consent, "SH-MIN-001")
    prohibition = provider_document(minor, when=when, matter=minor_matter, consent=("2", "Alaikäinen kieltää"))
    warned(world, send(world, prohibition), prohibition, "SH-MIN-002")
    justified = provider_document(minor, when=when, matter=minor_matter, consent=("2", "Alaikäinen kieltää"),
                                  restriction={"text": "Nuori pyytää painavasta syystä, ettei tietoja luovuteta huoltajille."})
    accepted(world, send(world, justified), justified)
    shown = world.http.get(f"/api/v1/registers/{KEUSOTE.oid}/documents/{justified.document_id}").json()
    assert shown["guardianDisclosure"] == "prohibited"


def _rule(answer, rule: str):
    return next(d for d in answer.details if d.rule == rule)


def test_the_right_covers_its_service_task_and_its_social_service(world, served):
    """kanta.fi "Sosiaalihuollon rekisterinkäyttöoikeus": the organiser names the provider's unit on the client's
    asiakkuusasiakirja, whose JSON [S] puts the unit under a service task (sosiaalihuollon_palvelutehtava[]) with
    its social services (palveluntuottaja[].sosiaalipalvelu[]); the read side limits a right to its service tasks
    alike (SH-ACC-015). Keusote named Tuusula in service task 24 for social service 45 only. That Kanta checks the
    task and the service when storing is modelled, so SH-REG-016/017 warn by default."""
    client, matter = served
    when = at("2026-11-02")
    other_task = provider_document(client, when=when, matter=matter, function_code=("23", "Toinen palvelutehtävä"))
    answer = send(world, other_task)
    assert answer.ack == "AA" or {d.rule for d in answer.errors} <= {"SH-COD-002"}, answer.details  # 23: no such task
    modelled(answer, "SH-REG-016")
    d = _rule(answer, "SH-REG-016")
    assert "service tasks 24" in d.text and "service task 23" in d.text and d.location.endswith("hl7fi:functionCode/@code")
    assert not {"SH-REG-004", "SH-REG-005", "SH-REG-017"} & set(answer.rule_ids)

    other_service = provider_document(client, when=when, matter=matter, social_services=(("15", "Kasvatus- ja perheneuvonta"),))
    answer = send(world, other_service)
    accepted(world, answer, other_service)
    modelled(answer, "SH-REG-017")
    assert "social services 45" in _rule(answer, "SH-REG-017").text and "social services 15" in _rule(answer, "SH-REG-017").text
    assert not {"SH-REG-004", "SH-REG-016"} & set(answer.rule_ids)

    one_of_them = provider_document(client, when=when, matter=matter,
                                    social_services=(("15", "Kasvatus- ja perheneuvonta"), ("45", "Sosiaaliohjaus")))
    answer = send(world, one_of_them)
    accepted(world, answer, one_of_them)
    assert not [d.rule for d in answer.details if d.rule.startswith("SH-REG")], answer.details


def test_a_provider_can_neither_grant_itself_a_right_nor_widen_one(world, served):
    """kanta.fi "Sosiaalihuollon rekisterinkäyttöoikeus": the organiser gives the right by recording the provider's
    unit on the client's asiakkuusasiakirja. A client-relationship document sent by the provider into the
    organiser's register is refused whatever the verdicts (SH-REG-014, a limit of the sandbox's register model)
    and grants nothing."""
    served_client, matter = served
    when = at("2026-11-02")

    def provider_grant(client: Client, services: list[str]):
        doc = client_relationship_document(
            organiser=KEUSOTE, client=client, effective_time=when, relationship_id=new_document_id(KEUSOTE.oid),
            tasks=[TaskGrant("24", TUUSULA, services, date(2026, 11, 1))], unit=TUUSULA)
        frame = frame_for(doc, sender_oid=KIELO.oid, author_person=NURSE.frame_person(), author_org=TUUSULA.ref(),
                          usage_situation="2")
        return doc, world.kanta.archive(frame, signed_bytes(doc, [world.kielo]))

    stranger = adult()  # no right at all
    doc, answer = provider_grant(stranger, ["45"])
    refused(world, answer, doc, "SH-REG-014")
    assert KIELO.oid in _rule(answer, "SH-REG-014").text and "/hl7:sender/" in _rule(answer, "SH-REG-014").location
    assert world.http.get(f"/api/v1/clients/{stranger.hetu}/rights", params={"all": "true"}).json()["rights"] == []
    doc = provider_document(stranger, when=when, matter=open_matter(world, stranger))
    refused(world, send(world, doc), doc, "SH-REG-004")

    before = world.http.get(f"/api/v1/clients/{served_client.hetu}/rights", params={"all": "true"}).json()["rights"]
    doc, answer = provider_grant(served_client, ["45", "15"])  # widening Keusote's right by social service 15
    refused(world, answer, doc, "SH-REG-014")
    assert world.http.get(f"/api/v1/clients/{served_client.hetu}/rights", params={"all": "true"}).json()["rights"] == before
    widened = provider_document(served_client, when=when, matter=matter, social_services=(("15", "Kasvatus- ja perheneuvonta"),))
    modelled(send(world, widened), "SH-REG-017")  # still outside Keusote's right


def test_own_register_document_of_a_client_also_served_for_an_organiser_is_only_warned(world, served):
    """[K] Keusote kirjaamisopas and liittymisopas ("Palvelunjärjestäjän asiakastietojen ja palveluntuottajan omaan
    rekisterinpitoon kuuluvien asiakastietojen erottaminen"): keeping the provider's own register and the
    organiser's apart is the provider system's duty; Kanta cannot know the contract, so SH-REG-009 only warns,
    also for another unit than the one the organiser named."""
    client, _ = served
    doc = provider_document(client, when=at("2026-11-02"), matter=None, custodian=KIELO, unit=HYVINKAA,
                            service_process=("3", "Asiakkuuden suunnittelu"))
    answer = send(world, doc, usage="1", unit=HYVINKAA)
    accepted(world, answer, doc)
    d = _rule(answer, "SH-REG-009")
    assert d.type_code == "W" and KEUSOTE.oid in d.text and TUUSULA.oid in d.text and HYVINKAA.oid in d.text
    assert "Kanta cannot know" in d.text


def test_report_only_mode(world, served):
    client, matter = served
    no_right = provider_document(client, when=at("2026-11-02"), matter=matter, unit=HYVINKAA)
    assert world.http.put("/api/v1/rule-modes/SH-REG", json={"mode": "report-only"}).json() == {"modes": {"SH-REG": "report-only"}}
    try:
        answer = send(world, no_right, unit=HYVINKAA)
        assert answer.ack == "AA", answer.details
        softened = next(d for d in answer.warnings if d.rule == "SH-REG-004")
        assert "[would refuse]" in softened.text and "[hylättäisiin]" in softened.text
    finally:
        assert world.http.delete("/api/v1/rule-modes/SH-REG").json() == {"modes": {}}
    again = provider_document(client, when=at("2026-11-02"), matter=matter, unit=HYVINKAA)
    refused(world, send(world, again, unit=HYVINKAA), again, "SH-REG-004")
