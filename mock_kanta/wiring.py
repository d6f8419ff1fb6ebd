"""The sandbox's parts wired together once per process: settings, store, codes, clock, PKI, archive, access log.
A worker process (uvicorn's, started by `serve --workers N`) also asks to die with its parent."""
from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from dataclasses import dataclass

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

    @classmethod
    def start(cls, settings: Settings) -> "Services":
        die_with_parent()
        settings.prepare()
        store = Store(settings.db_url, settings.sqlite_synchronous)
        codes = CodeSystems.load(settings.codes_override_dir)
        clock = SandboxClock(store)
        pki = Pki.open(settings.pki_dir, base_url=settings.base_url)
        trust = Trust(pki, load_extra_trust(settings.extra_trust_path))
        audit = AuditLog(store, clock)
        services = cls(settings, store, codes, Archive(settings, store, codes, trust, clock, audit), clock, pki, audit)
        with init_lock(settings, store):  # several worker processes and instances may start at once
            store.create_schema()
            services.ensure_tenant(settings.default_tenant)
        return services

    def demo_cards(self) -> None:
        """Virtual cards for the demo professionals and system keys for the fixture organisations.

        Only this (a command, before the workers start) opens a token; the serving processes never do."""
        orgs = [(o["oid"], o["name"]) for o in self.store.organisations(self.settings.default_tenant) if o["kind"] != "vendor"]
        demo_setup(CardStore(self.settings.data_dir, self.pki), orgs)

    def has_tenant(self, tenant: str) -> bool:
        """Whether the tenant exists now: one primary-key lookup, never cached, so a tenant made or deleted by
        another worker or instance is seen at once."""
        return self.store.generation(tenant) is not None

    def forget_tenant(self, tenant: str) -> None:
        """Drop what this process cached of a tenant (it was deleted or reset)."""
        archivist.clear_caches()  # keyed by document id, which a reset tenant may reuse

    def ensure_tenant(self, tenant: str) -> None:
        """Create the tenant and load the fixture organisations the first time."""
        self.store.ensure_tenant(tenant)
        if not self.store.organisations(tenant):
            orgs, units = load_fixture_organisations(self.settings)
            self.store.replace_organisations(tenant, orgs, units)
            for matter in load_fixture_matters(self.settings):
                self.store.add_matter(tenant, matter)


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a worker process (one multiprocessing started): SIGKILL when its parent dies, so a supervisor killed
    without a chance to stop its workers leaves none behind, listening on its port. Linux only; nothing in the
    main `serve` process (whose own parent may come and go) or elsewhere."""
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    prctl = getattr(ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True), "prctl", None)
    if prctl is None:
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent.pid:  # the parent died before the signal was asked for
        os.kill(os.getpid(), signal.SIGKILL)
