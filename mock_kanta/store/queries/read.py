"""What the read side (queries and retrieves) asks of the registers: a client's stored documents in a register,
and whether an organisation stored a document for a client in its own register itself (part of a client
relationship there). Both run on the hot path's database (raw sqlite3 on an SQLite file)."""
from __future__ import annotations

from sqlalchemy import bindparam, exists, select

from mock_kanta.store.prepared import KEY, TENANT, Prepared
from mock_kanta.store.tables.documents import documents

_D = documents.c
_REGISTER = bindparam("register")

CLIENT_DOCUMENTS = Prepared(select(documents)
                            .where((_D.tenant_id == TENANT) & (_D.client_id == KEY) & (_D.register_oid == _REGISTER))
                            .order_by(_D.seq))
STORED_ITSELF = Prepared(select(exists().where((_D.tenant_id == TENANT) & (_D.client_id == KEY) & (_D.register_oid == _REGISTER)
                                               & (_D.sender_oid == _REGISTER)).label("stored")))


def client_documents(store, tenant: str, client_id: str, registers: list[str]) -> list[dict]:
    """The client's stored rows (with their XML) in these registers, in arrival order."""
    rows = [row for register in registers
            for row in store.hot.rows(CLIENT_DOCUMENTS, tenant=tenant, key=client_id, register=register)]
    return sorted(rows, key=lambda row: row["seq"]) if len(registers) > 1 else rows


def stored_itself(store, tenant: str, organisation: str, client_id: str) -> bool:
    """Whether the organisation stored a document of the client in its own register itself."""
    return bool(store.hot.value(STORED_ITSELF, tenant=tenant, key=client_id, register=organisation))
