"""The overview /ui/: the sandbox clock with its controls, counts per register, links to every page."""
from __future__ import annotations

from mock_kanta.clock import pages as clock
from mock_kanta.ui import context, data

ZERO = {"documents": 0, "clients": 0, "last_received_at": None, "relationships": 0, "rights_in_force": 0}


def register(bp) -> None:
    bp.add_url_rule("/", "overview", overview)


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
    return context.render("overview.html", registers=rows, totals=totals, shortcuts=clock.shortcuts())
