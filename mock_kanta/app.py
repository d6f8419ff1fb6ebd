"""create_app(settings): the whole sandbox as one ASGI application.

Requests to the Kanta-faithful endpoints go straight to a lean Starlette app
(`mock_kanta.server`); everything else (control API under /api/v1, Swagger UI,
the web UI under /ui) goes to the connexion Flask app.
"""
from __future__ import annotations

import logging
from pathlib import Path

import connexion
from starlette.applications import Starlette

from mock_kanta import query_routes, server, ui
from mock_kanta.services import Services
from mock_kanta.settings import Settings
from mock_kanta.ui import events as ui_events

API_SPEC = Path(__file__).parent / "api" / "openapi.yaml"


class Dispatcher:
    """Route by path: wire endpoints to `wire`, the rest to `control`."""

    def __init__(self, wire, control, wire_paths: set[str], area_roots: frozenset[str] = frozenset()):
        self.wire, self.control, self.wire_paths = wire, control, wire_paths
        self.area_roots = area_roots  # /api/v1/<area>: served as /api/v1/<area>/ (connexion's own redirect has no Location)

    async def __call__(self, scope, receive, send):
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
    control.add_api(API_SPEC.name, base_path="/api/v1", strict_validation=True, validate_responses=False)
    areas = [extra for extra in sorted(API_SPEC.parent.glob("*.yaml")) if extra != API_SPEC]
    for extra in areas:  # one spec per area: api/<area>.yaml at /api/v1/<area>
        control.add_api(extra.name, base_path=f"/api/v1/{extra.stem}", strict_validation=True, validate_responses=False)
    ui.register(control.app)
    wire_paths = {r.path for r in routes if "{" not in r.path}
    app = Dispatcher(wire, control, wire_paths, frozenset(f"/api/v1/{a.stem}" for a in areas) - wire_paths)
    if services.settings.tls:
        from mock_kanta.tls import ClientCertificateGate

        return ClientCertificateGate(app, services.pki, lambda scope, send, detail: server.refuse_client(scope, send, detail, services))
    return app
