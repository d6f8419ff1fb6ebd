"""Faults per tenant: what a trainer sets (validated), and which fault a wire request meets.

A fault applies to one endpoint (archive, validate, query, retrieve, or any) and optionally one message type:
the request matches when the type's identifier (a template id, an interaction id) occurs in its bytes. With a
count it applies to the next N matching requests (counted down atomically in the database, across worker
processes); with a probability to each matching request at that chance. The faults are cached per process with
the tenant's settings generation, which every change bumps: a tenant without faults costs no query beyond the
generation lookup the endpoint makes anyway.
"""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass

from mock_kanta.core.clock import utc_now
from mock_kanta.core.findings import Basis, Finding, Severity
from mock_kanta.store.queries import faults as rows

KINDS = ("delay", "status", "drop", "refuse")
ENDPOINTS = ("archive", "validate", "query", "retrieve", "any")
WHEN = ("before", "after")
MAX_DELAY_MS = 120_000
MAX_COUNT = 1_000_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FIELDS = {"kind", "endpoint", "messageType", "when", "delayMs", "jitterMs", "status", "ack", "code", "text", "count",
           "probability"}


@dataclass(frozen=True)
class Fault:
    id: str
    kind: str
    endpoint: str
    message_type: str | None
    when: str
    delay_ms: int | None
    jitter_ms: int | None
    status: int | None
    ack: str | None
    code: str | None
    text: str | None
    remaining: int | None
    probability: float | None
    fired: int

    @classmethod
    def of(cls, row: dict) -> Fault:
        return cls(row["id"], row["kind"], row["endpoint"], row["message_type"], row["when_"], row["delay_ms"],
                   row["jitter_ms"], row["status"], row["ack"], row["code"], row["text"], row["remaining"],
                   row["probability"], row["fired"])

    def seconds(self) -> float:
        """The delay of this firing: delay_ms, plus up to jitter_ms at random."""
        jitter = random.randint(0, self.jitter_ms) if self.jitter_ms else 0
        return ((self.delay_ms or 0) + jitter) / 1000

    def finding(self) -> Finding:
        """A refusal's one acknowledgementDetail: the trainer's code and text."""
        text = {lang: self.text or "" for lang in ("fi", "sv", "en")}
        return Finding(self.code or "", Severity.ERROR, "/", text, {lang: "" for lang in text},
                       "mock-kanta: injected fault", Basis.MODELLED)

    def to_json(self) -> dict:
        out = {"id": self.id, "kind": self.kind, "endpoint": self.endpoint, "messageType": self.message_type,
               "when": self.when, "count": self.remaining, "probability": self.probability, "fired": self.fired}
        extra = {"delay": {"delayMs": self.delay_ms, "jitterMs": self.jitter_ms or 0}, "status": {"status": self.status},
                 "refuse": {"ack": self.ack, "code": self.code, "text": self.text}}
        if self.kind == "status" and self.delay_ms:
            out["delayMs"] = self.delay_ms
        return {**out, **extra.get(self.kind, {})}


class Faults:
    """The faults of every tenant this process met, by generation."""

    def __init__(self, store):
        self.store = store
        self._cache: dict[str, tuple[int, tuple[Fault, ...]]] = {}

    # --- the wire side ---

    def due(self, tenant: str, generation: int, endpoint: str, body: bytes) -> Fault | None:
        """The fault this request meets, if any (its firing counted); `generation` is the tenant's, as the
        endpoint just read it."""
        cached = self._cache.get(tenant)
        if cached is None or cached[0] != generation:
            live = tuple(Fault.of(r) for r in rows.listed(self.store, tenant) if r["remaining"] != 0)
            cached = self._cache[tenant] = (generation, live)
        for fault in cached[1]:
            if fault.endpoint not in (endpoint, "any"):
                continue
            if fault.message_type and fault.message_type.encode() not in body:
                continue
            if fault.probability is not None and random.random() >= fault.probability:
                continue
            if rows.fire(self.store, tenant, fault.id, counted=fault.remaining is not None):
                return fault
        return None

    def mark_injected(self, tenant: str, seq: int, fault: Fault) -> None:
        rows.mark(self.store, tenant, seq, fault_id=fault.id)

    # --- the control side ---

    def listed(self, tenant: str) -> list[dict]:
        return [Fault.of(r).to_json() for r in rows.listed(self.store, tenant)]

    def add(self, tenant: str, spec: dict) -> dict:
        """Validate and store one fault; ValueError says what is wrong."""
        row = {"tenant_id": tenant, "id": f"flt-{secrets.token_hex(6)}", "fired": 0,
               "created_at": utc_now().isoformat(timespec="microseconds"), **parse(spec)}
        rows.add(self.store, row)
        return Fault.of(row).to_json()

    def remove(self, tenant: str, fault_id: str | None = None) -> int:
        return rows.remove(self.store, tenant, fault_id)


