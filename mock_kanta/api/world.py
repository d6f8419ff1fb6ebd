"""Control API: the register world: organisations and units, rights, matters, rule modes."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort

from mock_kanta.api.handlers import JSON, _row_json, _services, _store, _tenant
from mock_kanta.registers import Right, sote_register_from
from mock_kanta.rules import REGISTRY

CREATED = 201


def add_organisation(body: dict):
    tenant = _tenant()
    if _store().organisation(tenant, body["oid"]):
        abort(409, f"Organisation {body['oid']} exists.")
    row = {
        "oid": body["oid"], "name": body["name"], "kind": body["kind"], "business_id": body.get("businessId"),
        "municipality": None, "kanta_from": _date(body.get("kantaFrom")), "providers_from": _date(body.get("providersFrom")),
        "verified": False, "source": "control API",
    }
    _store().replace_organisations(tenant, [row], [])
    return _row_json(_store().organisation(tenant, body["oid"])), CREATED, JSON


def register_unit(body: dict):
    tenant, store = _tenant(), _store()
    if store.organisation(tenant, body["organisationOid"]) is None:
        abort(404, f"No organisation {body['organisationOid']}.")
    if store.service_unit(tenant, body["oid"]):
        abort(409, f"Service unit {body['oid']} exists.")
    registered = body.get("soteriRegisteredAt")
    registered_at = datetime.fromisoformat(registered.replace("Z", "+00:00")) if registered else _services().clock.now(tenant)
    store.add_service_unit(tenant, {
        "oid": body["oid"], "organisation_oid": body["organisationOid"], "name": body["name"],
        "unit_type": body.get("unitType", "unit"), "parent_unit_oid": body.get("parentUnitOid"),
        "soteri_registered_at": registered_at.isoformat(), "verified": False, "source": "control API (Soteri)",
    })
    unit = _row_json(store.service_unit(tenant, body["oid"]))
    unit["soteRegisterFrom"] = sote_register_from(registered_at.isoformat()).isoformat()
    return unit, CREATED, JSON


def client_rights(clientId: str, at: str | None = None, all: bool = False):  # noqa: A002 (query name)
    tenant, store = _tenant(), _store()
    on = _date(at) or _services().clock.now(tenant).date()
    rows = store.rights(tenant, clientId, include_replaced=all)
    rights = []
    for row in rows:
        right = Right.from_row(row)
        if all or right.in_force(on):
            item = _row_json(row)
            item.pop("servicesJson", None)
            item.update(services=list(right.services), inForce=right.in_force(on) and row["replaced_by"] is None)
            rights.append(item)
    return {"clientId": clientId, "at": on.isoformat(), "rights": rights}, 200, JSON


def client_matters(clientId: str):
    return {"clientId": clientId, "matters": [_row_json(m) for m in _store().matters(_tenant(), clientId)]}, 200, JSON


def open_matter(body: dict):
    tenant, store = _tenant(), _store()
    organiser = store.organisation(tenant, body["organiserOid"])
    if organiser is None or organiser["kind"] != "organiser":
        abort(404, f"No organiser {body['organiserOid']}.")
    if store.matter(tenant, body["matterId"]):
        abort(409, f"Matter {body['matterId']} exists.")
    store.add_matter(tenant, {"matter_id": body["matterId"], "organiser_oid": body["organiserOid"],
                              "client_id": body["clientId"], "source": "control API"})
    return _row_json(store.matter(tenant, body["matterId"])), CREATED, JSON


def list_rule_modes():
    return {"modes": _store().rule_modes(_tenant())}, 200, JSON


def set_rule_mode(selector: str, body: dict):
    tenant = _tenant()
    if selector not in REGISTRY and not any(rid.startswith(selector + "-") for rid in REGISTRY):
        abort(404, f"No rule or rule family {selector}.")
    _store().set_rule_mode(tenant, selector, body["mode"])
    return {"modes": _store().rule_modes(tenant)}, 200, JSON


def clear_rule_mode(selector: str):
    tenant = _tenant()
    _store().set_rule_mode(tenant, selector, None)
    return {"modes": _store().rule_modes(tenant)}, 200, JSON


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{value!r} is not an ISO date (YYYY-MM-DD)")
