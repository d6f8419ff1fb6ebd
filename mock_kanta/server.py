"""The Kanta-faithful endpoints as a lean ASGI app (no OpenAPI middleware on the hot path).

POST /kanta/shark/arkisto                     archive interface (HL7 V3 frame + CDA)
POST /shark-validointi/validoi/asiakirja/tulos validation service clone (Kela's JSON shape)
GET  /healthz                                  200 when the store answers
"""
from __future__ import annotations

import json

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_kanta import shark, traffic
from mock_kanta.rules import finding
from mock_kanta.services import Services
from mock_kanta.store.db import UnknownTenant
from mock_kanta.wire.soap import SOAP11_NS, SOAP12_NS

TENANT_HEADER = "x-mock-kanta-tenant"
XML = "text/xml; charset=utf-8"
ARCHIVE_PATH = "/kanta/shark/arkisto"


class BodyTooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


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


def tenant_of(request: Request, services: Services) -> str:
    return request.headers.get(TENANT_HEADER) or services.settings.default_tenant


def unknown_tenant(tenant: str) -> str:
    return f"no sandbox tenant {tenant!r} (header X-Mock-Kanta-Tenant)"


def tenant_gone(services: Services, tenant: str, exc: Exception) -> bool:
    """After a failure: True (and the tenant forgotten) when it is because another worker deleted the
    tenant this process still knew (UnknownTenant, or a row refused for want of its tenant)."""
    if isinstance(exc, UnknownTenant) or (isinstance(exc, IntegrityError) and services.store.tenant(tenant) is None):
        services.forget_tenant(tenant)
        return True
    return False


def record_unread(services: Services, tenant: str, channel: str, verdict: str, findings, content_type: str | None) -> None:
    """The traffic row of a message refused before it was read (too large: nothing of it is kept)."""
    try:
        traffic.write(services.store, traffic.message_row(
            tenant, channel, verdict, at=services.clock.now(tenant), findings=findings,
            ack="AR" if channel == "archive" else None, content_type=content_type,
            detail="the body was not read: larger than MOCK_KANTA_MAX_BODY_BYTES"))
    except IntegrityError as exc:  # the tenant was deleted meanwhile
        if not tenant_gone(services, tenant, exc):
            raise


class ClientGone(Exception):
    """The client disconnected before its whole body arrived (nothing to answer, nothing read)."""


_XML_TYPE = (b"content-type", XML.encode())


class ArchiveEndpoint:
    """POST /kanta/shark/arkisto as a plain ASGI app, the archive's hot path: the headers read from the
    scope, the body from its chunks, the answer sent with prebuilt headers (no Starlette Request or
    Response objects). The Dispatcher calls it directly for POST; other methods get Starlette's 405."""

    def __init__(self, services: Services):
        self.services, self.archive = services, services.archive
        self.limit = services.settings.max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        tenant = content_type = declared = None
        for name, value in scope["headers"]:  # names are lower-case in ASGI; the first of each wins
            if name == b"content-type":
                content_type = content_type or value.decode("latin-1")
            elif name == b"content-length":
                declared = declared or value
            elif name == b"x-mock-kanta-tenant":
                tenant = tenant or value.decode("latin-1")
        services, archive = self.services, self.archive
        tenant = tenant or services.settings.default_tenant
        if not services.has_tenant(tenant):
            return await self._no_tenant(send, tenant)
        try:
            body = await self._body(receive, declared)
        except BodyTooLarge as exc:
            refused = archive.refuse([finding("SH-XML-003", "/", part="HTTP body", size=exc.size, limit=self.limit)])
            record_unread(services, tenant, "archive", "AR", refused.findings, content_type)
            return await _send_xml(send, 413, archive.ack_bytes(refused))
        except ClientGone:
            return
        # The checks (CPU) run on the event loop: a thread hop costs more than it saves; scale with
        # worker processes (mock-kanta serve --workers). The write goes to the process's group-commit
        # writer thread, so the loop checks the next documents while SQLite syncs; the answer comes
        # only after the document's commit.
        state = scope.get("state")
        client_org = state.get("client_org") if state else None
        try:
            outcome = await archive.archive_async(tenant, body, content_type, client_org)
        except (UnknownTenant, IntegrityError) as exc:
            if tenant_gone(services, tenant, exc):
                return await self._no_tenant(send, tenant)
            raise
        payload = archive.ack_bytes(outcome)
        if outcome.parsed.soap_version:
            payload = soap_envelope(payload, outcome.parsed.soap_version)
        await _send_xml(send, 400 if outcome.ack == "AR" else 200, payload)

    async def _body(self, receive, declared: bytes | None) -> bytes:
        """The request body, refused as soon as it (or its declared length) exceeds the limit."""
        limit = self.limit
        if declared and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(int(declared))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone()
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(size)
                chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _no_tenant(self, send, tenant: str) -> None:
        refused = self.archive.refuse([finding("SH-TRN-004", "/", detail=unknown_tenant(tenant))])
        await _send_xml(send, 404, self.archive.ack_bytes(refused))


