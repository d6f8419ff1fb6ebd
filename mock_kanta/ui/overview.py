"""The overview /ui/: the sandbox clock with its controls, the tenant's verdict profile (organiser profiles
turned on, strict: docs/verdicts.md) with its form (POST /ui/verdicts), counts per register, links to every
page."""
from __future__ import annotations

from flask import abort, flash, redirect, request

from mock_kanta.clock import pages as clock
from mock_kanta.ui import context, data, i18n, security

ZERO = {"documents": 0, "clients": 0, "last_received_at": None, "relationships": 0, "rights_in_force": 0}


def register(bp) -> None:
    bp.add_url_rule("/", "overview", overview)
    bp.add_url_rule("/verdicts", "verdicts", set_verdicts, methods=["POST"])


def registers_with_counts() -> list[dict]:
    """Every organiser's and provider's register with its counts by the sandbox clock's day."""
    tenant, store = context.tenant(), context.store()
    counts = data.register_counts(store, tenant, clock.today())
    known = {o["oid"]: o for o in store.organisations(tenant) if o["kind"] != "vendor"}
    rows = [{**o, **counts.get(oid, ZERO), "register_oid": oid} for oid, o in known.items()]
    rows += [{"oid": oid, "register_oid": oid, "name": None, "kind": "unknown", **c} for oid, c in counts.items()
             if oid not in known]
    order = {"organiser": 0, "provider": 1}
    return sorted(rows, key=lambda r: (order.get(r["kind"], 2), r["name"] or "", r["register_oid"]))


def overview():
    rows = registers_with_counts()
    totals = {"documents": sum(r["documents"] for r in rows), "rights_in_force": sum(r["rights_in_force"] for r in rows),
              "relationships": sum(r["relationships"] for r in rows)}
    return context.render("overview.html", registers=rows, totals=totals, shortcuts=clock.shortcuts(),
                          verdicts=verdict_profile())


def verdict_profile() -> dict:
    """The tenant's verdict profile and every organiser profile it may turn on."""
    stored = context.store().verdict_profile(context.tenant()) or {}
    on = set(stored.get("organisers") or ())
    profiles = context.services().archive.verdicts.profiles.profiles.values()
    return {"strict": bool(stored.get("strict")),
            "profiles": [{"oid": p.oid, "name": p.name, "rules": sorted(p.rules), "on": p.oid in on} for p in profiles]}


def set_verdicts():
    """The form's answer: the organiser profiles ticked and strict, in place of the tenant's profile."""
    security.require_csrf()
    chosen = request.form.getlist("organiser")
    unknown = context.services().archive.verdicts.profiles.unknown(chosen)
    if unknown:
        abort(400, unknown[:300])
    context.store().set_verdict_profile(context.tenant(), request.form.get("strict") == "1", chosen)
    flash(i18n.t("verdicts.saved"))
    return redirect("/ui/#verdicts", code=303)
