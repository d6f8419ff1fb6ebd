"""Counts and lists of the registers the web UI's pages show: per register and per client, documents, matters,
client relationships and the register usage rights."""
from __future__ import annotations

from datetime import date

from sqlalchemy import distinct, func, select

from mock_kanta.store.tables.documents import documents, matters, register_rights

_D, _M, _R = documents.c, matters.c, register_rights.c


def documents_by_register(store, tenant: str) -> list[dict]:
    """Per register_oid: n documents, clients, last arrival."""
    return store.alchemy.rows(select(_D.register_oid, func.count().label("n"), func.count(distinct(_D.client_id)).label("clients"),
                                     func.max(_D.received_at).label("last"))
                              .where(_D.tenant_id == tenant).group_by(_D.register_oid))


def relationships_by_organiser(store, tenant: str) -> list[dict]:
    """Per organiser_oid: n client relationships with rights not replaced."""
    return store.alchemy.rows(select(_R.organiser_oid, func.count(distinct(_R.relationship_id)).label("n"))
                              .where(_live(tenant)).group_by(_R.organiser_oid))


def rights_in_force_by_organiser(store, tenant: str, on: date) -> list[dict]:
    """Per organiser_oid: n rights not replaced and in force on `on`."""
    in_force = _live(tenant) & (_R.start_date <= on) & (_R.end_date.is_(None) | (_R.end_date >= on))
    return store.alchemy.rows(select(_R.organiser_oid, func.count().label("n")).where(in_force).group_by(_R.organiser_oid))


def rights(store, tenant: str, *, limit: int, organiser_oid: str | None = None, unit_oids: list[str] | None = None,
           client_id: str | None = None) -> list[dict]:
    """Up to `limit` right rows (replaced ones too) in the organiser's register, or naming any of `unit_oids`,
    of the client if given, by client and start."""
    cond = _R.tenant_id == tenant
    if organiser_oid is not None:
        cond = cond & (_R.organiser_oid == organiser_oid)
    if unit_oids is not None:
        cond = cond & _R.unit_oid.in_(unit_oids)
    if client_id:
        cond = cond & (_R.client_id == client_id)
    return store.alchemy.rows(select(register_rights).where(cond).order_by(_R.client_id, _R.start_date, _R.seq).limit(limit))


def documents_by_client(store, tenant: str, register_oid: str) -> list[dict]:
    """Per client_id in the register: n documents, last arrival."""
    return store.alchemy.rows(select(_D.client_id, func.count().label("n"), func.max(_D.received_at).label("last"))
                              .where((_D.tenant_id == tenant) & (_D.register_oid == register_oid)).group_by(_D.client_id))


def matters_by_client(store, tenant: str, register_oid: str) -> list[dict]:
    """Per client_id: n matters the register's organisation organises."""
    return store.alchemy.rows(select(_M.client_id, func.count().label("n"))
                              .where((_M.tenant_id == tenant) & (_M.organiser_oid == register_oid)).group_by(_M.client_id))


def relationships_by_client(store, tenant: str, register_oid: str) -> list[dict]:
    """Per client_id: n client relationships with rights not replaced in the register."""
    return store.alchemy.rows(select(_R.client_id, func.count(distinct(_R.relationship_id)).label("n"))
                              .where(_live(tenant) & (_R.organiser_oid == register_oid)).group_by(_R.client_id))


def clients_with_documents(store, tenant: str, limit: int) -> list[dict]:
    """Up to `limit` clients with documents in the tenant: client_id, documents, last arrival; newest first."""
    return store.alchemy.rows(select(_D.client_id, func.count().label("documents"), func.max(_D.received_at).label("last"))
                              .where((_D.tenant_id == tenant) & _D.client_id.is_not(None))
                              .group_by(_D.client_id).order_by(func.max(_D.received_at).desc()).limit(limit))


def _live(tenant: str):
    return (_R.tenant_id == tenant) & _R.replaced_by.is_(None)
