"""What the wire endpoints share: the tenant of a request, a bounded body, the answer to a deleted tenant,
the traffic row of a body refused unread, and the SOAP envelope of an answer."""
from __future__ import annotations

from starlette.requests import Request

from mock_kanta.store import ConstraintViolation, UnknownTenant
from mock_kanta.traffic import service as traffic
from mock_kanta.wire.soap import SOAP11_NS, SOAP12_NS

TENANT_HEADER = "x-mock-kanta-tenant"
XML = "text/xml; charset=utf-8"


class BodyTooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


class ClientGone(Exception):
    """The client disconnected before its whole body arrived (nothing to answer, nothing read)."""


async def read_body(request: Request, limit: int) -> bytes:
    """Read the request body, stopping as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


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
