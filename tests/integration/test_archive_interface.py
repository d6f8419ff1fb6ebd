"""The archive interface over a real HTTP server: samples, faults, hostile input, restart."""
from __future__ import annotations

import base64
import re

import pytest

from tests.conftest import SAMPLE_NAMES
from tests.helpers import ack_of, codes, fresh_pair, post_archive, renumber, replace_once
from tests.signing import resign

# What is true of each public sample (so AA comes with these warnings and no errors), with the
# samples' DVV TEST certificates given as extra trust (the sandbox fixture does that):
# - both: the signatures verify only with whitespace-only text nodes dropped (SH-SIG-007, once per signature).
# - asiakassuunnitelma: its frame's controlActProcess/code has no code attribute (SH-FRM-006),
#   and its matter id carries both a root and nullFlavor="NA" (SH-HDR-015).
EXPECTED_WARNINGS = {
    "asiakkuusasiakirja": ["SH-SIG-007"],
    "asiakassuunnitelma": ["SH-FRM-006", "SH-HDR-015", "SH-SIG-007", "SH-SIG-007"],
}
RESIGNED = {"asiakkuusasiakirja": [], "asiakassuunnitelma": ["SH-FRM-006", "SH-HDR-015"]}

pytestmark = pytest.mark.usefixtures("sample_clock")


def _documents(sandbox, register):
    r = sandbox.http.get(f"/api/v1/registers/{register}/documents", params={"limit": 200})
    return r.json() if r.status_code == 200 else None


