"""Control API: the archivist's view of each register (what arrived, from whom, signed by whom).

The work is `mock_kanta.archivist.service`'s; these handlers parse the filters, look up names and
map rows to JSON. Signatures are verified only for one document (or a page with
`signers=true`) and cached per document id in memory.
"""
from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

from flask import abort

from mock_kanta.api.common import (
    BASE_PATH,
    JSON,
    current_services,
    current_store,
    current_tenant,
    hl7_ts_iso,
    iso_date_param,
    name_lookups,
    register_path,
)
from mock_kanta.archivist import service as archivist

ARCHIVIST_PATH = f"{BASE_PATH}/archivist"


def list_registers():
    tenant = current_tenant()
    units, orgs = name_lookups(tenant)
    rows = sorted(current_store().registers(tenant), key=lambda r: (orgs.get(r["register_oid"]) or "", r["register_oid"]))
    return {"registers": [{
        "registerOid": r["register_oid"], "name": orgs.get(r["register_oid"]), "documents": r["documents"],
        "lastReceivedAt": r["last_received_at"],
        "links": {"documents": f"{_archivist_register(r['register_oid'])}/documents",
                  "summary": f"{_archivist_register(r['register_oid'])}/summary"},
    } for r in rows]}, 200, JSON


def list_documents(registerOid: str, limit: int = 50, offset: int = 0, signers: bool = False, **query):
    tenant, store = current_tenant(), current_store()
    register = _register(tenant, registerOid)
    filters = _filters(query)
    rows, total = archivist.documents_page(store, archivist.where(tenant, registerOid, **filters), limit=limit, offset=offset)
    names = name_lookups(tenant)
    provenance = archivist.provenances(store, tenant, rows)
    sets = archivist.version_sets(store, tenant, (r["set_id"] for r in rows))
    signed = _page_signers(tenant, rows, signers)
    docs = [_document_json(r, names, provenance.get(r["document_id"], {}), sets.get(r["set_id"]), signed.get(r["document_id"]))
            for r in rows]
    return {"registerOid": registerOid, "name": register["name"] if register else None, "filters": _filters_json(filters),
            "total": total, "limit": limit, "offset": offset, "signersVerified": signers, "documents": docs}, 200, JSON


def get_document(registerOid: str, documentId: str):
    tenant, store = current_tenant(), current_store()
    row = store.document(tenant, documentId)
    if row is None or row["register_oid"] != registerOid:
        abort(404, f"No document {documentId} in register {registerOid}.")
    names = name_lookups(tenant)
    provenance = archivist.provenances(store, tenant, [row]).get(documentId, {})
    versions = archivist.version_sets(store, tenant, [row["set_id"]]).get(row["set_id"])
    signers = archivist.signers(store, tenant, documentId, row["document_xml"], current_services().codes, received_at=row["received_at"])
    body = _document_json(row, names, provenance, versions, signers)
    body["message"] = provenance.get("message")
    body["author"] = provenance.get("author")
    body["headerSigner"] = provenance.get("headerSigner")
    body["title"] = provenance.get("title")
    body["related"] = provenance.get("related")
    body["reasonOfCorrection"] = provenance.get("reasonOfCorrection")
    body["recordStatus"] = provenance.get("recordStatus")
    body["findings"] = json.loads(row["findings_json"])
    return body, 200, JSON


def register_summary(registerOid: str, **query):
    tenant, store = current_tenant(), current_store()
    register = _register(tenant, registerOid)
    filters = _filters(query)
    counts = archivist.summary(store, archivist.where(tenant, registerOid, **filters))
    units, orgs = name_lookups(tenant)
    codes = current_services().codes
    return {
        "registerOid": registerOid,
        "name": register["name"] if register else None,
        "filters": _filters_json(filters),
        "total": counts["total"], "clients": counts["clients"], "withWarnings": counts["withWarnings"],
        "firstReceivedAt": counts["firstReceivedAt"], "lastReceivedAt": counts["lastReceivedAt"],
        "bySender": [{"senderOid": r["sender_oid"], "name": orgs.get(r["sender_oid"]), "documents": r["n"]}
                     for r in counts["bySender"]],
        "byDocumentType": [{"documentType": r["document_type"], "documentGroup": r["document_group"],
                            "display": archivist.document_type_display(codes, r), "documents": r["n"]}
                           for r in counts["byDocumentType"]],
        "byStatus": [{"status": r["status"], "documents": r["n"]} for r in counts["byStatus"]],
        "byServiceUnit": [{"serviceUnitOid": r["service_unit_oid"], "name": units.get(r["service_unit_oid"]),
                           "documents": r["n"]} for r in counts["byServiceUnit"]],
        "byServiceRequest": [{"serviceRequest": r["service_request"], "documents": r["n"]} for r in counts["byServiceRequest"]],
        "links": {"documents": f"{_archivist_register(registerOid)}/documents"},
    }, 200, JSON


