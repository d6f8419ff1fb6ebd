"""Graded rehearsal sessions: /ui/rehearsals (list, open one), /ui/rehearsals/<id> (live grading, close, report).

The work is `mock_kanta.rehearsal`'s (the same as the control API /api/v1/rehearsals); these
pages pick the tenant as every UI page does, turn its errors into readable pages (400, 404,
409: nothing changes) and lay the items out: met or missing, with the evidence and the near
misses. While a session is open its items refresh themselves (static/live.js); the report is
the self-contained HTML of `mock_kanta.rehearsal.report`, shown in a sandboxed iframe.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request

from mock_kanta.rehearsal import ChecklistError, RehearsalError, Rehearsals
from mock_kanta.rehearsal.sessions import SYSTEM_MAX, SessionClosed, SessionNotFound
from mock_kanta.rehearsal import report as reports
from mock_kanta.ui import context, i18n, security

REFRESH_SECONDS = 3
REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
EVIDENCE_SHOWN = 8


def register(bp) -> None:
    bp.add_url_rule("/rehearsals", "rehearsals", index, methods=["GET", "POST"])
    bp.add_url_rule("/rehearsals/<session_id>", "rehearsal", session_page)
    bp.add_url_rule("/rehearsals/<session_id>/close", "rehearsal_close", close, methods=["POST"])
    bp.add_url_rule("/rehearsals/<session_id>/report.html", "rehearsal_report", report)


def index():
    tenant = context.tenant()
    rehearsals = _rehearsals()
    if request.method == "POST":
        security.require_csrf()
        form = request.form
        _check_open(rehearsals, tenant, form)
        session = _call(rehearsals.open, tenant, form.get("test", ""), form.get("organisation", ""),
                        form.get("organiser") or None, form.get("system") or None)
        flash(i18n.t("rehearsal.opened_done", id=session.id))
        return redirect(f"/ui/rehearsals/{session.id}", code=303)
    orgs = {o["oid"]: o for o in context.store().organisations(tenant)}
    sessions = [{"session": s, "organisation": _org_name(orgs, s.organisation_oid),
                 "organiser": _org_name(orgs, s.counterpart_oid) if s.counterpart_oid else None}
                for s in rehearsals.sessions(tenant)]
    checklists = [{"test": c.test, "title": i18n.pick(c.title), "counterpart": c.counterpart,
                   "kinds": list(c.organisation_kinds)} for c in rehearsals.checklists.values()]
    parties = sorted((o for o in orgs.values() if o["kind"] in ("organiser", "provider")), key=lambda o: (o["kind"], o["name"]))
    return context.render("rehearsals.html", sessions=sessions, checklists=checklists, parties=parties,
                          organisers=[o for o in parties if o["kind"] == "organiser"])


def session_page(session_id: str):
    result = _result(session_id)
    items = [_item(i) for i in result["items"]]
    return context.render("rehearsals_session.html", result=result, items=items, refresh=REFRESH_SECONDS,
                          title=i18n.pick(result["title"]), open=result["status"] == "open")


def close(session_id: str):
    security.require_csrf()
    result = _call(_rehearsals().close, context.tenant(), session_id, session_id=session_id)
    flash(i18n.t("rehearsal.closed_done", id=session_id, result=i18n.t(f"session_result.{result['result']}")))
    return redirect(f"/ui/rehearsals/{session_id}", code=303)


def report(session_id: str):
    """The session's report: one self-contained HTML page (no scripts), served so nothing in it can run."""
    page = reports.report_html(_result(session_id), request.host_url.rstrip("/"))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- helpers -----------------------------------------------------------------------------------


def _rehearsals() -> Rehearsals:
    try:
        return Rehearsals.from_services(context.services())
    except ChecklistError as exc:  # the operator's checklist file is wrong, not the request
        abort(503, i18n.t("rehearsal.unavailable", why=str(exc)[:600]))


def _result(session_id: str) -> dict:
    rehearsals = _rehearsals()
    return _call(lambda: rehearsals.result(rehearsals.session(context.tenant(), session_id[:80])), session_id=session_id)


def _call(fn, *args, session_id: str = ""):
    """Run a rehearsal call; its errors as pages in the page's language (the library's text only as a last resort)."""
    try:
        return fn(*args)
    except SessionNotFound:
        abort(404, i18n.t("rehearsal.no_session", id=session_id[:80], tenant=context.tenant()))
    except SessionClosed:
        abort(409, i18n.t("rehearsal.already_closed"))
    except RehearsalError as exc:
        abort(exc.status, i18n.t("rehearsal.refused", why=str(exc)))


def _check_open(rehearsals: Rehearsals, tenant: str, form) -> None:
    """The open form's choices checked in the page's language before the library checks them again (400)."""
    checklist = rehearsals.checklists.get(form.get("test", ""))
    if checklist is None:
        abort(400, i18n.t("rehearsal.bad_test", value=form.get("test", "")[:80]))
    store = context.store()
    org = store.organisation(tenant, form.get("organisation", "")[:200])
    if org is None or org["kind"] not in checklist.organisation_kinds:
        abort(400, i18n.t("rehearsal.bad_organisation", value=form.get("organisation", "")[:80]))
    organiser = form.get("organiser") or None
    if checklist.counterpart is None and organiser:
        abort(400, i18n.t("rehearsal.organiser_not_taken"))
    if checklist.counterpart is not None:
        counterpart = store.organisation(tenant, organiser[:200]) if organiser else None
        if counterpart is None or counterpart["kind"] != checklist.counterpart:
            abort(400, i18n.t("rehearsal.organiser_needed"))
        if organiser == org["oid"]:
            abort(400, i18n.t("rehearsal.organiser_same"))
    if len(form.get("system") or "") > SYSTEM_MAX:
        abort(400, i18n.t("rehearsal.system_long", n=SYSTEM_MAX))


def _item(item: dict) -> dict:
    evidence = item.get("evidence") or []
    evidence = [{**e, "text": context.mask_text(e.get("text"))} for e in evidence]
    return {**item, "titleText": i18n.pick(item.get("title")), "shown": evidence[:EVIDENCE_SHOWN],
            "lookedFor": context.mask_text(item.get("lookedFor")), "why": context.mask_text(item.get("why")),
            "nearMisses": [{**m, "text": context.mask_text(m.get("text"))} for m in item.get("nearMisses") or []],
            "more": max(item.get("evidenceCount") or len(evidence), len(evidence)) - min(len(evidence), EVIDENCE_SHOWN)}


def _org_name(orgs: dict, oid: str | None) -> str:
    return (orgs.get(oid) or {}).get("name") or oid or "–"
