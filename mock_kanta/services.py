"""The sandbox's parts wired together once per process: settings, store, codes, archive."""
from __future__ import annotations

import fcntl
import re
from contextlib import contextmanager
from dataclasses import dataclass

import yaml

import mock_kanta.store.audit_tables  # noqa: F401  (registers the access log's tables)
import mock_kanta.store.people_tables  # noqa: F401  (guardians)
import mock_kanta.store.rehearsal_tables  # noqa: F401  (graded rehearsal sessions)
import mock_kanta.store.traffic_tables  # noqa: F401  (the traffic log)
from mock_kanta.archive import Archive
from mock_kanta.audit import AuditLog
from mock_kanta.clock import SandboxClock
from mock_kanta.codes import CodeSystems
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust
from mock_kanta.store import Store

TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_SEED_CLIENTS = 5000
MAX_SEED_VALUE = 2**31 - 1  # stored in an SQLite integer column


class TenantConflict(Exception):
    """Not allowed on this tenant (the default tenant cannot be deleted)."""


def check_tenant_id(tenant) -> str:
    """The id itself, or ValueError saying what is wrong with it."""
    if not isinstance(tenant, str) or not TENANT_ID.fullmatch(tenant):
        raise ValueError(f"tenant id {tenant!r} is not valid: 1-63 characters a-z, 0-9 and '-', "
                         "starting with a letter or a digit (e.g. scn-abc123)")
    return tenant


def check_seed(seed) -> dict | None:
    """{"clients": N, "seed": S} checked (N 1-5000, S 0-2**31-1), or None; ValueError otherwise."""
    if seed is None:
        return None
    if not isinstance(seed, dict) or set(seed) - {"clients", "seed"}:
        raise ValueError('seed must be an object {"clients": N, "seed": S}')
    clients, value = seed.get("clients", 20), seed.get("seed", 1)
    if type(clients) is not int or not 1 <= clients <= MAX_SEED_CLIENTS:
        raise ValueError(f"seed.clients must be an integer from 1 to {MAX_SEED_CLIENTS}, not {clients!r}")
    if type(value) is not int or not 0 <= value <= MAX_SEED_VALUE:
        raise ValueError(f"seed.seed must be an integer from 0 to {MAX_SEED_VALUE}, not {value!r}")
    return {"clients": clients, "seed": value}


