"""The archive area on the wire (a lean ASGI app: no OpenAPI middleware on the hot path).

POST /kanta/shark/arkisto                      archive interface (HL7 V3 frame + CDA)
POST /shark-validointi/validoi/asiakirja/tulos validation service clone (Kela's JSON shape)
"""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_kanta.archive import validation as shark
from mock_kanta.faults import endpoint as faulty
from mock_kanta.faults import refusals
from mock_kanta.faults import service as faults
from mock_kanta.http.requests import (
    RETRY_AFTER,
    XML,
    BodyTimeout,
    BodyTooLarge,
    Busy,
    ClientGone,
    held_body,
    record_unread,
    soap_envelope,
    tenant_gone,
    tenant_of,
    unknown_tenant,
)
from mock_kanta.rules import Problem, ProblemKind, unread
from mock_kanta.store import ConstraintViolation, UnknownTenant

ARCHIVE_PATH = "/kanta/shark/arkisto"
VALIDATION_PATH = "/shark-validointi/validoi/asiakirja/tulos"
_XML_TYPE = (b"content-type", XML.encode())


class ArchiveEndpoint:
    """POST /kanta/shark/arkisto as a plain ASGI app, the archive's hot path: the headers read from the
    scope, the body from its chunks, the answer sent with prebuilt headers (no Starlette Request or
    Response objects). The Dispatcher calls it directly for POST; other methods get Starlette's 405."""

    def __init__(self, services):
        self.services, self.archive = services, services.archive
        self.limit = services.settings.max_body_bytes
        self.faults = faults.of(services)

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
        generation = services.store.generation(tenant)  # the tenant exists now; its faults' cache key
        if generation is None:
            return await self._no_tenant(send, tenant)
        # The body is held against the process's budget until the answer; the checks (CPU) run in a worker
        # thread (Archive.archive_async), so the loop keeps answering while a large document is checked. The
        # write goes to the process's group-commit writer thread; the answer comes after the commit.
        state = scope.get("state")
        client_org = state.get("client_org") if state else None
        try:
            async with held_body(receive, declared, self.limit) as body:
                fault = self.faults.due(tenant, generation, "archive", body)
                if fault is not None and fault.when == "before":
                    if fault.kind == "delay":
                        await faulty.pause(fault)
                    else:
                        return await self._fault_before(receive, send, tenant, fault, body, content_type)
                try:
                    outcome = await archive.archive_async(tenant, body, content_type, client_org)
                except (UnknownTenant, ConstraintViolation) as exc:
                    if tenant_gone(services, tenant, exc):
                        return await self._no_tenant(send, tenant)
                    raise
                payload = archive.ack_bytes(outcome)
        except BodyTooLarge as exc:
            refused = archive.refuse(unread(Problem.too_large(exc.size, self.limit)))
            record_unread(services, tenant, "archive", "AR", refused.findings, content_type)
            return await _send_xml(send, 413, archive.ack_bytes(refused))
        except (BodyTimeout, Busy) as exc:
            refused = archive.refuse(unread(Problem(ProblemKind.TRANSPORT, "HTTP body", detail=exc.detail)))
            busy = isinstance(exc, Busy)
            return await _send_xml(send, 503 if busy else 408, archive.ack_bytes(refused),
                                   [(b"retry-after", RETRY_AFTER.encode())] if busy else [(b"connection", b"close")])
        except ClientGone:
            return
        if outcome.parsed.soap_version:
            payload = soap_envelope(payload, outcome.parsed.soap_version)
        if fault is not None and fault.when == "after":  # handled (and stored) already: the answer is what fails
            if fault.kind == "delay":
                await faulty.pause(fault)
            elif fault.kind == "status":
                return await faulty.send_status(send, fault)
            elif fault.kind == "drop":
                return await faulty.drop(receive, send)
        await _send_xml(send, 400 if outcome.ack == "AR" else 200, payload)

    async def _fault_before(self, receive, send, tenant: str, fault, body: bytes, content_type: str | None) -> None:
        """A fault met before the message is handled: nothing of it is stored."""
        if fault.kind == "status":
            return await faulty.send_status(send, fault)
        if fault.kind == "drop":
            return await faulty.drop(receive, send)
        status, payload, soap_version = await run_in_threadpool(refusals.archive, self.services, tenant, fault, body,
                                                                content_type)
        await _send_xml(send, status, soap_envelope(payload, soap_version) if soap_version else payload)

    async def _no_tenant(self, send, tenant: str) -> None:
        refused = self.archive.refuse(unread(Problem.bad_request(unknown_tenant(tenant))))
        await _send_xml(send, 404, self.archive.ack_bytes(refused))


