"""create_app(settings): the whole sandbox as one ASGI application.

Requests to the Kanta-faithful endpoints go straight to a lean Starlette app
(`mock_kanta.server`); everything else (control API under /api/v1, Swagger UI,
the web UI under /ui) goes to the connexion Flask app.
"""
from __future__ import annotations

import logging
from pathlib import Path

import connexion
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.responses import JSONResponse

from mock_kanta import query_routes, server, ui
from mock_kanta.api.handlers import store_refused, undecodable_body
from mock_kanta.services import Services
from mock_kanta.settings import Settings
from mock_kanta.ui import events as ui_events

API_SPEC = Path(__file__).parent / "api" / "openapi.yaml"


NEWLINE_IN_PATH = JSONResponse({"type": "about:blank", "title": "Not Found", "status": 404,
                                "detail": "The path has a line break in it; no resource has one."},
                               status_code=404, media_type="application/problem+json")


class Dispatcher:
    """Route by path: wire endpoints to `wire`, the rest to `control`; a POST to a path in `direct`
    straight to its plain ASGI handler (the archive's hot path: no routing, no middleware)."""

    def __init__(self, wire, control, wire_paths: set[str], area_roots: frozenset[str] = frozenset(),
                 direct: dict | None = None):
        self.wire, self.control, self.wire_paths = wire, control, wire_paths
        self.area_roots = area_roots  # /api/v1/<area>: served as /api/v1/<area>/ (connexion's own redirect has no Location)
        self.direct = direct or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and (handler := self.direct.get(scope["path"])):
            return await handler(scope, receive, send)
        if scope["type"] == "http" and "\n" in scope["path"]:
            # No route has a newline; Starlette's mounts (.*) do not match one, and connexion would hand
            # the request to Flask without its operation context (a 500).
            return await NEWLINE_IN_PATH(scope, receive, send)
        if scope["type"] == "http" and scope["path"] in self.area_roots:
            scope = {**scope, "path": scope["path"] + "/", "raw_path": scope.get("raw_path", b"") + b"/"}
        if scope["type"] == "http" and (scope["path"] in self.wire_paths or scope["path"].startswith("/pki/")):
            await self.wire(scope, receive, send)
        else:
            await self.control(scope, receive, send)


def create_app(settings: Settings | None = None, services: Services | None = None):
    services = services or Services.start(settings or Settings())
    logging.getLogger("connexion").setLevel(logging.ERROR)
    routes = server.routes(services) + query_routes.routes(
        services, audit=lambda result: services.audit.record(result.tenant, result.audit_event()))
    routes += ui_events.routes(services)  # /ui/events: the live flow's server-sent events (async: no thread per viewer)
    wire = Starlette(routes=routes)
    control = connexion.FlaskApp(__name__, specification_dir=str(API_SPEC.parent))
    control.app.config["SERVICES"] = services
    control.add_error_handler(UnicodeDecodeError, undecodable_body)  # a JSON body that is not UTF-8: 400, not 500
    control.add_error_handler(IntegrityError, store_refused)  # e.g. the tenant deleted mid-request: 404, not 500
    control.add_api(API_SPEC.name, base_path="/api/v1", strict_validation=True, validate_responses=False)
    areas = [extra for extra in sorted(API_SPEC.parent.glob("*.yaml")) if extra != API_SPEC]
    for extra in areas:  # one spec per area: api/<area>.yaml at /api/v1/<area>
        control.add_api(extra.name, base_path=f"/api/v1/{extra.stem}", strict_validation=True, validate_responses=False)
    ui.register(control.app)
    wire_paths = {r.path for r in routes if "{" not in r.path}
    direct = {r.path: r.endpoint for r in routes if isinstance(r.endpoint, server.ArchiveEndpoint)}
    app = Dispatcher(wire, control, wire_paths, frozenset(f"/api/v1/{a.stem}" for a in areas) - wire_paths, direct)
    if services.settings.tls:
        from mock_kanta.tls import ClientCertificateGate

        return ClientCertificateGate(app, services.pki, lambda scope, send, detail: server.refuse_client(scope, send, detail, services))
    return app
