"""What the pages show of the registers beyond `Store`'s own: per-register counts, rights, clients
(the rows are the store's: `mock_kanta.store.queries.registers`)."""
from __future__ import annotations

import json
from datetime import date

from mock_kanta.store.queries import registers as register_rows

LIST_LIMIT = 500  # rows a page lists at most (the page says when there are more)


def register_counts(store, tenant: str, on: date) -> dict[str, dict]:
    """Per register OID: documents, clients, last arrival, client relationships and rights in force on `on`."""
    out: dict[str, dict] = {}

    def entry(oid: str) -> dict:
        return out.setdefault(oid, {"documents": 0, "clients": 0, "last_received_at": None, "relationships": 0,
                                    "rights_in_force": 0})

    for row in register_rows.documents_by_register(store, tenant):
        entry(row["register_oid"]).update(documents=row["n"], clients=row["clients"], last_received_at=row["last"])
    for row in register_rows.relationships_by_organiser(store, tenant):
        entry(row["organiser_oid"])["relationships"] = row["n"]
    for row in register_rows.rights_in_force_by_organiser(store, tenant, on):
        entry(row["organiser_oid"])["rights_in_force"] = row["n"]
    return out


def organiser_rights(store, tenant: str, organiser_oid: str, client_id: str | None = None) -> list[dict]:
    """Every right row in the organiser's register (replaced ones too), by client and start; services decoded."""
    return _decoded(register_rows.rights(store, tenant, limit=LIST_LIMIT + 1, organiser_oid=organiser_oid, client_id=client_id))


def unit_rights(store, tenant: str, unit_oids: list[str], client_id: str | None = None) -> list[dict]:
    """The rights naming any of `unit_oids` (a provider's units) in organisers' registers."""
    if not unit_oids:
        return []
    return _decoded(register_rows.rights(store, tenant, limit=LIST_LIMIT + 1, unit_oids=unit_oids, client_id=client_id))


def _decoded(rights: list[dict]) -> list[dict]:
    for row in rights:
        row["services"] = json.loads(row.pop("services_json") or "[]")
    return rights


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

    for row in register_rows.documents_by_client(store, tenant, register_oid):
        if row["client_id"]:
            entry(row["client_id"]).update(documents=row["n"], last_received_at=row["last"])
    for row in register_rows.matters_by_client(store, tenant, register_oid):
        entry(row["client_id"])["matters"] = row["n"]
    for row in register_rows.relationships_by_client(store, tenant, register_oid):
        entry(row["client_id"])["relationships"] = row["n"]
    return sorted(clients.values(), key=lambda c: c["client_id"])[:LIST_LIMIT + 1]


def clients_with_documents(store, tenant: str) -> list[dict]:
    """Every client with archived documents in the tenant: count and last arrival, newest first."""
    return register_rows.clients_with_documents(store, tenant, LIST_LIMIT + 1)
