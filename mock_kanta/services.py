"""The sandbox's parts wired together once per process: settings, store, codes, archive."""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from dataclasses import dataclass

import yaml

import mock_kanta.store.audit_tables  # noqa: F401  (registers the access log's tables)
import mock_kanta.store.people_tables  # noqa: F401  (guardians)
from mock_kanta.archive import Archive
from mock_kanta.audit import AuditLog
from mock_kanta.clock import SandboxClock
from mock_kanta.codes import CodeSystems
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust
from mock_kanta.store import Store


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

    def has_tenant(self, tenant: str) -> bool:
        """Whether the tenant exists (cached: tenants are never deleted)."""
        known = self.__dict__.setdefault("_known_tenants", set())
        if tenant not in known and self.store.tenant(tenant) is not None:
            known.add(tenant)
        return tenant in known

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
