"""Register facts the checks and the registers service share: the register usage right
(rekisterinkäyttöoikeus) and when a service unit reaches the SOTE organisation register."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from mock_kanta.core.dates import HELSINKI

# Soteri -> SOTE organisation register runs once a day; the hour is modelled (not public).
SOTE_TRANSFER_HOUR = 3


@dataclass(frozen=True)
class Right:
    """One register usage right: the organiser named the provider's unit for a client from `start`."""

    organiser_oid: str
    client_id: str
    relationship_id: str
    function_code: str | None
    unit_oid: str
    services: tuple[str, ...]
    start: date
    end: date | None
    source_document_id: str

    def in_force(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    @classmethod
    def from_row(cls, row: dict) -> "Right":
        return cls(row["organiser_oid"], row["client_id"], row["relationship_id"], row["function_code"], row["unit_oid"],
                   tuple(json.loads(row["services_json"])), row["start_date"], row["end_date"], row["source_document_id"])


def sote_register_from(registered_at: str | None) -> datetime | None:
    """When a unit registered in Soteri at `registered_at` reaches the SOTE organisation register:
    the next daily transfer (SOTE_TRANSFER_HOUR, Helsinki time) after it. None = long ago."""
    if not registered_at:
        return None
    at = datetime.fromisoformat(registered_at).astimezone(HELSINKI)
    transfer = datetime.combine(at.date(), time(SOTE_TRANSFER_HOUR), HELSINKI)
    if transfer <= at:
        transfer += timedelta(days=1)
    return transfer.astimezone(timezone.utc)
