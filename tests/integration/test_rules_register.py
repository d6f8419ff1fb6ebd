"""The organisation-register rules (SH-REG-011/012/013) fired through the archive interface: a correct
client plan naming, as its register, its sender or its service unit, an OID the sandbox's organisation
data (the SOTE organisation register) does not hold. That data stands in for the SOTE organisation register
and is not complete, as a partial code list is not, so the rules are modelled and warn by default
(docs/verdicts.md): an OID missing here may well be in the real register."""
from __future__ import annotations

from mock_kanta.client import Org, Unit
from tests.rulecases import clean, warned_as_modelled

NOWHERE = Org("1.2.246.10.98765431.10.0", "Tuntematon Hoiva Oy")  # in no organisation data of the sandbox
NOWHERE_UNIT = Unit("1.2.246.10.2012566.10.49999991", "Tuntematon palveluyksikkö, Helsinki")


def test_the_correct_plan_raises_no_finding(desk):
    clean(desk.send(desk.plan()))


def test_document_for_a_register_the_sandbox_does_not_know_is_warned_about(desk):
    answer = desk.send(desk.plan(custodian=NOWHERE))  # sent by Helsinki, which is known
    assert NOWHERE.oid in warned_as_modelled(answer, "SH-REG-011", "custodian").text
    assert not {"SH-REG-012", "SH-REG-013"} & set(answer.rule_ids)


def test_document_from_an_organisation_the_sandbox_does_not_know_is_warned_about(desk):
    answer = desk.send(desk.plan(), sender_oid=NOWHERE.oid)  # into Helsinki's register, which is known
    assert NOWHERE.oid in warned_as_modelled(answer, "SH-REG-012", "sender").text
    assert not {"SH-REG-011", "SH-REG-013"} & set(answer.rule_ids)


def test_document_from_a_service_unit_the_sandbox_does_not_know_is_warned_about(desk):
    answer = desk.send(desk.plan(unit=NOWHERE_UNIT))
    assert NOWHERE_UNIT.oid in warned_as_modelled(answer, "SH-REG-013", "encounterParticipant").text
    assert [d.rule for d in answer.warnings] == ["SH-REG-013"]
