"""The control API (/api/v1) against a real `mock-kanta serve` process.

The session's sandbox is shared with other tests, so every document posted here
is a fresh copy of a public sample (new document id and message id, rewritten
consistently in the frame and the document): it never collides with a copy
another test archived, and counts are checked relative to what was there before.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from mock_kanta.core.codes import CodeSystems
from mock_kanta.rules import REGISTRY
from tests.signing import resign

HL7 = "{urn:hl7-org:v3}"
PROBLEM = "application/problem+json"
HELSINKI = "1.2.246.10.2012566.10.40"
VANTAA_KERAVA = "1.2.246.10.32213561.10.0"
KEUSOTE = "1.2.246.10.32213449.10.0"
KIELO = "1.2.246.10.29876516.10.0"
VENDOR = "1.2.246.10.27489432.10.0"
ACK_SEVERITY = {"W": "warning", "I": "info", "E": "error"}
_serial = itertools.count(1)


# --- helpers ---------------------------------------------------------------------------


@dataclass
class Posted:
    document_id: str
    message_id: str
    frame: bytes
    document: bytes
    ack_details: list[tuple[str, str]]  # (severity, rule id) from the acknowledgement


def fresh_copy(frame: bytes, document: bytes) -> tuple[str, str, bytes, bytes]:
    """The sample with a new document id and message id (same OID arcs, one arc added)."""
    old_doc = etree.fromstring(document).find(f"{HL7}id").get("root")
    old_msg = etree.fromstring(frame).find(f"{HL7}id").get("extension")
    unique = f"{time.time_ns() // 1000}{next(_serial)}"
    new_doc, new_msg = f"{old_doc}.{unique}", f"{old_msg}{unique}"
    assert frame.count(f'extension="{old_msg}"'.encode()) == 1
    frame = frame.replace(old_doc.encode(), new_doc.encode()).replace(
        f'extension="{old_msg}"'.encode(), f'extension="{new_msg}"'.encode()
    )
    return new_doc, new_msg, frame, document.replace(old_doc.encode(), new_doc.encode())


def multipart(frame: bytes, document: bytes, boundary: str = "mock-kanta-test-boundary") -> tuple[bytes, dict]:
    """The archive interface's multipart/related body: frame first, document second."""
    b = boundary.encode()
    parts = b"".join(
        b"--" + b + b"\r\nContent-Type: text/xml; charset=UTF-8\r\n\r\n" + part + b"\r\n" for part in (frame, document)
    )
    headers = {"Content-Type": f'multipart/related; boundary={boundary}; type="text/xml"'}
    return parts + b"--" + b + b"--\r\n", headers


def archive(sandbox, frame: bytes, document: bytes) -> Posted:
    """POST a fresh copy of a sample, re-signed by a stand-in for its signer; assert it was accepted (AA)."""
    doc_id, msg_id, frame, document = fresh_copy(frame, document)
    name = "asiakkuusasiakirja" if b'<ep2:documentGroup code="1"' in document else "asiakassuunnitelma"
    document = resign(document, [sandbox.signer_for(name)])
    body, headers = multipart(frame, document)
    r = sandbox.http.post("/kanta/shark/arkisto", content=body, headers=headers)
    assert r.status_code == 200, r.text
    ack = etree.fromstring(r.content).find(f"{HL7}acknowledgement")
    assert ack.get("typeCode") == "AA", r.text
    details = [
        (ACK_SEVERITY[d.get("typeCode")], d.find(f"{HL7}code").get("code"))
        for d in ack.findall(f"{HL7}acknowledgementDetail")
    ]
    return Posted(doc_id, msg_id, frame, document, details)


def assert_problem(r: httpx.Response, status: int, detail_contains: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] == {400: "Bad Request", 404: "Not Found"}[status]
    assert detail_contains in body["detail"]


def documents_path(register: str) -> str:
    return f"/registers/{register}/documents"


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/api/v1", timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def archived(sandbox, samples) -> dict[str, Posted]:
    """One fresh copy of each public sample, archived."""
    return {name: archive(sandbox, *parts) for name, parts in samples.items()}


# --- documentation --------------------------------------------------------------------------


