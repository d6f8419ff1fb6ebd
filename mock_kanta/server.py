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


def routes(services: Services) -> list[Route]:
    archive = services.archive
    limit = services.settings.max_body_bytes

    async def healthz(request: Request) -> Response:
        try:
            ok = await run_in_threadpool(services.store.ping)
        except Exception as exc:  # the store is down: say so, do not crash
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    def no_tenant_ack(tenant: str) -> Response:
        refused = archive.refuse([finding("SH-TRN-004", "/", detail=unknown_tenant(tenant))])
        return Response(archive.ack_bytes(refused), status_code=404, media_type=XML)

    async def archive_endpoint(request: Request) -> Response:
        tenant = tenant_of(request, services)
        if not services.has_tenant(tenant):
            return no_tenant_ack(tenant)
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            refused = archive.refuse([finding("SH-XML-003", "/", part="HTTP body", size=exc.size, limit=limit)])
            record_unread(tenant, "archive", "AR", refused.findings, request)
            return Response(archive.ack_bytes(refused), status_code=413, media_type=XML)
        # The checks (CPU) run on the event loop: a thread hop costs more than it saves; scale with
        # worker processes (mock-kanta serve --workers). The write goes to the process's group-commit
        # writer thread, so the loop checks the next documents while SQLite syncs; the answer comes
        # only after the document's commit.
        client_org = request.scope.get("state", {}).get("client_org")
        try:
            outcome = await archive.archive_async(tenant, body, request.headers.get("content-type"), client_org)
        except (UnknownTenant, IntegrityError) as exc:
            if tenant_gone(services, tenant, exc):
                return no_tenant_ack(tenant)
            raise
        payload = archive.ack_bytes(outcome)
        if outcome.parsed.soap_version:
            payload = soap_envelope(payload, outcome.parsed.soap_version)
        status = 400 if outcome.ack == "AR" else 200
        return Response(payload, status_code=status, media_type=XML)

    async def validate_endpoint(request: Request) -> Response:
        tenant = tenant_of(request, services)
        if not services.has_tenant(tenant):
            return JSONResponse(shark.failure(None, [finding("SH-TRN-004", "/", detail=unknown_tenant(tenant))]), status_code=404)
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            f = finding("SH-XML-003", "/", part="HTTP body", size=exc.size, limit=limit)
            record_unread(tenant, "validate", "invalid", [f], request)
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

    def record_unread(tenant: str, channel: str, verdict: str, findings, request: Request) -> None:
        """The traffic row of a message refused before it was read (too large: nothing of it is kept)."""
        try:
            traffic.write(services.store, traffic.message_row(
                tenant, channel, verdict, at=services.clock.now(tenant), findings=findings,
                ack="AR" if channel == "archive" else None, content_type=request.headers.get("content-type"),
                detail="the body was not read: larger than MOCK_KANTA_MAX_BODY_BYTES"))
        except IntegrityError as exc:  # the tenant was deleted meanwhile
            if not tenant_gone(services, tenant, exc):
                raise

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
        Route("/kanta/shark/arkisto", archive_endpoint, methods=["POST"]),
        Route("/shark-validointi/validoi/asiakirja/tulos", validate_endpoint, methods=["POST"]),
    ]


async def refuse_client(scope, send, detail: str, services: Services) -> None:
    """The mTLS gate's answer: an AR acknowledgement on the archive path, a problem+json elsewhere."""
    from mock_kanta import query_routes

    read = query_routes.refusal(scope, detail, services)
    if read is not None:
        await read(scope, None, send)
        return
    if scope["path"] == "/kanta/shark/arkisto":
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
