"""What the store raises (or returns for one document of a batch). No driver exception leaves the store:
a constraint the database enforced comes out as ConstraintViolation, with the driver's error as `orig`."""
from __future__ import annotations

from typing import Any


class SchemaMismatch(RuntimeError):
    """The database was written by another schema version (no migrations yet)."""


class UnknownTenant(LookupError):
    """No such tenant (any more): another worker may have deleted it since this one cached it."""

    def __init__(self, tenant: str):
        super().__init__(tenant)
        self.tenant = tenant

    def __str__(self) -> str:
        return f"no sandbox tenant {self.tenant!r}"


class DuplicateDocument(Exception):
    """A document with this id is stored already (`existing`: its summary row)."""

    def __init__(self, document_id: str, existing: dict[str, Any]):
        super().__init__(document_id)
        self.document_id = document_id
        self.existing = existing


class StaleVersion(Exception):
    """The parent of a new version is no longer current: another version won the race."""

    def __init__(self, parent_id: str):
        super().__init__(parent_id)
        self.parent_id = parent_id


class ConstraintViolation(Exception):
    """The database refused a write for one of its constraints, and nothing of that write was kept. Every
    foreign key points at the tenant, so a foreign key failure means the tenant was deleted meanwhile
    (`tenant_missing`); anything else conflicts with a stored row. `orig` is the driver's error."""

    def __init__(self, orig: Exception):
        super().__init__(str(orig))
        self.orig = orig

    @property
    def tenant_missing(self) -> bool:
        return "FOREIGN KEY" in str(self.orig).upper()


class StoreUnavailable(Exception):
    """The database could not do it now: locked by another writer past the busy timeout, full, or out of reach.
    Nothing of the transaction was kept. `orig` is the driver's error."""

    def __init__(self, orig: Exception):
        super().__init__(str(orig))
        self.orig = orig
