"""Where each field of the read side's requests lives (lxml-free): the modelled query and retrieve interactions
as data (`core/codes/interactions.yaml`, verified: false), the request's dataclasses and field declarations, the
XPath of a request field for a finding, and the HL7 TS of its times. The lxml reader and writer, and the
responses, are `mock_kanta.wire.query_messages`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import yaml

from mock_kanta.core.dates import HELSINKI
from mock_kanta.core.model import II, Coded, OrgRef, Person
from mock_kanta.core.resources import package_file
from mock_kanta.wire.paths import ORG, TRANSMISSION, F, person_spec, xpath_of

KINDS = ("query", "retrieve")
TRIGGER_SYSTEM = "2.16.840.1.113883.1.18"
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
QUERY_PARAMETERS = f"/{_QBP}/"  # in the location of a finding on the query's parameters
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


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def request_xpath(attr: str, interaction: str, *, at: str | None = None, reader: str | None = None) -> str:
    """XPath of a request field (for findings); `reader` names a field of authorOrPerformer."""
    steps = [REQUEST_PATHS[attr]] + ([READER_PATHS[reader]] if reader else [])
    if reader == "person":
        steps.append("hl7:id")
    return xpath_of(f"/hl7:{interaction}", *steps, attr=at)


def unit_xpath(interaction: str) -> str:
    """XPath of the reader's service unit (authorOrPerformer/assignedPerson/representedOrganization/id/@root)."""
    return request_xpath("reader", interaction, reader="organisation") + "/hl7:id/@root"


@lru_cache(maxsize=4096)
def reason_xpath(code_system: str, interaction: str) -> str:
    return xpath_of(f"/hl7:{interaction}", f"{REQUEST_PATHS['reason_codes']}[@codeSystem='{code_system}']", attr="code")


# --- times ------------------------------------------------------------------------------------

_PRECISION = {8: timedelta(days=1), 10: timedelta(hours=1), 12: timedelta(minutes=1), 14: timedelta(seconds=1)}


def hl7_instant(value: str | None, *, end: bool = False) -> datetime | None:
    """An HL7 TS (YYYYMMDD[hh[mm[ss[.f]]]][+zzzz]) as an aware instant (no zone: Helsinki time), None if it is not
    one; `end` gives the first instant after the stated precision (an inclusive upper bound)."""
    if not value:
        return None
    text = value.strip()
    zone = None
    for sign in ("+", "-"):
        if sign in text[8:]:
            head, _, tail = text.rpartition(sign)
            if len(tail) == 4 and tail.isdigit():
                minutes = int(tail[:2]) * 60 + int(tail[2:])
                zone = timezone(timedelta(minutes=minutes if sign == "+" else -minutes))
                text = head
            break
    digits = text.split(".", 1)[0]
    if not digits.isdigit() or len(digits) not in _PRECISION:
        return None
    try:
        parts = [int(digits[0:4]), int(digits[4:6]), int(digits[6:8])] + [int(digits[i:i + 2]) for i in range(8, len(digits), 2)]
        at = datetime(*parts, tzinfo=zone or HELSINKI)
    except ValueError:
        return None
    return at + _PRECISION[len(digits)] if end else at