def test_swagger_ui_and_spec_are_served(api):
    r = api.get("/ui/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    spec = api.get("/openapi.json").json()
    assert spec["openapi"] == "3.0.3"
    assert set(spec["paths"]) == {
        "/registers",
        "/registers/{registerOid}/documents",
        "/registers/{registerOid}/documents/{documentId}",
        "/registers/{registerOid}/documents/{documentId}/history",
        "/registers/{registerOid}/documents/{documentId}/document.xml",
        "/registers/{registerOid}/documents/{documentId}/frame.xml",
        "/rules",
        "/rules/{ruleId}",
        "/organisations",
        "/organisations/{oid}",
        "/service-units",
        "/service-units/{oid}",
        "/code-systems",
        "/code-systems/{oid}",
        "/clock",
        "/clock/advance",
        "/service-units/register",
        "/clients/{clientId}/rights",
        "/clients/{clientId}/matters",
        "/matters",
        "/rule-modes",
        "/rule-modes/{selector}",
        "/verdict-profile",
        "/organiser-profiles",
    }


# --- organisations and service units ---------------------------------------------------------


def test_list_organisations(api):
    r = api.get("/organisations")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    orgs = {o["oid"]: o for o in r.json()["organisations"]}
    assert orgs[HELSINKI] == {
        "oid": HELSINKI,
        "name": "Helsingin sosiaali- ja terveystoimi",
        "kind": "organiser",
        "businessId": "0201256-6",
        "municipality": "091",
        "kantaFrom": None,
        "providersFrom": None,
        "verified": True,
        "source": "[S] custodian of the asiakassuunnitelma sample",
    }
    assert orgs[VANTAA_KERAVA]["name"] == "Vantaan ja Keravan hyvinvointialue"
    assert orgs[VANTAA_KERAVA]["kind"] == "organiser"
    assert orgs[KEUSOTE]["kantaFrom"] == "2026-09-01" and orgs[KEUSOTE]["providersFrom"] == "2026-11-01"
    assert orgs[KEUSOTE]["verified"] is False
    assert orgs[KIELO]["kind"] == "provider" and orgs[VENDOR]["kind"] == "vendor"
    kinds = [o["kind"] for o in r.json()["organisations"]]
    assert kinds == sorted(kinds)  # by kind, then name


@pytest.mark.parametrize("kind", ["organiser", "provider", "vendor"])
def test_list_organisations_by_kind(api, kind):
    every = api.get("/organisations").json()["organisations"]
    r = api.get("/organisations", params={"kind": kind})
    assert r.status_code == 200
    assert r.json()["organisations"] == [o for o in every if o["kind"] == kind]
    assert r.json()["organisations"]


def test_one_organisation_with_its_units(api):
    r = api.get(f"/organisations/{KEUSOTE}")
    assert r.status_code == 200
    org = r.json()
    assert org["name"] == "Keski-Uudenmaan hyvinvointialue (Keusote)"
    assert org["serviceUnits"] == [  # by name
        {
            "oid": "1.2.246.10.32213449.10.1002",
            "organisationOid": KEUSOTE,
            "name": "Keusote, ikääntyneiden palvelut Järvenpää",
            "unitType": "unit",
            "parentUnitOid": None,
            "soteriRegisteredAt": None,
            "verified": False,
            "source": "modelled",
        },
        {
            "oid": "1.2.246.10.32213449.10.1001",
            "organisationOid": KEUSOTE,
            "name": "Keusote, perhesosiaalityö Hyvinkää",
            "unitType": "unit",
            "parentUnitOid": None,
            "soteriRegisteredAt": None,
            "verified": False,
            "source": "modelled",
        },
    ]
    assert api.get(f"/organisations/{VENDOR}").json()["serviceUnits"] == []


def test_service_units_filter_and_one_unit(api):
    every = api.get("/service-units").json()["serviceUnits"]
    assert [u["name"] for u in every] == sorted(u["name"] for u in every)
    assert "1.2.246.10.1246109.10.2001213" in {u["oid"] for u in every}
    kielo = api.get("/service-units", params={"organisation": KIELO}).json()["serviceUnits"]
    assert [u["oid"] for u in kielo] == ["1.2.246.10.29876516.10.2", "1.2.246.10.29876516.10.1"]  # by name
    assert kielo == [u for u in every if u["organisationOid"] == KIELO]
    assert api.get("/service-units", params={"organisation": "1.2.3.4"}).json() == {"serviceUnits": []}
    r = api.get("/service-units/1.2.246.10.2012566.10.40006775")
    assert r.json() == {
        "oid": "1.2.246.10.2012566.10.40006775",
        "organisationOid": HELSINKI,
        "name": "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe",
        "unitType": "unit",
        "parentUnitOid": None,
        "soteriRegisteredAt": None,
        "verified": True,
        "source": "[S] encounterParticipant of the asiakassuunnitelma sample",
    }


def test_tenant_header(api):
    default = api.get("/organisations").json()
    assert api.get("/organisations", headers={"X-Mock-Kanta-Tenant": "default"}).json() == default


# --- rules ---------------------------------------------------------------------------------------


def test_rules_catalogue(api):
    r = api.get("/rules")
    assert r.status_code == 200
    rules = r.json()["rules"]
    assert [x["id"] for x in rules] == list(REGISTRY)
    for x in rules:
        rule = REGISTRY[x["id"]]
        assert x["severity"] == rule.severity.value and x["stage"] == rule.stage.value
        assert x["kantaVerified"] is rule.kanta_verified and x["source"] == rule.source
        assert x["message"] == {"fi": rule.message.fi, "sv": rule.message.sv, "en": rule.message.en}


def test_one_rule(api):
    rule = REGISTRY["SH-ARC-001"]
    r = api.get("/rules/SH-ARC-001")
    assert r.status_code == 200
    assert r.json() == {
        "id": "SH-ARC-001",
        "severity": "error",
        "stage": "archive",
        "title": {"fi": rule.title.fi, "sv": rule.title.sv, "en": rule.title.en},
        "message": {"fi": rule.message.fi, "sv": rule.message.sv, "en": rule.message.en},
        "fix": {"fi": rule.fix.fi, "sv": rule.fix.sv, "en": rule.fix.en},
        "source": rule.source,
        "basis": "modelled",
        "kantaVerified": rule.kanta_verified,
    }
    assert r.json()["title"]["en"] == "Document already archived"


# --- code systems ---------------------------------------------------------------------------------


def test_code_systems(api):
    known = CodeSystems.load().systems  # the server has no overrides in its fresh data dir
    r = api.get("/code-systems")
    assert r.status_code == 200
    systems = r.json()["codeSystems"]
    assert [s["oid"] for s in systems] == list(known)
    for s in systems:
        assert [c["code"] for c in s["codes"]] == list(known[s["oid"]].codes)
    one = api.get("/code-systems/1.2.246.537.6.1289.201901").json()
    assert one == next(s for s in systems if s["oid"] == "1.2.246.537.6.1289.201901")
    assert one["name"] == "Sosiaalihuolto - Asiakastiedon arkiston käyttötilanne"
    assert one["verified"] is True and one["complete"] is False
    codes = {c["code"]: c for c in one["codes"]}
    assert codes["1"] == {
        "code": "1",
        "display": "Palvelunjärjestäjän rekisterin oma käyttö",
        "verified": True,
        "source": one["source"],  # a code without its own source inherits the system's
        "meaning": "own-register",  # what the sandbox does with it
    }
    assert codes["2"]["verified"] is False and codes["2"]["source"].startswith("[I]")


# --- registers and documents --------------------------------------------------------------------------


def test_archived_document_in_its_register(api, archived):
    posted = archived["asiakkuusasiakirja"]
    r = api.get(f"{documents_path(VANTAA_KERAVA)}/{posted.document_id}")
    assert r.status_code == 200, r.text
    doc = r.json()
    path = f"/api/v1/registers/{VANTAA_KERAVA}/documents/{posted.document_id}"
    summary = {k: v for k, v in doc.items() if k not in ("metadata", "findings", "receivedAt")}
    assert summary == {
        "documentId": posted.document_id,
        "setId": posted.document_id,
        "version": 1,
        "registerOid": VANTAA_KERAVA,
        "registryType": "1",
        "clientId": "200111A904P",
        "serviceRequest": "SP1",
        "usageSituation": "1",
        "documentGroup": "1",
        "documentType": None,
        "functionCode": None,
        "serviceUnitOid": "1.2.246.10.1246109.10.2001213",
        "serviceUnitName": "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue",
        "senderOid": VANTAA_KERAVA,
        "senderName": "Vantaan ja Keravan hyvinvointialue",
        "messageId": f"1.2.246.10.27489432.10.0^{posted.message_id}",
        "transport": "multipart",
        "effectiveTime": "2026-07-17T13:06:52+03:00",
        "status": "active",
        "replacedBy": None,
        "voidReason": None,
        "visibility": "visible",
        "visibleFrom": None,
        "guardianDisclosure": "allowed",  # the client was born in 2011: a minor, consent code 1
        "warnings": sum(sev == "warning" for sev, _ in posted.ack_details),
        "links": {
            "self": path,
            "document": f"{path}/document.xml",
            "frame": f"{path}/frame.xml",
            "register": f"/api/v1/registers/{VANTAA_KERAVA}/documents",
        },
    }
    assert doc["receivedAt"].endswith("+00:00")
    # The findings are the warnings the acknowledgement carried, in the same order.
    assert [(f["severity"], f["rule"]) for f in doc["findings"]] == posted.ack_details
    assert all(set(f["message"]) == {"fi", "sv", "en"} for f in doc["findings"])
    meta = doc["metadata"]
    assert meta["document"]["id"]["root"] == posted.document_id
    assert meta["document"]["custodian"]["id"]["root"] == VANTAA_KERAVA
    assert meta["document"]["client"]["id"]["extension"] == "200111A904P"


def test_second_sample_metadata(api, archived):
    posted = archived["asiakassuunnitelma"]
    doc = api.get(f"{documents_path(HELSINKI)}/{posted.document_id}").json()
    assert (doc["serviceRequest"], doc["documentGroup"], doc["documentType"], doc["functionCode"]) == ("SP17", "5", "15007", "24")
    assert doc["clientId"] == "180418A903L"
    assert doc["serviceUnitOid"] == "1.2.246.10.2012566.10.40006775"
    assert doc["serviceUnitName"] == "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe"
    assert doc["senderName"] == "Helsingin sosiaali- ja terveystoimi"
    assert doc["effectiveTime"] == "2026-03-23T10:54:24+02:00"
    assert [(f["severity"], f["rule"]) for f in doc["findings"]] == posted.ack_details
    assert doc["warnings"] == sum(sev == "warning" for sev, _ in posted.ack_details) >= 2


@pytest.mark.parametrize("name, register", [("asiakkuusasiakirja", VANTAA_KERAVA), ("asiakassuunnitelma", HELSINKI)])
def test_raw_xml_is_the_posted_bytes(api, archived, name, register):
    posted = archived[name]
    base = f"{documents_path(register)}/{posted.document_id}"
    r = api.get(f"{base}/document.xml")
    assert r.status_code == 200 and r.headers["content-type"] == "application/xml"
    assert r.content == posted.document
    r = api.get(f"{base}/frame.xml")
    assert r.status_code == 200 and r.headers["content-type"] == "application/xml"
    assert r.content == posted.frame


def test_links_resolve(api, archived, sandbox):
    doc = api.get(f"{documents_path(HELSINKI)}/{archived['asiakassuunnitelma'].document_id}").json()
    assert sandbox.http.get(doc["links"]["self"]).json()["documentId"] == doc["documentId"]
    assert sandbox.http.get(doc["links"]["document"]).content == archived["asiakassuunnitelma"].document
    assert sandbox.http.get(doc["links"]["register"]).status_code == 200


def test_registers(api, archived):
    r = api.get("/registers")
    assert r.status_code == 200
    registers = {x["registerOid"]: x for x in r.json()["registers"]}
    for oid, name in ((VANTAA_KERAVA, "Vantaan ja Keravan hyvinvointialue"), (HELSINKI, "Helsingin sosiaali- ja terveystoimi")):
        page = api.get(documents_path(oid), params={"limit": 1}).json()
        assert registers[oid] == {
            "registerOid": oid,
            "name": name,
            "documents": page["total"],
            "lastReceivedAt": page["documents"][0]["receivedAt"],
            "links": {"documents": f"/api/v1/registers/{oid}/documents"},
        }
    assert KIELO not in registers  # no documents there


def test_document_list(api, archived):
    r = api.get(documents_path(HELSINKI))
    assert r.status_code == 200
    page = r.json()
    assert (page["registerOid"], page["name"], page["limit"], page["offset"]) == (
        HELSINKI, "Helsingin sosiaali- ja terveystoimi", 50, 0)
    assert page["total"] >= 1 and len(page["documents"]) == min(50, page["total"])
    assert all(d["registerOid"] == HELSINKI for d in page["documents"])
    listed = next(d for d in page["documents"] if d["documentId"] == archived["asiakassuunnitelma"].document_id)
    one = api.get(f"{documents_path(HELSINKI)}/{listed['documentId']}").json()
    assert listed == {k: v for k, v in one.items() if k not in ("metadata", "findings")}
    known_empty = api.get(documents_path(KIELO)).json()
    assert (known_empty["total"], known_empty["documents"]) == (0, [])


def test_paging_and_client_filter(api, sandbox, samples):
    before = api.get(documents_path(VANTAA_KERAVA), params={"limit": 1}).json()["total"]
    posted = [archive(sandbox, *samples["asiakkuusasiakirja"]) for _ in range(3)]
    newest_first = [p.document_id for p in reversed(posted)]

    first = api.get(documents_path(VANTAA_KERAVA), params={"limit": 2}).json()
    assert (first["total"], first["limit"], first["offset"]) == (before + 3, 2, 0)
    assert [d["documentId"] for d in first["documents"]] == newest_first[:2]

    second = api.get(documents_path(VANTAA_KERAVA), params={"limit": 2, "offset": 2}).json()
    assert (second["total"], second["offset"]) == (before + 3, 2)
    assert len(second["documents"]) == min(2, before + 1)
    assert second["documents"][0]["documentId"] == newest_first[2]

    beyond = api.get(documents_path(VANTAA_KERAVA), params={"limit": 5, "offset": before + 3}).json()
    assert (beyond["total"], beyond["documents"]) == (before + 3, [])

    whole = api.get(documents_path(VANTAA_KERAVA), params={"limit": 500}).json()["documents"]
    pages = [api.get(documents_path(VANTAA_KERAVA), params={"limit": 2, "offset": o}).json()["documents"]
             for o in range(0, before + 3, 2)]
    assert [d["documentId"] for p in pages for d in p] == [d["documentId"] for d in whole]

    mine = api.get(documents_path(VANTAA_KERAVA), params={"client": "200111A904P", "limit": 3}).json()
    assert mine["total"] == sum(d["clientId"] == "200111A904P" for d in whole) >= 3
    assert [d["documentId"] for d in mine["documents"]] == newest_first
    nobody = api.get(documents_path(VANTAA_KERAVA), params={"client": "010101A0000"}).json()
    assert (nobody["total"], nobody["documents"]) == (0, [])


# --- errors -------------------------------------------------------------------------------------------


def test_not_found(api, archived):
    doc_id = archived["asiakassuunnitelma"].document_id
    assert_problem(api.get("/rules/SH-NOPE-999"), 404, "SH-NOPE-999")
    assert_problem(api.get("/organisations/1.2.246.10.99999999.10.0"), 404, "1.2.246.10.99999999.10.0")
    assert_problem(api.get("/service-units/1.2.3"), 404, "1.2.3")
    assert_problem(api.get("/code-systems/1.2.3"), 404, "1.2.3")
    assert_problem(api.get(documents_path("1.2.3.4")), 404, "1.2.3.4")
    assert_problem(api.get(f"{documents_path(HELSINKI)}/1.2.3.4.5"), 404, "1.2.3.4.5")
    assert_problem(api.get(f"{documents_path(HELSINKI)}/1.2.3.4.5/document.xml"), 404, "1.2.3.4.5")
    # A document exists in one register only.
    assert_problem(api.get(f"{documents_path(VANTAA_KERAVA)}/{doc_id}"), 404, doc_id)
    assert_problem(api.get(f"{documents_path(VANTAA_KERAVA)}/{doc_id}/frame.xml"), 404, doc_id)


@pytest.mark.parametrize("path", ["/organisations", "/service-units", "/registers", f"/organisations/{HELSINKI}",
                                  f"/registers/{HELSINKI}/documents"])
def test_unknown_tenant(api, path):
    assert_problem(api.get(path, headers={"X-Mock-Kanta-Tenant": "no-such-tenant"}), 404, "no-such-tenant")


def test_bad_parameters(api):
    assert_problem(api.get("/organisations", params={"kind": "hospital"}), 400, "hospital")
    assert_problem(api.get(documents_path(HELSINKI), params={"limit": 0}), 400, "minimum")
    assert_problem(api.get(documents_path(HELSINKI), params={"limit": 501}), 400, "maximum")
    assert_problem(api.get(documents_path(HELSINKI), params={"offset": -1}), 400, "minimum")
    assert_problem(api.get("/organisations", params={"colour": "blue"}), 400, "colour")
