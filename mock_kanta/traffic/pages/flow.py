"""The live flow /ui/flow: every message the tenant receives, newest on top.

The page lists the latest messages from the traffic log (`mock_kanta.traffic.service`) and works
without JavaScript (a link refreshes it). With JavaScript (`static/live.js`) new rows arrive
by server-sent events from `/ui/events` (`events.py`, on the async side of the server), so a
viewer holds no server thread. Both sides lay a row out with `row_view`, which needs no Flask
request: the events stream calls it with the language the page asked for.
"""
from __future__ import annotations

import json
from datetime import datetime

from mock_kanta.store.queries.traffic import latest
from mock_kanta.ui import context, i18n

PAGE_ROWS = 50
# Verdict → (class, sign): colour and a sign, so the verdict never rests on colour alone.
VERDICT_LOOK = {"AA": ("ok", "✓"), "valid": ("ok", "✓"), "ok": ("ok", "✓"),
                "AE": ("bad", "✗"), "invalid": ("bad", "✗"), "refused": ("bad", "✗"), "AR": ("bad", "⛔")}


def register(bp) -> None:
    bp.add_url_rule("/flow", "flow", page)


def page():
    tenant, store = context.tenant(), context.store()
    rows = latest(store, tenant, PAGE_ROWS)
    names = context.Names.of(store, tenant)
    lang = i18n.current_lang()
    views = [row_view(r, names, lang) for r in rows]
    last = rows[0]["seq"] if rows else 0
    return context.render("flow.html", rows=views, last=last, page_rows=PAGE_ROWS,
                          events_url=f"/ui/events?after={last}&lang={lang}")


def row_view(row: dict, names: context.Names, lang: str) -> dict:
    """One message as the flow shows it: display texts only, the client's henkilötunnus masked."""
    verdict = row["verdict"]
    look, sign = VERDICT_LOOK.get(verdict, ("warn", "?"))
    rules = _rules(row.get("rule_ids"))
    return {
        "seq": row["seq"], "href": f"/ui/messages/{row['seq']}",
        "at": format_time(row["at"], lang), "atIso": row["at"], "recordedAt": row.get("recorded_at"),
        "channel": row["channel"], "channelText": i18n.text_in(lang, f"channel.{row['channel']}"),
        "sender": _name(names.orgs, row.get("sender_oid")), "senderOid": row.get("sender_oid") or "",
        "unit": _name(names.units, row.get("unit_oid")), "unitOid": row.get("unit_oid") or "",
        "client": context.mask(row.get("client_id")), "serviceRequest": row.get("service_request") or "–",
        "register": _name(names.orgs, row.get("register_oid")), "registerOid": row.get("register_oid") or "",
        "verdict": verdict, "verdictClass": look, "verdictSign": sign,
        "verdictText": i18n.text_in(lang, f"verdict.{verdict}") if f"verdict.{verdict}" in i18n.texts() else verdict,
        "rules": " ".join(rules), "openText": i18n.text_in(lang, "flow.open", seq=row["seq"]),
    }


def format_time(value: str | None, lang: str) -> str:
    """The sandbox time in Helsinki, with seconds: 2.11.2026 klo 10.00.05 (fi), 2026-11-02 10:00:05 (en)."""
    try:
        at = datetime.fromisoformat(value).astimezone(context.HELSINKI) if value else None
    except ValueError:
        at = None
    if at is None:
        return value or "–"
    if lang == "en":
        return at.strftime("%Y-%m-%d %H:%M:%S")
    word = "klo" if lang == "fi" else "kl."
    return f"{at.day}.{at.month}.{at.year} {word} {at:%H.%M.%S}"


def _name(known: dict[str, str], oid: str | None) -> str:
    if not oid:
        return "–"
    return known.get(oid) or oid


def _rules(value) -> list[str]:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(r) for r in found] if isinstance(found, list) else []
