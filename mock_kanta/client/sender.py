"""Send documents to a sandbox (or anything speaking its interfaces) and read the answers.

    client = KantaClient("http://127.0.0.1:8080")
    answer = client.archive(frame, signed)         # POST /kanta/shark/arkisto
    answer.ack, answer.rule_ids                     # "AA", [...]
    client.validate(frame, signed).valid            # POST /shark-validointi/validoi/asiakirja/tulos

Transports: "multipart" (frame part, then document part) or "soap" (SOAP 1.1 envelope
holding the frame, document as a MIME attachment), both as the sandbox documents them
in docs/interfaces.md. For mutual TLS pass an `httpx.Client` set up with the
organisation's client certificate.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import httpx
from lxml import etree

from mock_kanta.client.auth import auth_headers, token_or_env
from mock_kanta.client.coding import SERVICE_REQUESTS
from mock_kanta.client.frames import frame_bytes
from mock_kanta.core.model import II, Frame
from mock_kanta.wire import hl7v3, safexml, soap

ARCHIVE_PATH = "/kanta/shark/arkisto"
VALIDATE_PATH = "/shark-validointi/validoi/asiakirja/tulos"
CLOCK_PATH = "/api/v1/clock"
TENANT_HEADER = "X-Mock-Kanta-Tenant"
TRANSPORTS = ("multipart", "soap")


class KantaClientError(RuntimeError):
    """The server answered with something that is not an acknowledgement or validation answer."""

    def __init__(self, message: str, status: int, body: bytes):
        super().__init__(f"{message} (HTTP {status}): {body[:300]!r}")
        self.status, self.body = status, body


class Detail(NamedTuple):
    """One acknowledgementDetail: type E/W/I, the rule id, the text (fi, sv, en, fix, source), the XPath."""

    type_code: str
    rule: str
    text: str
    location: str


class Acknowledged:
    """What an answer carrying an acknowledgement offers, from its `ack` and `details`
    (the archive's `Answer`, the read side's `ReadAnswer`)."""

    ack: str | None
    details: tuple[Detail, ...]

    @property
    def accepted(self) -> bool:
        return self.ack == "AA"

    @property
    def errors(self) -> list[Detail]:
        return [d for d in self.details if d.type_code == "E"]

    @property
    def warnings(self) -> list[Detail]:
        return [d for d in self.details if d.type_code == "W"]

    @property
    def rule_ids(self) -> list[str]:
        return [d.rule for d in self.details]


@dataclass(frozen=True)
class Answer(Acknowledged):
    """The archive's acknowledgement: AA accepted, AE refused by the rules, AR unreadable."""

    ack: str
    details: tuple[Detail, ...]
    status: int
    raw: bytes
    target: II | None = None


