"""Who may do what: a pure function of the principal, the method, the path and the tenant asked for.

- admin: everything, every tenant;
- trainer: its own tenant only: archive, read, validate, reset, clock, rule modes, trainer controls, rehearsal
  sessions and its tenant's tokens (viewer tokens only, checked by the handler); never tenant create or delete,
  never the audit purge, nor what every tenant shares (the virtual cards);
- viewer: its own tenant, reading only (GET, and the wire's read-only POSTs: validation, search, retrieve).

Paths that name a tenant (/api/v1/tenants/{id}..., /api/v1/jobs/{id}...) count as asking for it, like the header.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from mock_kanta.access.tokens import Principal

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = frozenset({"/healthz", "/ui/login", "/favicon.ico"})
PUBLIC_PREFIXES = ("/pki/", "/ui/static/")
SESSION_PATHS = frozenset({"/ui/login", "/ui/logout"})  # POSTs every signed-in role may make
TENANTS_ROOT = "/api/v1/tenants/"
_TENANT_PATH = re.compile(r"^/api/v1/tenants/([^/]+)(/.*)?$")
JOBS_ROOT = "/api/v1/jobs"
_JOBS_PATH = re.compile(r"^/api/v1/jobs/([^/]+)(/.*)?$")  # a tenant's background jobs: /api/v1/jobs/{tenant}/{job}
AUDIT_PURGE = "/api/v1/audit/purge"
SHARED_BY_ALL = ("/api/v1/cards",)  # not per tenant (the data directory's virtual cards): only the admin changes it


@dataclass(frozen=True)
class Refusal:
    status: int
    detail: str


def plain(path: str) -> bool:
    """No empty, "." or ".." segment (but a trailing slash): the policy's path patterns see what routing sees."""
    segments = path.split("/")[1:]
    return all(s not in ("", ".", "..") for s in segments[:-1]) and segments[-1:] != [".."] and segments[-1:] != ["."]


def public(path: str) -> bool:
    """No credential needed: health, the PKI's CRLs and CA certificates, the login page, the UI's static files.
    (Not the API documentation: its paths share their shape with the operations'; signed in, it shows.)"""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def path_tenant(path: str) -> str | None:
    """The tenant a /api/v1/tenants/{id}... or /api/v1/jobs/{id}... path names."""
    m = _TENANT_PATH.match(path) or _JOBS_PATH.match(path)
    return m.group(1) if m else None


def decide(who: Principal, method: str, path: str, asked: list[str], read_only_posts: frozenset[str]) -> Refusal | None:
    """None if `who` may make this request; else why not. `asked`: every tenant the request names (header,
    query, path)."""
    if who.admin:
        return None
    for tenant in asked:
        if not who.reaches(tenant):
            return Refusal(403, f"This token belongs to tenant {who.tenant}; it cannot reach tenant {tenant[:64]}.")
    safe = method in SAFE or path in SESSION_PATHS or (method == "POST" and path in read_only_posts)
    if (method == "POST" and path in (TENANTS_ROOT, TENANTS_ROOT.rstrip("/"))) or path.rstrip("/") == AUDIT_PURGE:
        return Refusal(403, "Only the admin token may do this (tenant create, audit purge).")
    if not safe and path.startswith(SHARED_BY_ALL):
        return Refusal(403, "The virtual cards are shared by every tenant: only the admin token changes them.")
    if path.rstrip("/") == JOBS_ROOT:  # jobs are read per tenant: a bare root names none (and has no operation)
        return Refusal(403, "A tenant's jobs are at /api/v1/jobs/{tenant}/{job}; only the admin token may ask above.")
    m = _TENANT_PATH.match(path)
    rest = (m.group(2) or "/") if m else None
    if method == "DELETE" and rest == "/":
        return Refusal(403, "Only the admin token may delete a tenant.")
    if rest is not None and rest.startswith("/tokens") and not who.role.changes:
        return Refusal(403, "A viewer token cannot see or manage tokens.")
    if not safe and not who.role.changes:
        return Refusal(403, f"A {who.role.value} token only reads; {method} {path[:100]} changes something.")
    return None