# --- mapping ----------------------------------------------------------------------------------


def _document_json(row: dict, names: tuple[dict, dict], provenance: dict, versions: list[dict] | None,
                   signers: list[dict] | None) -> dict:
    units, orgs = names
    codes = current_services().codes
    message = provenance.get("message") or {}
    message_id = message.get("id") or {}
    register, doc_id = row["register_oid"], row["document_id"]
    control = f"{register_path(register)}/{quote(doc_id, safe='')}"
    warnings = archivist.warnings(row)
    return {
        "documentId": doc_id,
        "setId": row.get("set_id"),
        "version": row.get("version"),
        "status": row.get("status"),
        "replacedBy": row.get("replaced_by"),
        "voidReason": row.get("void_reason"),
        "clientId": row.get("client_id"),
        "documentType": {"code": row.get("document_type"), "group": row.get("document_group"),
                         "display": archivist.document_type_display(codes, row)},
        "serviceRequest": row.get("service_request"),
        "usageSituation": row.get("usage_situation"),
        "functionCode": row.get("function_code"),
        "sender": {"oid": row.get("sender_oid"), "name": orgs.get(row.get("sender_oid"))},
        "serviceUnit": {"oid": row.get("service_unit_oid"), "name": units.get(row.get("service_unit_oid"))},
        "system": {
            "messageId": message_id or None,
            "messageIdRoot": message_id.get("root"),
            "messageIdRootName": orgs.get(message_id.get("root")),
            "authorOrPerformer": provenance.get("authorOrPerformer"),
            "software": provenance.get("software"),
            "transport": row.get("transport"),
        },
        "receivedAt": row.get("received_at"),
        "effectiveTime": hl7_ts_iso(row.get("effective_time")),
        "signers": signers,
        "versions": archivist.versions_json(versions or [], doc_id),
        "warnings": warnings,
        "warningCount": len(warnings),
        "visibility": row.get("visibility"),
        "visibleFrom": _iso(row.get("visible_from")),
        "guardianDisclosure": row.get("guardian_disclosure"),
        "links": {
            "self": f"{_archivist_register(register)}/documents/{quote(doc_id, safe='')}",
            "document": f"{control}/document.xml",
            "frame": f"{control}/frame.xml",
            "controlApi": control,
            "history": f"{control}/history",
        },
    }


def _page_signers(tenant: str, rows: list[dict], verify: bool) -> dict[str, list[dict]]:
    """Signer summaries of a page: from the cache; with verify=True the rest are verified now (and cached)."""
    store = current_store()
    received = {r["document_id"]: r["received_at"] for r in rows}
    found = {d: s for d, at in received.items() if (s := archivist.cached_signers(store, tenant, d, at)) is not None}
    if verify:
        missing = [d for d in received if d not in found]
        for doc_id, xml in archivist.document_xml(store, tenant, missing).items():
            found[doc_id] = archivist.signers(store, tenant, doc_id, xml, current_services().codes, received_at=received[doc_id])
    return found


def _filters(query: dict) -> dict:
    date_field = query.get("dateField") or "received"
    date_from, date_to = iso_date_param(query.get("from")), iso_date_param(query.get("to"))
    if date_from and date_to and date_to < date_from:
        abort(400, f"to {date_to} is before from {date_from}.")
    return {"client": query.get("client"), "sender": query.get("sender"), "unit": query.get("unit"),
            "status": query.get("status"), "document_type": query.get("documentType"),
            "date_from": date_from, "date_to": date_to, "date_field": date_field}


def _filters_json(filters: dict) -> dict:
    keys = {"client": "client", "sender": "sender", "unit": "unit", "status": "status", "document_type": "documentType",
            "date_from": "from", "date_to": "to", "date_field": "dateField"}
    return {keys[k]: _iso(v) for k, v in filters.items() if v}


def _register(tenant: str, register_oid: str) -> dict | None:
    """The register's organisation; 404 when it is neither known nor holds documents."""
    org = current_store().organisation(tenant, register_oid)
    if org is None and not any(r["register_oid"] == register_oid for r in current_store().registers(tenant)):
        abort(404, f"No register {register_oid}: no such organisation and no documents in tenant {tenant}.")
    return org


def _archivist_register(register_oid: str) -> str:
    return f"{ARCHIVIST_PATH}/registers/{quote(register_oid, safe='')}"


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value
