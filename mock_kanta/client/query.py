"""Read the archive: build, send and parse queries and retrieves (modelled messages, docs/read-side.md).

    from mock_kanta.client.query import QueryClient, Reader
    reader = Reader(professional, organisation=kielo, unit=tuusula, certificate=card.certificate)
    with QueryClient("http://127.0.0.1:8080") as reads:
        answer = reads.query(reader, client=hetu, usage="2", register=keusote.oid)
        answer.ack, [d.document_id for d in answer.documents]          # "AA", [...]
        one = reads.retrieve(reader, answer.documents[0].document_id, usage="2")
        one.documents[0].document_bytes                                 # the stored CDA, signatures intact

`usage` is the usage situation (1 = the organisation's own register; the sandbox's modelled
2 = a provider in the organiser's register). The card certificate identifies the reader: a
`cryptography` certificate (a virtual card's `Card.certificate`, a signer's `.certificate`)
or its DER bytes.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mock_kanta.client.auth import auth_headers, token_or_env
from mock_kanta.client.coding import SERVICE_REQUESTS, USAGE_SITUATIONS, coded, hl7_date, hl7_ts
from mock_kanta.client.parties import Org, Professional, Unit
from mock_kanta.client.sender import TENANT_HEADER, Acknowledged, Detail, KantaClient, KantaClientError
from mock_kanta.core.model import II, Coded, OrgRef, Person
from mock_kanta.wire import safexml, soap
from mock_kanta.wire.paths.query import CERT_MEDIA_TYPE, Interactions, ReadRequest
from mock_kanta.wire.paths.query import Reader as WireReader
from mock_kanta.wire.query_messages import (
    HETU_ROOT,
    DocumentEntry,
    ReadResponse,
    build_request,
    new_request,
    parse_response,
)

GROUP_SYSTEM = "1.2.246.537.6.1505.201601"
TYPE_SYSTEM = "1.2.246.537.6.1506.201701"
TASK_SYSTEM = "1.2.246.537.6.1221.201601"
TRANSPORTS = ("plain", "soap")


@dataclass(frozen=True)
class Reader:
    """Who reads: the professional, the organisation that sends the read, the service unit, the card."""

    professional: Professional
    organisation: Org
    unit: Unit | Org
    certificate: x509.Certificate | bytes | None

    def wire(self) -> WireReader:
        cert = self.certificate
        der = cert.public_bytes(Encoding.DER) if isinstance(cert, x509.Certificate) else cert
        return WireReader(
            type_code="AUT", person=Person(id=self.professional.author().id, name=self.professional.name),
            organisation=OrgRef(II(root=self.unit.oid), self.unit.name),
            certificate_media_type=CERT_MEDIA_TYPE if der else None,
            certificate_b64=base64.b64encode(der).decode("ascii") if der else None,
        )


@lru_cache(maxsize=1)
def _builtin_interactions() -> Interactions:
    return Interactions.load()


def _interactions(interactions: Interactions | None) -> Interactions:
    """The given interactions, else the built-in ones (read from YAML once, not per request built)."""
    return interactions or _builtin_interactions()


def _reasons(kind: str, usage: str, interactions: Interactions, service_request: str | None) -> tuple[Coded, ...]:
    sp = interactions[kind].service_request
    return (Coded(code=service_request or sp.code, code_system=SERVICE_REQUESTS, display_name=sp.display_name),
            coded(USAGE_SITUATIONS, usage))


def _ts(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return hl7_ts(value) if isinstance(value, datetime) else hl7_date(value)


def _codes(system: str, values) -> tuple[Coded, ...]:
    return tuple(v if isinstance(v, Coded) else Coded(code=str(v), code_system=system) for v in values or ())


def _bool(value: bool | str | None) -> str | None:
    return value if value is None or isinstance(value, str) else ("true" if value else "false")


def query_request(
    reader: Reader, *, client: str, usage: str = "1", register: str | None = None, matter: str | None = None,
    service_tasks=(), document_groups=(), document_types=(), since: date | datetime | str | None = None,
    until: date | datetime | str | None = None, current_only: bool | str | None = None, include_voided: bool | str | None = None,
    limit: int | None = None, interactions: Interactions | None = None, service_request: str | None = None,
    message_id: II | None = None, now: datetime | None = None,
) -> ReadRequest:
    """A query for `client`'s documents (henkilötunnus). since/until: the documents' date range (inclusive;
    a date covers the whole day). current_only (server default true), include_voided (default false)."""
    found = _interactions(interactions)
    return new_request(
        found["query"], sender=reader.organisation.oid, reader=reader.wire(),
        reason_codes=_reasons("query", usage, found, service_request), message_id=message_id, now=now,
        initial_quantity=str(limit) if limit is not None else None,
        client_id=II(root=HETU_ROOT, extension=client), register_id=II(root=register) if register else None,
        matter_id=II(root=matter) if matter else None, service_tasks=_codes(TASK_SYSTEM, service_tasks),
        document_groups=_codes(GROUP_SYSTEM, document_groups), document_types=_codes(TYPE_SYSTEM, document_types),
        time_low=_ts(since), time_high=_ts(until), current_only=_bool(current_only), include_voided=_bool(include_voided),
    )


def retrieve_request(
    reader: Reader, document_id: str, *, usage: str = "1", client: str | None = None, register: str | None = None,
    include_history: bool | str | None = None, interactions: Interactions | None = None, service_request: str | None = None,
    message_id: II | None = None, now: datetime | None = None,
) -> ReadRequest:
    """A retrieve of one document (the stored bytes); include_history adds every version of its set."""
    found = _interactions(interactions)
    return new_request(
        found["retrieve"], sender=reader.organisation.oid, reader=reader.wire(),
        reason_codes=_reasons("retrieve", usage, found, service_request), message_id=message_id, now=now,
        document_id=II(root=document_id), client_id=II(root=HETU_ROOT, extension=client) if client else None,
        register_id=II(root=register) if register else None, include_history=_bool(include_history),
    )


def request_bytes(request: ReadRequest) -> bytes:
    return build_request(request)


# --- answers ----------------------------------------------------------------------------------


def _root(ii: II | None) -> str | None:
    return ii.root if ii else None


def _code(cd: Coded | None) -> str | None:
    return cd.code if cd else None


@dataclass(frozen=True)
class FoundDocument:
    """One document of an answer: metadata, and for a retrieve the stored bytes."""

    entry: DocumentEntry

    def __getattr__(self, name):  # the entry's fields (id, code, status_code, effective_time, ...)
        if name == "entry":
            raise AttributeError(name)
        return getattr(self.entry, name)

    @property
    def document_id(self) -> str | None:
        return _root(self.entry.id)

    @property
    def set_id(self) -> str | None:
        return _root(self.entry.set_id)

    @property
    def version(self) -> int | None:
        return int(self.entry.version_number) if self.entry.version_number else None

    @property
    def status(self) -> str | None:
        """The sandbox's state: active | replaced | voided (statusCode: completed | obsolete | nullified)."""
        return self.entry.record_status

    @property
    def register_oid(self) -> str | None:
        return _root(self.entry.register.id) if self.entry.register else None

    @property
    def matter(self) -> str | None:
        return _root(self.entry.matter_id)

    @property
    def document_type(self) -> str | None:
        return _code(self.entry.code)

    @property
    def service_task(self) -> str | None:
        return _code(self.entry.service_task)

    @property
    def document_group(self) -> str | None:
        return _code(self.entry.document_group)

    @cached_property
    def document_bytes(self) -> bytes | None:
        return base64.b64decode(self.entry.document_b64) if self.entry.document_b64 else None

    @cached_property
    def frame_bytes(self) -> bytes | None:
        return base64.b64decode(self.entry.frame_b64) if self.entry.frame_b64 else None


