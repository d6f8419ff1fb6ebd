"""Control API: the register world: registers and their documents, organisations and service units, register
usage rights and matters."""
from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from flask import Response, abort

from mock_kanta.api.common import (
    JSON,
    XML,
    current_services,
    current_store,
    current_tenant,
    hl7_ts_iso,
    inert_bytes,
    iso_date_param,
    name_lookups,
    names_of,
    register_path,
    row_json,
)
from mock_kanta.archive.service import describe
from mock_kanta.core.findings import Severity
from mock_kanta.core.registers import Right, sote_register_from

CREATED = 201


# --- registers and documents -------------------------------------------------------


def list_registers():
    tenant = current_tenant()
    orgs = names_of(current_store().organisations(tenant))
    rows = sorted(current_store().registers(tenant), key=lambda r: (orgs.get(r["register_oid"]) or "", r["register_oid"]))
    registers = [
        {
            "registerOid": r["register_oid"],
            "name": orgs.get(r["register_oid"]),
            "documents": r["documents"],
            "lastReceivedAt": r["last_received_at"],
            "links": {"documents": register_path(r["register_oid"])},
        }
        for r in rows
    ]
    return {"registers": registers}, 200, JSON


def list_documents(registerOid: str, client: str | None = None, limit: int = 50, offset: int = 0):
    tenant = current_tenant()
    register = _register(tenant, registerOid)
    rows, total = current_store().documents(tenant, registerOid, client_id=client, limit=limit, offset=offset)
    names = name_lookups(tenant)
    page = {
        "registerOid": registerOid,
        "name": register["name"],
        "total": total,
        "limit": limit,
        "offset": offset,
        "documents": [_document_json(r, names) for r in rows],
    }
    return page, 200, JSON


def get_document(registerOid: str, documentId: str):
    tenant = current_tenant()
    row = _document_row(tenant, registerOid, documentId, summary=False)
    body = _document_json(row, name_lookups(tenant))
    body["metadata"] = describe(row["frame_xml"], row["document_xml"])
    body["findings"] = json.loads(row["findings_json"])
    return body, 200, JSON


def get_history(registerOid: str, documentId: str):
    tenant = current_tenant()
    row = _document_row(tenant, registerOid, documentId, summary=True)
    names = name_lookups(tenant)
    versions = current_store().versions(tenant, row["set_id"])
    current = next((v["document_id"] for v in reversed(versions) if v["status"] != "replaced"), None)
    return {"setId": row["set_id"], "current": current, "versions": [_document_json(v, names) for v in versions]}, 200, JSON


def get_document_xml(registerOid: str, documentId: str):
    return _raw_xml(registerOid, documentId, "document_xml")


def get_frame_xml(registerOid: str, documentId: str):
    return _raw_xml(registerOid, documentId, "frame_xml")


def _raw_xml(register_oid: str, document_id: str, column: str) -> Response:
    row = _document_row(current_tenant(), register_oid, document_id, summary=False)
    # Stored bytes are untrusted: a browser opening them must run nothing (XHTML-namespaced scripts included).
    return inert_bytes(row[column], XML, filename=f"{document_id}-{column.removesuffix('_xml')}.xml")


def _document_row(tenant: str, register_oid: str, document_id: str, *, summary: bool) -> dict:
    row = current_store().document(tenant, document_id, summary=summary)
    if row is None or row["register_oid"] != register_oid:
        abort(404, f"No document {document_id} in register {register_oid}.")
    return row


def _register(tenant: str, register_oid: str) -> dict:
    org = current_store().organisation(tenant, register_oid)
    if org is None:
        abort(404, f"No register {register_oid}: it is not an organisation known to tenant {tenant}.")
    return org


# --- organisations and service units ------------------------------------------------


def list_organisations(kind: str | None = None):
    rows = current_store().organisations(current_tenant(), kind)
    return {"organisations": [row_json(r) for r in rows]}, 200, JSON


def get_organisation(oid: str):
    tenant = current_tenant()
    org = current_store().organisation(tenant, oid)
    if org is None:
        abort(404, f"No organisation {oid} in tenant {tenant}.")
    units = current_store().service_units(tenant, organisation_oid=oid)
    return {**row_json(org), "serviceUnits": [row_json(u) for u in units]}, 200, JSON


def list_service_units(organisation: str | None = None):
    rows = current_store().service_units(current_tenant(), organisation_oid=organisation)
    return {"serviceUnits": [row_json(r) for r in rows]}, 200, JSON


