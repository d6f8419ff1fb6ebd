"""`AccessGate`: the ASGI middleware in front of the whole sandbox when auth is on (app.py).

In order: public paths pass (health, the PKI, the login page, static files, API docs); the Host must be one of
the public URL's; a browser's Origin (and Sec-Fetch-Site on a change) must be the sandbox's own; then the
credential: a bearer token, else the UI's session cookie (changes only through the UI's forms, same-origin,
which check their CSRF token), else on a wire path a verified TLS client certificate; then the policy. A
tenant's token then fixes the request's tenant: `X-Mock-Kanta-Tenant` is set to it for everything behind.
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, quote

from mock_kanta.access import policy, sessions
from mock_kanta.access.origin import Origins
from mock_kanta.access.tokens import Principal, Role

TENANT_HEADER = b"x-mock-kanta-tenant"
PRINCIPAL = "mock_kanta.principal"  # the scope key handlers read (ui.context, tenants.api)


class AccessGate:
    def __init__(self, app, access, origins: Origins, *, wire_paths: frozenset[str], read_only_posts: frozenset[str]):
        self.app, self.access, self.origins = app, access, origins
        self.wire_paths = wire_paths  # where a verified TLS client certificate is enough (archive, validation, read)
        self.read_only_posts = read_only_posts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        if not policy.plain(path):
            return await _problem(send, policy.Refusal(404, "No resource has an empty, '.' or '..' path segment."))
        if policy.public(path):
            return await self.app(scope, receive, send)
        headers = _headers(scope)
        refusal = self._origin_refusal(headers, method)
        if refusal:
            return await _problem(send, refusal)
        who, refusal = await self._principal(scope, headers, method, path)
        if refusal:
            return await _problem(send, refusal)
        if who is None:
            if method in ("GET", "HEAD") and (path == "/ui" or path.startswith("/ui/")):
                target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
                return await _redirect(send, "/ui/login?next=" + quote(target, safe="/"))
            return await _problem(send, policy.Refusal(401, "Send a token: Authorization: Bearer <token> "
                                                            "(mock-kanta tenant token create, or the admin token)."))
        asked = [t for t in (headers.get("x-mock-kanta-tenant"), _query_tenant(scope), policy.path_tenant(path)) if t]
        refusal = policy.decide(who, method, path, asked, self.read_only_posts)
        if refusal:
            return await _problem(send, refusal)
        scope = {**scope, PRINCIPAL: who}
        if who.tenant is not None:
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != TENANT_HEADER]
            scope["headers"].append((TENANT_HEADER, who.tenant.encode()))
        await self.app(scope, receive, send)

    def _origin_refusal(self, headers: dict, method: str) -> policy.Refusal | None:
        if not self.origins.host_ok(headers.get("host")):
            return policy.Refusal(421, f"Host {headers.get('host', '')[:100]!r} is not this sandbox's public address "
                                       f"({self.origins.describe()}; MOCK_KANTA_PUBLIC_URL).")
        origin = headers.get("origin")
        if origin is not None and not self.origins.origin_ok(origin):
            return policy.Refusal(403, f"Requests from {origin[:100]!r} are refused: only {self.origins.describe()} "
                                       "may send them.")
        fetch_site = headers.get("sec-fetch-site")
        if method not in policy.SAFE and fetch_site and fetch_site not in ("same-origin", "none"):
            return policy.Refusal(403, f"A {fetch_site[:40]} request cannot change anything here.")
        return None

    async def _principal(self, scope, headers: dict, method: str, path: str):
        """(the principal or None, a refusal or None)."""
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, secret = authorization.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                return None, policy.Refusal(401, "The Authorization header must be 'Bearer <token>'.")
            who, stale = self.access.cached(secret.strip())
            if stale:
                await asyncio.to_thread(self.access.refresh)
                who, _ = self.access.cached(secret.strip())
            if who is None:
                return None, policy.Refusal(401, "The token is not known here, or it was revoked.")
            return who, None
        cookie = _cookie(headers.get("cookie", ""), sessions.COOKIE)
        if cookie:
            found = sessions.read_cookie(self.access.admin_hash, cookie)
            who = await asyncio.to_thread(self.access.session_principal, *found) if found else None
            if who is not None and method not in policy.SAFE:
                if not (path.startswith("/ui/")):
                    return None, policy.Refusal(403, "A UI session changes things only through the UI's forms; "
                                                     "send a bearer token to the API.")
                if headers.get("origin") is None and not self.origins.referer_ok(headers.get("referer", "")):
                    return None, policy.Refusal(403, "A change from a session must name this sandbox as its "
                                                     "Origin or Referer.")
            if who is not None:
                return who, None
        org = (scope.get("state") or {}).get("client_org")
        if org and path in self.wire_paths:
            return Principal(Role.trainer, None, f"mtls:{org}", "mtls"), None
        return None, None


def _headers(scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in scope["headers"]:
        found.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _query_tenant(scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    return next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "tenant" and v), None)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _problem(send, refusal: policy.Refusal) -> None:
    titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 421: "Misdirected Request"}
    body = json.dumps({"type": "about:blank", "title": titles.get(refusal.status, "Forbidden"),
                       "status": refusal.status, "detail": refusal.detail}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store")]
    if refusal.status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="mock-kanta"'))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send, location: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1", "replace")), (b"content-length", b"0"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b""})
