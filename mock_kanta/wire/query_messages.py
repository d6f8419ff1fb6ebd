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

One declarative field table per message (`wire.spec`), so parsing and building agree.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import yaml
from lxml import etree

from mock_kanta.core.model import II, Coded, OrgRef, Person
from mock_kanta.core.resources import package_file
from mock_kanta.wire import safexml
from mock_kanta.wire.hl7v3 import INTERACTION_ID_ROOT, KANTA_SH_DEVICE, AckDetail
from mock_kanta.wire.paths import TRANSMISSION
from mock_kanta.wire.spec import NS, ORG, F, person_spec, read, write, xpath_of

KINDS = ("query", "retrieve")
TRIGGER_SYSTEM = "2.16.840.1.113883.1.18"
HETU_ROOT = "1.2.246.21"
REGISTRATION_ROOT = "1.2.246.537.26"
CERT_MEDIA_TYPE = "application/pkix-cert"
_BUILTIN = package_file("core", "codes", "interactions.yaml")


# --- the modelled interactions, as data ---------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    kind: str  # "query" | "retrieve"
    path: str
    request: str
    request_trigger: str
    response: str
    response_trigger: str
    service_request: Coded
    max_results: int
    verified: bool
    note: str


class Interactions:
    """The query and retrieve interactions (ids, triggers, SP codes, paths), overridable from
    `<data-dir>/codes/interactions.yaml`."""

    def __init__(self, by_kind: dict[str, Interaction]):
        self.by_kind = by_kind

    def __getitem__(self, kind: str) -> Interaction:
        return self.by_kind[kind]

    @classmethod
    def load(cls, override_dir: Path | None = None) -> "Interactions":
        raw = yaml.safe_load(_BUILTIN.read_text(encoding="utf-8"))
        override = Path(override_dir) / "interactions.yaml" if override_dir else None
        if override is not None and override.is_file():
            for kind, body in (yaml.safe_load(override.read_text(encoding="utf-8")) or {}).items():
                if kind not in KINDS:
                    raise ValueError(f"{override}: unknown interaction {kind!r}; expected one of {', '.join(KINDS)}")
                merged = {**raw.get(kind, {}), **(body or {})}
                if isinstance((body or {}).get("service_request"), dict):
                    merged["service_request"] = {**raw.get(kind, {}).get("service_request", {}), **body["service_request"]}
                raw[kind] = merged
        return cls({kind: _interaction(kind, raw[kind]) for kind in KINDS})


def _interaction(kind: str, body: dict) -> Interaction:
    sp = body.get("service_request") or {}
    return Interaction(
        kind=kind, path=str(body["path"]), request=str(body["request"]), request_trigger=str(body["request_trigger"]),
        response=str(body["response"]), response_trigger=str(body["response_trigger"]),
        service_request=Coded(code=str(sp.get("code")), code_system=str(sp.get("codeSystem", "1.2.246.537.6.1503.201601")),
                              display_name=sp.get("display")),
        max_results=int(body.get("max_results", 500)), verified=bool(body.get("verified", False)), note=str(body.get("note", "")),
    )


def _wrapper_ids(interaction_id: str, trigger: str, now: datetime | None) -> dict:
    """The wrapper fields a new request and a new response fill in alike."""
    return dict(creation_time=(now or datetime.now().astimezone()).strftime("%Y%m%d%H%M%S%z"),
                interaction_id=II(root=INTERACTION_ID_ROOT, extension=interaction_id),
                control_act_code=Coded(code=trigger, code_system=TRIGGER_SYSTEM))