@dataclass(frozen=True)
class ValidationAnswer:
    """The validation clone's answer: valid is HTTP 200 with an empty body (Kela's shape)."""

    status: int
    raw: bytes
    payload: dict | None

    @property
    def valid(self) -> bool:
        return self.status == 200 and not self.raw.strip()

    @property
    def description(self) -> str | None:
        return self.payload.get("description") if self.payload else None

    @property
    def code(self) -> str | None:
        return self.payload.get("code") if self.payload else None

    @property
    def findings(self) -> list[dict]:
        return list(self.payload.get("findings") or []) if self.payload else []

    @property
    def errors(self) -> list[dict]:
        return [f for f in self.findings if f.get("severity") == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [f for f in self.findings if f.get("severity") == "warning"]

    @property
    def rule_ids(self) -> list[str]:
        return [f.get("rule") for f in self.findings]


def parse_answer(status: int, raw: bytes) -> Answer:
    """An acknowledgement, bare or inside a SOAP envelope."""
    try:
        root = safexml.parse(raw)
        if etree.QName(root).localname == "Envelope":
            body = next(el for el in root if isinstance(el.tag, str) and etree.QName(el).localname == "Body")
            root = next(el for el in body if isinstance(el.tag, str))
        ack = hl7v3.parse_ack(etree.tostring(root))
    except (safexml.XMLInputError, StopIteration, AttributeError) as exc:
        raise KantaClientError(f"not an acknowledgement ({exc})", status, raw) from None
    details = tuple(Detail(d["type_code"], d["code"], d["text"] or "", d["location"] or "") for d in ack["details"])
    return Answer(ack["type_code"], details, status, raw, ack["target"])


def _frame_bytes(frame: Frame | bytes) -> bytes:
    return frame if isinstance(frame, bytes) else frame_bytes(frame)


def _service_request(frame: Frame | bytes) -> str | None:
    parsed = frame if isinstance(frame, Frame) else hl7v3.parse_frame(frame)[0]
    sp = parsed.reason(SERVICE_REQUESTS)
    return sp.code if sp else None


class KantaClient:
    """The sandbox's archive interface, validation clone and clock, for one tenant."""

    def __init__(self, base_url: str, *, tenant: str | None = None, http: httpx.Client | None = None,
                 transport: str = "multipart", timeout: float = 30.0, token: str | None = None):
        """`token`: sent as `Authorization: Bearer` (default MOCK_KANTA_TOKEN) to a sandbox with access control on."""
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self.base_url = base_url.rstrip("/")
        self.tenant, self.transport = tenant, transport
        self.token = token_or_env(token)
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> "KantaClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _headers(self, content_type: str | None = None) -> dict:
        headers = {TENANT_HEADER: self.tenant} if self.tenant else {}
        headers.update(auth_headers(self.token))
        if content_type:
            headers["Content-Type"] = content_type
        return headers

    def archive(self, frame: Frame | bytes, document_bytes: bytes, *, transport: str | None = None) -> Answer:
        """Archive one frame and document pair; the answer whatever it is (AA, AE or AR)."""
        transport = transport or self.transport
        build = soap.build_soap_swa if transport == "soap" else soap.build_multipart
        body, content_type = build(_frame_bytes(frame), document_bytes)
        response = self.http.post(self.base_url + ARCHIVE_PATH, content=body, headers=self._headers(content_type))
        return parse_answer(response.status_code, response.content)

    def validate(self, frame: Frame | bytes, document_bytes: bytes, service_request: str | None = None, *,
                 message_id: str | None = None, level: str = "1") -> ValidationAnswer:
        """Ask the validation clone; service_request (palveluPyynto) defaults to the frame's own."""
        request = {
            "messageId": message_id or str(uuid.uuid4()),
            "palveluPyynto": service_request or _service_request(frame) or "",
            "level": level,
            "siirtokehysXml": _frame_bytes(frame).decode("utf-8"),
            "asiakirjaXml": document_bytes.decode("utf-8"),
        }
        response = self.http.post(self.base_url + VALIDATE_PATH, json=request, headers=self._headers())
        payload = None
        if response.content.strip():
            try:
                payload = response.json()
            except json.JSONDecodeError:
                raise KantaClientError("the validation answer is not JSON", response.status_code, response.content) from None
        return ValidationAnswer(response.status_code, response.content, payload)

    def _clock(self, method: str, path: str = "", body: dict | None = None) -> dict:
        response = self.http.request(method, self.base_url + CLOCK_PATH + path, json=body, headers=self._headers())
        if response.status_code != 200:
            raise KantaClientError("the clock call failed", response.status_code, response.content)
        return response.json()

    def clock(self) -> dict:
        """The tenant's sandbox clock: {"now", "mode", …}."""
        return self._clock("GET")

    def clock_set(self, at: datetime | str, frozen: bool = False) -> dict:
        """Set the sandbox time (an aware datetime or an ISO 8601 string); it runs on unless frozen."""
        if isinstance(at, datetime):
            if at.tzinfo is None:
                raise ValueError("give the clock an aware datetime (with its time zone)")
            at = at.isoformat()
        return self._clock("PUT", body={"time": at, "frozen": frozen})

    def clock_advance(self, **delta: float) -> dict:
        """Move the sandbox time on: days=, hours=, minutes=, seconds=."""
        return self._clock("POST", "/advance", delta)

    def clock_reset(self) -> dict:
        """Back to real time."""
        return self._clock("DELETE")
