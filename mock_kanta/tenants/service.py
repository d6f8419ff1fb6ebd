"""Sandbox tenants: create one with the fixture organisations (and a seed), reset it to them, delete it.

Every tenant has its own registers, clock, access log and traffic; the default tenant is made on the first
start and cannot be deleted. Creating, resetting and deleting hold the init lock (the data directory's file lock
and, on PostgreSQL, an advisory lock shared by every instance), so no two processes half-make a tenant. A reset is
one transaction, the fixtures reloaded inside it: a document sent meanwhile meets the tenant before or after it.

Seeding (the clients of `seed`, at a create and again after each reset) is a background job (mock_kanta.jobs),
never work inside a request: the tenant exists at once, the job fills it. One seeding runs at a time (the seed
lock, across processes and instances), and seeding twice loads nothing twice (mock_kanta.seeding is idempotent).
"""
from __future__ import annotations

import fcntl
import re
from contextlib import contextmanager

import yaml

from mock_kanta.jobs import service as jobs
from mock_kanta.seeding.service import seed as load_seed
from mock_kanta.settings import Settings

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


INIT_LOCK = "mock-kanta-init"
SEED_LOCK = "mock-kanta-seed"


@contextmanager
def init_lock(settings: Settings, store):
    """One process at a time makes the schema and tenants: the data directory's lock (the processes of one
    instance), then the store's (the instances on one PostgreSQL)."""
    with _lock(settings, store, ".init.lock", INIT_LOCK):
        yield


@contextmanager
def seed_lock(settings: Settings, store):
    """One seeding at a time (they share the data directory's virtual cards), across processes and instances."""
    with _lock(settings, store, ".seed.lock", SEED_LOCK):
        yield


@contextmanager
def _lock(settings: Settings, store, file_name: str, name: str):
    with open(settings.data_dir / file_name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with store.exclusive(name):
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def create(services, tenant: str, name: str | None = None, seed: dict | None = None, *,
           here: bool = False) -> tuple[dict, bool, dict | None]:
    """Make a tenant with the fixture organisations, units and matters (as the default tenant has),
    its own clock and registers; when `seed` is {"clients": N, "seed": S}, queue the job that seeds it with
    `mock_kanta.seeding` (run now, in this thread, when `here`). (tenant row, created here?, the seed job or
    None). An existing tenant is left as it is."""
    check_tenant_id(tenant)
    seed = check_seed(seed)
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 200 or "\x00" in name):
        raise ValueError("name must be a string of 1 to 200 characters, without NUL")
    store = services.store
    with init_lock(services.settings, store):  # one creator at a time across worker processes and instances
        created = store.ensure_tenant(tenant, name)
        if created:
            services.ensure_tenant(tenant)
            if seed:
                store.set_tenant_seed(tenant, seed["clients"], seed["seed"])
    job = seed_job(services, tenant, seed, here=here) if created and seed else None
    return store.tenant(tenant), created, job


def reset(services, tenant: str, *, here: bool = False) -> tuple[dict[str, int], dict | None]:
    """Wipe everything of the tenant (documents, rights, matters, guardians, access log, traffic,
    clock, rule modes, jobs), load the fixtures again and, if it was made with seed parameters, queue the job
    that seeds it again (run now when `here`). (rows deleted per table, the seed job or None);
    UnknownTenant if none."""
    settings = services.settings
    orgs, units = load_fixture_organisations(settings)
    with init_lock(settings, services.store):
        deleted = services.store.reset_tenant(tenant, fixtures=(orgs, units, load_fixture_matters(settings)))
        services.forget_tenant(tenant)
        seed = services.store.tenant_seed(tenant)
    return deleted, seed_job(services, tenant, seed, here=here) if seed else None


def seed_job(services, tenant: str, seed: dict, *, here: bool = False) -> dict:
    """Queue (or, `here`, run now) the job that loads the tenant's seed; the job as the API shows it."""
    def work(progress) -> list[str]:
        with seed_lock(services.settings, services.store):
            return load_seed(services, seed["clients"], seed["seed"], tenant=tenant, progress=progress).lines()

    return jobs.submit(services.store, tenant, "seed", {"clients": seed["clients"], "seed": seed["seed"]},
                       seed["clients"], work, here=here)


def delete(services, tenant: str) -> dict[str, int]:
    """Delete a tenant and all it has (not the default tenant: TenantConflict); UnknownTenant if none."""
    if tenant == services.settings.default_tenant:
        raise TenantConflict(f"the default tenant {tenant!r} cannot be deleted (reset it instead)")
    with init_lock(services.settings, services.store):
        deleted = services.store.delete_tenant(tenant)
    services.forget_tenant(tenant)
    return deleted


def seed_demo(services, clients: int, seed: int) -> list[str]:
    """Seed the default tenant once (its first start) so trainers and vendors find clients, matters and
    rights ready; the seed is remembered, so resetting the tenant brings the same data back."""
    tenant = services.settings.default_tenant
    with init_lock(services.settings, services.store):
        if clients <= 0 or services.store.tenant_seed(tenant) is not None:
            return []
        services.store.set_tenant_seed(tenant, clients, seed)
        return _seed(services, tenant, {"clients": clients, "seed": seed})


def _seed(services, tenant: str, seed: dict) -> list[str]:
    with seed_lock(services.settings, services.store):
        return load_seed(services, seed["clients"], seed["seed"], tenant=tenant).lines()


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
