"""The store: rows in, rows out, one transaction per write. Knows nothing of XML or rules."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, create_engine, event, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

# The archive path's lookups are defined once, in fastpath (it compiles them for raw sqlite3).
from mock_kanta.store.fastpath import ALL_RIGHTS as _ALL_RIGHTS
from mock_kanta.store.fastpath import DOCUMENT_SUMMARY as _DOCUMENT_SUMMARY
from mock_kanta.store.fastpath import MATTER as _MATTER
from mock_kanta.store.fastpath import RIGHTS as _RIGHTS
from mock_kanta.store.fastpath import (
    SUMMARY_COLUMNS,
    FastPath,
    GroupWriter,
    PendingDocument,
    StaleVersion,
)
from mock_kanta.store.fastpath import VERSIONS as _VERSIONS
from mock_kanta.store.schema import (
    SCHEMA_VERSION,
    clocks,
    documents,
    matters,
    metadata,
    organisations,
    register_rights,
    rule_modes,
    schema_info,
    service_units,
    tenant_seeds,
    tenants,
)
from mock_kanta.store.traffic_tables import traffic

_INSERT_DOCUMENT = insert(documents)  # built once: the archive path inserts one row per request
_INSERT_TRAFFIC = insert(traffic)
_DOCUMENT = select(documents).where((documents.c.tenant_id == bindparam("tenant")) & (documents.c.document_id == bindparam("key")))


class SchemaMismatch(RuntimeError):
    pass


class UnknownTenant(LookupError):
    """No such tenant (any more): another worker may have deleted it since this one cached it."""

    def __init__(self, tenant: str):
        super().__init__(tenant)
        self.tenant = tenant

    def __str__(self) -> str:
        return f"no sandbox tenant {self.tenant!r}"


class DuplicateDocument(Exception):
    def __init__(self, document_id: str, existing: dict[str, Any]):
        super().__init__(document_id)
        self.document_id = document_id
        self.existing = existing


class Store:
    def __init__(self, url: str, sqlite_synchronous: str = "FULL"):
        self.url = url
        self.engine = create_engine(url, future=True)
        # The archive's hot path on raw sqlite3 for a database file (None elsewhere: SQLAlchemy throughout).
        self.fast: FastPath | None = None
        if url.startswith("sqlite"):
            _tune_sqlite(self.engine, sqlite_synchronous)
            path = self.engine.url.database
            if path and path != ":memory:" and not path.startswith("file:"):
                self.fast = FastPath(path, sqlite_synchronous)
        self._writer: GroupWriter | None = None

    def create_schema(self) -> None:
        """Create the tables; refuse a database written by another schema version (no migrations yet)."""
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            version = conn.execute(select(schema_info.c.version)).scalar()
            if version is None and conn.execute(select(func.count()).select_from(tenants)).scalar():
                version = 1  # made before schema_info existed
            if version is None:
                conn.execute(insert(schema_info).values(version=SCHEMA_VERSION))
            elif version != SCHEMA_VERSION:
                raise SchemaMismatch(
                    f"the database {self.url} has schema version {version}, this mock-kanta needs {SCHEMA_VERSION}; "
                    "move the data directory aside (its documents stay readable in the old file) and start again"
                )

    def view(self, tenant: str) -> TenantView:
        """The tenant's cached settings, checked against its generation (call once per message);
        UnknownTenant if the tenant does not exist (e.g. deleted by another worker)."""
        views = self.__dict__.setdefault("_views", {})
        view = views.get(tenant) or views.setdefault(tenant, TenantView(self, tenant))
        if view.refresh().generation is None:
            views.pop(tenant, None)
            raise UnknownTenant(tenant)
        return view

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    # --- tenants and organisations ----------------------------------------------

    def ensure_tenant(self, tenant: str, name: str | None = None) -> bool:
        """Create the tenant row unless it exists; True if it was created here."""
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first():
                    return False
                # A random first generation: a tenant made again under a deleted one's id never
                # matches what another worker cached for the old one.
                conn.execute(insert(tenants).values(id=tenant, name=name or tenant, created_at=_now(),
                                                    generation=secrets.randbelow(1 << 30)))
                return True
        except IntegrityError:  # another worker made it first
            return False

    def tenant(self, tenant: str) -> dict | None:
        return self._one(select(tenants).where(tenants.c.id == tenant))

    def tenants(self, only: str | None = None) -> list[dict]:
        """Every tenant (or `only` that one), oldest first, with its seed parameters
        (seed_clients and seed_value, None when it was not seeded)."""
        q = (select(tenants, tenant_seeds.c.clients.label("seed_clients"), tenant_seeds.c.seed.label("seed_value"))
             .outerjoin(tenant_seeds, tenant_seeds.c.tenant_id == tenants.c.id)
             .order_by(tenants.c.created_at, tenants.c.id))
        return self._all(q.where(tenants.c.id == only) if only is not None else q)

    def tenant_seed(self, tenant: str) -> dict | None:
        """{"clients": N, "seed": S} the tenant was made with, or None."""
        return self._one(select(tenant_seeds.c.clients, tenant_seeds.c.seed).where(tenant_seeds.c.tenant_id == tenant))

    def set_tenant_seed(self, tenant: str, clients: int, seed: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(tenant_seeds.delete().where(tenant_seeds.c.tenant_id == tenant))
            conn.execute(insert(tenant_seeds).values(tenant_id=tenant, clients=clients, seed=seed))

    def reset_tenant(self, tenant: str) -> dict[str, int]:
        """Delete every row of the tenant in every table (children first) in one transaction, keeping
        the tenant row and its seed parameters, and bump its generation so every worker's cached
        settings refresh. The access log's chain starts again from nothing. Returns rows deleted per table.
        UnknownTenant if there is no such tenant."""
        with self.engine.begin() as conn:
            if conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first() is None:
                raise UnknownTenant(tenant)
            _bump(conn, tenant)
            return _delete_rows(conn, tenant, keep=_KEPT_ON_RESET)

    def delete_tenant(self, tenant: str) -> dict[str, int]:
        """Delete the tenant and every row it has, in one transaction; UnknownTenant if there is none."""
        with self.engine.begin() as conn:
            if conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first() is None:
                raise UnknownTenant(tenant)
            deleted = _delete_rows(conn, tenant)
            conn.execute(tenants.delete().where(tenants.c.id == tenant))
        self.__dict__.get("_views", {}).pop(tenant, None)
        return deleted

    def replace_organisations(self, tenant: str, orgs: Iterable[dict], units: Iterable[dict]) -> None:
        """Upsert the tenant's organisations and units (fixtures, seeds) in one transaction."""
        with self.engine.begin() as conn:
            _bump(conn, tenant)
            for row in orgs:
                conn.execute(organisations.delete().where(
                    (organisations.c.tenant_id == tenant) & (organisations.c.oid == row["oid"])))
                conn.execute(insert(organisations).values(tenant_id=tenant, **row))
            for row in units:
                conn.execute(service_units.delete().where(
                    (service_units.c.tenant_id == tenant) & (service_units.c.oid == row["oid"])))
                conn.execute(insert(service_units).values(tenant_id=tenant, **row))

    def organisations(self, tenant: str, kind: str | None = None) -> list[dict]:
        q = select(organisations).where(organisations.c.tenant_id == tenant).order_by(organisations.c.kind, organisations.c.name)
        if kind:
            q = q.where(organisations.c.kind == kind)
        return self._all(q)

    def organisation(self, tenant: str, oid: str) -> dict | None:
        return self._one(select(organisations).where((organisations.c.tenant_id == tenant) & (organisations.c.oid == oid)))

    def service_units(self, tenant: str, organisation_oid: str | None = None) -> list[dict]:
        q = select(service_units).where(service_units.c.tenant_id == tenant).order_by(service_units.c.name)
        if organisation_oid:
            q = q.where(service_units.c.organisation_oid == organisation_oid)
        return self._all(q)

    def service_unit(self, tenant: str, oid: str) -> dict | None:
        return self._one(select(service_units).where((service_units.c.tenant_id == tenant) & (service_units.c.oid == oid)))

    def add_service_unit(self, tenant: str, row: dict) -> None:
        with self.engine.begin() as conn:
            _bump(conn, tenant)
            conn.execute(insert(service_units).values(tenant_id=tenant, **row))

    # --- matters and register usage rights ------------------------------------------------

    def matter(self, tenant: str, matter_id: str) -> dict | None:
        if self.fast is not None:
            return self.fast.matter(tenant, matter_id)
        return self._one(_MATTER, tenant=tenant, key=matter_id)

    def matters(self, tenant: str, client_id: str | None = None) -> list[dict]:
        q = select(matters).where(matters.c.tenant_id == tenant).order_by(matters.c.created_at)
        if client_id:
            q = q.where(matters.c.client_id == client_id)
        return self._all(q)

    def add_matter(self, tenant: str, row: dict, conn=None) -> None:
        """Record a matter unless it is known already."""
        def run(c):
            if c.execute(select(matters.c.matter_id).where(
                    (matters.c.tenant_id == tenant) & (matters.c.matter_id == row["matter_id"]))).first() is None:
                c.execute(insert(matters).values(tenant_id=tenant, created_at=_now(), **row))
        if conn is not None:
            run(conn)
        else:
            with self.engine.begin() as c:
                run(c)

    def rights(self, tenant: str, client_id: str, *, include_replaced: bool = False) -> list[dict]:
        if self.fast is not None and not include_replaced:
            return self.fast.rights(tenant, client_id)
        return self._all(_ALL_RIGHTS if include_replaced else _RIGHTS, tenant=tenant, key=client_id)

    @staticmethod
    def grant_rights(conn, tenant: str, relationship_id: str, document_id: str, rows: list[dict]) -> None:
        """Replace what earlier versions of a client-relationship document granted (inside the document's transaction)."""
        conn.execute(
            register_rights.update()
            .where((register_rights.c.tenant_id == tenant) & (register_rights.c.relationship_id == relationship_id)
                   & register_rights.c.replaced_by.is_(None))
            .values(replaced_by=document_id)
        )
        for row in rows:
            conn.execute(insert(register_rights).values(tenant_id=tenant, relationship_id=relationship_id,
                                                        granted_at=_now(), **row))

    # --- per-tenant rule modes ------------------------------------------------------------

    def rule_modes(self, tenant: str) -> dict[str, str]:
        return {r["selector"]: r["mode"] for r in self._all(select(rule_modes).where(rule_modes.c.tenant_id == tenant))}

    def set_rule_mode(self, tenant: str, selector: str, mode: str | None) -> None:
        with self.engine.begin() as conn:
            _bump(conn, tenant)
            conn.execute(rule_modes.delete().where((rule_modes.c.tenant_id == tenant) & (rule_modes.c.selector == selector)))
            if mode:
                conn.execute(insert(rule_modes).values(tenant_id=tenant, selector=selector, mode=mode))

    # --- the sandbox clock ------------------------------------------------------

    def clock(self, tenant: str) -> dict | None:
        return self._one(select(clocks).where(clocks.c.tenant_id == tenant))

    def set_clock(self, tenant: str, offset_us: int | None, frozen_at: str | None) -> None:
        """Store the tenant's clock; offset None means real time again."""
        with self.engine.begin() as conn:
            _bump(conn, tenant)
            conn.execute(clocks.delete().where(clocks.c.tenant_id == tenant))
            if offset_us is not None or frozen_at is not None:
                conn.execute(insert(clocks).values(tenant_id=tenant, offset_us=offset_us or 0, frozen_at=frozen_at, updated_at=_now()))

    # --- documents ---------------------------------------------------------------

    def insert_document(self, tenant: str, row: dict) -> int:
        """Store one document row alone in its own transaction; DuplicateDocument if its id exists."""
        result = self._write_one(PendingDocument(tenant, row))
        if isinstance(result, Exception):
            raise result
        return result

    def write_documents(self, batch: list[PendingDocument]) -> list[int | None | Exception]:
        """Store accepted documents with all they change, and refusals' log rows (see fastpath.PendingDocument):
        on SQLite in one transaction and one commit; per item its seq (None for a refusal), or the exception
        that undid it alone (DuplicateDocument, StaleVersion, IntegrityError)."""
        if self.fast is not None:
            return self.fast.write(batch)
        return [self._write_one(item) for item in batch]

    @property
    def writer(self) -> GroupWriter:
        """This process's group-commit writer thread (for concurrent requests; see fastpath.GroupWriter)."""
        if self._writer is None:
            self._writer = GroupWriter(self.write_documents)
        return self._writer

    def _write_one(self, item: PendingDocument) -> int | None | Exception:
        """One document in its own transaction through SQLAlchemy (databases other than an SQLite file)."""
        if item.row is None:  # a refusal: its access log event and traffic row only
            try:
                with self.engine.begin() as conn:
                    self._write_logs(conn, item)
            except IntegrityError as exc:  # the tenant was deleted meanwhile
                return exc
            return None
        tenant, document_id = item.tenant, item.row["document_id"]
        try:
            with self.engine.begin() as conn:
                seq = conn.execute(_INSERT_DOCUMENT, {"tenant_id": tenant, **item.row}).inserted_primary_key[0]
                if item.parent_id is not None and not self.supersede(conn, tenant, item.parent_id, document_id):
                    raise StaleVersion(item.parent_id)
                if item.grants:
                    self.grant_rights(conn, tenant, item.grants[0], document_id, item.grants[1])
                if item.matter is not None:
                    self.add_matter(tenant, item.matter, conn)
                self._write_logs(conn, item)
                return seq
        except StaleVersion as exc:
            return exc
        except IntegrityError as exc:
            existing = self.document(tenant, document_id, summary=True)
            return DuplicateDocument(document_id, existing) if existing is not None else exc

    @staticmethod
    def _write_logs(conn, item: PendingDocument) -> None:
        """The access log event and the traffic row of a written (or refused) document."""
        from mock_kanta.audit.service import append_row

        if item.audit_row is not None:
            append_row(conn, item.tenant, dict(item.audit_row))
        if item.traffic_row is not None:
            conn.execute(_INSERT_TRAFFIC, item.traffic_row)

    def documents(
        self, tenant: str, register_oid: str, *, client_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[dict], int]:
        where = (documents.c.tenant_id == tenant) & (documents.c.register_oid == register_oid)
        if client_id:
            where = where & (documents.c.client_id == client_id)
        rows = self._all(select(*SUMMARY_COLUMNS).where(where).order_by(documents.c.seq.desc()).limit(limit).offset(offset))
        total = self._scalar(select(func.count()).select_from(documents).where(where))
        return rows, total

    def document(self, tenant: str, document_id: str, *, summary: bool = False) -> dict | None:
        if summary and self.fast is not None:
            return self.fast.document(tenant, document_id)
        return self._one(_DOCUMENT_SUMMARY if summary else _DOCUMENT, tenant=tenant, key=document_id)

    def versions(self, tenant: str, set_id: str) -> list[dict]:
        """Every version of a document set, oldest first (the history)."""
        if self.fast is not None:
            return self.fast.versions(tenant, set_id)
        return self._all(_VERSIONS, tenant=tenant, key=set_id)

    @staticmethod
    def supersede(conn, tenant: str, parent_id: str, new_id: str) -> bool:
        """Mark the parent version replaced by `new_id`, only if it is still current (False: someone was first)."""
        result = conn.execute(
            documents.update()
            .where((documents.c.tenant_id == tenant) & (documents.c.document_id == parent_id) & (documents.c.status == "active"))
            .values(status="replaced", replaced_by=new_id)
        )
        return result.rowcount == 1

    def count_documents(self, tenant: str) -> int:
        return self._scalar(select(func.count()).select_from(documents).where(documents.c.tenant_id == tenant))

    def registers(self, tenant: str) -> list[dict]:
        q = (
            select(documents.c.register_oid, func.count().label("documents"), func.max(documents.c.received_at).label("last_received_at"))
            .where(documents.c.tenant_id == tenant)
            .group_by(documents.c.register_oid)
        )
        return self._all(q)

    # --- helpers -----------------------------------------------------------------

    def _all(self, q, **params) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q, params)]

    def _one(self, q, **params) -> dict | None:
        with self.engine.connect() as conn:
            r = conn.execute(q, params).first()
            return dict(r._mapping) if r else None

    def _scalar(self, q):
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()


