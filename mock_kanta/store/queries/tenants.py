"""The tenants' rows: the tenant and its seed, organisations and service units, rule modes, verdict profile and clock
(`TenantQueries`, `Store`'s methods for them), a tenant's reset and deletion. Every change to a tenant's
settings bumps its generation, so every worker's cached settings (`TenantView`) refresh."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import insert, inspect, select, text

from mock_kanta.store.errors import ConstraintViolation, UnknownTenant
from mock_kanta.store.prepared import TENANT, Prepared
from mock_kanta.store.sessions import lock_chain_of
from mock_kanta.store.tables import matters, metadata
from mock_kanta.store.tables.tenants import clocks, organisations, rule_modes, service_units, tenant_seeds, tenants
from mock_kanta.store.tables.tenants import verdict_profiles

GENERATION = Prepared(select(tenants.c.generation).where(tenants.c.id == TENANT))
_KEPT_ON_RESET = frozenset({"tenants", "tenant_seeds"})


class TenantQueries:
    """`Store`'s methods on tenants and their settings (`self.alchemy`: SQLAlchemy on the store's database)."""

    def ensure_tenant(self, tenant: str, name: str | None = None) -> bool:
        """Create the tenant row unless it exists; True if it was created here."""
        try:
            with self.alchemy.begin() as conn:
                if _exists(conn, tenant):
                    return False
                # A random first generation: a tenant made again under a deleted one's id never
                # matches what another worker cached for the old one.
                conn.execute(insert(tenants).values(id=tenant, name=name or tenant, created_at=_now(),
                                                    generation=secrets.randbelow(1 << 30)))
                return True
        except ConstraintViolation:  # another worker made it first, else the database refused a value
            if self.tenant(tenant) is None:
                raise
            return False

    def tenant(self, tenant: str) -> dict | None:
        return self.alchemy.first(select(tenants).where(tenants.c.id == tenant))

    def tenants(self, only: str | None = None) -> list[dict]:
        """Every tenant (or `only` that one), oldest first, with its seed parameters
        (seed_clients and seed_value, None when it was not seeded)."""
        q = (select(tenants, tenant_seeds.c.clients.label("seed_clients"), tenant_seeds.c.seed.label("seed_value"))
             .outerjoin(tenant_seeds, tenant_seeds.c.tenant_id == tenants.c.id)
             .order_by(tenants.c.created_at, tenants.c.id))
        return self.alchemy.rows(q.where(tenants.c.id == only) if only is not None else q)

    def tenant_seed(self, tenant: str) -> dict | None:
        """{"clients": N, "seed": S} the tenant was made with, or None."""
        return self.alchemy.first(select(tenant_seeds.c.clients, tenant_seeds.c.seed).where(tenant_seeds.c.tenant_id == tenant))

    def set_tenant_seed(self, tenant: str, clients: int, seed: int) -> None:
        with self.alchemy.begin() as conn:
            conn.execute(tenant_seeds.delete().where(tenant_seeds.c.tenant_id == tenant))
            conn.execute(insert(tenant_seeds).values(tenant_id=tenant, clients=clients, seed=seed))

    def generation(self, tenant: str) -> int | None:
        """The tenant's settings generation; None if there is no such tenant."""
        return self.hot.value(GENERATION, tenant=tenant)

    def reset_tenant(self, tenant: str, fixtures: tuple[list, list, list] | None = None) -> dict[str, int]:
        """Delete every row of the tenant in every table (children first, one set-based DELETE per table), keeping
        the tenant row and its seed parameters, load `fixtures` (organisations, units, matters) again, and bump
        its generation so every worker's cached settings refresh: all in one transaction, so a reader (another
        worker, another instance) sees the tenant before or after the reset, never half-reset. The access log's
        chain starts again from nothing (its lock held: no writer links to a removed chain end). Returns rows
        deleted per table. UnknownTenant if there is no such tenant."""
        with self.alchemy.begin() as conn:
            if not _exists(conn, tenant):
                raise UnknownTenant(tenant)
            lock_chain_of(conn, tenant)
            _bump(conn, tenant)
            deleted = _delete_rows(conn, tenant, keep=_KEPT_ON_RESET)
            if fixtures is not None:
                _load_fixtures(conn, tenant, *fixtures)
            return deleted

    def delete_tenant(self, tenant: str) -> dict[str, int]:
        """Delete the tenant and every row it has, in one transaction; UnknownTenant if there is none."""
        with self.alchemy.begin() as conn:
            if not _exists(conn, tenant):
                raise UnknownTenant(tenant)
            lock_chain_of(conn, tenant)
            deleted = _delete_rows(conn, tenant)
            conn.execute(tenants.delete().where(tenants.c.id == tenant))
        return deleted

    # --- organisations and service units ---

    def replace_organisations(self, tenant: str, orgs: Iterable[dict], units: Iterable[dict]) -> None:
        """Upsert the tenant's organisations and units (fixtures, seeds) in one transaction."""
        with self.alchemy.begin() as conn:
            _bump(conn, tenant)
            for table, rows in ((organisations, orgs), (service_units, units)):
                for row in rows:
                    conn.execute(table.delete().where((table.c.tenant_id == tenant) & (table.c.oid == row["oid"])))
                    conn.execute(insert(table).values(tenant_id=tenant, **row))

    def organisations(self, tenant: str, kind: str | None = None) -> list[dict]:
        q = (select(organisations).where(organisations.c.tenant_id == tenant)
             .order_by(organisations.c.kind, organisations.c.name))
        if kind:
            q = q.where(organisations.c.kind == kind)
        return self.alchemy.rows(q)

    def organisation(self, tenant: str, oid: str) -> dict | None:
        return self._by_oid(organisations, tenant, oid)

    def service_units(self, tenant: str, organisation_oid: str | None = None) -> list[dict]:
        q = select(service_units).where(service_units.c.tenant_id == tenant).order_by(service_units.c.name)
        if organisation_oid:
            q = q.where(service_units.c.organisation_oid == organisation_oid)
        return self.alchemy.rows(q)

    def service_unit(self, tenant: str, oid: str) -> dict | None:
        return self._by_oid(service_units, tenant, oid)

    def _by_oid(self, table, tenant: str, oid: str) -> dict | None:
        return self.alchemy.first(select(table).where((table.c.tenant_id == tenant) & (table.c.oid == oid)))

    def add_service_unit(self, tenant: str, row: dict) -> None:
        with self.alchemy.begin() as conn:
            _bump(conn, tenant)
            conn.execute(insert(service_units).values(tenant_id=tenant, **row))

    # --- per-tenant rule modes and the sandbox clock ---

    def rule_modes(self, tenant: str) -> dict[str, str]:
        return {r["selector"]: r["mode"] for r in self.alchemy.rows(select(rule_modes).where(rule_modes.c.tenant_id == tenant))}

    def set_rule_mode(self, tenant: str, selector: str, mode: str | None) -> None:
        with self.alchemy.begin() as conn:
            _bump(conn, tenant)
            conn.execute(rule_modes.delete().where((rule_modes.c.tenant_id == tenant) & (rule_modes.c.selector == selector)))
            if mode:
                conn.execute(insert(rule_modes).values(tenant_id=tenant, selector=selector, mode=mode))

    def verdict_profile(self, tenant: str) -> dict | None:
        """{"strict": bool, "organisers": [OID, ...]}, or None when the tenant keeps the default."""
        row = self.alchemy.first(select(verdict_profiles).where(verdict_profiles.c.tenant_id == tenant))
        return {"strict": bool(row["strict"]), "organisers": json.loads(row["organisers"])} if row else None

    def set_verdict_profile(self, tenant: str, strict: bool, organisers: Iterable[str]) -> None:
        """Store the tenant's verdict profile; neither strict nor an organiser means the default (no row)."""
        chosen = sorted(set(organisers))
        with self.alchemy.begin() as conn:
            _bump(conn, tenant)
            conn.execute(verdict_profiles.delete().where(verdict_profiles.c.tenant_id == tenant))
            if strict or chosen:
                conn.execute(insert(verdict_profiles).values(tenant_id=tenant, strict=bool(strict),
                                                             organisers=json.dumps(chosen)))

    def clock(self, tenant: str) -> dict | None:
        return self.alchemy.first(select(clocks).where(clocks.c.tenant_id == tenant))

    def set_clock(self, tenant: str, offset_us: int | None, frozen_at: str | None) -> None:
        """Store the tenant's clock; offset None means real time again."""
        with self.alchemy.begin() as conn:
            _bump(conn, tenant)
            conn.execute(clocks.delete().where(clocks.c.tenant_id == tenant))
            if offset_us is not None or frozen_at is not None:
                conn.execute(insert(clocks).values(tenant_id=tenant, offset_us=offset_us or 0, frozen_at=frozen_at,
                                                   updated_at=_now()))


