"""Control API: tenants (api/tenants.yaml, mounted at /api/v1/tenants), and their access tokens.

With access control on (mock_kanta.access), a tenant's token sees only its own tenant in the list; a new tenant
comes with a trainer and a viewer token, shown once in the answer; a trainer manages only its tenant's viewer
tokens (the gate has already refused every other tenant)."""
from __future__ import annotations

from flask import Response, abort, current_app, request

from mock_kanta.access.gate import PRINCIPAL
from mock_kanta.access.service import AccessError
from mock_kanta.access.tokens import Role
from mock_kanta.api.common import JSON, camel, current_services
from mock_kanta.store import UnknownTenant
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.service import TenantConflict


def list_tenants():
    services, who = current_services(), _principal()
    rows = services.store.tenants(only=who.tenant if who and who.tenant else None)
    return [tenant_json(row, services.settings.default_tenant) for row in rows], 200, JSON


def get_tenant(tenantId: str):
    return _tenant_json(tenantId), 200, JSON


def create_tenant(body: dict):
    """201 made; 202 made, its seed loading in a background job (Location: the job); 200 it existed."""
    services = current_services()
    try:
        row, created, job = tenants.create(services, body["id"], body.get("name"), body.get("seed"))
    except ValueError as exc:  # the spec checks the shape; the services check the values again
        abort(400, str(exc))
    answer = {**_tenant_json(row["id"]), "created": created, "job": job}
    if created and services.settings.auth_on:  # its first tokens, shown only here
        answer["tokens"] = {role.value: _access().create_token(row["id"], role.value, "made with the tenant")["token"]
                            for role in (Role.trainer, Role.viewer)}
    if job is not None:
        return answer, 202, {**JSON, "Location": job["location"]}
    return answer, 201 if created else 200, JSON


def reset_tenant(tenantId: str):
    """200 reset; 202 reset, its seed loading again in a background job (Location: the job)."""
    try:
        deleted, job = tenants.reset(current_services(), tenantId)
    except UnknownTenant:
        abort(404, f"No tenant {tenantId}.")
    answer = {**_tenant_json(tenantId), "created": False, "job": job, "deleted": deleted}
    if job is not None:
        return answer, 202, {**JSON, "Location": job["location"]}
    return answer, 200, JSON


def delete_tenant(tenantId: str):
    try:
        tenants.delete(current_services(), tenantId)
    except UnknownTenant:
        abort(404, f"No tenant {tenantId}.")
    except TenantConflict as exc:
        abort(409, str(exc))
    _access().revoke(tenantId)  # its tokens die with it
    return Response(status=204)


# --- tokens ---


def list_tokens(tenantId: str):
    _tenant_json(tenantId)
    return [token_json(row) for row in _access().tokens(tenantId)], 200, JSON


def create_token(tenantId: str, body: dict):
    _tenant_json(tenantId)
    role = body.get("role", Role.viewer.value)
    who = _principal()
    if who is not None and not who.admin and role != Role.viewer.value:
        abort(403, f"A {who.role.value} token makes viewer tokens only; ask the admin for a {role} token.")
    try:
        row = _access().create_token(tenantId, role, body.get("label", ""))
    except AccessError as exc:
        abort(400, str(exc))
    except LookupError as exc:
        abort(404, str(exc))
    return {**token_json(row), "token": row["token"]}, 201, JSON


def revoke_token(tenantId: str, tokenId: str):
    row = _access().token(tenantId, tokenId)
    if row is None:
        abort(404, f"Tenant {tenantId} has no token {tokenId}.")
    who = _principal()
    if who is not None and not who.admin and row["role"] != Role.viewer.value and row["id"] != who.token_id:
        abort(403, f"A {who.role.value} token revokes viewer tokens (and itself) only.")
    _access().revoke(tenantId, tokenId)
    return Response(status=204)


def token_json(row: dict) -> dict:
    return {camel(k): row[k] for k in ("id", "tenant", "role", "label", "created_at", "revoked_at")}


def _access():
    return current_app.config["ACCESS"]


def _principal():
    return request.environ.get("asgi.scope", {}).get(PRINCIPAL)


def _tenant_json(tenant: str) -> dict:
    services = current_services()
    rows = services.store.tenants(only=tenant)
    if not rows:
        abort(404, f"No tenant {tenant}.")
    return tenant_json(rows[0], services.settings.default_tenant)


def tenant_json(row: dict, default_tenant: str) -> dict:
    """A row of Store.tenants() as the API shows it."""
    seed = {"clients": row["seed_clients"], "seed": row["seed_value"]} if row.get("seed_clients") is not None else None
    return {"id": row["id"], "name": row["name"], "createdAt": row["created_at"], "default": row["id"] == default_tenant,
            "seed": seed}
