"""OmaKanta views and the archivist's view, against a real sandbox.

Helsinki's own documents (a register in Kanta, no provider timeline) for fresh test clients,
signed by a professional key certified by the sandbox PKI. Dates are relative to today, so
the certificates are valid whenever the suite runs; the clock is moved with PUT /api/v1/clock
and always reset.
"""
from __future__ import annotations

import dataclasses
import itertools
from datetime import date, datetime, time, timedelta

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    Professional,
    Unit,
    artificial_hetu,
    client_document,
    frame_for,
    replaces_of,
    signed_bytes,
)
from mock_kanta.core.model import Coded
from tests.parties import HELSINKI, HKI
from tests.signing import issue_signer

UNIT = Unit("1.2.246.10.2012566.10.40006775", "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe")
WORKER = Professional("25100000907", "Noora", "Näkymä", title="sosiaalityöntekijä")
VOID = Coded("5", "1.2.246.537.5.40154.2008", display_name="Mitätöity")
PROHIBITED = ("2", "Alaikäinen kieltää asiakirjan luovuttamisen huoltajille")
REFUSED = ("3", "Alaikäisen kielto evätään, asiakirja voidaan luovuttaa huoltajille")
OMAKANTA = "/api/v1/omakanta"
_NUMBERS = itertools.count(900)  # individual numbers: each test identity here is new in the session
ARCHIVIST = "/api/v1/archivist"


@pytest.fixture(scope="module")
def env(sandbox):
    signer = (issue_signer(sandbox.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)),
              "professional")
    with KantaClient(sandbox.url) as kanta:
        yield type("Env", (), {"kanta": kanta, "signer": signer, "http": sandbox.http})


@pytest.fixture
def clock(env):
    """Move the sandbox clock in a test; it is always reset afterwards."""
    def move_to(day: date, hour: int = 12) -> None:
        at = datetime.combine(day, time(hour), HKI).isoformat()
        r = env.http.put("/api/v1/clock", json={"time": at, "frozen": True})
        assert r.status_code == 200, r.text

    env.http.delete("/api/v1/clock").raise_for_status()
    try:
        yield move_to
    finally:
        env.http.delete("/api/v1/clock").raise_for_status()


def person(born: date, given: str, family: str) -> Client:
    return Client(artificial_hetu(born, next(_NUMBERS)), given, family)


def today() -> date:
    return datetime.now(HKI).date()


def archive(env, client: Client, **kwargs):
    """A Helsinki plan for `client`, archived; AA expected. Returns the document."""
    doc = kwargs.pop("doc", None) or plan(client, **kwargs)
    frame = frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(), author_org=UNIT.ref())
    answer = env.kanta.archive(frame, signed_bytes(doc, [env.signer]))
    assert (answer.ack, list(answer.errors)) == ("AA", []), answer.details
    return doc


def plan(client: Client, **kwargs):
    return client_document(custodian=HELSINKI, unit=UNIT, author=WORKER, client=client,
                           effective_time=kwargs.pop("when", datetime.now(HKI)), **kwargs)


def get(env, path: str, **params) -> dict:
    r = env.http.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids(items) -> set[str]:
    return {d["documentId"] for d in items}


def hidden_reasons(view: dict) -> dict[str, str]:
    return {d["documentId"]: d["reason"] for d in view["hidden"]}


def test_a_delayed_document_is_hidden_from_the_client_until_the_delay_passes(env, clock):
    client = person(date(1961, 7, 13), "Viive", "Asiakas")
    until = today() + timedelta(days=20)
    plain = archive(env, client)
    delayed = archive(env, client, restriction={"code": "1", "text": "Viivästys kolmeksi viikoksi", "until": until})
    restricted = archive(env, client, restriction={"code": "1", "text": "Näyttäminen vaarantaisi asiakkaan terveyden"})

    view = get(env, f"{OMAKANTA}/clients/{client.hetu}")
    assert view["viewer"] == {"kind": "client"}
    assert ids(view["shown"]) == {plain.document_id}
    assert hidden_reasons(view) == {delayed.document_id: "delayed", restricted.document_id: "restricted"}
    entry = next(d for d in view["hidden"] if d["documentId"] == delayed.document_id)
    assert entry["visibleFrom"] == until.isoformat() and entry["reasons"][0]["until"] == until.isoformat()
    assert f"{until.day}.{until.month}.{until.year}" in entry["reasons"][0]["text"]["fi"]
    assert set(entry["reasons"][0]["text"]) == {"fi", "sv", "en"}
    assert entry["registerName"] == HELSINKI.name and entry["serviceUnitName"] == UNIT.name
    assert env.http.get(entry["links"]["document"]).status_code == 200

    professional = get(env, f"{OMAKANTA}/clients/{client.hetu}/professional", register=HELSINKI.oid)
    assert ids(professional["shown"]) == {plain.document_id, delayed.document_id, restricted.document_id}

    clock(until - timedelta(days=1), hour=23)  # the day before: still hidden
    assert hidden_reasons(get(env, f"{OMAKANTA}/clients/{client.hetu}"))[delayed.document_id] == "delayed"
    clock(until, hour=0)  # the day the delay ends (Helsinki): shown; the restriction stays until lifted
    view = get(env, f"{OMAKANTA}/clients/{client.hetu}")
    assert ids(view["shown"]) == {plain.document_id, delayed.document_id}
    assert hidden_reasons(view) == {restricted.document_id: "restricted"}


