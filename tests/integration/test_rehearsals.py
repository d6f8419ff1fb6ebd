"""Graded rehearsal sessions against a real sandbox: the vendor's traffic, made with the client library, graded.

Hoivakoti Kielo Oy (provider, its Tuusula unit) rehearses the register usage right test with
Keusote (organiser; its register takes providers' documents from 1.11.2026). The sandbox
clock stands on 2.-5.11.2026 while the traffic is made, and runs in real time again after.
Every test uses fresh clients (random birth dates in the 1930s, individual number 900-999).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from mock_kanta.client import (
    Client,
    KantaClient,
    Org,
    TaskGrant,
    Unit,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
    replaces_of,
    signed_bytes,
)
from mock_kanta.client.query import QueryClient, Reader
from mock_kanta.reports import report_from_dict
from tests.helpers import fresh_hetu
from tests.parties import HKI, HYVINKAA, KEUSOTE, KEUSOTE_UNIT, KIELO, NURSE, OFFICER, TUUSULA
from tests.signing import issue_signer

PHASE = ("4", "Palvelun toteutus")
CARD_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
API = "/api/v1/rehearsals"  # the collection is API + "/" (connexion mounts the spec's "/" there)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), HKI).replace(hour=hour)


def fresh_client() -> Client:
    born = date(1930, 1, 1) + timedelta(days=secrets.randbelow(3650))
    return Client(fresh_hetu(born), "Harjoitus", "Asiakas")


@dataclass
class Vendor:
    """What a vendor's system holds: its connection, its professionals' cards, the organiser's system key."""

    kanta: KantaClient
    reads: QueryClient
    http: object
    keusote: tuple
    officer: tuple
    nurse: tuple

    def reader(self, unit: Unit = TUUSULA) -> Reader:
        return Reader(NURSE, KIELO, unit, self.nurse[0].certificate)

    # --- the organiser's side (Keusote's system) ---

    def grant(self, client: Client, unit: Unit = TUUSULA, start: date = date(2026, 11, 1), *, when: datetime):
        doc = client_relationship_document(
            organiser=KEUSOTE, client=client, effective_time=when, relationship_id=new_document_id(KEUSOTE.oid),
            tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], start, provider_unit=False), TaskGrant("24", unit, ["45"], start)])
        frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref())
        answer = self.kanta.archive(frame, signed_bytes(doc, [self.keusote]))
        assert answer.ack == "AA", answer.details
        return doc

    def keusote_document(self, client: Client, *, when: datetime, replaces=None, matter: str | None = None):
        doc = client_document(custodian=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, client=client, effective_time=when,
                              replaces=replaces_of(replaces) if replaces else None,
                              matter_id=matter or (replaces.matter.id.root if replaces else None))
        frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref())
        answer = self.kanta.archive(frame, signed_bytes(doc, [self.officer]))
        assert answer.ack == "AA", answer.details
        return doc

    # --- the provider's side (Kielo's system, the one rehearsing) ---

    def kielo_document(self, client: Client, *, when: datetime, matter: str | None, unit: Unit = TUUSULA, custodian: Org = KEUSOTE,
                       usage: str = "2", **kwargs):
        doc = client_document(custodian=custodian, organiser=custodian, unit=unit, author=NURSE, client=client, effective_time=when,
                              matter_id=matter, service_process=kwargs.pop("service_process", PHASE), **kwargs)
        frame = frame_for(doc, sender_oid=KIELO.oid, author_person=NURSE.frame_person(), author_org=unit.ref(), usage_situation=usage)
        return doc, self.kanta.archive(frame, signed_bytes(doc, [self.nurse]))


@pytest.fixture(scope="module")
def vendor(sandbox):
    pki = sandbox.pki
    keusote = (issue_signer(pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700, start=CARD_START), "system")
    officer, nurse = ((issue_signer(pki, "professional", (p.given, p.family, p.registration_number), days=700, start=CARD_START),
                       "professional") for p in (OFFICER, NURSE))
    with KantaClient(sandbox.url) as kanta:
        yield Vendor(kanta, QueryClient.of(kanta), sandbox.http, keusote, officer, nurse)
        kanta.clock_reset()


@pytest.fixture
def clock(vendor):
    """Stand the sandbox clock on a day of Keusote's timeline; real time again afterwards."""
    yield lambda day: vendor.kanta.clock_set(at(day), frozen=True)
    vendor.kanta.clock_reset()


def open_session(http, test: str = "register-usage-right-test", **body) -> dict:
    payload = {"test": test, "organisationOid": KIELO.oid, "organiserOid": KEUSOTE.oid, **body}
    r = http.post(f"{API}/", json={k: v for k, v in payload.items() if v is not None})
    assert r.status_code == 201, r.text
    return r.json()


