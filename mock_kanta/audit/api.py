"""Control API: the access log (api/audit.yaml, mounted at /api/v1/audit)."""
from __future__ import annotations

from flask import abort

from mock_kanta.api.common import JSON, current_services, current_tenant, name_lookups
from mock_kanta.audit.service import AuditLog, iso, parse_instant


def client_log(clientId: str, since: str | None = None, until: str | None = None):
    tenant = current_tenant()
    try:
        result = _log().client_log(tenant, clientId, since=_instant("since", since), until=_instant("until", until, end_of_day=True))
    except ValueError as exc:
        abort(400, str(exc))
    units, orgs = name_lookups(tenant)
    body = {
        "clientId": result.client_id,
        "since": iso(result.since),
        "until": iso(result.until),
        "entries": [
            {"at": e.at.isoformat(), "action": e.action, "outcome": e.outcome, "personId": e.person_id,
             "cardSubject": e.card_subject, "organisationOid": e.organisation_oid, "organisationName": orgs.get(e.organisation_oid),
             "unitOid": e.unit_oid, "unitName": units.get(e.unit_oid), "usageSituation": e.usage_situation,
             "documentIds": list(e.document_ids)}
            for e in result.entries
        ],
        "request": result.request.to_json(),
    }
    return body, 200, JSON


def list_events(client: str | None = None, action: str | None = None, limit: int = 50, offset: int = 0):
    events, total = _log().events(current_tenant(), client_id=client, action=action, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "events": [e.to_json() for e in events]}, 200, JSON


def verify():
    return _log().verify(current_tenant()).to_json(), 200, JSON


def purge():
    result = _log().purge(current_tenant())
    body = {"cutoff": iso(result.cutoff), "purged": result.purged, "anchorSeq": result.anchor_seq,
            "anchorHash": result.anchor_hash, "event": result.event.to_json()}
    return body, 200, JSON


def _log() -> AuditLog:
    services = current_services()
    return AuditLog(services.store, services.clock)  # stateless: one per request costs nothing


def _instant(name: str, value: str | None, *, end_of_day: bool = False):
    if value is None:
        return None
    try:
        return parse_instant(value, end_of_day=end_of_day)
    except ValueError:
        abort(400, f"{name} {value!r} is not an ISO 8601 date or date-time")