async def _send_xml(send, status: int, payload: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(payload)).encode()), _XML_TYPE]})
    await send({"type": "http.response.body", "body": payload})


def routes(services: Services) -> list[Route]:
    archive = services.archive
    limit = services.settings.max_body_bytes

    async def healthz(request: Request) -> Response:
        try:
            ok = await run_in_threadpool(services.store.ping)
        except Exception as exc:  # the store is down: say so, do not crash
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    async def validate_endpoint(request: Request) -> Response:
        tenant = tenant_of(request, services)
        if not services.has_tenant(tenant):
            return JSONResponse(shark.failure(None, [finding("SH-TRN-004", "/", detail=unknown_tenant(tenant))]), status_code=404)
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            f = finding("SH-XML-003", "/", part="HTTP body", size=exc.size, limit=limit)
            record_unread(services, tenant, "validate", "invalid", [f], request.headers.get("content-type"))
            return JSONResponse(shark.failure(None, [f]), status_code=413)
        try:
            status, payload = shark.validate(archive, body, tenant, request.headers.get("content-type"))
        except (UnknownTenant, IntegrityError) as exc:
            if tenant_gone(services, tenant, exc):
                return JSONResponse(shark.failure(None, [finding("SH-TRN-004", "/", detail=unknown_tenant(tenant))]),
                                    status_code=404)
            raise
        if payload is None:
            return Response(status_code=status)
        return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type="application/json")

    pki = services.pki

    async def crl(request: Request) -> Response:
        try:
            return Response(pki.crl_der(request.path_params["ca"]), media_type="application/pkix-crl")
        except KeyError:
            return JSONResponse({"detail": f"no CA {request.path_params['ca']!r}; CAs: {', '.join(pki.cas)}"}, status_code=404)

    async def ca_certificate(request: Request) -> Response:
        try:
            return Response(pki.ca_der(request.path_params["ca"]), media_type="application/pkix-cert")
        except KeyError:
            return JSONResponse({"detail": f"no CA {request.path_params['ca']!r}; CAs: {', '.join(pki.cas)}"}, status_code=404)

    async def chain(request: Request) -> Response:
        return Response(pki.chain_pem(), media_type="application/x-pem-file")

    return [
        Route("/pki/crl/{ca}.crl", crl, methods=["GET"]),
        Route("/pki/ca/{ca}.crt", ca_certificate, methods=["GET"]),
        Route("/pki/ca.pem", chain, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route(ARCHIVE_PATH, ArchiveEndpoint(services), methods=["POST"]),  # plain ASGI (see ArchiveEndpoint)
        Route("/shark-validointi/validoi/asiakirja/tulos", validate_endpoint, methods=["POST"]),
    ]


async def refuse_client(scope, send, detail: str, services: Services) -> None:
    """The mTLS gate's answer: an AR acknowledgement on the archive path, a problem+json elsewhere."""
    from mock_kanta import query_routes

    read = query_routes.refusal(scope, detail, services)
    if read is not None:
        await read(scope, None, send)
        return
    if scope["path"] == ARCHIVE_PATH:
        ack = services.archive.ack_bytes(services.archive.refuse([finding("SH-TRN-006", "/", detail=detail)]))
        response = Response(ack, status_code=403, media_type=XML)
    else:
        body = {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": f"TLS client certificate refused: {detail}"}
        response = JSONResponse(body, status_code=403, media_type="application/problem+json")
    await response(scope, None, send)


def soap_envelope(ack: bytes, version: str = "1.1") -> bytes:
    """Wrap an acknowledgement in a SOAP envelope of the request's version."""
    ns = (SOAP12_NS if version == "1.2" else SOAP11_NS).encode()
    inner = ack.split(b"?>", 1)[1] if ack.startswith(b"<?xml") else ack
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="' + ns + b'"><soap:Body>'
        + inner
        + b"</soap:Body></soap:Envelope>"
    )
