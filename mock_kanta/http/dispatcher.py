"""The one ASGI entry: routes by exact path to the lean wire app or the connexion control app.

A JSON body sent to the control app is read and checked first (`wire.safejson`: bounded depth, containers,
integer digits, no lone surrogate): what connexion's validator or a handler could not take is a 400 problem
document here, never a 500 there. The body is then handed on unchanged."""
from __future__ import annotations

import os

from starlette.responses import JSONResponse

from mock_kanta.http.requests import RETRY_AFTER, BodyTimeout, BodyTooLarge, Busy, ClientGone, held_body
from mock_kanta.wire import safejson

NEWLINE_IN_PATH = JSONResponse({"type": "about:blank", "title": "Not Found", "status": 404,
                                "detail": "The path has a line break in it; no resource has one."},
                               status_code=404, media_type="application/problem+json")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_TITLES = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 503: "Service Unavailable"}


def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": _TITLES[status], "status": status, "detail": detail},
                        status_code=status, media_type="application/problem+json", headers=headers)


def _json_body(scope) -> bool:
    """A request whose body connexion would parse as JSON."""
    if scope["method"] not in _BODY_METHODS:
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            return b"json" in value.lower()
    return False


def _declared(scope) -> bytes | None:
    return next((value for name, value in scope["headers"] if name == b"content-length"), None)


class Dispatcher:
    """Route by path: wire endpoints to `wire`, the rest to `control`; a POST to a path in `direct`
    straight to its plain ASGI handler (the archive's hot path: no routing, no middleware)."""

    def __init__(self, wire, control, wire_paths: set[str], area_roots: frozenset[str] = frozenset(),
                 direct: dict | None = None, wire_prefixes: tuple[str, ...] = ("/pki/",), json_limit: int | None = None):
        self.wire, self.control, self.wire_paths = wire, control, wire_paths
        self.json_limit = json_limit or int(os.environ.get("MOCK_KANTA_MAX_BODY_BYTES") or 16 * 1024 * 1024)
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
        elif scope["type"] == "http" and _json_body(scope):
            await self._checked_json(scope, receive, send)
        else:
            await self.control(scope, receive, send)

    async def _checked_json(self, scope, receive, send) -> None:
        """Read the JSON body, answer a problem for one that is not acceptable, else hand it on unchanged."""
        try:
            async with held_body(receive, _declared(scope), self.json_limit) as body:
                try:
                    if body.strip():  # an empty body is connexion's to judge (an operation may take none)
                        safejson.loads(body)
                except safejson.JSONInputError as exc:
                    return await problem(400, str(exc))(scope, receive, send)
                await self.control(scope, _replay(body, receive), send)
        except BodyTooLarge as exc:
            await problem(413, f"the body of {exc.size} bytes exceeds the limit of {self.json_limit} bytes "
                               "(MOCK_KANTA_MAX_BODY_BYTES)")(scope, receive, send)
        except BodyTimeout as exc:
            await problem(408, exc.detail, {"Connection": "close"})(scope, receive, send)
        except Busy as exc:
            await problem(503, exc.detail, {"Retry-After": RETRY_AFTER})(scope, receive, send)
        except ClientGone:
            return


def _replay(body: bytes, receive):
    """An ASGI receive that gives `body` once, then what the client sends next (its disconnect)."""
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