@pytest.fixture
def family(env):
    """A client who turns 18 in ten days, a recorded guardian, and three documents: allowed, prohibited, refused."""
    coming = today() + timedelta(days=10)
    if (coming.month, coming.day) == (2, 29):
        coming += timedelta(days=1)
    minor = person(coming.replace(year=coming.year - 18), "Nuori", "Näkymä")
    parent = person(date(1975, 9, 17), "Huoltaja", "Näkymä")
    r = env.http.post(f"{OMAKANTA}/guardians", json={"minorClientId": minor.hetu, "guardianId": parent.hetu})
    assert r.status_code == 201, r.text
    assert r.json()["inForce"] is True and r.json()["since"] == minor.birth_date.isoformat()
    docs = {
        "allowed": archive(env, minor),
        "prohibited": archive(env, minor, consent=PROHIBITED,
                              restriction={"text": "Nuori pyytää painavasta syystä, ettei tietoja luovuteta huoltajille."}),
        "refused": archive(env, minor, consent=REFUSED,
                           restriction={"text": "Kielto evätään: se ei ole lapsen edun mukainen."}),
    }
    return minor, parent, coming, docs


def test_a_minors_prohibited_document_is_hidden_from_the_guardian_but_shown_to_professionals(env, clock, family):
    minor, parent, coming, docs = family
    everything = {d.document_id for d in docs.values()}

    guardian = get(env, f"{OMAKANTA}/clients/{minor.hetu}/guardians/{parent.hetu}")
    assert guardian["guardianship"]["mayLook"] is True
    assert ids(guardian["shown"]) == {docs["allowed"].document_id, docs["refused"].document_id}  # a refused prohibition shows
    assert hidden_reasons(guardian) == {docs["prohibited"].document_id: "minor-prohibited"}
    assert ids(get(env, f"{OMAKANTA}/clients/{minor.hetu}")["shown"]) == everything
    assert ids(get(env, f"{OMAKANTA}/clients/{minor.hetu}/professional")["shown"]) == everything

    stranger = person(date(1976, 10, 18), "Vieras", "Aikuinen")
    view = get(env, f"{OMAKANTA}/clients/{minor.hetu}/guardians/{stranger.hetu}")
    assert view["shown"] == [] and set(hidden_reasons(view).values()) == {"not-a-guardian"}

    listed = get(env, f"{OMAKANTA}/clients/{minor.hetu}/guardians")
    assert [(g["guardianId"], g["inForce"]) for g in listed["guardians"]] == [(parent.hetu, True)]
    again = env.http.post(f"{OMAKANTA}/guardians", json={"minorClientId": minor.hetu, "guardianId": parent.hetu})
    assert again.status_code == 409

    clock(coming)  # the 18th birthday: a guardian sees nothing any more
    view = get(env, f"{OMAKANTA}/clients/{minor.hetu}/guardians/{parent.hetu}")
    assert view["shown"] == [] and set(hidden_reasons(view).values()) == {"client-adult"}
    assert view["clientAge"] == 18 and view["hidden"][0]["reasons"][0]["until"] == coming.isoformat()
    assert ids(get(env, f"{OMAKANTA}/clients/{minor.hetu}")["shown"]) == everything
    assert get(env, f"{OMAKANTA}/clients/{minor.hetu}/guardians")["guardians"][0]["inForce"] is False


def test_side_by_side(env, family):
    minor, parent, _, docs = family
    replaced = docs["allowed"]
    newer = archive(env, minor, doc=plan(minor, matter_id=replaced.matter.id.root, replaces=replaces_of(replaced)))
    body = get(env, f"{OMAKANTA}/clients/{minor.hetu}/side-by-side")  # default: the guardian in force
    assert body["guardianId"] == parent.hetu
    rows = {d["documentId"]: d for d in body["documents"]}
    assert set(rows) == {*(d.document_id for d in docs.values()), newer.document_id}

    def seen(doc_id):
        row = rows[doc_id]
        return tuple(row[v]["shown"] if row[v]["shown"] else row[v]["reason"] for v in ("client", "guardian", "professional"))

    assert seen(docs["prohibited"].document_id) == (True, "minor-prohibited", True)
    assert seen(docs["refused"].document_id) == (True, True, True)
    assert seen(replaced.document_id) == ("replaced", "replaced", "replaced")
    assert seen(newer.document_id) == (True, True, True)
    assert rows[replaced.document_id]["status"] == "replaced"
    assert body["counts"] == {"client": {"shown": 3, "hidden": 1}, "guardian": {"shown": 2, "hidden": 2},
                              "professional": {"shown": 3, "hidden": 1}}

    other = get(env, f"{OMAKANTA}/clients/{minor.hetu}/side-by-side", register="1.2.246.10.32213561.10.0")
    assert {d["professional"]["reason"] for d in other["documents"]} == {"register-not-asked"}


