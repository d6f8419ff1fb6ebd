"""Archive request transports (mock_kanta.wire.soap)."""
import base64

import pytest
from lxml import etree

from mock_kanta.wire import safexml
from mock_kanta.wire.mime import build_multipart_related
from mock_kanta.wire.soap import (
    SOAP11_NS,
    SOAP12_NS,
    Envelope,
    TransportError,
    build_multipart,
    build_soap_envelope,
    build_soap_swa,
    unpack,
)
from tests.conftest import SAMPLE_NAMES, SAMPLES

PAIRS = list(SAMPLE_NAMES)
FRAME_XML = b'<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><id root="1.2.3"/></RCMR_IN200002FI01>'
FRAME = b'<?xml version="1.0" encoding="UTF-8"?>\n' + FRAME_XML
DOC = b'<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>'
XML = "text/xml; charset=UTF-8"


def sample(name: str) -> bytes:
    """A sample file by its file name, e.g. asiakkuusasiakirja-frame.xml (read from ../shared)."""
    return (SAMPLES / name).read_bytes()


def c14n(data: bytes) -> bytes:
    return etree.tostring(safexml.parse(data), method="c14n")


def soap_envelope(body_xml: bytes, ns: str = SOAP11_NS) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<s:Envelope xmlns:s="' + ns.encode() + b'">\n <s:Header/>\n <s:Body>\n  '
        + body_xml
        + b"\n </s:Body>\n</s:Envelope>\n"
    )


def reason_of(body: bytes, content_type: str | None) -> str:
    with pytest.raises(TransportError) as info:
        unpack(body, content_type)
    assert str(info.value)
    return info.value.reason


@pytest.mark.parametrize("name", PAIRS)
def test_sample_pair_multipart_round_trip(name):
    frame, doc = sample(f"{name}-frame.xml"), sample(f"{name}-document.xml")
    env = unpack(*build_multipart(frame, doc))
    assert env == Envelope(frame_bytes=frame, document_bytes=doc, transport="multipart")


@pytest.mark.parametrize("name", PAIRS)
def test_sample_pair_soap_swa_round_trip(name):
    frame, doc = sample(f"{name}-frame.xml"), sample(f"{name}-document.xml")
    body, ctype = build_soap_swa(frame, doc)
    assert 'type="text/xml"' in ctype and 'start="<envelope>"' in ctype
    assert b"Content-ID: <envelope>" in body and b"Content-ID: <document>" in body
    env = unpack(body, ctype)
    assert (env.transport, env.soap_version, env.extra_parts) == ("soap-swa", "1.1", 0)
    assert env.document_bytes == doc
    assert c14n(env.frame_bytes) == c14n(frame)


def test_start_parameter_picks_the_root_part():
    body, ctype = build_multipart_related([(DOC, XML, "doc"), (FRAME, XML, "frame")], start="frame")
    env = unpack(body, ctype)
    assert (env.frame_bytes, env.document_bytes, env.transport) == (FRAME, DOC, "multipart")
    # without start, part order decides
    body, ctype = build_multipart_related([(DOC, XML, "doc"), (FRAME, XML, "frame")])
    assert unpack(body, ctype).frame_bytes == DOC


def test_soap_swa_with_envelope_as_second_part():
    envelope = build_soap_envelope(FRAME)
    body, ctype = build_multipart_related([(DOC, XML, "cda"), (envelope, XML, "root")], start="<root>")
    env = unpack(body, ctype)
    assert env.transport == "soap-swa" and env.document_bytes == DOC
    assert c14n(env.frame_bytes) == c14n(FRAME)


def test_start_not_found():
    body, ctype = build_multipart_related([(FRAME, XML, "frame"), (DOC, XML, "doc")], start="nothere")
    assert reason_of(body, ctype) == "start-not-found"


def test_base64_document_part_and_extra_parts():
    body, ctype = build_multipart_related(
        [(FRAME, XML, None), (DOC, XML, None), (b"extra", "text/plain", None)],
        transfer_encodings=["binary", "base64", "binary"],
    )
    env = unpack(body, ctype)
    assert env.document_bytes == DOC and env.extra_parts == 1


def test_base64_looking_document_without_header_is_not_decoded():
    encoded = base64.b64encode(DOC)
    env = unpack(*build_multipart(FRAME, encoded))
    assert env.document_bytes == encoded


def test_lf_only_soap_swa_with_quoted_and_unquoted_boundary():
    envelope = soap_envelope(FRAME_XML)
    body = b"--b1\nContent-Type: text/xml\n\n" + envelope + b"\n--b1\nContent-Type: text/xml\n\n" + DOC + b"\n--b1--\n"
    for ctype in ('multipart/related; type="text/xml"; boundary="b1"', "multipart/related; boundary=b1"):
        env = unpack(body, ctype)
        assert env.transport == "soap-swa" and env.document_bytes == DOC
        assert c14n(env.frame_bytes) == c14n(FRAME)


