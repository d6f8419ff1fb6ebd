"""New identifiers for documents, client relationships, matters and messages.

Modelled [I]: the samples' ids sit under the organisation's business-id arc
(`1.2.246.10.<Y-tunnus digits>`) with a local `.95.<year>.…` branch
(`1.2.246.10.2012566.95.2026.688883.2655274`); Kanta's own allocation rules are not
public. Here an id is `<base>.95.<year>.<process arc>.<n>`: base is the organisation's
business-id arc when its OID is under `1.2.246.10`, else the organisation OID itself;
the process arc is random per process and n counts up, so ids do not repeat across
runs against the same sandbox.
"""
from __future__ import annotations

import itertools
import secrets
import threading
from datetime import date

from mock_kanta.core.identity import is_oid

_FINNISH_ORGS = "1.2.246.10."
_PROCESS_ARC = str(10**8 + secrets.randbelow(9 * 10**8))  # 9 digits, no leading zero
_counter = itertools.count(1)
_lock = threading.Lock()


def id_base(org_oid: str) -> str:
    """The arc an organisation's local ids live under (see the module docstring)."""
    if not is_oid(org_oid):
        raise ValueError(f"{org_oid!r} is not an OID")
    if org_oid.startswith(_FINNISH_ORGS):
        return ".".join(org_oid.split(".")[:5])
    return org_oid


def new_document_id(org_oid: str, year: int | None = None) -> str:
    """A new unique OID under the organisation: for a document, a client relationship or a matter."""
    with _lock:
        n = next(_counter)
    return f"{id_base(org_oid)}.95.{year or date.today().year}.{_PROCESS_ARC}.{n}"


def new_message_number() -> str:
    """A frame message id extension, unique in this process and across runs."""
    with _lock:
        n = next(_counter)
    return f"{_PROCESS_ARC}{n:06d}"
