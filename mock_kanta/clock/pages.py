"""The sandbox clock's form handlers (POST /ui/clock): set, advance, reset, and the Keusote shortcuts.

Forms work without JavaScript: each posts here and is redirected back (303) to the page it
came from, with a message saying where the clock now stands. Bad input gets a 400 page and
the clock stays where it was.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, request

from mock_kanta.ui import context, i18n, security

# Keusote's timeline (fixtures/organisations.yaml): the register is in Kanta from 1.9.2026,
# providers store into it from 1.11.2026; 31.8.2026 is the day before it goes live.
SHORTCUTS = (
    (date(2026, 8, 31), "clock.shortcut_before"),
    (date(2026, 9, 1), "clock.shortcut_kanta"),
    (date(2026, 11, 1), "clock.shortcut_providers"),
)
SHORTCUT_HOUR = 12
MAX_ADVANCE_DAYS = 3660


def register(bp) -> None:
    bp.add_url_rule("/clock", "clock", move, methods=["POST"])
    bp.add_app_template_global(shortcuts, "clock_shortcuts")
    bp.add_app_template_global(context.HELSINKI, "clock_zone")


def today() -> date:
    return context.clock_now().astimezone(context.HELSINKI).date()


def shortcuts() -> list[dict]:
    return [{"day": day.isoformat(), "label": i18n.t(key, date=context.fmt_date(day))} for day, key in SHORTCUTS]


def move():
    security.require_csrf()
    tenant, clock = context.tenant(), context.services().clock
    action = request.form.get("action", "")
    if action == "set":
        state = clock.set(tenant, _instant(request.form.get("date"), request.form.get("time") or "12:00"),
                          frozen=request.form.get("frozen") == "1")
    elif action == "shortcut":
        day = request.form.get("day", "")
        if day not in {d.isoformat() for d, _ in SHORTCUTS}:
            abort(400, i18n.t("clock.bad_shortcut", value=day[:40]))
        state = clock.set(tenant, _instant(day, f"{SHORTCUT_HOUR}:00"), frozen=True)
    elif action == "advance":
        state = clock.advance(tenant, timedelta(days=_days(request.form.get("days", "1"))))
    elif action == "reset":
        state = clock.reset(tenant)
    else:
        abort(400, i18n.t("clock.bad_action", value=action[:40]))
    flash(i18n.t("clock.moved", at=context.fmt_datetime(state.now), mode=i18n.t(f"clock.mode_{state.mode}")))
    return redirect(_back(request.form.get("next")), code=303)


def _instant(day: str | None, clock_time: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day or ""), time.fromisoformat(clock_time), context.HELSINKI)
    except ValueError:
        abort(400, i18n.t("clock.bad_time", value=f"{day or ''} {clock_time}"[:60]))


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        abort(400, i18n.t("clock.bad_days", value=value[:20]))
    if not -MAX_ADVANCE_DAYS <= days <= MAX_ADVANCE_DAYS or days == 0:
        abort(400, i18n.t("clock.bad_days", value=value[:20]))
    return days


def _back(target: str | None) -> str:
    """Only a path inside the UI: never another site."""
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"
