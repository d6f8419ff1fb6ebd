"""A tenant's settings cached per process (`Store.view`)."""
from __future__ import annotations


class TenantView:
    """One tenant's settings (clock, rule modes, verdict profile, organisations, units), cached per process and
    re-read only when the tenant's generation changed: one query per message instead of several."""

    def __init__(self, store, tenant: str):
        self.store, self.tenant = store, tenant
        self.generation: int | None = None
        self._clock = self._modes = self._verdicts = None
        self._orgs: dict[str, dict | None] = {}
        self._units: dict[str, dict | None] = {}

    def refresh(self) -> TenantView:
        generation = self.store.generation(self.tenant)
        if generation != self.generation:
            self.generation = generation
            self._clock = self._modes = self._verdicts = None
            self._orgs, self._units = {}, {}
        return self

    def clock(self) -> dict | None:
        if self._clock is None:
            self._clock = (self.store.clock(self.tenant),)
        return self._clock[0]

    def rule_modes(self) -> dict[str, str]:
        if self._modes is None:
            self._modes = self.store.rule_modes(self.tenant)
        return self._modes

    def verdict_profile(self) -> dict | None:
        if self._verdicts is None:
            self._verdicts = (self.store.verdict_profile(self.tenant),)
        return self._verdicts[0]

    def organisation(self, oid: str) -> dict | None:
        if oid not in self._orgs:
            self._orgs[oid] = self.store.organisation(self.tenant, oid)
        return self._orgs[oid]

    def service_unit(self, oid: str) -> dict | None:
        if oid not in self._units:
            self._units[oid] = self.store.service_unit(self.tenant, oid)
        return self._units[oid]
