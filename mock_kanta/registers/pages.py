"""Registers and the register usage right: /ui/registers and /ui/registers/<oid>.

Per organiser: its clients, the client relationships (asiakkuus) and the rights they grant
(which provider unit, which services, from when to when), drawn on a timeline with the
sandbox clock, Kanta go-live and providers-from dates marked. A provider's page shows the
rights its units hold in organisers' registers.
"""
from __future__ import annotations

from datetime import date

from flask import abort, request

from mock_kanta.client.coding import SERVICE_TASK, SOCIAL_SERVICE
from mock_kanta.clock import pages as clock
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.registers import timeline
from mock_kanta.ui import context, data, i18n
from mock_kanta.ui.overview import registers_with_counts


def register(bp) -> None:
    bp.add_url_rule("/registers", "registers", index)
    bp.add_url_rule("/registers/<oid>", "register", one)


def index():
    rows = registers_with_counts()
    return context.render("registers.html", organisers=[r for r in rows if r["kind"] == "organiser"],
                          providers=[r for r in rows if r["kind"] != "organiser"])


def one(oid: str):
    tenant, store = context.tenant(), context.store()
    org = store.organisation(tenant, oid)
    if org is None:
        abort(404, i18n.t("registers.unknown", oid=oid[:120]))
    client = _client_filter()
    show_replaced = request.args.get("all") == "1"
    on = clock.today()
    units = {u["oid"]: u for u in store.service_units(tenant)}
    orgs = {o["oid"]: o for o in store.organisations(tenant)}
    if org["kind"] == "organiser":
        rights = data.organiser_rights(store, tenant, oid, client)
    else:
        own_units = [u for u, row in units.items() if row["organisation_oid"] == oid]
        rights = data.unit_rights(store, tenant, own_units, client)
    truncated = len(rights) > data.LIST_LIMIT
    rights = [_right_view(r, on, units, orgs) for r in rights[:data.LIST_LIMIT]]
    drawn = [r for r in rights if show_replaced or r["state"] != "replaced"]
    chart = timeline.build(drawn, _markers(org, on), on, _month_label) if drawn else None
    return context.render(
        "register.html", org=org, rights=rights, drawn=drawn, chart=chart, truncated=truncated, client=client,
        show_replaced=show_replaced, today=on, relationships=data.relationships([r["row"] for r in rights]),
        clients=data.register_clients(store, tenant, oid)[:data.LIST_LIMIT], units=units, orgs=orgs,
        unit_rows=[u for u in units.values() if u["organisation_oid"] == oid])


def _client_filter() -> str | None:
    value = (request.args.get("client") or "").strip().upper()
    if not value:
        return None
    try:
        return parse_hetu(value).value
    except HetuError as exc:
        context.bad_hetu(value, exc)


def _state(row: dict, on: date) -> str:
    if row["replaced_by"] is not None:
        return "replaced"
    if row["start_date"] > on:
        return "future"
    if row["end_date"] is not None and row["end_date"] < on:
        return "past"
    return "in-force"


def _right_view(row: dict, on: date, units: dict, orgs: dict) -> dict:
    """One right as the page and the timeline show it."""
    codes = context.services().codes
    unit = units.get(row["unit_oid"]) or {}
    provider = orgs.get(unit.get("organisation_oid")) or {}
    services = [f"{c} {codes.display(SOCIAL_SERVICE, c) or ''}".strip() for c in row["services"]]
    task = row["function_code"]
    task_text = f"{task} {codes.display(SERVICE_TASK, task) or ''}".strip() if task else "–"
    period = f"{context.fmt_date(row['start_date'])} – {context.fmt_date(row['end_date']) if row['end_date'] else ''}".strip()
    state = _state(row, on)
    masked = context.mask(row["client_id"])
    unit_name = unit.get("name") or row["unit_oid"]
    return {
        "row": row, "start": row["start_date"], "end": row["end_date"], "state": state, "period": period,
        "unit_name": unit_name, "provider_name": provider.get("name"), "services": services, "task": task_text,
        "organiser_name": (orgs.get(row["organiser_oid"]) or {}).get("name") or row["organiser_oid"],
        "labels": (f"{masked} · {', '.join(row['services']) or '–'}", unit_name),
        "title": f"{masked}: {unit_name}; {', '.join(services) or '–'}; {period}; {i18n.t('registers.state_' + state)}",
        "data": {"client": masked, "unit": row["unit_oid"], "start": row["start_date"].isoformat(),
                 "end": row["end_date"].isoformat() if row["end_date"] else "", "state": state},
    }


def _markers(org: dict, on: date) -> list[tuple[date, str, str]]:
    markers = [(on, i18n.t("registers.marker_now", date=context.fmt_date(on)), "now")]
    if org.get("kanta_from"):
        markers.append((org["kanta_from"], i18n.t("registers.marker_kanta", date=context.fmt_date(org["kanta_from"])), "kanta"))
    if org.get("providers_from"):
        markers.append((org["providers_from"], i18n.t("registers.marker_providers",
                                                      date=context.fmt_date(org["providers_from"])), "providers"))
    return markers


def _month_label(day: date) -> str:
    return day.strftime("%Y-%m") if i18n.current_lang() == "en" else f"{day.month}/{day.year}"
