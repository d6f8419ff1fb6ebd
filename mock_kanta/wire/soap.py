"""The archive request transports: unpack an HTTP body into frame and document bytes.

Accepted (modelled, not verified from Kanta's specs):
  multipart/related          frame part, then the CDA document part    -> "multipart"
  multipart/related + SOAP   envelope (Body holds the frame) + document -> "soap-swa"
  text/xml, application/soap+xml, application/xml:
                             a SOAP envelope (no document)              -> "soap"
                             a bare frame (no document)                 -> "plain"
XML errors in the root part propagate as `safexml.XMLInputError`.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from mock_kanta.wire import safexml
from mock_kanta.wire.mime import (
    MimeError,
    build_multipart_related,
    parse_content_type,
    split_multipart,
    strip_angle_brackets,
)

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_VERSIONS = {SOAP11_NS: "1.1", SOAP12_NS: "1.2"}
XML_MEDIA_TYPES = ("text/xml", "application/soap+xml", "application/xml")


@dataclass(frozen=True)
class Envelope:
    """The unpacked request: raw frame and document bytes, and how they came."""

    frame_bytes: bytes
    document_bytes: bytes | None
    transport: str  # "multipart" | "soap-swa" | "soap" | "plain"
    extra_parts: int = 0  # parts beyond frame and document, ignored
    soap_version: str | None = None  # "1.1" | "1.2" for the SOAP transports


class TransportError(ValueError):
    """The body cannot be unpacked into frame and document. `reason` is a short machine code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def unpack(body: bytes, content_type: str | None) -> Envelope:
    """Unpack an archive request body according to its Content-Type."""
    if not body or (body[:1].isspace() and not body.strip()):
        raise TransportError("empty-body", "the request body is empty")
    if not content_type or not content_type.strip():
        raise TransportError(
            "unsupported-media-type",
            "the request has no Content-Type; send multipart/related, text/xml or application/soap+xml",
        )
    media_type, params = parse_content_type(content_type)
    if media_type == "multipart/related":
        return _unpack_multipart(body, content_type, params.get("start"))
    if media_type in XML_MEDIA_TYPES:
        soap = _soap_frame(body)
        if soap is None:
            return Envelope(frame_bytes=body, document_bytes=None, transport="plain")
        return Envelope(frame_bytes=soap[0], document_bytes=None, transport="soap", soap_version=soap[1])
    raise TransportError(
        "unsupported-media-type",
        f"Content-Type {media_type!r} is not supported; send multipart/related, text/xml or application/soap+xml",
    )


def _unpack_multipart(body: bytes, content_type: str, start: str | None) -> Envelope:
    try:
        parts = split_multipart(body, content_type)
    except MimeError as exc:
        raise TransportError(exc.reason, str(exc)) from None
    root_index = 0
    if start:
        wanted = strip_angle_brackets(start)
        root_index = next((i for i, p in enumerate(parts) if p.content_id == wanted), -1)
        if root_index < 0:
            raise TransportError(
                "start-not-found", f"no part has the Content-ID <{wanted}> named by the start parameter"
            )
    root = parts[root_index]
    others = parts[:root_index] + parts[root_index + 1 :]
    soap = _soap_frame(root.content)
    if not others:
        raise TransportError(
            "missing-document", "the multipart body has only one part: the CDA document part is missing"
        )
    extra = len(others) - 1
    document = others[0].content
    if soap is None:
        return Envelope(frame_bytes=root.content, document_bytes=document, transport="multipart", extra_parts=extra)
    return Envelope(
        frame_bytes=soap[0], document_bytes=document, transport="soap-swa", extra_parts=extra, soap_version=soap[1]
    )


_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_ROOT_NAME = re.compile(rb"\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _root_local_name(data: bytes) -> str | None:
    """The root element's local name from a quick scan of the prolog; None if unsure."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while m := _PROLOG_ITEM.match(data, pos):
        pos = m.end()
    m = _ROOT_NAME.match(data, pos)
    return m.group(1).decode("ascii") if m else None


def _soap_frame(data: bytes) -> tuple[bytes, str] | None:
    """(frame bytes, SOAP version) if `data` is a SOAP envelope; None if it is not."""
    name = _root_local_name(data)
    if name is not None and name != "Envelope":
        return None  # a bare frame: parsed later by hl7v3
    root = safexml.parse(data)
    ns = etree.QName(root).namespace
    if etree.QName(root).localname != "Envelope" or ns not in SOAP_VERSIONS:
        return None
    body = next(root.iterchildren(f"{{{ns}}}Body"), None)
    if body is None:
        raise TransportError("soap-no-body", "the SOAP envelope has no Body element")
    frame = next(body.iterchildren(etree.Element), None)
    if frame is None:
        raise TransportError("soap-empty-body", "the SOAP Body is empty: it should hold the RCMR_IN200002FI01 frame")
    if frame.tag == f"{{{ns}}}Fault":
        raise TransportError("soap-fault-body", "the SOAP Body holds a Fault, not an archive request frame")
    frame = copy.deepcopy(frame)  # keeps the namespaces the frame uses, drops the envelope's other ones
    frame.tail = None
    return etree.tostring(frame, encoding="UTF-8", xml_declaration=True), SOAP_VERSIONS[ns]


def build_soap_swa(frame_bytes: bytes, document_bytes: bytes, *, document_cid: str = "document") -> tuple[bytes, str]:
    """Client side: a SOAP 1.1 envelope holding the frame, with the document as a MIME attachment."""
    envelope = build_soap_envelope(frame_bytes)
    return build_multipart_related(
        [
            (envelope, "text/xml; charset=UTF-8", "envelope"),
            (document_bytes, "text/xml; charset=UTF-8", document_cid),
        ],
        start="envelope",
        type_="text/xml",
    )


def build_soap_envelope(frame_bytes: bytes) -> bytes:
    """A SOAP 1.1 envelope whose Body holds the frame element (its XML declaration dropped)."""
    frame = safexml.parse(frame_bytes)
    envelope = etree.Element(f"{{{SOAP11_NS}}}Envelope", nsmap={"soapenv": SOAP11_NS})
    etree.SubElement(envelope, f"{{{SOAP11_NS}}}Body").append(frame)
    return etree.tostring(envelope, encoding="UTF-8", xml_declaration=True)


def build_multipart(frame_bytes: bytes, document_bytes: bytes) -> tuple[bytes, str]:
    """Client side: multipart/related with the frame part first, then the document part."""
    return build_multipart_related(
        [
            (frame_bytes, "text/xml; charset=UTF-8", "frame"),
            (document_bytes, "text/xml; charset=UTF-8", "document"),
        ],
        start="frame",
        type_="text/xml",
    )