def test_a_voided_document_is_hidden_with_its_reason(env):
    client = person(date(1962, 8, 14), "Mitätöity", "Näkymä")
    first = archive(env, client)
    void = plan(client, matter_id=first.matter.id.root, replaces=replaces_of(first), replace_reason=("2", "Mitätöinti"),
                restriction={"text": "Kirjattu väärälle asiakkaalle."})
    void = archive(env, client, doc=dataclasses.replace(void, local=dataclasses.replace(void.local, record_status=VOID)))
    view = get(env, f"{OMAKANTA}/clients/{client.hetu}")
    assert view["shown"] == []
    assert hidden_reasons(view) == {first.document_id: "replaced", void.document_id: "voided"}
    voided = next(d for d in view["hidden"] if d["documentId"] == void.document_id)
    assert "Kirjattu väärälle asiakkaalle." in voided["reasons"][0]["text"]["en"]


def test_the_archivists_view_of_a_register(env):
    client = person(date(1963, 9, 15), "Arkisto", "Asiakas")
    first = archive(env, client)
    second = archive(env, client, doc=plan(client, matter_id=first.matter.id.root, replaces=replaces_of(first)))
    base = f"{ARCHIVIST}/registers/{HELSINKI.oid}"

    page = get(env, f"{base}/documents", client=client.hetu)
    assert page["total"] == 2 and page["name"] == HELSINKI.name
    rows = {d["documentId"]: d for d in page["documents"]}
    row = rows[second.document_id]
    assert row["sender"] == {"oid": HELSINKI.oid, "name": HELSINKI.name}
    assert row["serviceUnit"] == {"oid": UNIT.oid, "name": UNIT.name}
    system = row["system"]
    assert system["messageIdRoot"] == HELSINKI.oid and system["messageIdRootName"] == HELSINKI.name
    assert system["software"]["product"] == "mock-kanta client" and system["software"]["version"]
    assert system["authorOrPerformer"]["organisation"] == {"oid": UNIT.oid, "name": UNIT.name}
    assert system["authorOrPerformer"]["person"]["name"] == f"{WORKER.given} {WORKER.family}"
    assert row["effectiveTime"].startswith(today().isoformat()[:4]) and row["receivedAt"]
    assert (row["versions"]["count"], row["versions"]["current"], row["versions"]["isCurrent"]) == (2, second.document_id, True)
    assert [(v["version"], v["status"]) for v in row["versions"]["history"]] == [(1, "replaced"), (2, "active")]
    assert (rows[first.document_id]["status"], rows[first.document_id]["versions"]["isCurrent"]) == ("replaced", False)

    one = get(env, f"{base}/documents/{second.document_id}")
    (signer,) = one["signers"]
    assert signer["type"] == {"code": "1", "display": "Ammattihenkilön allekirjoitus"}
    assert signer["certificate"]["serialNumber"] == WORKER.registration_number
    assert signer["certificate"]["givenName"] == WORKER.given and signer["cryptoOk"] is True
    assert signer["signedAt"].startswith(today().isoformat()[:4])
    assert one["headerSigner"]["registrationNumber"] == WORKER.registration_number
    assert one["related"][0]["documentId"] == first.document_id
    assert one["findings"] == [] or all(f["severity"] != "error" for f in one["findings"])

    verified = get(env, f"{base}/documents", client=client.hetu, signers="true")
    assert all(d["signers"] and d["signers"][0]["certificate"]["serialNumber"] == WORKER.registration_number
               for d in verified["documents"])
    assert get(env, f"{base}/documents", client=client.hetu, status="replaced")["total"] == 1
    assert get(env, f"{base}/documents", client=client.hetu, sender="1.2.246.10.32213561.10.0")["total"] == 0
    assert get(env, f"{base}/documents", client=client.hetu, **{"from": today().isoformat()})["total"] == 2
    assert get(env, f"{base}/documents", client=client.hetu, to=(today() - timedelta(days=1)).isoformat())["total"] == 0
    assert env.http.get(f"{base}/documents", params={"from": "2026-13-01"}).status_code == 400

    summary = get(env, f"{base}/summary", client=client.hetu)
    assert (summary["total"], summary["clients"]) == (2, 1)
    assert summary["bySender"] == [{"senderOid": HELSINKI.oid, "name": HELSINKI.name, "documents": 2}]
    assert {s["status"]: s["documents"] for s in summary["byStatus"]} == {"active": 1, "replaced": 1}
    assert summary["byDocumentType"][0]["documentType"] == "15007" and summary["byDocumentType"][0]["documents"] == 2
    assert summary["byServiceUnit"] == [{"serviceUnitOid": UNIT.oid, "name": UNIT.name, "documents": 2}]
    registers = get(env, f"{ARCHIVIST}/registers")["registers"]
    assert any(r["registerOid"] == HELSINKI.oid for r in registers)
    assert env.http.get(f"{ARCHIVIST}/registers/1.2.3.4/documents").status_code == 404