def items(result: dict) -> dict[str, dict]:
    return {i["id"]: i for i in result["items"]}


# --- a whole rehearsal: every item met ------------------------------------------------------------


def test_register_usage_right_rehearsal_every_item_met(vendor, clock):
    http = vendor.http
    clock("2026-11-02")
    opened = open_session(http, system="Kielo Hoiva 3.1")
    assert (opened["status"], opened["met"], opened["result"]) == ("open", 0, "failed")
    assert opened["organisation"]["name"] == KIELO.name and opened["organiser"]["oid"] == KEUSOTE.oid
    sid = opened["id"]

    # Keusote (the organiser) names Kielo's Tuusula unit for the client and writes its own plan.
    client = fresh_client()
    relationship = vendor.grant(client, when=at("2026-11-02"))
    plan = vendor.keusote_document(client, when=at("2026-11-02"))
    matter = plan.matter.id.root

    # Kielo's system, as a vendor's would: query and retrieve Keusote's documents under the right ...
    clock("2026-11-03")
    found = vendor.reads.query(vendor.reader(), client=client.hetu, usage="2", register=KEUSOTE.oid)
    assert found.ack == "AA" and plan.document_id in found.document_ids, found.details
    assert vendor.reads.retrieve(vendor.reader(), plan.document_id, usage="2").ack == "AA"
    # ... archive a note from the wrong unit (refused: the unit is not named), fix it and send it again ...
    wrong, answer = vendor.kielo_document(client, when=at("2026-11-03"), matter=matter, unit=HYVINKAA)
    assert answer.ack == "AE" and "SH-REG-004" in answer.rule_ids, answer.details
    note, answer = vendor.kielo_document(client, when=at("2026-11-03"), matter=matter, document_id=wrong.document_id)
    assert answer.ack == "AA", answer.details
    # ... and replace the note with a corrected version.
    clock("2026-11-04")
    v2, answer = vendor.kielo_document(client, when=at("2026-11-04"), matter=matter, replaces=replaces_of(note))
    assert answer.ack == "AA", answer.details

    live = http.get(f"{API}/{sid}").json()
    assert live["status"] == "open" and {i["id"]: i["status"] for i in live["items"]} == {
        f"RUR-0{n}": "met" for n in range(1, 9)}, [(i["id"], i["why"]) for i in live["items"] if i["status"] != "met"]

    closed = http.post(f"{API}/{sid}/close")
    assert closed.status_code == 200, closed.text
    final = closed.json()
    assert (final["status"], final["result"], final["met"], final["missing"]) == ("closed", "passed", 8, 0)
    assert final["system"] == "Kielo Hoiva 3.1" and final["closedSeq"] >= final["lastSeq"] > final["openedSeq"]
    got = items(final)

    right = got["RUR-01"]["evidence"][0]
    assert (right["client"], right["unit"], right["sourceDocument"], right["start"]) == (
        client.hetu, TUUSULA.oid, relationship.document_id, "2026-11-01")
    search = got["RUR-02"]["evidence"][0]
    assert (search["action"], search["outcome"], search["organisation"], search["usageSituation"]) == ("search", "AA", KIELO.oid, "2")
    assert {d["register"] for d in search["documents"]} == {KEUSOTE.oid} and search["seq"] > final["openedSeq"]
    read = got["RUR-03"]["evidence"][0]
    assert (read["action"], read["documentIds"]) == ("read", [plan.document_id])
    archived = got["RUR-04"]["evidence"][0]
    assert (archived["action"], archived["outcome"], archived["documents"][0]["id"], archived["documents"][0]["register"]) == (
        "archive", "AA", note.document_id, KEUSOTE.oid)
    assert archived["unit"] == TUUSULA.oid and archived["person"] == NURSE.registration_number
    refusal, fix = got["RUR-05"]["evidence"][:2]
    assert (refusal["outcome"], refusal["rules"], refusal["documentIds"]) == ("AE", ["SH-REG-004"], [wrong.document_id])
    assert (fix["outcome"], fix["documentIds"], fix["note"]) == ("AA", [note.document_id],
                                                                 f"handles the refusal seq {refusal['seq']} (same document)")
    assert fix["seq"] > refusal["seq"]
    replaced = got["RUR-06"]["evidence"][0]
    assert (replaced["action"], replaced["documents"][0]["id"], replaced["documents"][0]["setId"]) == (
        "replace", v2.document_id, note.set_id.root)
    in_view = {d["documentId"]: d for d in got["RUR-07"]["evidence"]}
    assert set(in_view) == {note.document_id, v2.document_id}
    assert (in_view[note.document_id]["status"], in_view[v2.document_id]["status"]) == ("replaced", "active")
    assert all(d["register"] == KEUSOTE.oid and d["sender"] == KIELO.oid for d in in_view.values())
    assert got["RUR-08"]["evidenceCount"] == 5  # search, read, refused archive, archive, replace: all test identities
    # only Kielo's traffic is graded: Keusote's grant and plan appear in no item but as the right's source
    assert all(e.get("organisation") in (KIELO.oid, None) for i in final["items"] for e in i["evidence"])

    # The reports: JSON (mock_kanta.reports), JUnit XML, HTML with the report header.
    report = report_from_dict(http.get(f"{API}/{sid}/report.json").json())
    assert report.passed and [i.status for i in report.cases[0].items] == ["passed"] * 8
    assert report.cases[0].properties["Organisation"] == f"{KIELO.name} ({KIELO.oid})"
    assert report.cases[0].properties["Result"] == "passed: 8 of 8 items met"
    assert any(note.document_id in line for line in report.cases[0].items[3].evidence)
    junit = etree.fromstring(http.get(f"{API}/{sid}/report.xml").content)
    suite = junit.find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (sid, "8", "0")
    page = http.get(f"{API}/{sid}/report.html")
    assert page.headers["content-type"].startswith("text/html")
    for text in ("Rehearsal report", "Rekisterinkäyttöoikeuskoe", KIELO.name, KEUSOTE.name, "Kielo Hoiva 3.1",
                 "passed: 8 of 8 items met", "täyttyi · uppfylld · met", note.document_id):
        assert text in page.text, text
    assert "<script" not in page.text and "http://" not in page.text.split("</h1>", 1)[1].split("target:", 1)[0]

    # Closed is final: a second close is refused, later traffic changes nothing.
    again = http.post(f"{API}/{sid}/close")
    assert again.status_code == 409 and "final" in again.json()["detail"]
    vendor.reads.query(vendor.reader(), client=client.hetu, usage="2", register=KEUSOTE.oid)
    assert http.get(f"{API}/{sid}").json() == {**final, "links": final["links"]}
    listed = {s["id"]: s for s in http.get(f"{API}/").json()["sessions"]}
    assert (listed[sid]["status"], listed[sid]["result"]) == ("closed", "passed")


