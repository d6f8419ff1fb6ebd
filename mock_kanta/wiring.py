"""The sandbox's parts wired together once per process: settings, store, codes, clock, PKI, archive, access log."""
from __future__ import annotations

from dataclasses import dataclass, field

from mock_kanta.archive.service import Archive
from mock_kanta.archivist import service as archivist
from mock_kanta.audit.service import AuditLog
from mock_kanta.core.clock import SandboxClock
from mock_kanta.core.codes import CodeSystems
from mock_kanta.settings import Settings
from mock_kanta.signing.cards import CardStore, demo_setup
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust
from mock_kanta.store import Store
from mock_kanta.tenants.service import init_lock, load_fixture_matters, load_fixture_organisations


@dataclass
class Services:
    settings: Settings
    store: Store
    codes: CodeSystems
    archive: Archive
    clock: SandboxClock
    pki: Pki
    audit: AuditLog
    known_tenants: set[str] = field(default_factory=set)  # this process's cache of tenants seen to exist

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
        with init_lock(settings):  # several worker processes may start at once
            store.create_schema()
            services.ensure_tenant(settings.default_tenant)
        return services

    def demo_cards(self) -> None:
        """Virtual cards for the demo professionals and system keys for the fixture organisations.

        Only this (a command, before the workers start) opens a token; the serving processes never do."""
        orgs = [(o["oid"], o["name"]) for o in self.store.organisations(self.settings.default_tenant) if o["kind"] != "vendor"]
        demo_setup(CardStore(self.settings.data_dir, self.pki), orgs)

    def has_tenant(self, tenant: str) -> bool:
        """Whether the tenant exists. A yes is cached per process: another worker may delete the
        tenant later, so the wire paths check again on use (Store.view raises UnknownTenant) and
        then call `forget_tenant`."""
        if tenant not in self.known_tenants and self.store.tenant(tenant) is not None:
            self.known_tenants.add(tenant)
        return tenant in self.known_tenants

    def forget_tenant(self, tenant: str) -> None:
        """Drop a tenant from this process's caches (it was deleted or reset)."""
        self.known_tenants.discard(tenant)
        archivist.clear_caches()  # keyed by document id, which a reset tenant may reuse

    def ensure_tenant(self, tenant: str) -> None:
        """Create the tenant and load the fixture organisations the first time."""
        self.store.ensure_tenant(tenant)
        if not self.store.organisations(tenant):
            orgs, units = load_fixture_organisations(self.settings)
            self.store.replace_organisations(tenant, orgs, units)
            for matter in load_fixture_matters(self.settings):
                self.store.add_matter(tenant, matter)
