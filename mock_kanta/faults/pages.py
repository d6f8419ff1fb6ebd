"""The trainer's faults page: /ui/faults lists the tenant's faults and sets or clears them (forms that work
without JavaScript: each posts to /ui/faults and is redirected back with a message). Bad input gets a 400 page
and nothing is set."""
from __future__ import annotations

from flask import abort, flash, redirect, request

from mock_kanta.faults import service as faults
from mock_kanta.ui import context, i18n, security

_NUMBERS = ("delayMs", "jitterMs", "status", "count")
_TEXTS = ("kind", "endpoint", "messageType", "when", "ack", "code", "text")


def register(bp) -> None:
    bp.add_url_rule("/faults", "faults", index)
    bp.add_url_rule("/faults", "faults_change", change, methods=["POST"])


def index():
    listed = faults.of(context.services()).listed(context.tenant())
    return context.render("faults.html", faults=listed, kinds=faults.KINDS, endpoints=faults.ENDPOINTS)


def change():
    security.require_csrf()
    tenant, service = context.tenant(), faults.of(context.services())
    action = request.form.get("action", "")
    if action == "add":
        try:
            fault = service.add(tenant, _spec(request.form))
        except ValueError as exc:
            abort(400, i18n.t("faults.bad", why=str(exc)[:300]))
        flash(i18n.t("faults.added", id=fault["id"]))
    elif action == "remove":
        if not service.remove(tenant, request.form.get("id", "")[:32]):
            abort(404, i18n.t("faults.unknown", id=request.form.get("id", "")[:32]))
        flash(i18n.t("faults.removed"))
    elif action == "clear":
        flash(i18n.t("faults.cleared", n=service.remove(tenant)))
    else:
        abort(400, i18n.t("faults.bad_action", value=action[:40]))
    return redirect("/ui/faults" + (f"?tenant={tenant}" if request.args.get("tenant") else ""), code=303)


def _spec(form) -> dict:
    """The form's filled fields as the API's JSON (numbers as numbers; a blank field left out)."""
    spec: dict = {k: form[k].strip() for k in _TEXTS if form.get(k, "").strip()}
    for k in _NUMBERS:
        if form.get(k, "").strip():
            spec[k] = _number(form[k], k, int)
    if form.get("probability", "").strip():
        spec["probability"] = _number(form["probability"], "probability", float)
    return spec


def _number(value: str, name: str, kind):
    try:
        return kind(value.strip())
    except ValueError:
        raise ValueError(f"{name} is not a number: {value[:20]!r}") from None
