"""A vendor's tests: archive signed documents into a fresh tenant of the sandbox and read the answers.

No conftest.py: the fixtures (kanta_client, kanta_clock, kanta_signers, ...) come from the mock-kanta plugin.
"""
from datetime import date, datetime, timedelta, timezone

from mock_kanta.client import (
    Client,
    TaskGrant,
    artificial_hetu,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
)

HELSINKI = timezone(timedelta(hours=2))


def relationship_for(signers, client, at):
    """The organiser's client-relationship document for `client` (signed with its system key)."""
    org, unit = signers.organisation, signers.unit
    document = client_relationship_document(
        organiser=org, client=client, relationship_id=new_document_id(org.oid), effective_time=at,
        tasks=[TaskGrant("24", unit, ["15"], at.date(), provider_unit=False)])
    return document


def frame_of(document, signers, professional):
    return frame_for(document, sender_oid=signers.organisation.oid, author_person=professional.frame_person(),
                     author_org=signers.unit.ref())


def test_a_signed_client_plan_is_archived(kanta_client, kanta_signers, kanta_system_signer, kanta_professional_signer):
    worker = kanta_professional_signer.professional
    client = Client(artificial_hetu(date(2016, 4, 12), 951), "Testi", "Asiakas")
    now = datetime.now(timezone.utc)

    relationship = relationship_for(kanta_signers, client, now)
    answer = kanta_client.archive(frame_of(relationship, kanta_signers, worker),
                                  kanta_system_signer.sign_document(relationship))
    assert (answer.ack, answer.errors) == ("AA", [])

    plan = client_document(custodian=kanta_signers.organisation, unit=kanta_signers.unit, author=worker,
                           client=client, effective_time=now, relationship_id=relationship.local.client_relationship)
    answer = kanta_client.archive(frame_of(plan, kanta_signers, worker), kanta_professional_signer.sign_document(plan))
    assert answer.ack == "AA" and answer.accepted
    assert answer.errors == []
    assert answer.target is not None  # the acknowledgement names the message it answers


def test_the_same_document_twice_is_refused_with_its_rule(kanta_client, kanta_signers, kanta_system_signer,
                                                          kanta_professional_signer):
    client = Client(artificial_hetu(date(2015, 3, 9), 952), "Toinen", "Asiakas")
    relationship = relationship_for(kanta_signers, client, datetime.now(timezone.utc))
    frame = frame_of(relationship, kanta_signers, kanta_professional_signer.professional)
    signed = kanta_system_signer.sign_document(relationship)
    assert kanta_client.archive(frame, signed).ack == "AA"

    again = kanta_client.archive(frame, signed)
    assert again.ack == "AE"
    assert [d.rule for d in again.errors] == ["SH-ARC-001"]  # the document id is in the register already


def test_a_register_usage_right_ends_on_the_sandbox_clock(kanta_tenant, kanta_clock, kanta_client, kanta_signers):
    at = kanta_clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=HELSINKI))  # frozen there
    assert kanta_clock.now() == at
    system = kanta_signers.system()  # asked for after the clock moved: a key valid at the sandbox time
    assert system.certificate.not_valid_before_utc <= at <= system.certificate.not_valid_after_utc

    org, unit = kanta_signers.organisation, kanta_signers.unit
    client = Client(artificial_hetu(date(2014, 6, 1), 953), "Kolmas", "Asiakas")
    until = at.date() + timedelta(days=14)
    relationship = client_relationship_document(
        organiser=org, client=client, relationship_id=new_document_id(org.oid), effective_time=at,
        tasks=[TaskGrant("24", unit, ["15"], at.date(), provider_unit=False),
               TaskGrant("24", unit, ["15"], at.date(), until)])  # the unit produces the service for two weeks
    worker = kanta_signers.professional().professional
    answer = kanta_client.archive(frame_of(relationship, kanta_signers, worker),
                                  system.sign_document(relationship, signed_at=at))
    assert (answer.ack, answer.errors) == ("AA", [])

    def rights_in_force():
        response = kanta_tenant.api("GET", f"/api/v1/clients/{client.hetu}/rights")
        return [(r["unitOid"], r["services"]) for r in response.json()["rights"]]

    assert rights_in_force() == [(unit.oid, ["15"])]
    assert kanta_clock.advance(days=30) == at + timedelta(days=30)
    assert rights_in_force() == []  # in force on the sandbox's date, not the wall clock's
