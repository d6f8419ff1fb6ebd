"""The read side's HL7 V3 messages: a query (search a client's documents) and a retrieve (fetch
one document with its signatures intact), and their responses. All modelled (verified: false):
see `mock_kanta/core/codes/interactions.yaml` and docs/read-side.md.

The requests use the archive frame's wrapper (id, creationTime, interactionId, processing
codes, receiver and sender devices, controlActProcess with the service request and usage
situation reason codes and authorOrPerformer) with an HL7 V3 `queryByParameter`. The reader's
card certificate travels Base64 in the modelled element
`authorOrPerformer/assignedPerson/hl7fi:authenticationCertificate`.

The responses are application acknowledgements (AA/AE/AR with one acknowledgementDetail per
finding, as `hl7v3.build_ack`) that also carry a `controlActProcess` with one `subject` per
document (metadata; for a retrieve also the stored CDA bytes and the original frame, Base64)
and an HL7 `queryAck`.

One declarative field table per message (`wire.spec`), so parsing and building agree; the requests' tables, the
interactions and the XPath of a request field are lxml-free in `wire.paths.query` (the read checks use them).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from lxml import etree

from mock_kanta.core.codes.oids import HETU_ROOT, REGISTRATION_ROOT
from mock_kanta.core.model import II, Coded, OrgRef
from mock_kanta.wire import safexml
from mock_kanta.wire.hl7v3 import AckDetail
from mock_kanta.wire.paths import NS, ORG, F
from mock_kanta.wire.paths.hl7v3 import INTERACTION_ID_ROOT, KANTA_SH_DEVICE
from mock_kanta.wire.paths.query import (
    REQUEST_SPEC,
    TRIGGER_SYSTEM,
    Interaction,
    Reader,
    ReadRequest,
)
from mock_kanta.wire.spec import read, write

_CACT = "hl7:controlActProcess"


def _wrapper_ids(interaction_id: str, trigger: str, now: datetime | None) -> dict:
    """The wrapper fields a new request and a new response fill in alike."""
    return dict(creation_time=(now or datetime.now().astimezone()).strftime("%Y%m%d%H%M%S%z"),
                interaction_id=II(root=INTERACTION_ID_ROOT, extension=interaction_id),
                control_act_code=Coded(code=trigger, code_system=TRIGGER_SYSTEM))


# --- the request (declared in wire.paths.query) -------------------------------------------


def request_from_tree(root: etree._Element) -> ReadRequest:
    request = read(root, ReadRequest, REQUEST_SPEC)
    qn = etree.QName(root)
    return replace(request, interaction=qn.localname if qn.namespace == NS["hl7"] else root.tag)


def parse_request(data: bytes, max_bytes: int = safexml.MAX_BYTES) -> ReadRequest:
    """Parse request bytes (hardened parser); raises safexml.XMLInputError."""
    return request_from_tree(safexml.parse(data, max_bytes))


def build_request(request: ReadRequest) -> bytes:
    if not request.interaction:
        raise ValueError("the request needs its interaction (root element name)")
    root = etree.Element(f"{{{NS['hl7']}}}{request.interaction}", nsmap={None: NS["hl7"], "hl7fi": NS["hl7fi"]})
    write(root, request, REQUEST_SPEC)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def new_request(
    interaction: Interaction, *, sender: str, reader: Reader, reason_codes: tuple[Coded, ...],
    message_id: II | None = None, now: datetime | None = None, processing_code: str = "D", **parameters,
) -> ReadRequest:
    """A request with the wrapper filled in the way the archive frames of the samples are."""
    message_id = message_id or II(root=sender, extension=str(uuid.uuid4().int % 10**12))
    return ReadRequest(
        interaction=interaction.request, its_version="XML_1.0", message_id=message_id, version_code="V3-2006",
        processing_code=processing_code, processing_mode_code="T", accept_ack_code="ER", receiver_type="RCV",
        receiver_class="DEV", receiver_determiner="INSTANCE", receiver=KANTA_SH_DEVICE, sender_type="SND", sender_class="DEV",
        sender_determiner="INSTANCE", sender=sender, cact_class="CACT", cact_mood="RQO", priority_code="R",
        reason_codes=reason_codes, reader=reader, query_id=message_id, query_status="new",
        **_wrapper_ids(interaction.request, interaction.request_trigger, now), **parameters,
    )


# --- the response ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentEntry:
    """One document in a response: its metadata; for a retrieve also the stored bytes (Base64)."""

    type_code: str = "SUBJ"
    class_code: str = "DOCCLIN"
    mood_code: str = "EVN"
    id: II | None = None
    code: Coded | None = None  # the document type (specific type if any, else the general one)
    text_media_type: str | None = None
    text_representation: str | None = None
    document_b64: str | None = None  # retrieve: the stored CDA, byte for byte (signatures intact)
    status_code: str | None = None  # HL7 ActStatus: completed (current) | obsolete (replaced) | nullified (voided)
    effective_time: str | None = None
    set_id: II | None = None
    version_number: str | None = None
    client_id: II | None = None
    register: OrgRef | None = None  # custodian: whose register
    matter_id: II | None = None
    document_group: Coded | None = None
    service_task: Coded | None = None
    service_unit: str | None = None
    record_status: str | None = None  # the sandbox's state: active | replaced | voided
    replaced_by: str | None = None
    void_reason: str | None = None
    archived_by: str | None = None  # the sending organisation
    received_at: str | None = None
    frame_media_type: str | None = None
    frame_b64: str | None = None  # retrieve: the original archive frame, byte for byte


_CD = "hl7:clinicalDocument"
ENTRY_SPEC = (
    F("type_code", ".", "attr:typeCode"),
    F("class_code", _CD, "attr:classCode"),
    F("mood_code", _CD, "attr:moodCode"),
    F("id", f"{_CD}/hl7:id", "ii"),
    F("code", f"{_CD}/hl7:code", "cd"),
    F("text_media_type", f"{_CD}/hl7:text", "attr:mediaType"),
    F("text_representation", f"{_CD}/hl7:text", "attr:representation"),
    F("document_b64", f"{_CD}/hl7:text", "b64"),
    F("status_code", f"{_CD}/hl7:statusCode", "code"),
    F("effective_time", f"{_CD}/hl7:effectiveTime", "value"),
    F("set_id", f"{_CD}/hl7:setId", "ii"),
    F("version_number", f"{_CD}/hl7:versionNumber", "value"),
    F("client_id", f"{_CD}/hl7:recordTarget/hl7:patient/hl7:id", "ii"),
    F("register", f"{_CD}/hl7:custodian/hl7:assignedCustodian/hl7:representedOrganization", "obj", OrgRef, ORG),
    F("matter_id", f"{_CD}/hl7:componentOf/hl7:encounterEvent/hl7:id", "ii"),
    F("document_group", f"{_CD}/hl7fi:documentGroup", "cd"),
    F("service_task", f"{_CD}/hl7fi:functionCode", "cd"),
    F("service_unit", f"{_CD}/hl7fi:serviceUnit", "attr:root"),
    F("record_status", f"{_CD}/hl7fi:recordStatus", "code"),
    F("replaced_by", f"{_CD}/hl7fi:replacedBy", "attr:root"),
    F("void_reason", f"{_CD}/hl7fi:voidReason", "text"),
    F("archived_by", f"{_CD}/hl7fi:archivedBy", "attr:root"),
    F("received_at", f"{_CD}/hl7fi:receivedAt", "value"),
    F("frame_media_type", f"{_CD}/hl7fi:archiveFrame", "attr:mediaType"),
    F("frame_b64", f"{_CD}/hl7fi:archiveFrame", "b64"),
)


@dataclass(frozen=True)
class Detail:
    """One acknowledgementDetail (the same shape as the archive's, see hl7v3.build_ack)."""

    type_code: str | None = None  # E | W | I
    code: str | None = None  # the rule id
    code_system: str | None = None
    display_name: str | None = None
    text: str | None = None
    location: str | None = None


_DETAIL_SPEC = (
    F("type_code", ".", "attr:typeCode"),
    F("code", "hl7:code", "attr:code"),
    F("code_system", "hl7:code", "attr:codeSystem"),
    F("display_name", "hl7:code", "attr:displayName"),
    F("text", "hl7:text", "text"),
    F("location", "hl7:location", "text"),
)


@dataclass(frozen=True)
class QueryAck:
    """HL7 `queryAck`: OK (documents found), NF (none), AE (refused), QE (bad query parameters)."""

    query_id: II | None = None
    response_code: str | None = None
    total: str | None = None
    current: str | None = None
    remaining: str | None = None


_QUERY_ACK_SPEC = (
    F("query_id", "hl7:queryId", "ii"),
    F("response_code", "hl7:queryResponseCode", "code"),
    F("total", "hl7:resultTotalQuantity", "value"),
    F("current", "hl7:resultCurrentQuantity", "value"),
    F("remaining", "hl7:resultRemainingQuantity", "value"),
)


@dataclass(frozen=True)
class ReadResponse:
    interaction: str | None = None
    its_version: str | None = "XML_1.0"
    message_id: II | None = None
    creation_time: str | None = None
    interaction_id: II | None = None
    processing_code: str | None = None
    processing_mode_code: str | None = "T"
    accept_ack_code: str | None = "NE"
    receiver_type: str | None = "RCV"
    receiver_class: str | None = "DEV"
    receiver_determiner: str | None = "INSTANCE"
    receiver: II | None = None
    sender_type: str | None = "SND"
    sender_class: str | None = "DEV"
    sender_determiner: str | None = "INSTANCE"
    sender: str | None = None
    ack_type: str | None = None  # AA | AE | AR
    target: II | None = None
    details: tuple[Detail, ...] = ()
    cact_class: str | None = "CACT"
    cact_mood: str | None = "EVN"
    control_act_code: Coded | None = None
    documents: tuple[DocumentEntry, ...] = ()
    query_ack: QueryAck | None = None


_ACK = "hl7:acknowledgement"
RESPONSE_SPEC = (
    F("its_version", ".", "attr:ITSVersion"),
    F("message_id", "hl7:id", "ii"),
    F("creation_time", "hl7:creationTime", "value"),
    F("interaction_id", "hl7:interactionId", "ii"),
    F("processing_code", "hl7:processingCode", "code"),
    F("processing_mode_code", "hl7:processingModeCode", "code"),
    F("accept_ack_code", "hl7:acceptAckCode", "code"),
    F("receiver_type", "hl7:receiver", "attr:typeCode"),
    F("receiver_class", "hl7:receiver/hl7:device", "attr:classCode"),
    F("receiver_determiner", "hl7:receiver/hl7:device", "attr:determinerCode"),
    F("receiver", "hl7:receiver/hl7:device/hl7:id", "ii"),
    F("sender_type", "hl7:sender", "attr:typeCode"),
    F("sender_class", "hl7:sender/hl7:device", "attr:classCode"),
    F("sender_determiner", "hl7:sender/hl7:device", "attr:determinerCode"),
    F("sender", "hl7:sender/hl7:device/hl7:id", "attr:root"),
    F("ack_type", _ACK, "attr:typeCode"),
    F("target", f"{_ACK}/hl7:targetMessage/hl7:id", "ii"),
    F("details", f"{_ACK}/hl7:acknowledgementDetail", "obj", Detail, _DETAIL_SPEC, many=True),
    F("cact_class", _CACT, "attr:classCode"),
    F("cact_mood", _CACT, "attr:moodCode"),
    F("control_act_code", f"{_CACT}/hl7:code", "cd"),
    F("documents", f"{_CACT}/hl7:subject", "obj", DocumentEntry, ENTRY_SPEC, many=True),
    F("query_ack", f"{_CACT}/hl7:queryAck", "obj", QueryAck, _QUERY_ACK_SPEC),
)


def new_response(
    interaction: Interaction, ack_type: str, *, target: II | None, receiver: str | None, details: list[AckDetail],
    documents: list[DocumentEntry] = (), query_ack: QueryAck | None = None, processing_code: str | None = None,
    now: datetime | None = None, sender: str = KANTA_SH_DEVICE,
) -> ReadResponse:
    """The response to a read: the acknowledgement (AA/AE/AR + details) and what was found."""
    has_target = target is not None and (target.root or target.extension)
    return ReadResponse(
        interaction=interaction.response, message_id=II(root=sender, extension=str(uuid.uuid4())),
        processing_code=processing_code or "P", **_wrapper_ids(interaction.response, interaction.response_trigger, now),
        receiver=II(root=receiver) if receiver else II(null_flavor="UNK"), sender=sender, ack_type=ack_type,
        target=II(root=target.root, extension=target.extension) if has_target else II(null_flavor="UNK"),
        details=tuple(Detail(d.type_code, d.code, d.code_system, d.display_name, d.text, d.location) for d in details),
        documents=tuple(documents), query_ack=query_ack,
    )


def build_response(response: ReadResponse) -> bytes:
    root = etree.Element(f"{{{NS['hl7']}}}{response.interaction}", nsmap={None: NS["hl7"], "hl7fi": NS["hl7fi"]})
    write(root, response, RESPONSE_SPEC)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def response_from_tree(root: etree._Element) -> ReadResponse:
    response = read(root, ReadResponse, RESPONSE_SPEC)
    return replace(response, interaction=etree.QName(root).localname)


def parse_response(data: bytes, max_bytes: int = 256 * 1024 * 1024) -> ReadResponse:
    """Read a response back (clients, tests); a SOAP envelope around it is unwrapped."""
    root = safexml.parse(data, max_bytes)
    if etree.QName(root).localname == "Envelope":
        body = next(el for el in root if isinstance(el.tag, str) and etree.QName(el).localname == "Body")
        root = next(el for el in body if isinstance(el.tag, str))
    return response_from_tree(root)


__all__ = ["HETU_ROOT", "REGISTRATION_ROOT", "DocumentEntry", "Detail", "QueryAck", "ReadResponse", "build_request",
           "build_response", "new_request", "new_response", "parse_request", "parse_response", "request_from_tree",
           "response_from_tree"]