# --- the request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """`controlActProcess/authorOrPerformer`: who reads (registration number, name), for which
    service unit (representedOrganization) and with which card (certificate, Base64 DER)."""

    type_code: str | None = None
    person: Person | None = None
    organisation: OrgRef | None = None
    certificate_media_type: str | None = None
    certificate_b64: str | None = None

    @property
    def registration_number(self) -> str | None:
        return self.person.id.extension if self.person and self.person.id else None

    @property
    def unit(self) -> str | None:
        return self.organisation.id.root if self.organisation and self.organisation.id else None


@dataclass(frozen=True)
class ReadRequest:
    """A query or retrieve request. Parameters a kind does not use stay None / empty."""

    interaction: str | None = None  # root element local name
    its_version: str | None = None
    message_id: II | None = None
    creation_time: str | None = None
    version_code: str | None = None
    interaction_id: II | None = None
    processing_code: str | None = None
    processing_mode_code: str | None = None
    accept_ack_code: str | None = None
    receiver_type: str | None = None
    receiver_class: str | None = None
    receiver_determiner: str | None = None
    receiver: str | None = None
    sender_type: str | None = None
    sender_class: str | None = None
    sender_determiner: str | None = None
    sender: str | None = None
    cact_class: str | None = None
    cact_mood: str | None = None
    control_act_code: Coded | None = None
    priority_code: str | None = None
    reason_codes: tuple[Coded, ...] = ()
    reader: Reader | None = None
    query_id: II | None = None
    query_status: str | None = None
    initial_quantity: str | None = None
    # query parameters
    client_id: II | None = None
    register_id: II | None = None
    matter_id: II | None = None
    service_tasks: tuple[Coded, ...] = ()
    document_groups: tuple[Coded, ...] = ()
    document_types: tuple[Coded, ...] = ()
    time_low: str | None = None
    time_high: str | None = None
    current_only: str | None = None  # "true" | "false"; default true
    include_voided: str | None = None  # default false
    # retrieve parameters
    document_id: II | None = None
    include_history: str | None = None  # default false

    def reason(self, code_system: str) -> Coded | None:
        return next((c for c in self.reason_codes if c.code_system == code_system), None)

    @property
    def client(self) -> str | None:
        return self.client_id.extension if self.client_id else None


_CACT = "hl7:controlActProcess"
_QBP = f"{_CACT}/hl7:queryByParameter"
_PL = f"{_QBP}/hl7:parameterList"
_READER = (
    F("type_code", ".", "attr:typeCode"),
    F("person", "hl7:assignedPerson", "obj", Person, person_spec("hl7:assignedPerson")),
    F("organisation", "hl7:assignedPerson/hl7:representedOrganization", "obj", OrgRef, ORG),
    F("certificate_media_type", "hl7:assignedPerson/hl7fi:authenticationCertificate", "attr:mediaType"),
    F("certificate_b64", "hl7:assignedPerson/hl7fi:authenticationCertificate", "b64"),
)
REQUEST_SPEC = (
    *TRANSMISSION,
    F("receiver_type", "hl7:receiver", "attr:typeCode"),
    F("receiver_class", "hl7:receiver/hl7:device", "attr:classCode"),
    F("receiver_determiner", "hl7:receiver/hl7:device", "attr:determinerCode"),
    F("receiver", "hl7:receiver/hl7:device/hl7:id", "attr:root"),
    F("sender_type", "hl7:sender", "attr:typeCode"),
    F("sender_class", "hl7:sender/hl7:device", "attr:classCode"),
    F("sender_determiner", "hl7:sender/hl7:device", "attr:determinerCode"),
    F("sender", "hl7:sender/hl7:device/hl7:id", "attr:root"),
    F("cact_class", _CACT, "attr:classCode"),
    F("cact_mood", _CACT, "attr:moodCode"),
    F("control_act_code", f"{_CACT}/hl7:code", "cd"),
    F("priority_code", f"{_CACT}/hl7:priorityCode", "code"),
    F("reason_codes", f"{_CACT}/hl7:reasonCode", "cd", many=True),
    F("reader", f"{_CACT}/hl7:authorOrPerformer", "obj", Reader, _READER),
    F("query_id", f"{_QBP}/hl7:queryId", "ii"),
    F("query_status", f"{_QBP}/hl7:statusCode", "code"),
    F("initial_quantity", f"{_QBP}/hl7:initialQuantity", "value"),
    F("client_id", f"{_PL}/hl7:clientId/hl7:value", "ii"),
    F("register_id", f"{_PL}/hl7:registerId/hl7:value", "ii"),
    F("matter_id", f"{_PL}/hl7:matterId/hl7:value", "ii"),
    F("service_tasks", f"{_PL}/hl7:serviceTask/hl7:value", "cd", many=True),
    F("document_groups", f"{_PL}/hl7:documentGroup/hl7:value", "cd", many=True),
    F("document_types", f"{_PL}/hl7:documentType/hl7:value", "cd", many=True),
    F("time_low", f"{_PL}/hl7:documentEffectiveTime/hl7:value/hl7:low", "value"),
    F("time_high", f"{_PL}/hl7:documentEffectiveTime/hl7:value/hl7:high", "value"),
    F("current_only", f"{_PL}/hl7:currentOnly/hl7:value", "value"),
    F("include_voided", f"{_PL}/hl7:includeVoided/hl7:value", "value"),
    F("document_id", f"{_PL}/hl7:documentId/hl7:value", "ii"),
    F("include_history", f"{_PL}/hl7:includeHistory/hl7:value", "value"),
)
REQUEST_PATHS = {f.attr: f.path for f in REQUEST_SPEC}
READER_PATHS = {f.attr: f.path for f in _READER}


def request_xpath(attr: str, interaction: str, *, at: str | None = None, reader: str | None = None) -> str:
    """XPath of a request field (for findings); `reader` names a field of authorOrPerformer."""
    steps = [REQUEST_PATHS[attr]] + ([READER_PATHS[reader]] if reader else [])
    if reader == "person":
        steps.append("hl7:id")
    return xpath_of(f"/hl7:{interaction}", *steps, attr=at)


def reason_xpath(code_system: str, interaction: str) -> str:
    return xpath_of(f"/hl7:{interaction}", f"{REQUEST_PATHS['reason_codes']}[@codeSystem='{code_system}']", attr="code")


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


__all__ = [
    "DocumentEntry", "Detail", "Interaction", "Interactions", "QueryAck", "ReadRequest", "ReadResponse", "Reader",
    "build_request", "build_response", "new_request", "new_response", "parse_request", "parse_response",
    "request_from_tree", "response_from_tree",
]
