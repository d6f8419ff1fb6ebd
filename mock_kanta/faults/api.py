"""Control API: the tenant's faults (api/faults.yaml, mounted at /api/v1/faults)."""
from __future__ import annotations

from flask import abort

from mock_kanta.api.common import JSON, current_services, current_tenant
from mock_kanta.faults import service as faults
from mock_kanta.store import UnknownTenant


def list_faults():
    return faults.of(current_services()).listed(current_tenant()), 200, JSON


def add_fault(body: dict):
    tenant = current_tenant()
    try:
        return faults.of(current_services()).add(tenant, body), 201, JSON
    except ValueError as exc:
        abort(400, str(exc))
    except UnknownTenant:
        abort(404, f"No tenant {tenant}.")


def clear_faults():
    tenant = current_tenant()
    try:
        return {"cleared": faults.of(current_services()).remove(tenant)}, 200, JSON
    except UnknownTenant:
        abort(404, f"No tenant {tenant}.")


def remove_fault(faultId: str):
    tenant = current_tenant()
    try:
        gone = faults.of(current_services()).remove(tenant, faultId)
    except UnknownTenant:
        abort(404, f"No tenant {tenant}.")
    if not gone:
        abort(404, f"Tenant {tenant} has no fault {faultId}.")
    return None, 204
