"""The SHARK validation service clone: Kela's JSON shape, same verdicts as the archive."""
import json
import uuid

import pytest

from tests.conftest import SAMPLE_NAMES
from tests.helpers import replace_once

URL = "/shark-validointi/validoi/asiakirja/tulos"
SP = {"asiakkuusasiakirja": "SP1", "asiakassuunnitelma": "SP17"}

pytestmark = pytest.mark.usefixtures("sample_clock")


def request(frame: bytes, document: bytes, sp: str) -> dict:
    return {"messageId": str(uuid.uuid4()), "palveluPyynto": sp, "level": "1",
            "siirtokehysXml": frame.decode("utf-8"), "asiakirjaXml": document.decode("utf-8")}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_public_sample_is_valid_empty_200(sandbox, samples, name):
    response = sandbox.http.post(URL, json=request(*samples[name], SP[name]))
    assert response.status_code == 200
    assert response.content == b""


def test_faults_come_back_numbered_with_machine_readable_findings(sandbox, samples):
    frame, document = samples["asiakassuunnitelma"]
    document = replace_once(document, b'extension="180418A903L"', b'extension="180418A903X"')
    document = replace_once(document, b'<ep2:creationTime value="20260323105424+0200"/>',
                            b'<ep2:creationTime value="23.3.2026"/>')  # SH-HDR-014, basis kanta: refused
    body = request(frame, document, "SP1")
    response = sandbox.http.post(URL, json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["messageId"] == body["messageId"] and payload["code"] == "SH-HDR-014"
    rules = [f["rule"] for f in payload["findings"]]
    assert {"SH-ID-001", "SH-CON-004", "SH-VAL-001", "SH-HDR-014"} <= set(rules)
    bases = {f["rule"]: (f["severity"], f["basis"]) for f in payload["findings"]}
    assert bases["SH-HDR-014"] == ("error", "kanta") and bases["SH-ID-001"] == ("warning", "modelled")
    assert payload["description"].startswith("1: [")
    assert payload["description"].count(";") == len(rules)
    assert f"{len(rules)}: [" in payload["description"]
    first = payload["findings"][0]
    assert set(first) == {"rule", "severity", "location", "message", "fix", "source", "basis"}
    assert set(first["message"]) == {"fi", "sv", "en"}


@pytest.mark.parametrize("header, lang", [(None, "fi"), ("sv-FI,sv;q=0.9,en;q=0.5", "sv"), ("en", "en"), ("de", "fi")])
def test_the_description_comes_in_the_language_asked_over_http(sandbox, samples, header, lang):
    frame, document = samples["asiakassuunnitelma"]
    document = replace_once(document, b'<ep2:creationTime value="20260323105424+0200"/>',
                            b'<ep2:creationTime value="23.3.2026"/>')
    response = sandbox.http.post(URL, json=request(frame, document, "SP17"),
                                 headers={"Accept-Language": header} if header else {})
    assert response.status_code == 400
    payload = response.json()
    assert payload["language"] == lang
    hdr = next(f for f in payload["findings"] if f["rule"] == "SH-HDR-014")
    assert hdr["message"][lang][-30:] in payload["description"]  # the one language's text (the tail: the heads quote the element)
    others = [code for code in ("fi", "sv", "en") if code != lang]
    assert all(hdr["message"][code][-30:] not in payload["description"] for code in others)


def test_validation_stores_nothing(sandbox, samples):
    frame, document = samples["asiakassuunnitelma"]
    document = replace_once(document, b"2655274", b"7777777")
    frame = replace_once(replace_once(frame, b"2655274", b"7777777"), b"2655274", b"7777777")
    sandbox.http.post(URL, json=request(frame, document, "SP17"))
    r = sandbox.http.get("/api/v1/registers/1.2.246.10.2012566.10.40/documents/1.2.246.10.2012566.95.2026.688883.7777777")
    assert r.status_code == 404


@pytest.mark.parametrize("body", [b"not json", b"[]", json.dumps({"palveluPyynto": "SP1"}).encode()])
def test_bad_request_shapes(sandbox, body):
    response = sandbox.http.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["findings"][0]["rule"] == "SH-TRN-004"


def test_hostile_xml_in_json(sandbox, samples):
    frame = samples["asiakkuusasiakirja"][0]
    xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    response = sandbox.http.post(URL, json={"palveluPyynto": "SP1", "siirtokehysXml": frame.decode(), "asiakirjaXml": xxe})
    assert response.status_code == 400
    assert "SH-XML-002" in [f["rule"] for f in response.json()["findings"]]
