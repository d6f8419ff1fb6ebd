"""Dates as the messages and the registers state them: HL7 TS values, ISO dates, Finnish time."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def ts_date(value: str | None) -> date | None:
    """The date of an HL7 TS value (YYYYMMDD...), or None."""
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def iso_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