def get_service_unit(oid: str):
    tenant = current_tenant()
    unit = current_store().service_unit(tenant, oid)
    if unit is None:
        abort(404, f"No service unit {oid} in tenant {tenant}.")
    return row_json(unit), 200, JSON


def _document_json(row: dict, names: tuple[dict, dict]) -> dict:
    """A document summary: the row, with names looked up, warnings counted and links."""
    units, orgs = names
    body = row_json(row)
    body["effectiveTime"] = hl7_ts_iso(row["effective_time"])
    body["serviceUnitName"] = units.get(row["service_unit_oid"])
    body["senderName"] = orgs.get(row["sender_oid"])
    findings = json.loads(row["findings_json"])
    body["warnings"] = sum(f.get("severity") == Severity.WARNING.value for f in findings)
    path = f"{register_path(row['register_oid'])}/{quote(row['document_id'], safe='')}"
    body["links"] = {
        "self": path,
        "document": f"{path}/document.xml",
        "frame": f"{path}/frame.xml",
        "register": register_path(row["register_oid"]),
    }
    return body




def add_organisation(body: dict):
    tenant = current_tenant()
    if current_store().organisation(tenant, body["oid"]):
        abort(409, f"Organisation {body['oid']} exists.")
    row = {
        "oid": body["oid"], "name": body["name"], "kind": body["kind"], "business_id": body.get("businessId"),
        "municipality": None, "kanta_from": iso_date_param(body.get("kantaFrom")), "providers_from": iso_date_param(body.get("providersFrom")),
        "verified": False, "source": "control API",
    }
    current_store().replace_organisations(tenant, [row], [])
    return row_json(current_store().organisation(tenant, body["oid"])), CREATED, JSON


def register_unit(body: dict):
    tenant, store = current_tenant(), current_store()
    if store.organisation(tenant, body["organisationOid"]) is None:
        abort(404, f"No organisation {body['organisationOid']}.")
    if store.service_unit(tenant, body["oid"]):
        abort(409, f"Service unit {body['oid']} exists.")
    registered = body.get("soteriRegisteredAt")
    registered_at = datetime.fromisoformat(registered.replace("Z", "+00:00")) if registered else current_services().clock.now(tenant)
    store.add_service_unit(tenant, {
        "oid": body["oid"], "organisation_oid": body["organisationOid"], "name": body["name"],
        "unit_type": body.get("unitType", "unit"), "parent_unit_oid": body.get("parentUnitOid"),
        "soteri_registered_at": registered_at.isoformat(), "verified": False, "source": "control API (Soteri)",
    })
    unit = row_json(store.service_unit(tenant, body["oid"]))
    unit["soteRegisterFrom"] = sote_register_from(registered_at.isoformat()).isoformat()
    return unit, CREATED, JSON


def client_rights(clientId: str, at: str | None = None, all: bool = False):  # noqa: A002 (query name)
    tenant, store = current_tenant(), current_store()
    on = iso_date_param(at) or current_services().clock.now(tenant).date()
    rows = store.rights(tenant, clientId, include_replaced=all)
    rights = []
    for row in rows:
        right = Right.from_row(row)
        if all or right.in_force(on):
            item = row_json(row)
            item.pop("servicesJson", None)
            item.update(services=list(right.services), inForce=right.in_force(on) and row["replaced_by"] is None)
            rights.append(item)
    return {"clientId": clientId, "at": on.isoformat(), "rights": rights}, 200, JSON


def client_matters(clientId: str):
    return {"clientId": clientId, "matters": [row_json(m) for m in current_store().matters(current_tenant(), clientId)]}, 200, JSON


def open_matter(body: dict):
    tenant, store = current_tenant(), current_store()
    organiser = store.organisation(tenant, body["organiserOid"])
    if organiser is None and store.tenant(tenant) is None:  # deleted since current_tenant() looked
        abort(404, f"No tenant {tenant}.")
    if organiser is None or organiser["kind"] != "organiser":
        abort(404, f"No organiser {body['organiserOid']}.")
    if store.matter(tenant, body["matterId"]):
        abort(409, f"Matter {body['matterId']} exists.")
    store.add_matter(tenant, {"matter_id": body["matterId"], "organiser_oid": body["organiserOid"],
                              "client_id": body["clientId"], "source": "control API"})
    return row_json(store.matter(tenant, body["matterId"])), CREATED, JSON