def _exists(conn, tenant: str) -> bool:
    return conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first() is not None


def _bump(conn, tenant: str) -> None:
    conn.execute(tenants.update().where(tenants.c.id == tenant).values(generation=tenants.c.generation + 1))


def _delete_rows(conn, tenant: str, keep: frozenset[str] = frozenset({"tenants"})) -> dict[str, int]:
    """Delete the tenant's rows from every table in the database with a tenant_id column, except
    the `keep` ones: tables on `metadata` dependents first, after any others (a table another version
    made). A table on `metadata` not yet created in the database is skipped."""
    known, found = {t.name for t in metadata.sorted_tables}, inspect(conn)
    existing = set(found.get_table_names())
    others = [name for name in sorted(existing - known) if any(c["name"] == "tenant_id" for c in found.get_columns(name))]
    deleted = {}
    for name in others:
        deleted[name] = conn.execute(text(f'DELETE FROM "{name}" WHERE tenant_id = :tenant'), {"tenant": tenant}).rowcount
    for table in reversed(metadata.sorted_tables):
        if table.name in existing and table.name not in keep and "tenant_id" in table.c:
            deleted[table.name] = conn.execute(table.delete().where(table.c.tenant_id == tenant)).rowcount
    return deleted


def _load_fixtures(conn, tenant: str, orgs: list[dict], units: list[dict], matter_rows: list[dict]) -> None:
    """The fixture organisations, units and matters of a tenant whose rows were just deleted (set-based inserts)."""
    for table, rows in ((organisations, orgs), (service_units, units)):
        if rows:
            conn.execute(insert(table), [{"tenant_id": tenant, **row} for row in rows])
    if matter_rows:
        created = _now()
        conn.execute(insert(matters), [{"tenant_id": tenant, "created_at": created, **row} for row in matter_rows])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
