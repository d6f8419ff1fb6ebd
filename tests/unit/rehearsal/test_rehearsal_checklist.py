"""Rehearsal checklists: the shipped files load, a broken file is refused with the file, item and key
named; and the grading window and the test-identity item, over a real SQLite store and access log."""
from __future__ import annotations

import copy
from datetime import date

import pytest
import yaml

from mock_kanta.audit.service import AuditEvent, AuditLog
from mock_kanta.client import artificial_hetu
from mock_kanta.core.clock import SandboxClock
from mock_kanta.core.identity import check_char
from mock_kanta.core.resources import builtin
from mock_kanta.rehearsal import (
    ChecklistError,
    RehearsalError,
    Rehearsals,
    load_checklist,
    load_checklists,
    parse_checklist,
)
from mock_kanta.rehearsal import report as reports
from mock_kanta.settings import Settings
from mock_kanta.store import Store
from mock_kanta.tenants.service import load_fixture_organisations

FIXTURES = builtin("fixtures") / "rehearsals"
KIELO, KEUSOTE = "1.2.246.10.29876516.10.0", "1.2.246.10.32213449.10.0"


def minimal() -> dict:
    return {
        "test": "tiny-test", "title": "Tiny", "source": "[I] here", "verified": False,
        "organisation": {"kinds": ["provider"]},
        "items": [{"id": "T-01", "title": {"fi": "Yksi", "sv": "Ett", "en": "One"}, "source": "[I] here", "verified": False,
                   "evidence": {"kind": "event", "match": {"action": "archive", "outcome": "AA", "register": "session"}}}],
    }


def broken(change) -> dict:
    data = copy.deepcopy(minimal())
    change(data)
    return data


def refused(data, *parts: str) -> str:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(data, name="tiny.yaml")
    message = str(caught.value)
    assert message.startswith("tiny.yaml: "), message
    for part in parts:
        assert part in message, message
    return message


# --- the shipped checklists ------------------------------------------------------------------------


def test_shipped_checklists_load_and_say_they_are_modelled():
    found = load_checklists(FIXTURES)
    assert set(found) == {"deployment-test", "register-usage-right-test"}
    assert [i.id for i in found["deployment-test"].items] == [f"DT-0{n}" for n in range(1, 7)]
    assert [i.id for i in found["register-usage-right-test"].items] == [f"RUR-0{n}" for n in range(1, 9)]
    assert found["register-usage-right-test"].counterpart == "organiser" and found["deployment-test"].counterpart is None
    for checklist in found.values():
        assert checklist.verified is False and "kanta" in checklist.source
        for item in checklist.items:
            assert set(item.title) == {"fi", "sv", "en"} and all(item.title.values())
            assert item.verified is False and item.source
    rur = found["register-usage-right-test"]
    archive = rur.item("RUR-04").evidence.match
    assert (archive.actions, archive.outcomes, archive.sender, archive.register, archive.usage) == (
        ("archive",), ("AA",), "session", "counterpart", ("2",))
    handled = rur.item("RUR-05").evidence
    assert (handled.kind, handled.match.outcomes, handled.then.outcomes, handled.same, handled.min) == (
        "refusal-handled", ("AE",), ("AA",), ("document", "client"), 1)
    assert found["deployment-test"].item("DT-05").evidence.every is True


def test_a_minimal_checklist_and_its_json():
    checklist = parse_checklist(minimal(), name="tiny.yaml")
    assert checklist.title == {"fi": "Tiny", "sv": "Tiny", "en": "Tiny"}  # one string serves every language
    as_json = checklist.to_json()
    assert as_json["items"][0]["evidence"] == {"kind": "event", "match": {"action": ["archive"], "outcome": ["AA"],
                                                                          "sender": "session", "register": "session"}, "min": 1}


# --- refused files name the place ----------------------------------------------------------------------


