"""What a client-relationship document grants (registers.service.granted_rights, core.structured.provider_grants)
and what a right covers (core.registers.Coverage), on documents built by the client library."""
from __future__ import annotations

from datetime import date, datetime, timezone

from mock_kanta.client import Client, TaskGrant, artificial_hetu, client_relationship_document, new_document_id
from mock_kanta.core.registers import Coverage, Right, granted_tasks
from mock_kanta.core.structured import provider_grants, relationship_body
from mock_kanta.registers.service import granted_rights
from mock_kanta.wire import body, cda
from tests.parties import KEUSOTE, KEUSOTE_UNIT, KIELO, TUUSULA

CLIENT = Client(artificial_hetu(date(2006, 5, 4), 901), "Testi", "Oikeus")
WHEN = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)


def _relationship():
    doc = client_relationship_document(
        organiser=KEUSOTE, client=CLIENT, effective_time=WHEN, relationship_id=new_document_id(KEUSOTE.oid),
        tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], date(2026, 11, 1), provider_unit=False),
               TaskGrant("24", TUUSULA, ["45", "15"], date(2026, 11, 1), date(2026, 12, 31))])
    parsed = cda.document_from_tree(cda.build_document(doc))
    return parsed, body.decode(parsed.body).structured


def test_only_the_registers_own_organisation_grants():
    """kanta.fi "Sosiaalihuollon rekisterinkäyttöoikeus": the organiser gives the right on the asiakkuusasiakirja;
    the same document sent by a provider grants nothing (SH-REG-014 refuses it; this holds even if it is let through)."""
    document, structured = _relationship()
    relationship, rows = granted_rights(document, structured, sender=KEUSOTE.oid)
    assert relationship and [(r["unit_oid"], r["function_code"], r["start_date"], r["end_date"]) for r in rows] == [
        (TUUSULA.oid, "24", date(2026, 11, 1), date(2026, 12, 31))]
    assert granted_rights(document, structured, sender=KIELO.oid) is None
    assert granted_rights(document, {"lapsiperheiden_palvelujen_asiakassuunnitelma": {}}, sender=KEUSOTE.oid) is None


def test_provider_entries_of_a_broken_shape_are_skipped_not_raised():
    assert provider_grants({"sosiaalihuollon_palvelutehtava": ["x", {"palveluntuottaja": [3, {"sosiaalipalvelu": {"code": "45"}}]}]}) == [
        provider_grants({"sosiaalihuollon_palvelutehtava": [{"palveluntuottaja": [{"sosiaalipalvelu": [{"code": "45"}]}]}]})[0]]
    assert relationship_body({"asiakkuusasiakirja": []}) is None and relationship_body(None) is None


def _right(task, services, start=date(2026, 11, 1), end=None, unit=TUUSULA.oid):
    return Right(KEUSOTE.oid, CLIENT.hetu, "r", task, unit, tuple(services), start, end, "d")


def test_coverage_names_the_first_step_that_falls_short():
    """The order the findings follow: unit (SH-REG-004), service task (016), date (005/006), social service (017)."""
    rights = [_right("24", ["45"]), _right("26", ["15"], start=date(2027, 1, 1))]

    def gap(**kwargs):
        args = {"unit": TUUSULA.oid, "task": "24", "on": date(2026, 11, 2), "services": ["45"]} | kwargs
        return Coverage.of(rights, **args).gap

    assert gap() is None
    assert gap(unit="1.2.3") == "unit"
    assert gap(task="23") == "task"
    assert gap(task="26") == "date"  # the right for task 26 begins in 2027
    assert gap(services=["15"]) == "service"
    assert gap(services=["15", "45"]) is None and gap(services=[]) is None and gap(task=None) is None


def test_a_right_without_a_task_or_services_is_not_limited_by_them():
    assert _right(None, []).covers_task("23") and _right(None, []).covers_services(["15"])
    assert granted_tasks([_right("24", []), _right("26", [])]) == {"24", "26"}
    assert granted_tasks([_right("24", []), _right(None, [])]) is None