_GENERATION = select(tenants.c.generation).where(tenants.c.id == bindparam("tenant"))


def _bump(conn, tenant: str) -> None:
    conn.execute(tenants.update().where(tenants.c.id == tenant).values(generation=tenants.c.generation + 1))


_KEPT_ON_RESET = frozenset({"tenants", "tenant_seeds"})


def _delete_rows(conn, tenant: str, keep: frozenset[str] = frozenset({"tenants"})) -> dict[str, int]:
    """Delete the tenant's rows from every table in the database with a tenant_id column, except
    the `keep` ones: tables on `metadata` dependents first, after any others (a module not imported
    in this process). A table on `metadata` not yet created in the database is skipped."""
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


class TenantView:
    """One tenant's settings (clock, rule modes, organisations, units), cached per process and
    re-read only when the tenant's generation changed: one query per message instead of several."""

    def __init__(self, store: "Store", tenant: str):
        self.store, self.tenant = store, tenant
        self.generation: int | None = None
        self._clock = self._modes = None
        self._orgs: dict[str, dict | None] = {}
        self._units: dict[str, dict | None] = {}

    def refresh(self) -> "TenantView":
        if self.store.fast is not None:
            generation = self.store.fast.generation(self.tenant)
        else:
            with self.store.engine.connect() as conn:
                generation = conn.execute(_GENERATION, {"tenant": self.tenant}).scalar()
        if generation != self.generation:
            self.generation = generation
            self._clock = self._modes = None
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

    def organisation(self, oid: str) -> dict | None:
        if oid not in self._orgs:
            self._orgs[oid] = self.store.organisation(self.tenant, oid)
        return self._orgs[oid]

    def service_unit(self, oid: str) -> dict | None:
        if oid not in self._units:
            self._units[oid] = self.store.service_unit(self.tenant, oid)
        return self._units[oid]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _tune_sqlite(engine, synchronous: str) -> None:
    if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"bad sqlite synchronous mode {synchronous}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()