@pytest.mark.parametrize("change, parts", [
    (lambda d: d.pop("items"), ["missing items"]),
    (lambda d: d.update(items=[]), ["items: a non-empty list"]),
    (lambda d: d.update(test="Tiny Test"), ["test: 'Tiny Test' is not a test id"]),
    (lambda d: d.update(verified="no"), ["verified: must be true or false, not 'no'"]),
    (lambda d: d.update(colour="red"), ["unknown key colour"]),
    (lambda d: d["organisation"].update(kinds=["vendor"]), ["organisation.kinds: 'vendor' is not one of organiser, provider"]),
    (lambda d: d.update(counterpart={"kind": "somebody"}), ["counterpart.kind: 'somebody' is not one of organiser, provider"]),
    (lambda d: d["items"][0]["title"].pop("sv"), ["items[0] (T-01).title: missing the sv text"]),
    (lambda d: d["items"][0].pop("source"), ["items[0]: missing source"]),
    (lambda d: d["items"][0].update(verified=None), ["items[0] (T-01).verified: must be true or false"]),
    (lambda d: d["items"][0].update(id="T 01"), ["items[0].id: 'T 01' is not an item id"]),
    (lambda d: d["items"].append(copy.deepcopy(d["items"][0])), ["items[1].id: 'T-01' is used twice"]),
    (lambda d: d["items"][0]["evidence"].update(kind="vibes"),
     ["items[0] (T-01).evidence.kind: 'vibes' is not one of event, refusal-handled, archivist-view, every-event, right"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(acton="archive"),
     ["items[0] (T-01).evidence.match: unknown key acton (known: action, outcome"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(action=["archive", "store"]),
     ["items[0] (T-01).evidence.match.action: 'store' is not one of archive, replace, void, search, read"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(outcome="OK"), ["evidence.match.outcome: 'OK' is not one of AA"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(usage=[True]), ["evidence.match.usage: must be a code or a list"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(min_documents=-1), ["evidence.match.min_documents: must be a whole number >= 0"]),
    (lambda d: d["items"][0]["evidence"]["match"].update(register="counterpart"),
     ["items[0] (T-01).evidence: refers to the counterpart, but the checklist has no `counterpart`"]),
    (lambda d: d["items"][0].update(evidence={"kind": "refusal-handled", "refusal": {}, "then": {}, "same": []}),
     ["evidence.same: name at least one of document, client"]),
    (lambda d: d["items"][0].update(evidence={"kind": "archivist-view", "documents": {}, "register": "other"}),
     ["evidence.register: 'other' is not one of session, counterpart"]),
    (lambda d: d["items"][0].update(evidence={"kind": "every-event", "events": {}}), ["evidence: missing require"]),
    (lambda d: d["items"][0].update(evidence={"kind": "right", "organiser": "counterpart"}),
     ["evidence: refers to the counterpart"]),
    (lambda d: d["items"][0].update(evidence="an archive"), ["evidence: must be a mapping with a `kind`"]),
])
def test_broken_checklists_are_refused_precisely(change, parts):
    refused(broken(change), *parts)


def test_counterpart_items_are_allowed_with_a_counterpart():
    data = broken(lambda d: d["items"][0]["evidence"]["match"].update(register="counterpart"))
    data["counterpart"] = {"kind": "organiser"}
    assert parse_checklist(data).items[0].evidence.match.register == "counterpart"


def test_files_yaml_errors_and_duplicate_tests(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("test: [unclosed\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"^bad\.yaml: not valid YAML"):
        load_checklist(bad)
    bad.unlink()
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"b\.yaml: test 'tiny-test' is also defined in a\.yaml"):
        load_checklists(tmp_path)


# --- grading over a real store and access log ---------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'kanta.sqlite3'}")
    store.create_schema()
    store.ensure_tenant("t1")
    orgs, units = load_fixture_organisations(Settings(data_dir=tmp_path))
    store.replace_organisations("t1", orgs, units)
    return store


def non_test_hetu() -> str:
    six, number = "010150", "123"
    return f"{six}-{number}{check_char(six, number)}"


def test_grading_counts_only_the_sessions_window_and_names_real_identities(store):
    clock, log = SandboxClock(store), AuditLog(store)
    rehearsals = Rehearsals(store, clock, load_checklists(FIXTURES))
    test_client = artificial_hetu(date(1950, 1, 2))
    log.record("t1", AuditEvent("archive", "AE", organisation_oid=KIELO, client_id=non_test_hetu(), document_ids=("1.2.3.1",)))
    session = rehearsals.open("t1", "deployment-test", KIELO, system="Testi 1.0")
    assert rehearsals.result(session)["eventsGraded"] == 0  # the earlier event is outside the session

    log.record("t1", AuditEvent("archive", "AE", organisation_oid=KIELO, client_id=test_client, document_ids=("1.2.3.2",),
                                rule_ids=("SH-REG-009",)))
    real = log.record("t1", AuditEvent("search", "AA", organisation_oid=KIELO, client_id=non_test_hetu(), usage_situation="1"))
    log.record("t1", AuditEvent("archive", "AE", organisation_oid=KEUSOTE, client_id=non_test_hetu()))  # not Kielo's traffic
    result = rehearsals.close("t1", session.id)
    got = {i["id"]: i for i in result["items"]}
    assert (result["eventsGraded"], result["result"], result["system"]) == (3, "failed", "Testi 1.0")
    identities = got["DT-01"]
    assert identities["status"] == "missing" and identities["evidenceCount"] == 2
    assert f"seq {real.seq}: client {non_test_hetu()} is not a test identity (individual number 123; 900-999 expected)" \
        in identities["why"]
    refusal = got["DT-06"]
    assert refusal["status"] == "missing" and "0 of 1 refusal(s) handled" in refusal["why"] and "SH-REG-009" in refusal["why"]
    # the frozen result does not move with later events
    log.record("t1", AuditEvent("search", "AA", organisation_oid=KIELO, client_id=test_client))
    assert rehearsals.result(rehearsals.session("t1", session.id)) == result
    # ... and says the same in Finnish and Swedish (texts), also in the reports of those languages
    fi, sv = identities["texts"]["fi"], identities["texts"]["sv"]
    assert identities["texts"]["en"] == {"lookedFor": identities["lookedFor"], "why": identities["why"]}
    assert fi["why"].startswith("Etsittiin: jokainen ") and sv["why"].startswith("Sökte varje ")
    assert f"seq {real.seq}: asiakas {non_test_hetu()} ei ole testihenkilö (yksilönumero 123; odotettiin 900-999)" in fi["why"]
    assert f"klienten {non_test_hetu()} är ingen testperson (individnummer 123; 900-999 förväntades)" in sv["why"]
    assert "Hylkäyksistä 0/1 korjattu" in refusal["texts"]["fi"]["why"]
    for record in identities["evidence"] + refusal["nearMisses"]:
        assert record["texts"]["en"] == record["text"] and record["texts"]["fi"] != record["text"]
        assert record["texts"]["fi"].startswith(f"seq {record['seq']} ") and ", lähettäjä " in record["texts"]["fi"]
    report = reports.to_report(result, lang="fi")
    assert report.cases[0].properties["Tulos"].startswith("hylätty: ") and "Organisaatio" in report.cases[0].properties
    failed = {i.name.split()[0]: i for i in report.cases[0].items}
    assert failed["DT-01"].why == fi["why"] and failed["DT-01"].name == "DT-01 Vain testihenkilöitä (yksilönumero 900-999)"
    assert all(line.startswith(("näyttö: ", "läheltä piti: ", "... ja ")) for line in failed["DT-01"].evidence)
    page = reports.report_html(result, lang="sv")
    assert sv["why"].replace("'", "&#x27;") in page and "underkänd: " in page and "Testi 1.0" in page
    assert reports.report_json(result) == reports.report_json(result, lang="xx")  # an unknown language: English


def test_a_session_closed_before_the_texts_reports_its_english(store):
    rehearsals = Rehearsals(store, SandboxClock(store), load_checklists(FIXTURES))
    session = rehearsals.open("t1", "deployment-test", KIELO)
    result = rehearsals.close("t1", session.id)
    for item in result["items"]:  # as stored before the explanations had `texts`
        item.pop("texts")
        for record in item["evidence"] + item["nearMisses"]:
            record.pop("texts", None)
    report = reports.to_report(result, lang="fi")
    missing = [n for n, i in enumerate(result["items"]) if i["status"] == "missing"]
    assert missing and [report.cases[0].items[n].why for n in missing] == [result["items"][n]["why"] for n in missing]
    assert reports.item_text(result["items"][0], "why", "sv") == result["items"][0]["why"]


def test_opening_checks_the_organisations(store):
    rehearsals = Rehearsals(store, SandboxClock(store), load_checklists(FIXTURES))
    with pytest.raises(RehearsalError, match="organiserOid is required for the register-usage-right-test"):
        rehearsals.open("t1", "register-usage-right-test", KIELO)
    with pytest.raises(RehearsalError, match=r"organiserOid 1\.2\.246\.10\.29876516\.10\.0 \(Hoivakoti Kielo Oy\) is a provider"):
        rehearsals.open("t1", "register-usage-right-test", KEUSOTE, KIELO)
    with pytest.raises(RehearsalError) as caught:
        rehearsals.open("t1", "deployment-test", "1.2.246.10.999999.10.0")
    assert caught.value.code == "no_organisation" and caught.value.status == 400
    assert caught.value.text("fi").startswith("Organisaatio 1.2.246.10.999999.10.0 ei ole tässä ympäristössä")
    assert caught.value.text("sv").startswith("Organisationen 1.2.246.10.999999.10.0 finns inte i den här miljön")
    with pytest.raises(RehearsalError) as caught:
        rehearsals.open("t1", "register-usage-right-test", KEUSOTE, KIELO)
    assert caught.value.code == "organiser_kind" and "on palveluntuottaja, ei palvelunjärjestäjä" in caught.value.text("fi")
    assert rehearsals.sessions("t1") == []
    opened = rehearsals.open("t1", "register-usage-right-test", KIELO, KEUSOTE)
    assert [s.id for s in rehearsals.sessions("t1")] == [opened.id] and opened.counterpart_oid == KEUSOTE
