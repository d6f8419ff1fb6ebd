"""Control API: the sandbox clock."""
from datetime import datetime, timedelta, timezone

from flask import abort

from mock_kanta.api.common import JSON, current_services, current_tenant

# A running clock set near year 9999 would overflow on its next reading (a 500 on every request
# of the tenant), and the wire formats have four-digit years: the sandbox time stays in a sane span.
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2999, 12, 31, tzinfo=timezone.utc)
SPAN = "the sandbox time must stay between 1900-01-01 and 2999-12-31"


def get_clock():
    return current_services().clock.state(current_tenant()).to_json(), 200, JSON


def set_clock(body: dict):
    try:
        at = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
    except ValueError:
        abort(400, f"time {body['time']!r} is not an ISO 8601 date-time")
    tenant = current_tenant()
    _check_span(at, f"time {body['time']!r}")
    return current_services().clock.set(tenant, at, frozen=bool(body.get("frozen"))).to_json(), 200, JSON


def advance_clock(body: dict):
    tenant = current_tenant()
    clock = current_services().clock
    current = clock.state(tenant)
    try:
        delta = timedelta(days=body.get("days", 0), hours=body.get("hours", 0), minutes=body.get("minutes", 0),
                          seconds=body.get("seconds", 0))
        target = current.now + delta
    except OverflowError:
        abort(400, f"cannot move the clock by {body}: {SPAN}")
    _check_span(target, f"moving the clock by {body}")
    return clock.advance(tenant, delta).to_json(), 200, JSON


def reset_clock():
    return current_services().clock.reset(current_tenant()).to_json(), 200, JSON


def _check_span(at: datetime, what: str) -> None:
    """400 unless `at` (naive = UTC) is in the span; checked before anything is stored."""
    aware = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    if not EARLIEST <= aware <= LATEST:
        abort(400, f"{what}: {SPAN}")