async def _send_xml(send, status: int, payload: bytes, extra: list[tuple[bytes, bytes]] = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(payload)).encode()), _XML_TYPE, *extra]})
    await send({"type": "http.response.body", "body": payload})


def routes(services) -> list[Route]:
    archive = services.archive
    limit = services.settings.max_body_bytes
    faults_of = faults.of(services)

    async def _validation_fault(fault, tenant: str, body: bytes, content_type: str | None, lang: str) -> Response:
        if fault.kind == "status":
            if fault.delay_ms:
                await faulty.pause(fault)
            return faulty.status_response(fault)
        if fault.kind == "drop":
            return faulty.Dropped()
        status, payload = await run_in_threadpool(refusals.validation, services, tenant, fault, body, content_type, lang)
        return Response(payload, status_code=status, media_type="application/json")

    async def validate_endpoint(request: Request) -> Response:
        tenant = tenant_of(request, services)
        lang = shark.language(request.headers.get("accept-language"))  # one language per answer, Finnish by default
        generation = services.store.generation(tenant)
        if generation is None:
            return JSONResponse(shark.failure(None, unread(Problem.bad_request(unknown_tenant(tenant))), lang), status_code=404)
        try:
            async with held_body(request.receive, request.headers.get("content-length"), limit) as body:
                fault = faults_of.due(tenant, generation, "validate", body)
                if fault is not None and fault.when == "before":
                    if fault.kind == "delay":
                        await faulty.pause(fault)
                    else:
                        return await _validation_fault(fault, tenant, body, request.headers.get("content-type"), lang)
                # the checks (CPU) in a worker thread: the loop keeps answering meanwhile
                status, payload = await run_in_threadpool(shark.validate, archive, body, tenant,
                                                          request.headers.get("content-type"), lang)
        except BodyTooLarge as exc:
            [f] = unread(Problem.too_large(exc.size, limit))
            record_unread(services, tenant, "validate", "invalid", [f], request.headers.get("content-type"))
            return JSONResponse(shark.failure(None, [f], lang), status_code=413)
        except (BodyTimeout, Busy) as exc:
            busy = isinstance(exc, Busy)
            return JSONResponse(shark.failure(None, unread(Problem(ProblemKind.TRANSPORT, "HTTP body", detail=exc.detail)), lang),
                                status_code=503 if busy else 408,
                                headers={"Retry-After": RETRY_AFTER} if busy else {"Connection": "close"})
        except ClientGone:
            return Response(status_code=400)
        except (UnknownTenant, ConstraintViolation) as exc:
            if tenant_gone(services, tenant, exc):
                return JSONResponse(shark.failure(None, unread(Problem.bad_request(unknown_tenant(tenant))), lang),
                                    status_code=404)
            raise
        if fault is not None and fault.when == "after":
            if fault.kind == "delay":
                await faulty.pause(fault)
            else:
                return await _validation_fault(fault, tenant, body, None, lang)
        if payload is None:
            return Response(status_code=status)
        return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type="application/json")

    return [
        Route(ARCHIVE_PATH, ArchiveEndpoint(services), methods=["POST"]),  # plain ASGI (see ArchiveEndpoint)
        Route(VALIDATION_PATH, validate_endpoint, methods=["POST"]),
    ]


def refusal(scope, detail: str, services) -> Response | None:
    """The mutual-TLS gate's answer on the archive path (an AR acknowledgement with SH-TRN-006), None elsewhere."""
    if scope.get("path") != ARCHIVE_PATH:
        return None
    ack = services.archive.ack_bytes(services.archive.refuse(unread(Problem.client_certificate(detail))))
    return Response(ack, status_code=403, media_type=XML)