@pytest.mark.parametrize("transport", ["multipart", "soap"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_public_sample_is_accepted(sandbox, samples, name, transport):
    frame, document = samples[name]
    expected = EXPECTED_WARNINGS[name]
    if transport == "soap":  # the other parametrisation archived the original ids already
        frame, document = fresh_pair(sandbox, name, frame, document, f"1.2.246.10.2012566.95.2026.1.{SAMPLE_NAMES.index(name) + 10}")
        expected = RESIGNED[name]  # re-signed strictly by the sandbox CA: no whitespace quirk
    response = post_archive(sandbox.http, frame, document, transport)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    ack = ack_of(response)
    assert ack["type_code"] == "AA", ack
    assert codes(ack, "E") == []
    assert sorted(codes(ack, "W")) == expected
    message_id = re.search(rb'<id extension="(\d+)" root="([0-9.]+)"', frame)
    assert ack["target"].extension == message_id.group(1).decode()
    assert ack["target"].root == message_id.group(2).decode()
    for detail in ack["details"]:
        assert detail["location"].startswith("/hl7:")
        assert "[fi]" in detail["text"] and "[sv]" in detail["text"] and "[en]" in detail["text"]
    if transport == "soap":
        assert b"<soap:Envelope" in response.content


def test_same_document_twice_is_refused_and_stored_once(sandbox, samples):
    frame, document = fresh_pair(sandbox, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], "1.2.246.10.32213561.95777.2026.1.99")
    first = ack_of(post_archive(sandbox.http, frame, document))
    second = ack_of(post_archive(sandbox.http, frame, document))
    assert first["type_code"] == "AA"
    assert second["type_code"] == "AE" and codes(second, "E") == ["SH-ARC-001"]
    listed = _documents(sandbox, "1.2.246.10.32213561.10.0")
    assert [d["documentId"] for d in listed["documents"]].count("1.2.246.10.32213561.95777.2026.1.99") == 1


def test_document_with_several_faults_gets_every_finding(sandbox, samples):
    frame, document = samples["asiakassuunnitelma"]
    doc = document
    doc = replace_once(doc, b'extension="180418A903L"', b'extension="180418A903X"')  # bad check character
    doc = replace_once(doc, b'<ep2:functionCode code="24"', b'<ep2:functionCode code="24" ')  # harmless
    doc = replace_once(doc, b'<ep2:registryType code="1" codeSystem="1.2.246.537.6.1264.201701"',
                       b'<ep2:registryType code="1" codeSystem="1.2.246.537.6.9999"')  # wrong code system
    doc = re.sub(rb'<ep2:recordStatus [^>]*/>', b"", doc)  # mandatory element removed
    doc = replace_once(doc, b'<nonXMLBody ID="OID1.2.246', b'<nonXMLBody ID="X1.2.246')  # wrong body ID
    doc = replace_once(doc, b'<versionNumber value="1"/>', b'<versionNumber value="2"/>')  # frame says 1
    response = post_archive(sandbox.http, frame, doc)
    ack = ack_of(response)
    assert response.status_code == 200
    assert ack["type_code"] == "AE"
    errors, warnings = set(codes(ack, "E")), set(codes(ack, "W"))
    assert "SH-COD-001" in errors  # the other faults are of basis modelled: warnings (docs/verdicts.md)
    assert {"SH-ID-001", "SH-LSH-007", "SH-BODY-002", "SH-CON-003", "SH-CON-004"} <= errors | warnings
    by_code = {d["code"]: d for d in ack["details"]}
    assert by_code["SH-LSH-007"]["location"] == "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:recordStatus/@code"
    assert by_code["SH-BODY-002"]["location"] == "/hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody/@ID"
    assert "180418A903X" in by_code["SH-ID-001"]["text"]
    assert _documents(sandbox, "1.2.246.10.2012566.10.40")["total"] >= 0  # register still answers
    stored = sandbox.http.get("/api/v1/registers/1.2.246.10.2012566.10.40/documents/1.2.246.10.2012566.95.2026.688883.2655274")
    assert stored.status_code in (200, 404)
    if stored.status_code == 200:  # the clean sample may be there; the faulty version must not be
        assert stored.json()["version"] == 1


def _count(sandbox):
    return sum(_documents(sandbox, reg)["total"] for reg in ("1.2.246.10.2012566.10.40", "1.2.246.10.32213561.10.0"))


@pytest.mark.parametrize(
    "document, rule",
    [
        (b"<ClinicalDocument xmlns='urn:hl7-org:v3'><id root='1.2'/>", "SH-XML-001"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3">&x;</ClinicalDocument>', "SH-XML-002"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
         b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
         b'<ClinicalDocument xmlns="urn:hl7-org:v3">&lol4;</ClinicalDocument>', "SH-XML-002"),
        (b"<a>" * 300 + b"</a>" * 300, "SH-XML-004"),
    ],
    ids=["malformed", "xxe", "entity-bomb", "too-deep"],
)
def test_hostile_or_broken_xml_is_refused_and_nothing_is_stored(sandbox, samples, document, rule):
    before = _count(sandbox)
    frame = samples["asiakkuusasiakirja"][0]
    response = post_archive(sandbox.http, frame, document)
    assert response.status_code == 400
    ack = ack_of(response)
    assert ack["type_code"] == "AR"
    assert rule in codes(ack, "E")
    assert _count(sandbox) == before
    assert b"root:" not in response.content  # nothing of /etc/passwd leaks back


def test_oversized_body_is_refused_with_413(sandbox, samples):
    frame, document = samples["asiakkuusasiakirja"]
    padding = b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->"
    response = post_archive(sandbox.http, frame, document + padding)
    assert response.status_code == 413
    ack = ack_of(response)
    assert ack["type_code"] == "AR" and codes(ack) == ["SH-XML-003"]


def test_garbage_transport_gets_a_clear_refusal(sandbox):
    response = sandbox.http.post("/kanta/shark/arkisto", content=b"hello", headers={"Content-Type": "multipart/related"})
    assert response.status_code == 400
    ack = ack_of(response)
    assert ack["type_code"] == "AR" and codes(ack) == ["SH-TRN-001"]
    assert "boundary" in ack["details"][0]["text"]


def test_missing_document_part(sandbox, samples):
    frame = samples["asiakkuusasiakirja"][0]
    response = sandbox.http.post("/kanta/shark/arkisto", content=frame, headers={"Content-Type": "text/xml"})
    ack = ack_of(response)
    assert response.status_code == 400 and ack["type_code"] == "AR"
    assert "SH-TRN-002" in codes(ack)
    assert ack["target"].extension == "10037140046"  # the frame was read: its id is echoed


def test_restart_keeps_what_was_stored(sandbox, samples):
    frame, document = fresh_pair(sandbox, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], "1.2.246.10.32213561.95777.2026.1.77")
    assert ack_of(post_archive(sandbox.http, frame, document))["type_code"] == "AA"
    sandbox.restart(kill=True)  # SIGKILL: an acknowledged document must survive a crash
    stored = sandbox.http.get("/api/v1/registers/1.2.246.10.32213561.10.0/documents/1.2.246.10.32213561.95777.2026.1.77/document.xml")
    assert stored.status_code == 200
    assert stored.content == document


def test_pdf_display_form_is_checked(sandbox, samples):
    frame, document = renumber(*samples["asiakassuunnitelma"], "1.2.246.10.2012566.95.2026.1.555")
    pdf = base64.b64encode(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF").decode().encode()
    document = re.sub(rb'mediaType="application/xhtml\+xml" representation="B64">.*?</text>',
                      b'mediaType="application/pdf" representation="B64">' + pdf + b"</text>", document, flags=re.S)
    document = resign(document, [sandbox.signer_for("asiakassuunnitelma")])
    ack = ack_of(post_archive(sandbox.http, frame, document))
    # fileFormat still says XHTML (2) and the PDF lacks a PDF/A identification: warnings only.
    assert ack["type_code"] == "AA", ack
    assert {"SH-BODY-008", "SH-BODY-009"} <= set(codes(ack, "W"))


def test_unknown_tenant_is_refused(sandbox, samples):
    response = post_archive(sandbox.http, *samples["asiakkuusasiakirja"], tenant="nobody")
    assert response.status_code == 404
    ack = ack_of(response)
    assert ack["type_code"] == "AR" and codes(ack) == ["SH-TRN-004"]
    assert "nobody" in ack["details"][0]["text"]
