"""The one ASGI entry: routes by exact path to the lean wire app or the connexion control app."""
from __future__ import annotations

from starlette.responses import JSONResponse

NEWLINE_IN_PATH = JSONResponse({"type": "about:blank", "title": "Not Found", "status": 404,
                                "detail": "The path has a line break in it; no resource has one."},
                               status_code=404, media_type="application/problem+json")


class Dispatcher:
    """Route by path: wire endpoints to `wire`, the rest to `control`; a POST to a path in `direct`
    straight to its plain ASGI handler (the archive's hot path: no routing, no middleware)."""

    def __init__(self, wire, control, wire_paths: set[str], area_roots: frozenset[str] = frozenset(),
                 direct: dict | None = None, wire_prefixes: tuple[str, ...] = ("/pki/",)):
        self.wire, self.control, self.wire_paths = wire, control, wire_paths
        self.area_roots = area_roots  # /api/v1/<area>: served as /api/v1/<area>/ (connexion's own redirect has no Location)
        self.direct = direct or {}
        self.wire_prefixes = wire_prefixes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and (handler := self.direct.get(scope["path"])):
            return await handler(scope, receive, send)
        if scope["type"] == "http" and "\n" in scope["path"]:
            # No route has a newline; Starlette's mounts (.*) do not match one, and connexion would hand
            # the request to Flask without its operation context (a 500).
            return await NEWLINE_IN_PATH(scope, receive, send)
        if scope["type"] == "http" and scope["path"] in self.area_roots:
            scope = {**scope, "path": scope["path"] + "/", "raw_path": scope.get("raw_path", b"") + b"/"}
        if scope["type"] == "http" and (scope["path"] in self.wire_paths or scope["path"].startswith(self.wire_prefixes)):
            await self.wire(scope, receive, send)
        else:
            await self.control(scope, receive, send)
