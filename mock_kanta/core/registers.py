"""Register facts the checks and the registers service share: the register usage right
(rekisterinkäyttöoikeus), what a right covers (a unit, a service task, social services, a period), and
when a service unit reaches the SOTE organisation register. The write side (rules/archive/register.py)
and the read side (rules/read) judge a right by the same `Right` methods."""
from __future__ import annotations

import json
from collections.abc import Iterable
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

    def covers_task(self, task: str | None) -> bool:
        """A right names its service task; a document without one, or a right without one, is not limited."""
        return task is None or self.function_code is None or self.function_code == task

    def covers_services(self, services: Iterable[str]) -> bool:
        """A right lists its social services; it covers a document naming at least one of them. A document
        naming none, or a right listing none, is not limited by them."""
        wanted = set(services)
        return not wanted or not self.services or bool(wanted & set(self.services))

    @classmethod
    def from_row(cls, row: dict) -> "Right":
        return cls(row["organiser_oid"], row["client_id"], row["relationship_id"], row["function_code"], row["unit_oid"],
                   tuple(json.loads(row["services_json"])), row["start_date"], row["end_date"], row["source_document_id"])


def granted_tasks(rights: Iterable[Right]) -> frozenset[str] | None:
    """The service tasks `rights` cover together; None when one of them is not limited to a task."""
    tasks = set()
    for right in rights:
        if right.function_code is None:
            return None
        tasks.add(right.function_code)
    return frozenset(tasks)


@dataclass(frozen=True)
class Coverage:
    """How far a client's rights in one register reach a provider's document, narrowed step by step: the
    rights naming its service unit, of those the ones covering its service task, of those the ones in force
    on its date, of those the ones covering its social services. `gap` is the first step that leaves none."""

    unit: tuple[Right, ...]
    task: tuple[Right, ...]
    dated: tuple[Right, ...]
    service: tuple[Right, ...]

    @classmethod
    def of(cls, rights: Iterable[Right], *, unit: str | None, task: str | None, on: date,
           services: Iterable[str]) -> Coverage:
        services = tuple(services)
        named = tuple(r for r in rights if r.unit_oid == unit)
        tasked = tuple(r for r in named if r.covers_task(task))
        dated = tuple(r for r in tasked if r.in_force(on))
        return cls(named, tasked, dated, tuple(r for r in dated if r.covers_services(services)))

    @property
    def gap(self) -> str | None:
        """"unit" | "task" | "date" | "service", or None when a right covers the document."""
        steps = (("unit", self.unit), ("task", self.task), ("date", self.dated), ("service", self.service))
        return next((name for name, found in steps if not found), None)


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