def test_plain_soap_11_and_12_envelopes_have_no_document():
    inner = FRAME_XML
    env = unpack(soap_envelope(inner), "text/xml; charset=utf-8")
    assert (env.transport, env.document_bytes, env.soap_version) == ("soap", None, "1.1")
    assert c14n(env.frame_bytes) == c14n(FRAME)
    env = unpack(soap_envelope(inner, SOAP12_NS), 'application/soap+xml; charset=utf-8; action="urn:x"')
    assert (env.transport, env.document_bytes, env.soap_version) == ("soap", None, "1.2")


def test_bare_frame_is_plain():
    assert unpack(FRAME, "application/xml") == Envelope(FRAME, None, "plain")


def test_frame_using_a_prefix_declared_on_the_envelope():
    envelope = (
        b'<e:Envelope xmlns:e="' + SOAP11_NS.encode() + b'" xmlns:hl7="urn:hl7-org:v3" xmlns:unused="urn:u">'
        b'<e:Body><hl7:RCMR_IN200002FI01><hl7:id root="1.2.3"/></hl7:RCMR_IN200002FI01></e:Body></e:Envelope>'
    )
    frame = safexml.parse(unpack(envelope, "text/xml").frame_bytes)
    assert frame.tag == "{urn:hl7-org:v3}RCMR_IN200002FI01" and frame[0].get("root") == "1.2.3"
    assert "unused" not in frame.nsmap and SOAP11_NS not in frame.nsmap.values()


def test_two_megabyte_document_part():
    big = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><text>' + b"abc\r\n" * 420_000 + b"</text></ClinicalDocument>"
    assert len(big) > 2_000_000
    for body, ctype in (build_multipart(FRAME, big), build_soap_swa(FRAME, big)):
        assert unpack(body, ctype).document_bytes == big


def test_error_empty_body():
    assert reason_of(b"", "text/xml") == "empty-body"
    assert reason_of(b" \r\n ", "multipart/related; boundary=x") == "empty-body"


def test_error_no_boundary_and_not_multipart():
    body, _ = build_multipart(FRAME, DOC)
    assert reason_of(body, "multipart/related; type=text/xml") == "no-boundary"
    assert reason_of(FRAME, "multipart/related; boundary=abc") == "not-multipart"


def test_error_mime_reasons_pass_through():
    unclosed = b"--x\r\nContent-Type: text/xml\r\n\r\n" + FRAME
    assert reason_of(unclosed, "multipart/related; boundary=x") == "no-closing-delimiter"
    bad = b"--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!\r\n--x--"
    assert reason_of(bad, "multipart/related; boundary=x") == "bad-base64"


def test_error_missing_document():
    body, ctype = build_multipart_related([(FRAME, XML, "frame")], start="frame")
    assert reason_of(body, ctype) == "missing-document"
    body, ctype = build_multipart_related([(build_soap_envelope(FRAME), XML, "envelope")], start="envelope")
    assert reason_of(body, ctype) == "missing-document"


def test_error_soap_bodies():
    fault = b"<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>"
    assert reason_of(soap_envelope(fault), "text/xml") == "soap-fault-body"
    assert reason_of(soap_envelope(b"<!-- nothing -->"), "text/xml") == "soap-empty-body"
    no_body = b'<s:Envelope xmlns:s="' + SOAP11_NS.encode() + b'"><s:Header/></s:Envelope>'
    assert reason_of(no_body, "text/xml") == "soap-no-body"


def test_error_unsupported_media_type():
    assert reason_of(FRAME, "application/json") == "unsupported-media-type"
    assert reason_of(FRAME, "multipart/form-data; boundary=x") == "unsupported-media-type"
    assert reason_of(FRAME, None) == "unsupported-media-type"


def test_doctype_in_soap_envelope_is_refused():
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE s:Envelope [<!ENTITY x "boom">]>\n'
    evil = doctype + soap_envelope(b"<a>&x;</a>").split(b"\n", 1)[1]
    with pytest.raises(safexml.XMLInputError) as info:
        unpack(evil, "text/xml")
    assert info.value.kind == "dtd"
    body, ctype = build_multipart_related([(evil, XML, "envelope"), (DOC, XML, "doc")], start="envelope")
    with pytest.raises(safexml.XMLInputError) as info:
        unpack(body, ctype)
    assert info.value.kind == "dtd"


def test_malformed_envelope_propagates_xml_error():
    with pytest.raises(safexml.XMLInputError) as info:
        unpack(soap_envelope(b"<unclosed>"), "text/xml")
    assert info.value.kind == "malformed"