@dataclass(frozen=True)
class ReadAnswer(Acknowledged):
    """A read's answer: the acknowledgement (accepted, errors, warnings, rule_ids) and the documents."""

    status: int
    raw: bytes
    response: ReadResponse

    @property
    def ack(self) -> str | None:
        return self.response.ack_type

    @cached_property
    def details(self) -> tuple[Detail, ...]:
        return tuple(Detail(d.type_code or "", d.code or "", d.text or "", d.location or "") for d in self.response.details)

    @cached_property
    def documents(self) -> list[FoundDocument]:
        return [FoundDocument(e) for e in self.response.documents]

    @property
    def document_ids(self) -> list[str]:
        return [d.document_id for d in self.documents]

    @property
    def query_response_code(self) -> str | None:
        return self.response.query_ack.response_code if self.response.query_ack else None

    @property
    def total(self) -> int | None:
        q = self.response.query_ack
        return int(q.total) if q and q.total and q.total.isdigit() else None


def parse_read_answer(status: int, raw: bytes) -> ReadAnswer:
    try:
        response = parse_response(raw)
    except (safexml.XMLInputError, StopIteration, TypeError, ValueError) as exc:
        raise KantaClientError(f"not a read response ({exc})", status, raw) from None
    return ReadAnswer(status, raw, response)


class QueryClient:
    """The sandbox's query and retrieve interfaces, for one tenant. transport "plain" (the bare
    message as text/xml) or "soap" (inside a SOAP 1.1 envelope)."""

    def __init__(self, base_url: str, *, tenant: str | None = None, http: httpx.Client | None = None,
                 transport: str = "plain", interactions: Interactions | None = None, timeout: float = 30.0,
                 token: str | None = None):
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.base_url = base_url.rstrip("/")
        self.tenant, self.transport = tenant, transport
        self.token = token_or_env(token)  # Authorization: Bearer, for a sandbox with access control on
        self.interactions = _interactions(interactions)
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    @classmethod
    def of(cls, kanta: KantaClient, **kwargs) -> "QueryClient":
        """Share a KantaClient's connection and tenant."""
        return cls(kanta.base_url, tenant=kanta.tenant, http=kanta.http, token=kanta.token, **kwargs)

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> "QueryClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, kind: str, request: ReadRequest | bytes, *, transport: str | None = None) -> ReadAnswer:
        """Post a built request (or raw bytes) to the interaction's path; the answer whatever it is."""
        data = request if isinstance(request, bytes) else build_request(request)
        if (transport or self.transport) == "soap":
            data = soap.build_soap_envelope(data)
        headers = {"Content-Type": "text/xml; charset=UTF-8", **auth_headers(self.token)}
        if self.tenant:
            headers[TENANT_HEADER] = self.tenant
        response = self.http.post(self.base_url + self.interactions[kind].path, content=data, headers=headers)
        return parse_read_answer(response.status_code, response.content)

    def query(self, reader: Reader, *, client: str, transport: str | None = None, **kwargs) -> ReadAnswer:
        return self.send("query", query_request(reader, client=client, interactions=self.interactions, **kwargs), transport=transport)

    def retrieve(self, reader: Reader, document_id: str, *, transport: str | None = None, **kwargs) -> ReadAnswer:
        return self.send("retrieve", retrieve_request(reader, document_id, interactions=self.interactions, **kwargs),
                         transport=transport)


__all__ = ["FoundDocument", "QueryClient", "ReadAnswer", "Reader", "parse_read_answer", "query_request", "request_bytes",
           "retrieve_request"]
