"""The read side on the wire: two Starlette routes for the lean app (see mock_kanta.app).

POST /kanta/shark/haku    query    (RCMR_IN200010FI01 -> RCMR_IN200011FI01, modelled)
POST /kanta/shark/nouto   retrieve (RCMR_IN200012FI01 -> RCMR_IN200013FI01, modelled)

The paths and interaction ids come from `mock_kanta/core/codes/interactions.yaml` (overridable
from `<data-dir>/codes/interactions.yaml`). Bodies are `text/xml` (or `application/soap+xml`,
`application/xml`): the bare request or a SOAP envelope around it; the answer comes back the
same way. HTTP 200 for AA and AE, 400 for AR, 413 past MOCK_KANTA_MAX_BODY_BYTES, 404 for an
unknown tenant (X-Mock-Kanta-Tenant).

    routes(services, audit=hook)

`audit(result)` is called once per request with the `read.results.ReadResult` (who, organisation,
unit, usage situation, client, documents, outcome, rule ids; `result.audit_fields()`); then the
request is recorded in the tenant's traffic log (mock_kanta.traffic.service, verdict ok | refused).
"""
from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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
    tenant_gone,
    tenant_of,
    unknown_tenant,
)
from mock_kanta.read.service import ReadResult, ReadService
from mock_kanta.rules import Problem, ProblemKind, unread
from mock_kanta.store import ConstraintViolation, UnknownTenant
from mock_kanta.traffic import service as traffic


def read_service(services) -> ReadService:
    """The process's read service (made once per Services)."""
    service = services.__dict__.get("_read_service")
    if service is None:
        service = services.__dict__.setdefault("_read_service", ReadService.from_services(services))
    return service


def paths(services) -> dict[str, str]:
    """{"query": path, "retrieve": path}: the wire paths (for the Dispatcher and the TLS gate)."""
    reads = read_service(services)
    return {kind: reads.interactions[kind].path for kind in ("query", "retrieve")}


def routes(services, *, audit: Callable[[ReadResult], None] | None = None) -> list[Route]:
    reads = read_service(services)
    limit = services.settings.max_body_bytes
    faults_of = faults.of(services)

    async def fault_answer(kind: str, fault, tenant: str, body: bytes, content_type: str | None) -> Response:
        if fault.kind == "status":
            if fault.delay_ms:
                await faulty.pause(fault)
            return faulty.status_response(fault)
        if fault.kind == "drop":
            return faulty.Dropped()
        status, payload = await run_in_threadpool(refusals.read, services, reads, kind, tenant, fault, body, content_type)
        return Response(payload, status_code=status, media_type=XML)

    def logged(result: ReadResult, body: bytes | None, content_type: str | None) -> None:
        """The access log (the `audit` hook), then the traffic log."""
        if audit is not None:
            audit(result)
        traffic.write(services.store, traffic.read_row(result, body, content_type))

    def endpoint(kind: str):
        def no_tenant(tenant: str) -> Response:
            result = reads.refuse(kind, tenant, unread(Problem.bad_request(unknown_tenant(tenant))))
            return _answer(reads, result, 404, None)

        async def handle(request: Request) -> Response:
            tenant = tenant_of(request, services)
            generation = services.store.generation(tenant)
            if generation is None:
                return no_tenant(tenant)
            content_type = request.headers.get("content-type")
            client_org = request.scope.get("state", {}).get("client_org")

            def answered(body: bytes) -> Response:  # in a worker thread: parse, checks, logs (CPU and I/O)
                result = reads.handle(kind, tenant, body, content_type, client_org)
                return _answer(reads, result, 400 if result.ack == "AR" else 200, lambda r: logged(r, body, content_type))

            try:
                try:
                    async with held_body(request.receive, request.headers.get("content-length"), limit) as body:
                        fault = faults_of.due(tenant, generation, kind, body)
                        if fault is None:
                            return await run_in_threadpool(answered, body)
                        if fault.kind == "delay" and fault.when == "before":
                            await faulty.pause(fault)
                        elif fault.when == "before":
                            return await fault_answer(kind, fault, tenant, body, content_type)
                        response = await run_in_threadpool(answered, body)
                        if fault.when == "before":
                            return response
                        if fault.kind == "delay":
                            await faulty.pause(fault)
                            return response
                        return await fault_answer(kind, fault, tenant, body, content_type)
                except BodyTooLarge as exc:
                    result = reads.refuse(kind, tenant, unread(Problem.too_large(exc.size, limit)))
                    return _answer(reads, result, 413, lambda r: logged(r, None, content_type))
                except (BodyTimeout, Busy) as exc:
                    result = reads.refuse(kind, tenant, unread(Problem(ProblemKind.TRANSPORT, "HTTP body", detail=exc.detail)))
                    busy = isinstance(exc, Busy)
                    return _answer(reads, result, 503 if busy else 408, None,
                                   {"Retry-After": RETRY_AFTER} if busy else {"Connection": "close"})
                except ClientGone:
                    return Response(status_code=400)
            except (UnknownTenant, ConstraintViolation) as exc:  # deleted by another worker since this one cached it
                if tenant_gone(services, tenant, exc):
                    return no_tenant(tenant)
                raise

        handle.__name__ = f"{kind}_endpoint"
        return handle

    return [Route(reads.interactions[kind].path, endpoint(kind), methods=["POST"]) for kind in ("query", "retrieve")]


def _answer(reads: ReadService, result: ReadResult, status: int, audit, headers: dict | None = None) -> Response:
    if audit is not None:
        audit(result)
    return Response(reads.response_bytes(result), status_code=status, media_type=XML, headers=headers)


def refusal(scope, detail: str, services) -> Response | None:
    """The mutual-TLS gate's answer on a read path (an AR response with SH-TRN-006), None elsewhere."""
    for kind, path in paths(services).items():
        if scope.get("path") == path:
            reads = read_service(services)
            result = reads.refuse(kind, services.settings.default_tenant, unread(Problem.client_certificate(detail)))
            return Response(reads.response_bytes(result), status_code=403, media_type=XML)
    return None
