"""Control API: tenants (api/tenants.yaml, mounted at /api/v1/tenants)."""
from __future__ import annotations

from flask import Response, abort

from mock_kanta.api.common import JSON, current_services
from mock_kanta.store import UnknownTenant
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.service import TenantConflict


def list_tenants():
    services = current_services()
    return [tenant_json(row, services.settings.default_tenant) for row in services.store.tenants()], 200, JSON


def get_tenant(tenantId: str):
    return _tenant_json(tenantId), 200, JSON


def create_tenant(body: dict):
    services = current_services()
    try:
        row, created, lines = tenants.create(services, body["id"], body.get("name"), body.get("seed"))
    except ValueError as exc:  # the spec checks the shape; the services check the values again
        abort(400, str(exc))
    return {**_tenant_json(row["id"]), "created": created, "seeded": lines}, 201 if created else 200, JSON


def reset_tenant(tenantId: str):
    try:
        deleted, lines = tenants.reset(current_services(), tenantId)
    except UnknownTenant:
        abort(404, f"No tenant {tenantId}.")
    return {**_tenant_json(tenantId), "created": False, "seeded": lines, "deleted": deleted}, 200, JSON


def delete_tenant(tenantId: str):
    try:
        tenants.delete(current_services(), tenantId)
    except UnknownTenant:
        abort(404, f"No tenant {tenantId}.")
    except TenantConflict as exc:
        abort(409, str(exc))
    return Response(status=204)


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