@dataclass
class Services:
    settings: Settings
    store: Store
    codes: CodeSystems
    archive: Archive
    clock: SandboxClock
    pki: Pki
    audit: AuditLog

    @classmethod
    def start(cls, settings: Settings) -> "Services":
        settings.prepare()
        store = Store(settings.db_url, settings.sqlite_synchronous)
        codes = CodeSystems.load(settings.codes_override_dir)
        clock = SandboxClock(store)
        pki = Pki.open(settings.pki_dir, base_url=settings.base_url)
        trust = Trust(pki, load_extra_trust(settings.extra_trust_path))
        audit = AuditLog(store, clock)
        services = cls(settings, store, codes, Archive(settings, store, codes, trust, clock, audit), clock, pki, audit)
        with _init_lock(settings):  # several worker processes may start at once
            store.create_schema()
            services.ensure_tenant(settings.default_tenant)
        return services

    def demo_cards(self) -> None:
        """Virtual cards for the demo professionals and system keys for the fixture organisations.

        PKCS#11 is loaded here only (the serving processes never touch a token)."""
        from mock_kanta.signing.cards import CardStore, demo_setup

        orgs = [(o["oid"], o["name"]) for o in self.store.organisations(self.settings.default_tenant) if o["kind"] != "vendor"]
        demo_setup(CardStore(self.settings.data_dir, self.pki), orgs)

    def demo_data(self, clients: int, seed: int) -> list[str]:
        """Seed the default tenant once (its first start) so trainers and vendors find clients, matters and
        rights ready; the seed is remembered, so resetting the tenant brings the same data back."""
        tenant = self.settings.default_tenant
        with _init_lock(self.settings):
            if clients <= 0 or self.store.tenant_seed(tenant) is not None:
                return []
            self.store.set_tenant_seed(tenant, clients, seed)
            return self._seed(tenant, {"clients": clients, "seed": seed})

    def has_tenant(self, tenant: str) -> bool:
        """Whether the tenant exists. A yes is cached per process: another worker may delete the
        tenant later, so the wire paths check again on use (Store.view raises UnknownTenant) and
        then call `forget_tenant`."""
        known = self.__dict__.setdefault("_known_tenants", set())
        if tenant not in known and self.store.tenant(tenant) is not None:
            known.add(tenant)
        return tenant in known

    def forget_tenant(self, tenant: str) -> None:
        """Drop a tenant from this process's caches (it was deleted or reset)."""
        self.__dict__.setdefault("_known_tenants", set()).discard(tenant)
        from mock_kanta import archivist

        archivist.clear_caches()  # keyed by document id, which a reset tenant may reuse

    def create_tenant(self, tenant: str, name: str | None = None, seed: dict | None = None) -> tuple[dict, bool, list[str]]:
        """Make a tenant with the fixture organisations, units and matters (as the default tenant has),
        its own clock and registers; seed it with `mock_kanta.seed` when `seed` is {"clients": N, "seed": S}.
        (tenant row, created here?, the seed's summary lines). An existing tenant is left as it is."""
        check_tenant_id(tenant)
        seed = check_seed(seed)
        if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 200):
            raise ValueError("name must be a string of 1 to 200 characters")
        lines: list[str] = []
        with _init_lock(self.settings):  # one creator at a time across worker processes
            created = self.store.ensure_tenant(tenant, name)
            if created:
                self.ensure_tenant(tenant)
                if seed:
                    self.store.set_tenant_seed(tenant, seed["clients"], seed["seed"])
                    lines = self._seed(tenant, seed)
        return self.store.tenant(tenant), created, lines

    def reset_tenant(self, tenant: str) -> tuple[dict[str, int], list[str]]:
        """Wipe everything of the tenant (documents, rights, matters, guardians, access log, traffic,
        clock, rule modes), load the fixtures again and, if it was made with seed parameters, seed
        it again. (rows deleted per table, the seed's summary lines); UnknownTenant if none."""
        with _init_lock(self.settings):
            deleted = self.store.reset_tenant(tenant)
            self.forget_tenant(tenant)
            self.ensure_tenant(tenant)
            seed = self.store.tenant_seed(tenant)
            lines = self._seed(tenant, seed) if seed else []
        return deleted, lines

    def delete_tenant(self, tenant: str) -> dict[str, int]:
        """Delete a tenant and all it has (not the default tenant: TenantConflict); UnknownTenant if none."""
        if tenant == self.settings.default_tenant:
            raise TenantConflict(f"the default tenant {tenant!r} cannot be deleted (reset it instead)")
        with _init_lock(self.settings):
            deleted = self.store.delete_tenant(tenant)
        self.forget_tenant(tenant)
        return deleted

    def _seed(self, tenant: str, seed: dict) -> list[str]:
        from mock_kanta.seed import seed as load

        return load(self, seed["clients"], seed["seed"], tenant=tenant).lines()

    def ensure_tenant(self, tenant: str) -> None:
        """Create the tenant and load the fixture organisations the first time."""
        self.store.ensure_tenant(tenant)
        if not self.store.organisations(tenant):
            orgs, units = load_fixture_organisations(self.settings)
            self.store.replace_organisations(tenant, orgs, units)
            for matter in load_fixture_matters(self.settings):
                self.store.add_matter(tenant, matter)


@contextmanager
def _init_lock(settings: Settings):
    with open(settings.data_dir / ".init.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fixture(settings: Settings) -> dict:
    return yaml.safe_load((settings.fixtures_dir / "organisations.yaml").read_text(encoding="utf-8"))


def load_fixture_matters(settings: Settings) -> list[dict]:
    return [{k: str(v) for k, v in m.items()} for m in _fixture(settings).get("matters") or []]


def load_fixture_organisations(settings: Settings) -> tuple[list[dict], list[dict]]:
    data = _fixture(settings)
    orgs, units = [], []
    for org in data["organisations"]:
        orgs.append(
            {
                "oid": str(org["oid"]),
                "name": org["name"],
                "kind": org["kind"],
                "business_id": org.get("business_id"),
                "municipality": org.get("municipality"),
                "kanta_from": org.get("kanta_from"),
                "providers_from": org.get("providers_from"),
                "verified": bool(org.get("verified", False)),
                "source": org.get("source"),
            }
        )
        for unit in org.get("units") or []:
            units.append(
                {
                    "oid": str(unit["oid"]),
                    "organisation_oid": str(org["oid"]),
                    "name": unit["name"],
                    "unit_type": unit.get("unit_type", "unit"),
                    "parent_unit_oid": unit.get("parent_unit_oid"),
                    "soteri_registered_at": unit.get("soteri_registered_at"),
                    "verified": bool(unit.get("verified", False)),
                    "source": unit.get("source"),
                }
            )
    return orgs, units
