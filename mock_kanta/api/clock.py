"""Control API: the sandbox clock."""
from datetime import datetime, timedelta

from flask import abort

from mock_kanta.api.handlers import JSON, _services, _tenant


def get_clock():
    return _services().clock.state(_tenant()).to_json(), 200, JSON


def set_clock(body: dict):
    try:
        at = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
    except ValueError:
        abort(400, f"time {body['time']!r} is not an ISO 8601 date-time")
    return _services().clock.set(_tenant(), at, frozen=bool(body.get("frozen"))).to_json(), 200, JSON


def advance_clock(body: dict):
    delta = timedelta(days=body.get("days", 0), hours=body.get("hours", 0), minutes=body.get("minutes", 0),
                      seconds=body.get("seconds", 0))
    return _services().clock.advance(_tenant(), delta).to_json(), 200, JSON


def reset_clock():
    return _services().clock.reset(_tenant()).to_json(), 200, JSON