def parse(spec: dict) -> dict:
    """A fault's columns from its JSON (the control API's and a scenario step's shape); ValueError if invalid."""
    if not isinstance(spec, dict):
        raise ValueError("a fault is an object")
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    kind = _choice(spec, "kind", KINDS, None)
    out = {"kind": kind, "endpoint": _choice(spec, "endpoint", ENDPOINTS, "any"),
           "when_": _choice(spec, "when", WHEN, "before"), "message_type": None, "delay_ms": None, "jitter_ms": None,
           "status": None, "ack": None, "code": None, "text": None, "remaining": None, "probability": None}
    message_type = spec.get("messageType")
    if message_type is not None:
        if not isinstance(message_type, str) or not 1 <= len(message_type) <= 256 or "\x00" in message_type:
            raise ValueError("messageType is a template or interaction id of 1 to 256 characters")
        out["message_type"] = message_type
    allowed = {"delay": {"delayMs", "jitterMs"}, "status": {"status", "delayMs"}, "drop": set(),
               "refuse": {"ack", "code", "text"}}[kind]
    wrong = sorted(({"delayMs", "jitterMs", "status", "ack", "code", "text"} & set(spec)) - allowed)
    if wrong:
        raise ValueError(f"a {kind} fault takes no {', '.join(wrong)}")
    if kind == "delay":
        out["delay_ms"] = _int(spec, "delayMs", 0, MAX_DELAY_MS, required=True)
        out["jitter_ms"] = _int(spec, "jitterMs", 0, MAX_DELAY_MS, required=False) or 0
    elif kind == "status":
        out["status"] = _int(spec, "status", 400, 599, required=True)
        out["delay_ms"] = _int(spec, "delayMs", 0, MAX_DELAY_MS, required=False)
    elif kind == "refuse":
        if out["when_"] != "before":
            raise ValueError("a refusal changes nothing: its `when` is before")
        out["ack"] = _choice(spec, "ack", ("AE", "AR"), "AE")
        code = spec.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ValueError("code is required: a Kanta-style error code (letters, digits, '.', '_', '-'; up to 64)")
        text = spec.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000 or "\x00" in text:
            raise ValueError("text is required: 1 to 2000 characters")
        out["code"], out["text"] = code, text
    if "count" in spec and "probability" in spec:
        raise ValueError("give a count or a probability, not both")
    if "count" in spec:
        out["remaining"] = _int(spec, "count", 1, MAX_COUNT, required=True)
    if "probability" in spec:
        p = spec["probability"]
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1:
            raise ValueError("probability is a number greater than 0 and at most 1")
        out["probability"] = float(p)
    return out


def _choice(spec: dict, name: str, allowed: tuple, default):
    value = spec.get(name, default)
    if value not in allowed:
        raise ValueError(f"{name} is one of {', '.join(allowed)}, not {value!r}")
    return value


def _int(spec: dict, name: str, low: int, high: int, *, required: bool) -> int | None:
    value = spec.get(name)
    if value is None and not required:
        return None
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} is an integer from {low} to {high}, not {value!r}")
    return value


def of(services) -> Faults:
    """The process's faults (made once per Services)."""
    found = services.__dict__.get("_faults")
    if found is None:
        found = services.__dict__.setdefault("_faults", Faults(services.store))
    return found
