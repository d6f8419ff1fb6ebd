"""Graded rehearsal sessions: /ui/rehearsals (list, open one), /ui/rehearsals/<id> (live grading, close, report).

The work is `mock_kanta.rehearsal`'s (the same as the control API /api/v1/rehearsals); these
pages pick the tenant as every UI page does, turn its errors into readable pages in the page's
language (the error's code says which text: 400, 404, 409, nothing changes) and lay the items
out: met or missing, with the evidence and the near misses, in the page's language. While a session is open its items refresh themselves (static/live.js); the report is
the self-contained HTML of `mock_kanta.rehearsal.report`, shown in a sandboxed iframe.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request

from mock_kanta.api.common import REPORT_HTML, inert_bytes
from mock_kanta.rehearsal import ChecklistError, RehearsalError, Rehearsals
from mock_kanta.rehearsal import report as reports
from mock_kanta.ui import context, i18n, security

REFRESH_SECONDS = 3
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
        session = _call(rehearsals.open, tenant, form.get("test", "")[:80], form.get("organisation", "")[:200],
                        form.get("organiser", "")[:200] or None, form.get("system") or None)
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
    items = [_item(i, i18n.current_lang()) for i in result["items"]]
    return context.render("rehearsals_session.html", result=result, items=items, refresh=REFRESH_SECONDS,
                          title=i18n.pick(result["title"]), open=result["status"] == "open")


def close(session_id: str):
    security.require_csrf()
    result = _call(_rehearsals().close, context.tenant(), session_id[:80])
    flash(i18n.t("rehearsal.closed_done", id=session_id, result=i18n.t(f"session_result.{result['result']}")))
    return redirect(f"/ui/rehearsals/{session_id}", code=303)


def report(session_id: str):
    """The session's report: one self-contained HTML page (no scripts), served so nothing in it can run."""
    page = reports.report_html(_result(session_id), request.host_url.rstrip("/"), i18n.current_lang())
    return inert_bytes(page, REPORT_HTML, report=True)  # framed by the session page (REPORT_CSP allows 'self')


# --- helpers -----------------------------------------------------------------------------------


def _rehearsals() -> Rehearsals:
    try:
        return Rehearsals.from_services(context.services())
    except ChecklistError as exc:  # the operator's checklist file is wrong, not the request
        abort(503, i18n.t("rehearsal.unavailable", why=str(exc)[:600]))


def _result(session_id: str) -> dict:
    rehearsals = _rehearsals()
    return _call(lambda: rehearsals.result(rehearsals.session(context.tenant(), session_id[:80])))


def _call(fn, *args):
    """Run a rehearsal call; its errors as pages in the page's language (the error's code names the text)."""
    try:
        return fn(*args)
    except RehearsalError as exc:
        abort(exc.status, i18n.t("rehearsal.refused", why=exc.text(i18n.current_lang())))


def _item(item: dict, lang: str) -> dict:
    """An item's texts in the page's language (masked as every UI page masks names and numbers)."""
    def line(record: dict) -> dict:
        return {**record, "text": context.mask_text(reports.record_text(record, lang))}

    evidence = [line(e) for e in item.get("evidence") or []]
    return {**item, "titleText": i18n.pick(item.get("title")), "shown": evidence[:EVIDENCE_SHOWN],
            "lookedFor": context.mask_text(reports.item_text(item, "lookedFor", lang)),
            "why": context.mask_text(reports.item_text(item, "why", lang)),
            "nearMisses": [line(m) for m in item.get("nearMisses") or []],
            "more": max(item.get("evidenceCount") or len(evidence), len(evidence)) - min(len(evidence), EVIDENCE_SHOWN)}


def _org_name(orgs: dict, oid: str | None) -> str:
    return (orgs.get(oid) or {}).get("name") or oid or "–"