# --- a partial rehearsal: the missing items explained ---------------------------------------------


def test_partial_rehearsal_names_what_is_missing(vendor, clock):
    http = vendor.http
    clock("2026-11-05")
    served, stranger, private = fresh_client(), fresh_client(), fresh_client()
    vendor.grant(served, when=at("2026-11-05"))
    matter = vendor.keusote_document(served, when=at("2026-11-05")).matter.id.root
    sid = open_session(http)["id"]  # opened after Keusote's part: only what Kielo does now counts

    # Kielo stores a self-paying client's plan in its own register (accepted: a near miss for RUR-04) ...
    own, answer = vendor.kielo_document(private, when=at("2026-11-05"), matter=None, custodian=KIELO, usage="1",
                                        service_process=("3", "Asiakkuuden suunnittelu"))
    assert answer.ack == "AA", answer.details
    # ... queries Keusote's register for a client it has no right for (refused) ...
    refused_query = vendor.reads.query(vendor.reader(), client=stranger.hetu, usage="2", register=KEUSOTE.oid)
    assert refused_query.ack == "AE"
    # ... and sends a note from a unit Keusote has not named, and never fixes it.
    wrong, answer = vendor.kielo_document(served, when=at("2026-11-05"), matter=matter, unit=HYVINKAA)
    assert answer.ack == "AE" and "SH-REG-004" in answer.rule_ids

    final = http.post(f"{API}/{sid}/close").json()
    status = {i["id"]: i["status"] for i in final["items"]}
    assert status == {"RUR-01": "met", "RUR-02": "missing", "RUR-03": "missing", "RUR-04": "missing", "RUR-05": "missing",
                      "RUR-06": "missing", "RUR-07": "missing", "RUR-08": "met"}
    assert (final["result"], final["met"], final["missing"]) == ("failed", 2, 6)
    got = items(final)

    archive = got["RUR-04"]
    assert archive["lookedFor"].startswith(f"an accepted (AA) archive from the session organisation {KIELO.name} ({KIELO.oid})")
    assert "with documents in the register of the organiser" in archive["lookedFor"] and "usage situation 2" in archive["lookedFor"]
    own_miss = next(m for m in archive["nearMisses"] if m["documentIds"] == [own.document_id])
    assert f"its documents are in the register of {KIELO.name} ({KIELO.oid}), the session organisation's own, expected the " \
           f"organiser {KEUSOTE.name} ({KEUSOTE.oid})" in own_miss["problems"]
    assert "usage situation was 1, expected 2" in own_miss["problems"]
    assert own.document_id in archive["why"] and archive["why"].startswith("Looked for an accepted (AA) archive")

    search = got["RUR-02"]
    query_miss = search["nearMisses"][0]
    assert (query_miss["action"], query_miss["outcome"], query_miss["client"]) == ("search", "AE", stranger.hetu)
    assert any(p.startswith("outcome was AE (SH-ACC-009") for p in query_miss["problems"])

    refusal = got["RUR-05"]
    assert f"0 of 1 refusal(s) handled (needed 1); not followed by an accepted message for the same document or the same client" \
           in refusal["why"]
    assert "SH-REG-004" in refusal["why"] and refusal["nearMisses"][0]["documentIds"] == [wrong.document_id]

    view = got["RUR-07"]
    assert view["why"].startswith("Looked for every document of an accepted (AA) archive or new version (replace) or void")
    assert "the session has no document of" in view["why"]

    assert got["RUR-01"]["evidence"][0]["client"] == served.hetu  # the right of the client Kielo sent for
    assert {e["client"] for e in got["RUR-08"]["evidence"]} == {served.hetu, stranger.hetu, private.hetu}

    report = report_from_dict(http.get(f"{API}/{sid}/report.json").json())
    assert not report.passed and report.count("failed") == 6
    failed = {i.name.split()[0]: i for i in report.cases[0].items if i.status == "failed"}
    assert failed["RUR-04"].why == archive["why"]
    assert any(line.startswith("near miss: ") and own.document_id in line for line in failed["RUR-04"].evidence)
    suite = etree.fromstring(http.get(f"{API}/{sid}/report.xml").content).find("testsuite")
    failures = [tc for tc in suite.findall("testcase") if tc.find("failure") is not None]
    assert len(failures) == 6 and failures[0].find("failure").get("message").startswith("Looked for")
    page = http.get(f"{API}/{sid}/report.html").text
    assert "failed: 2 of 8 items met; missing RUR-02, RUR-03, RUR-04, RUR-05, RUR-06, RUR-07" in page
    assert "puuttuu · saknas · missing" in page

    # The same explanations in Finnish and Swedish: beside the English fields, and in ?lang= reports.
    fi, sv = archive["texts"]["fi"], archive["texts"]["sv"]
    assert archive["texts"]["en"] == {"lookedFor": archive["lookedFor"], "why": archive["why"]}
    assert fi["lookedFor"].startswith(f"hyväksytty (AA) arkistointi lähettäjänä harjoituksen organisaatio {KIELO.name}")
    assert f"asiakirjat rekisterissä: palvelunjärjestäjä {KEUSOTE.name}" in fi["lookedFor"] and "käyttötilanteessa 2" in fi["lookedFor"]
    assert sv["lookedFor"].startswith(f"en godkänd (AA) arkivering från övningens organisation {KIELO.name}")
    assert fi["why"].startswith("Etsittiin: ") and own.document_id in fi["why"] and "käyttötilanne oli 1, odotettiin 2" in fi["why"]
    assert "Sökte " in sv["why"] and "användningssituationen var 1, förväntades 2" in sv["why"]
    assert "hylkäyksistä 0/1 korjattu (tarvittiin 1); ei seurannut hyväksyttyä sanomaa" in refusal["texts"]["fi"]["why"].lower()
    assert own_miss["texts"]["fi"].startswith(f"seq {own_miss['seq']} ") and "rekisterissä" in own_miss["texts"]["fi"]
    in_fi = report_from_dict(http.get(f"{API}/{sid}/report.json", params={"lang": "fi"}).json())
    failed_fi = {i.name.split()[0]: i for i in in_fi.cases[0].items if i.status == "failed"}
    assert failed_fi["RUR-04"].why == fi["why"] and in_fi.cases[0].properties["Tulos"].startswith("hylätty: 2/8 kohtaa täyttyi")
    assert any(line.startswith("läheltä piti: ") and own.document_id in line for line in failed_fi["RUR-04"].evidence)
    suite = etree.fromstring(http.get(f"{API}/{sid}/report.xml", params={"lang": "sv"}).content).find("testsuite")
    failures = [tc for tc in suite.findall("testcase") if tc.find("failure") is not None]
    assert len(failures) == 6 and failures[0].find("failure").get("message").startswith("Sökte ")
    page = http.get(f"{API}/{sid}/report.html", params={"lang": "fi"}).text
    assert "hylätty: 2/8 kohtaa täyttyi; puuttuu RUR-02, RUR-03" in page and "Etsittiin: " in page
    r = http.get(f"{API}/{sid}/report.json", params={"lang": "de"})
    assert r.status_code == 400 and "'de' is not one of ['fi', 'sv', 'en']" in r.json()["detail"]


