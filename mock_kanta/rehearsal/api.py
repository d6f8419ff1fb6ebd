"""Control API: graded rehearsal sessions (api/rehearsals.yaml, mounted at /api/v1/rehearsals).

The work is `mock_kanta.rehearsal`'s; these handlers pick the tenant, map its errors to
400/404/409 (the English text of the error's code) and add links. The reports take `?lang=fi|sv|en`.
"""
from __future__ import annotations

from flask import abort, request

from mock_kanta.api.common import BASE_PATH, JSON, REPORT_HTML, XML, current_services, current_tenant, inert_bytes
from mock_kanta.rehearsal import ChecklistError, RehearsalError, Rehearsals
from mock_kanta.rehearsal import report as reports

PATH = f"{BASE_PATH}/rehearsals"


def list_checklists():
    return {"checklists": [c.to_json() for c in _rehearsals().checklists.values()]}, 200, JSON


def get_checklist(test: str):
    checklist = _rehearsals().checklists.get(test)
    if checklist is None:
        abort(404, f"No checklist {test!r}; known: {', '.join(sorted(_rehearsals().checklists))}.")
    return checklist.to_json(), 200, JSON


def list_sessions():
    tenant = current_tenant()
    out = []
    for s in _rehearsals().sessions(tenant):
        out.append({"id": s.id, "test": s.test, "status": "closed" if s.closed else "open",
                    "organisation": _org(tenant, s.organisation_oid),
                    "organiser": _org(tenant, s.counterpart_oid) if s.counterpart_oid else None,
                    "system": s.system_name, "openedAt": s.opened_at, "closedAt": s.closed_at, "result": s.result,
                    "links": _links(s.id)})
    return {"sessions": out}, 200, JSON


def open_session(body: dict):
    tenant = current_tenant()
    rehearsals = _rehearsals()
    session = _call(rehearsals.open, tenant, body["test"], body["organisationOid"], body.get("organiserOid"), body.get("system"))
    return _with_links(rehearsals.result(session)), 201, {**JSON, "Location": f"{PATH}/{session.id}"}


def get_session(sessionId: str):
    return _with_links(_result(sessionId)), 200, JSON


def close_session(sessionId: str):
    tenant = current_tenant()
    return _with_links(_call(_rehearsals().close, tenant, sessionId)), 200, JSON


def report_json(sessionId: str, lang: str = "en"):
    return reports.report_json(_result(sessionId), _target(), lang), 200, JSON


def report_xml(sessionId: str, lang: str = "en"):
    """JUnit XML quoting what vendors sent: served inert (api.common.inert_bytes)."""
    junit = reports.report_junit(_result(sessionId), _target(), lang)
    return inert_bytes(junit, XML, filename=f"rehearsal-{sessionId}.xml")


def report_html(sessionId: str, lang: str = "en"):
    """The self-contained HTML report: inline styles, no scripts, sandboxed like every stored byte."""
    page = reports.report_html(_result(sessionId), _target(), lang)
    return inert_bytes(page, REPORT_HTML, filename=f"rehearsal-{sessionId}.html", report=True)


# --- helpers ---------------------------------------------------------------------------


def _rehearsals() -> Rehearsals:
    try:
        return Rehearsals.from_services(current_services())
    except ChecklistError as exc:  # the operator's checklist file, not the request, is wrong
        abort(503, f"The rehearsal checklists could not be loaded: {exc}")


def _result(session_id: str) -> dict:
    tenant = current_tenant()
    rehearsals = _rehearsals()
    return _call(lambda: rehearsals.result(rehearsals.session(tenant, session_id)))


def _call(fn, *args):
    try:
        return fn(*args)
    except RehearsalError as exc:
        abort(exc.status, str(exc))


def _with_links(result: dict) -> dict:
    return {**result, "links": _links(result["id"])}


def _links(session_id: str) -> dict:
    base = f"{PATH}/{session_id}"
    return {"self": base, "close": f"{base}/close", "reportJson": f"{base}/report.json", "reportXml": f"{base}/report.xml",
            "reportHtml": f"{base}/report.html"}


def _org(tenant: str, oid: str) -> dict:
    row = current_services().store.organisation(tenant, oid)
    return {"oid": oid, "name": row["name"] if row else None, "kind": row["kind"] if row else None}


def _target() -> str:
    return request.host_url.rstrip("/")
