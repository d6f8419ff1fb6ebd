"""create_app(settings): the whole sandbox as one ASGI application.

Requests to the Kanta-faithful endpoints (archive, validation, read side, the PKI, the live flow's events)
go straight to a lean Starlette app; everything else (control API under /api/v1, Swagger UI, the web UI
under /ui) goes to the connexion Flask app. This module wires the areas' faces together; it holds no
behaviour of its own.
"""
from __future__ import annotations

import logging

import connexion
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_kanta import ui
from mock_kanta.access import pages as access_pages
from mock_kanta.access.gate import AccessGate
from mock_kanta.access.origin import Origins
from mock_kanta.access.service import Access
from mock_kanta.api.common import store_refused, undecodable_body
from mock_kanta.archive import endpoint as archive_endpoint
from mock_kanta.archivist import pages as archivist_pages
from mock_kanta.cards import endpoint as pki_endpoint
from mock_kanta.clock import pages as clock_pages
from mock_kanta.core.resources import package_file
from mock_kanta.faults import pages as faults_pages
from mock_kanta.http.dispatcher import Dispatcher
from mock_kanta.http.tls import ClientCertificateGate
from mock_kanta.omakanta import pages as omakanta_pages
from mock_kanta.read import endpoint as read_endpoint
from mock_kanta.registers import pages as registers_pages
from mock_kanta.rehearsal import pages as rehearsal_pages
from mock_kanta.scenario import pages as trainer_pages
from mock_kanta.settings import Settings
from mock_kanta.store import ConstraintViolation
from mock_kanta.traffic.pages import events as flow_events
from mock_kanta.traffic.pages import flow as flow_pages
from mock_kanta.traffic.pages import messages as message_pages
from mock_kanta.wiring import Services

API_SPEC = package_file("api", "openapi.yaml")
PAGES = (access_pages, clock_pages, registers_pages, omakanta_pages, archivist_pages, flow_pages, message_pages, trainer_pages,
         rehearsal_pages, faults_pages)


def create_app(settings: Settings | None = None, services: Services | None = None):
    services = services or Services.start(settings or Settings())
    logging.getLogger("connexion").setLevel(logging.ERROR)
    routes = [Route("/healthz", _healthz(services), methods=["GET"])]
    routes += pki_endpoint.routes(services.pki) + archive_endpoint.routes(services)
    routes += read_endpoint.routes(services, audit=lambda result: services.audit.record(result.tenant, result.audit_event()))
    routes += flow_events.routes(services)  # /ui/events: the live flow's server-sent events (async: no thread per viewer)
    wire = Starlette(routes=routes)
    control = connexion.FlaskApp(__name__, specification_dir=str(API_SPEC.parent))
    control.app.config["SERVICES"] = services
    access = Access(services.store, services.settings)
    origins = Origins(services.settings.public_urls)
    control.app.config.update(ACCESS=access, ACCESS_SECURE_COOKIE=origins.secure)
    control.add_error_handler(UnicodeDecodeError, undecodable_body)  # a JSON body that is not UTF-8: 400, not 500
    control.add_error_handler(ConstraintViolation, store_refused)  # e.g. the tenant deleted mid-request: 404, not 500
    control.add_api(API_SPEC.name, base_path="/api/v1", strict_validation=True, validate_responses=False)
    areas = [extra for extra in sorted(API_SPEC.parent.glob("*.yaml")) if extra != API_SPEC]
    for extra in areas:  # one spec per area: api/<area>.yaml at /api/v1/<area>
        control.add_api(extra.name, base_path=f"/api/v1/{extra.stem}", strict_validation=True, validate_responses=False)
    ui.register(control.app, PAGES)
    wire_paths = {r.path for r in routes if "{" not in r.path}
    direct = {r.path: r.endpoint for r in routes if isinstance(r.endpoint, archive_endpoint.ArchiveEndpoint)}
    app = Dispatcher(wire, control, wire_paths, frozenset(f"/api/v1/{a.stem}" for a in areas) - wire_paths, direct)
    if services.settings.auth_on:
        read_only = frozenset({archive_endpoint.VALIDATION_PATH, *read_endpoint.paths(services).values()})
        app = AccessGate(app, access, origins, wire_paths=read_only | {archive_endpoint.ARCHIVE_PATH},
                         read_only_posts=read_only)
    if services.settings.tls:
        return ClientCertificateGate(app, services.pki, lambda scope, send, detail: _refuse_client(scope, send, detail, services))
    return app


def _healthz(services):
    async def healthz(request: Request) -> Response:
        """200 when the store answers."""
        try:
            ok = await run_in_threadpool(services.store.ping)
        except Exception as exc:  # the store is down: say so, do not crash
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    return healthz


async def _refuse_client(scope, send, detail: str, services) -> None:
    """The mutual-TLS gate's answer: an AR acknowledgement or response on a wire path, a problem+json elsewhere."""
    response = read_endpoint.refusal(scope, detail, services) or archive_endpoint.refusal(scope, detail, services)
    if response is None:
        body = {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": f"TLS client certificate refused: {detail}"}
        response = JSONResponse(body, status_code=403, media_type="application/problem+json")
    await response(scope, None, send)
