"""Read-only store queries the pages need beyond `Store`'s own: per-register rights, clients and counts."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import distinct, func, select

from mock_kanta.store.schema import documents, matters, register_rights

LIST_LIMIT = 500  # rows a page lists at most (the page says when there are more)


def _all(store, q) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def register_counts(store, tenant: str, on: date) -> dict[str, dict]:
    """Per register OID: documents, clients, last arrival, client relationships and rights in force on `on`."""
    out: dict[str, dict] = {}

    def entry(oid: str) -> dict:
        return out.setdefault(oid, {"documents": 0, "clients": 0, "last_received_at": None, "relationships": 0,
                                    "rights_in_force": 0})

    q = (select(documents.c.register_oid, func.count().label("n"), func.count(distinct(documents.c.client_id)).label("clients"),
                func.max(documents.c.received_at).label("last"))
         .where(documents.c.tenant_id == tenant).group_by(documents.c.register_oid))
    for row in _all(store, q):
        entry(row["register_oid"]).update(documents=row["n"], clients=row["clients"], last_received_at=row["last"])
    live = (register_rights.c.tenant_id == tenant) & register_rights.c.replaced_by.is_(None)
    q = (select(register_rights.c.organiser_oid, func.count(distinct(register_rights.c.relationship_id)).label("rel"))
         .where(live).group_by(register_rights.c.organiser_oid))
    for row in _all(store, q):
        entry(row["organiser_oid"])["relationships"] = row["rel"]
    forced = live & (register_rights.c.start_date <= on) & (register_rights.c.end_date.is_(None) | (register_rights.c.end_date >= on))
    q = select(register_rights.c.organiser_oid, func.count().label("n")).where(forced).group_by(register_rights.c.organiser_oid)
    for row in _all(store, q):
        entry(row["organiser_oid"])["rights_in_force"] = row["n"]
    return out


def organiser_rights(store, tenant: str, organiser_oid: str, client_id: str | None = None) -> list[dict]:
    """Every right row in the organiser's register (replaced ones too), by client and start; services decoded."""
    return _rights(store, tenant, register_rights.c.organiser_oid == organiser_oid, client_id)


def unit_rights(store, tenant: str, unit_oids: list[str], client_id: str | None = None) -> list[dict]:
    """The rights naming any of `unit_oids` (a provider's units) in organisers' registers."""
    return _rights(store, tenant, register_rights.c.unit_oid.in_(unit_oids), client_id) if unit_oids else []


def _rights(store, tenant: str, cond, client_id: str | None) -> list[dict]:
    cond = (register_rights.c.tenant_id == tenant) & cond
    if client_id:
        cond = cond & (register_rights.c.client_id == client_id)
    q = (select(register_rights).where(cond)
         .order_by(register_rights.c.client_id, register_rights.c.start_date, register_rights.c.seq).limit(LIST_LIMIT + 1))
    rows = _all(store, q)
    for row in rows:
        row["services"] = json.loads(row.pop("services_json") or "[]")
    return rows


def relationships(rights: list[dict]) -> list[dict]:
    """The client relationships behind the rights: id, client, the granting document and its version, units."""
    found: dict[str, dict] = {}
    for row in rights:
        rel = found.setdefault(row["relationship_id"], {
            "relationship_id": row["relationship_id"], "client_id": row["client_id"], "organiser_oid": row["organiser_oid"],
            "versions": {}, "units": set(),
            "current": None})
        rel["versions"][row["source_version"]] = row["source_document_id"]
        if row["replaced_by"] is None:
            rel["current"] = (row["source_version"], row["source_document_id"])
            rel["units"].add(row["unit_oid"])
    return sorted(found.values(), key=lambda r: (r["client_id"], r["relationship_id"]))


def register_clients(store, tenant: str, register_oid: str) -> list[dict]:
    """The register's clients: documents and last arrival, matters, relationships (live rights)."""
    clients: dict[str, dict] = {}

    def entry(client_id: str) -> dict:
        return clients.setdefault(client_id, {"client_id": client_id, "documents": 0, "last_received_at": None,
                                              "matters": 0, "relationships": 0})

    q = (select(documents.c.client_id, func.count().label("n"), func.max(documents.c.received_at).label("last"))
         .where((documents.c.tenant_id == tenant) & (documents.c.register_oid == register_oid))
         .group_by(documents.c.client_id))
    for row in _all(store, q):
        if row["client_id"]:
            entry(row["client_id"]).update(documents=row["n"], last_received_at=row["last"])
    q = (select(matters.c.client_id, func.count().label("n"))
         .where((matters.c.tenant_id == tenant) & (matters.c.organiser_oid == register_oid)).group_by(matters.c.client_id))
    for row in _all(store, q):
        entry(row["client_id"])["matters"] = row["n"]
    q = (select(register_rights.c.client_id, func.count(distinct(register_rights.c.relationship_id)).label("n"))
         .where((register_rights.c.tenant_id == tenant) & (register_rights.c.organiser_oid == register_oid)
                & register_rights.c.replaced_by.is_(None))
         .group_by(register_rights.c.client_id))
    for row in _all(store, q):
        entry(row["client_id"])["relationships"] = row["n"]
    return sorted(clients.values(), key=lambda c: c["client_id"])[:LIST_LIMIT + 1]


def clients_with_documents(store, tenant: str) -> list[dict]:
    """Every client with archived documents in the tenant: count and last arrival, newest first."""
    q = (select(documents.c.client_id, func.count().label("documents"), func.max(documents.c.received_at).label("last"))
         .where((documents.c.tenant_id == tenant) & documents.c.client_id.is_not(None))
         .group_by(documents.c.client_id).order_by(func.max(documents.c.received_at).desc()).limit(LIST_LIMIT + 1))
    return _all(store, q)
