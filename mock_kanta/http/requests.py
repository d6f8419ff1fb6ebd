"""What the wire endpoints share: the tenant of a request, a bounded body, the answer to a deleted tenant,
the traffic row of a body refused unread, and the SOAP envelope of an answer.

A body is read with three bounds: its size (MOCK_KANTA_MAX_BODY_BYTES: BodyTooLarge), the time it may take
to arrive whole (MOCK_KANTA_BODY_TIMEOUT seconds: BodyTimeout, so a slow or stalled sender holds nothing for
long) and the bytes of all bodies this process holds at once (MOCK_KANTA_BODY_BUDGET_BYTES: Busy, answered
503 with Retry-After). A body counts against the budget from its first byte until its request is answered.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.requests import Request

from mock_kanta.store import ConstraintViolation, UnknownTenant
from mock_kanta.traffic import service as traffic
from mock_kanta.wire.soap import SOAP11_NS, SOAP12_NS

TENANT_HEADER = "x-mock-kanta-tenant"
XML = "text/xml; charset=utf-8"
RETRY_AFTER = "1"  # seconds: the answer to Busy


class BodyTooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


class ClientGone(Exception):
    """The client disconnected before its whole body arrived (nothing to answer, nothing read)."""


class BodyTimeout(Exception):
    """The body did not arrive whole within `seconds` (MOCK_KANTA_BODY_TIMEOUT)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    @property
    def detail(self) -> str:
        return f"the request body did not arrive whole within {self.seconds:g} s (MOCK_KANTA_BODY_TIMEOUT)"


class Busy(Exception):
    """The process already holds its budget of request bodies (MOCK_KANTA_BODY_BUDGET_BYTES)."""

    detail = ("the sandbox holds as many request bodies as it takes at once (MOCK_KANTA_BODY_BUDGET_BYTES); "
              f"send again in {RETRY_AFTER} s")


class Budget:
    """The bytes of request bodies this process holds at once (the event loop's own count: no lock)."""

    def __init__(self, total: int):
        self.total, self.held = total, 0

    def take(self, n: int) -> None:
        if self.held + n > self.total:
            raise Busy()
        self.held += n

    def give(self, n: int) -> None:
        self.held -= n


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive")
    return value


BODY_TIMEOUT = _env_number("MOCK_KANTA_BODY_TIMEOUT", 30.0)  # seconds for a whole body to arrive
BUDGET = Budget(int(_env_number("MOCK_KANTA_BODY_BUDGET_BYTES", 64 * 1024 * 1024)))  # this process's


@asynccontextmanager
async def held_body(receive, declared: bytes | str | None, limit: int, *, budget: Budget | None = None,
                    timeout: float | None = None) -> AsyncIterator[bytes]:
    """The whole request body from ASGI `receive`, held against the process's budget until the block ends.
    BodyTooLarge as soon as it (or its declared length) exceeds `limit`, BodyTimeout when it takes longer than
    `timeout` seconds to arrive, Busy past the budget, ClientGone when the client leaves first."""
    budget = BUDGET if budget is None else budget
    timeout = BODY_TIMEOUT if timeout is None else timeout
    if isinstance(declared, bytes):
        declared = declared.decode("latin-1")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    chunks, size = [], 0
    try:
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except asyncio.TimeoutError:
                raise BodyTimeout(timeout) from None
            if message["type"] != "http.request":
                raise ClientGone()
            chunk = message.get("body", b"")
            if chunk:
                if size + len(chunk) > limit:
                    raise BodyTooLarge(size + len(chunk))
                budget.take(len(chunk))
                size += len(chunk)
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        yield chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        budget.give(size)


def tenant_of(request: Request, services) -> str:
    return request.headers.get(TENANT_HEADER) or services.settings.default_tenant


def unknown_tenant(tenant: str) -> str:
    return f"no sandbox tenant {tenant!r} (header X-Mock-Kanta-Tenant)"


def tenant_gone(services, tenant: str, exc: Exception) -> bool:
    """After a failure: True (and the tenant forgotten) when it is because another worker deleted the
    tenant this process still knew (UnknownTenant, or a row refused for want of its tenant)."""
    if isinstance(exc, UnknownTenant) or (isinstance(exc, ConstraintViolation) and services.store.tenant(tenant) is None):
        services.forget_tenant(tenant)
        return True
    return False


def record_unread(services, tenant: str, channel: str, verdict: str, findings, content_type: str | None) -> None:
    """The traffic row of a message refused before it was read (too large: nothing of it is kept)."""
    try:
        traffic.write(services.store, traffic.message_row(
            tenant, channel, verdict, at=services.clock.now(tenant), findings=findings,
            ack="AR" if channel == "archive" else None, content_type=content_type,
            detail="the body was not read: larger than MOCK_KANTA_MAX_BODY_BYTES"))
    except ConstraintViolation as exc:  # the tenant was deleted meanwhile
        if not tenant_gone(services, tenant, exc):
            raise


def soap_envelope(ack: bytes, version: str = "1.1") -> bytes:
    """Wrap an acknowledgement in a SOAP envelope of the request's version."""
    ns = (SOAP12_NS if version == "1.2" else SOAP11_NS).encode()
    inner = ack.split(b"?>", 1)[1] if ack.startswith(b"<?xml") else ack
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="' + ns + b'"><soap:Body>'
        + inner
        + b"</soap:Body></soap:Envelope>"
    )