# --- the deployment test, with the system named from the documents ---------------------------------


def test_deployment_test_rehearsal_for_an_organiser(vendor, clock):
    http = vendor.http
    clock("2026-11-06")
    r = http.post(f"{API}/", json={"test": "deployment-test", "organisationOid": KEUSOTE.oid})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    client = fresh_client()
    vendor.grant(client, when=at("2026-11-06"))
    plan = vendor.keusote_document(client, when=at("2026-11-06"))
    assert items(http.get(f"{API}/{sid}").json())["DT-04"]["status"] == "missing"
    v2 = vendor.keusote_document(client, when=at("2026-11-06"), replaces=plan)

    final = http.post(f"{API}/{sid}/close").json()
    assert {i["id"]: i["status"] for i in final["items"]} == {f"DT-0{n}": "met" for n in range(1, 7)}, [
        (i["id"], i["why"]) for i in final["items"] if i["status"] != "met"]
    got = items(final)
    assert {d["documentId"] for d in got["DT-05"]["evidence"]} >= {plan.document_id, v2.document_id}
    assert got["DT-06"]["evidenceCount"] == 0  # no refusal to handle
    assert final["system"].startswith("mock-kanta") and final["systemNamedBy"] == "documents"
    assert final["organiser"] is None and final["result"] == "passed"


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, status, says", [
    ({"test": "driving-test", "organisationOid": KIELO.oid}, 400, "Unknown test 'driving-test'; known: deployment-test"),
    ({"test": "register-usage-right-test", "organisationOid": KIELO.oid}, 400, "organiserOid is required"),
    ({"test": "register-usage-right-test", "organisationOid": "1.2.246.10.999999.10.0", "organiserOid": KEUSOTE.oid}, 400,
     "no organisation 1.2.246.10.999999.10.0"),
    ({"test": "register-usage-right-test", "organisationOid": "not an oid", "organiserOid": KEUSOTE.oid}, 400, "is not an OID"),
    ({"test": "register-usage-right-test", "organisationOid": KEUSOTE.oid, "organiserOid": KIELO.oid}, 400, "is a provider"),
    ({"test": "deployment-test", "organisationOid": KEUSOTE.oid, "organiserOid": KEUSOTE.oid}, 400, "takes no organiserOid"),
    ({"test": "deployment-test", "organisationOid": "1.2.246.10.27489432.10.0"}, 400, "is a vendor"),
    ({"test": "deployment-test"}, 400, "organisationOid"),
    ({"test": "deployment-test", "organisationOid": KEUSOTE.oid, "colour": "red"}, 400, "colour"),
])
def test_bad_requests_are_refused_and_change_nothing(vendor, body, status, says):
    before = vendor.http.get(f"{API}/").json()["sessions"]
    r = vendor.http.post(f"{API}/", json=body)
    assert r.status_code == status and says in r.json()["detail"], r.text
    assert vendor.http.get(f"{API}/").json()["sessions"] == before


def test_unknown_session_tenant_and_checklist(vendor):
    http = vendor.http
    for path in ("/reh-000000000000", "/reh-000000000000/report.html", "/reh-000000000000/report.xml"):
        r = http.get(API + path)
        assert r.status_code == 404 and "No rehearsal session 'reh-000000000000'" in r.json()["detail"], r.text
    assert http.post(f"{API}/reh-000000000000/close").status_code == 404
    r = http.get(f"{API}/", headers={"X-Mock-Kanta-Tenant": "no-such-tenant-here"})
    assert r.status_code == 404 and "no-such-tenant-here" in r.json()["detail"]
    r = http.get(f"{API}/checklists/driving-test")
    assert r.status_code == 404 and "register-usage-right-test" in r.json()["detail"]
    listed = {c["test"]: c for c in http.get(f"{API}/checklists").json()["checklists"]}
    assert set(listed) == {"deployment-test", "register-usage-right-test"}
    assert listed["register-usage-right-test"]["counterpart"] == "organiser" and not listed["deployment-test"]["verified"]
    assert all(i["title"]["fi"] and i["title"]["sv"] and i["source"] for c in listed.values() for i in c["items"])
