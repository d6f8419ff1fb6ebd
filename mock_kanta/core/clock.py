"""The sandbox clock: real time by default, settable and movable per tenant.

Every date-dependent rule reads `SandboxClock.now(tenant)`, so a timeline such as
Keusote's (register in Kanta from 1.9.2026, providers from 1.11.2026) can be
rehearsed on any day. A set clock either runs on from the set instant or stands
still (frozen) until moved again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ClockState:
    now: datetime
    mode: str  # "real" | "running" | "frozen"
    offset: timedelta

    def to_json(self) -> dict:
        return {"now": self.now.isoformat(), "mode": self.mode, "offsetSeconds": self.offset.total_seconds()}


class SandboxClock:
    def __init__(self, store, real_now: Callable[[], datetime] = utc_now):
        self.store = store
        self.real_now = real_now

    def state(self, tenant: str, view=None) -> ClockState:
        """The clock now; `view` (Store.view) serves the stored setting from the per-process cache."""
        real = self.real_now()
        row = view.clock() if view is not None else self.store.clock(tenant)
        if row is None:
            return ClockState(real, "real", timedelta(0))
        if row["frozen_at"]:
            frozen = datetime.fromisoformat(row["frozen_at"])
            return ClockState(frozen, "frozen", frozen - real)
        offset = timedelta(microseconds=row["offset_us"])
        return ClockState(real + offset, "running", offset)

    def now(self, tenant: str, view=None) -> datetime:
        return self.state(tenant, view).now

    def set(self, tenant: str, at: datetime, *, frozen: bool = False) -> ClockState:
        at = _aware(at)
        if frozen:
            self.store.set_clock(tenant, 0, at.isoformat())
        else:
            self.store.set_clock(tenant, _us(at - self.real_now()), None)
        return self.state(tenant)

    def advance(self, tenant: str, delta: timedelta) -> ClockState:
        current = self.state(tenant)
        return self.set(tenant, current.now + delta, frozen=current.mode == "frozen")

    def reset(self, tenant: str) -> ClockState:
        self.store.set_clock(tenant, None, None)
        return self.state(tenant)


def _aware(at: datetime) -> datetime:
    """The instant in UTC (a naive time is taken as UTC)."""
    return at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
