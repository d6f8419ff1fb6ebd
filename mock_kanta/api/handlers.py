"""Control API handlers: read-only JSON views of the store, the rules and the code systems.

Each handler finds its rows and hands them to one mapping function (`_row_json`,
`_document_json`, `_rule_json`, `_code_system_json`); errors are raised as
werkzeug HTTP exceptions, which connexion turns into application/problem+json.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from urllib.parse import quote

from flask import Response, abort, current_app, request

from mock_kanta.archive import describe
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.registry import LANGS, Rule, Severity

BASE_PATH = "/api/v1"  # app.py mounts the API here
TENANT_HEADER = "X-Mock-Kanta-Tenant"
JSON = {"Content-Type": "application/json"}
XML = "application/xml"


# --- registers and documents -------------------------------------------------------


def list_registers():
    tenant = _tenant()
    orgs = _names(_store().organisations(tenant))
    rows = sorted(_store().registers(tenant), key=lambda r: (orgs.get(r["register_oid"]) or "", r["register_oid"]))
    registers = [
        {
            "registerOid": r["register_oid"],
            "name": orgs.get(r["register_oid"]),
            "documents": r["documents"],
            "lastReceivedAt": r["last_received_at"],
            "links": {"documents": _register_path(r["register_oid"])},
        }
        for r in rows
    ]
    return {"registers": registers}, 200, JSON


def list_documents(registerOid: str, client: str | None = None, limit: int = 50, offset: int = 0):
    tenant = _tenant()
    register = _register(tenant, registerOid)
    rows, total = _store().documents(tenant, registerOid, client_id=client, limit=limit, offset=offset)
    names = _lookups(tenant)
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
    tenant = _tenant()
    row = _document_row(tenant, registerOid, documentId, summary=False)
    body = _document_json(row, _lookups(tenant))
    body["metadata"] = describe(row["frame_xml"], row["document_xml"])
    body["findings"] = json.loads(row["findings_json"])
    return body, 200, JSON


def get_history(registerOid: str, documentId: str):
    tenant = _tenant()
    row = _document_row(tenant, registerOid, documentId, summary=True)
    names = _lookups(tenant)
    versions = _store().versions(tenant, row["set_id"])
    current = next((v["document_id"] for v in reversed(versions) if v["status"] != "replaced"), None)
    return {"setId": row["set_id"], "current": current, "versions": [_document_json(v, names) for v in versions]}, 200, JSON


def get_document_xml(registerOid: str, documentId: str):
    return _raw_xml(registerOid, documentId, "document_xml")


def get_frame_xml(registerOid: str, documentId: str):
    return _raw_xml(registerOid, documentId, "frame_xml")


def _raw_xml(register_oid: str, document_id: str, column: str) -> Response:
    row = _document_row(_tenant(), register_oid, document_id, summary=False)
    # A Response object keeps the media type exactly `application/xml` (no charset
    # added): the stored bytes carry their own XML encoding declaration.
    # Stored bytes are untrusted: a browser opening them must run nothing (XHTML-namespaced scripts included).
    return Response(row[column], status=200, content_type=XML,
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff"})


def _document_row(tenant: str, register_oid: str, document_id: str, *, summary: bool) -> dict:
    row = _store().document(tenant, document_id, summary=summary)
    if row is None or row["register_oid"] != register_oid:
        abort(404, f"No document {document_id} in register {register_oid}.")
    return row


def _register(tenant: str, register_oid: str) -> dict:
    org = _store().organisation(tenant, register_oid)
    if org is None:
        abort(404, f"No register {register_oid}: it is not an organisation known to tenant {tenant}.")
    return org


# --- rules --------------------------------------------------------------------------


def list_rules():
    return {"rules": [_rule_json(r) for r in REGISTRY.values()]}, 200, JSON


def get_rule(ruleId: str):
    rule = REGISTRY.get(ruleId)
    if rule is None:
        abort(404, f"No rule {ruleId}.")
    return _rule_json(rule), 200, JSON


# --- organisations and service units ------------------------------------------------


def list_organisations(kind: str | None = None):
    rows = _store().organisations(_tenant(), kind)
    return {"organisations": [_row_json(r) for r in rows]}, 200, JSON


def get_organisation(oid: str):
    tenant = _tenant()
    org = _store().organisation(tenant, oid)
    if org is None:
        abort(404, f"No organisation {oid} in tenant {tenant}.")
    units = _store().service_units(tenant, organisation_oid=oid)
    return {**_row_json(org), "serviceUnits": [_row_json(u) for u in units]}, 200, JSON


def list_service_units(organisation: str | None = None):
    rows = _store().service_units(_tenant(), organisation_oid=organisation)
    return {"serviceUnits": [_row_json(r) for r in rows]}, 200, JSON


def get_service_unit(oid: str):
    tenant = _tenant()
    unit = _store().service_unit(tenant, oid)
    if unit is None:
        abort(404, f"No service unit {oid} in tenant {tenant}.")
    return _row_json(unit), 200, JSON


# --- code systems -------------------------------------------------------------------


def list_code_systems():
    systems = _services().codes.systems.values()
    return {"codeSystems": [_code_system_json(s) for s in systems]}, 200, JSON


def get_code_system(oid: str):
    system = _services().codes.get(oid)
    if system is None:
        abort(404, f"No code system {oid}.")
    return _code_system_json(system), 200, JSON


# --- mapping: one function per kind of thing ---------------------------------------------

_HIDDEN = {"tenant_id", "seq", "findings_json", "frame_xml", "document_xml"}


def _row_json(row: dict) -> dict:
    """A store row as JSON: camelCase keys, ISO dates, internal columns dropped."""
    return {_camel(k): v.isoformat() if isinstance(v, date) else v for k, v in row.items() if k not in _HIDDEN}


def _document_json(row: dict, names: tuple[dict, dict]) -> dict:
    """A document summary: the row, with names looked up, warnings counted and links."""
    units, orgs = names
    body = _row_json(row)
    body["effectiveTime"] = hl7_ts_iso(row["effective_time"])
    body["serviceUnitName"] = units.get(row["service_unit_oid"])
    body["senderName"] = orgs.get(row["sender_oid"])
    findings = json.loads(row["findings_json"])
    body["warnings"] = sum(f.get("severity") == Severity.WARNING.value for f in findings)
    path = f"{_register_path(row['register_oid'])}/{quote(row['document_id'], safe='')}"
    body["links"] = {
        "self": path,
        "document": f"{path}/document.xml",
        "frame": f"{path}/frame.xml",
        "register": _register_path(row["register_oid"]),
    }
    return body


def _rule_json(r: Rule) -> dict:
    return {
        "id": r.id,
        "severity": r.severity.value,
        "stage": r.stage.value,
        "title": _text(r.title),
        "message": _text(r.message),
        "fix": _text(r.fix),
        "source": r.source,
        "kantaVerified": r.kanta_verified,
    }


def _code_system_json(s) -> dict:
    return {
        "oid": s.oid,
        "name": s.name,
        "en": s.en,
        "complete": s.complete,
        "verified": s.verified,
        "source": s.source,
        "codes": [asdict(c) for c in s.codes.values()],
    }


def _text(t) -> dict[str, str]:
    return {lang: getattr(t, lang) for lang in LANGS}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_HL7_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d{2})?(\d{2})?$")


def hl7_ts_iso(value: str | None) -> str | None:
    """HL7 TS (YYYYMMDDHHMMSS.fff+ZZZZ, any precision) as ISO 8601; other text unchanged."""
    m = _HL7_TS.match(value or "")
    if not m:
        return value
    y, mo, d, h, mi, s, frac, tzh, tzm = m.groups()
    out = "-".join(p for p in (y, mo, d) if p)
    if h:
        out += f"T{h}:{mi or '00'}" + (f":{s}{frac or ''}" if s else "")
        if tzh:
            out += f"{tzh}:{tzm or '00'}"
    return out


def _names(rows: list[dict]) -> dict[str, str]:
    return {r["oid"]: r["name"] for r in rows}


def _lookups(tenant: str) -> tuple[dict, dict]:
    """Unit and organisation names by OID (small tables: read whole, once per request)."""
    store = _store()
    return _names(store.service_units(tenant)), _names(store.organisations(tenant))


def _register_path(register_oid: str) -> str:
    return f"{BASE_PATH}/registers/{quote(register_oid, safe='')}/documents"


# --- request context -------------------------------------------------------------------


def _services():
    return current_app.config["SERVICES"]


def _store():
    return _services().store


def _tenant() -> str:
    """The tenant named by the header (or the default); 404 if it does not exist."""
    tenant = request.headers.get(TENANT_HEADER) or _services().settings.default_tenant
    if _store().tenant(tenant) is None:
        abort(404, f"No tenant {tenant}.")
    return tenant


# --- errors connexion would answer with a 500 (app.py registers these) -------------------


def undecodable_body(request, exc):
    """A JSON body that is not UTF-8 is the client's error: 400 with the byte that is wrong, not a 500."""
    from connexion.problem import problem

    where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
    return problem(400, "Bad Request", f"The request body is not UTF-8 text{where}; send JSON in UTF-8.")


def store_refused(request, exc):
    """A write the database refused. Every foreign key points at the tenant, so a foreign key failure
    means the tenant was deleted while the request ran (404, nothing was written); anything else
    is a conflict with what is stored (409, the transaction was rolled back)."""
    from connexion.problem import problem

    tenant = request.headers.get(TENANT_HEADER) or "default"
    if "FOREIGN KEY" in str(getattr(exc, "orig", exc)).upper():
        return problem(404, "Not Found", f"No tenant {tenant}: it was deleted while the request ran; nothing was written.")
    return problem(409, "Conflict", "The change conflicts with what is stored (another request changed it at the same "
                                    "time); nothing was written. Try again.")
