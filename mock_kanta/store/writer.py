"""The one write path of an accepted document, and of a refused one's log rows.

`write_batch` stores a batch in one transaction and one commit (group commit) on the hot path's database,
raw sqlite3 on an SQLite file or SQLAlchemy elsewhere: the transaction takes the write lock first, so the
access log's chain end read in it stays the chain end until the commit, across worker processes too. Each
document runs in a savepoint: a duplicate id or a stale version undoes only that document, and its result is
the exception. `GroupWriter` is the process's writer thread that batches what concurrent requests queue.
"""
from __future__ import annotations

import os
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from mock_kanta.store.errors import ConstraintViolation, DuplicateDocument, StaleVersion
from mock_kanta.store.queries import audit
from mock_kanta.store.queries.documents import DOCUMENT_SUMMARY, REPLACE_RIGHTS, SUPERSEDE, open_matter
from mock_kanta.store.tables import documents, register_rights, traffic

Result = int | None | Exception  # a document's seq, None for a refusal's rows, or what undid it


@dataclass
class PendingDocument:
    """Everything one accepted document writes, in its own savepoint of the batch's transaction; a
    refusal has no row and writes only its access log event and traffic row."""

    tenant: str
    row: dict | None  # the documents row (without tenant_id); None for a refusal
    parent_id: str | None = None  # a new version supersedes this one (only if still current)
    grants: tuple[str, list[dict]] | None = None  # (relationship id, register_rights rows)
    matter: dict | None = None  # a matter opened by the document, unless known
    audit_row: dict | None = None  # the access log event (audit.event_row), sealed here
    traffic_row: dict | None = None
    granted_at: str = ""  # the real time of granting and of opening the matter


def write_batch(database, batch: Sequence[PendingDocument]) -> list[Result]:
    """Store the batch in one transaction of `database` (sessions.DirectDatabase or EngineDatabase); per item
    its seq (None for a refusal), or the exception that undid it alone (DuplicateDocument, StaleVersion,
    ConstraintViolation). A failure of the whole transaction raises, and nothing of the batch is kept."""
    results: list[Result] = []
    with database.transaction() as session:
        # The chains' locks first, in one order (PostgreSQL): two batches of the same tenants never deadlock.
        for tenant in sorted({item.tenant for item in batch if item.audit_row is not None}):
            session.lock_chain(tenant)
        for item in batch:
            try:
                with session.savepoint():
                    results.append(write_one(session, item))
            except (ConstraintViolation, StaleVersion) as exc:
                results.append(_failure(session, item, exc))
    return results


def write_one(session, item: PendingDocument) -> int | None:
    """The document row, the parent superseded, the rights granted, the matter opened, the access log event
    and the traffic row, in this order (a refusal: its event and traffic row only)."""
    tenant, row = item.tenant, item.row
    seq = None if row is None else session.insert(documents, {"tenant_id": tenant, **row})
    if item.parent_id is not None and session.run(SUPERSEDE, tenant=tenant, key=item.parent_id,
                                                  new_id=row["document_id"]) != 1:
        raise StaleVersion(item.parent_id)
    if item.grants:
        relationship, rights = item.grants
        session.run(REPLACE_RIGHTS, tenant=tenant, key=relationship, new_id=row["document_id"])
        for right in rights:
            session.insert(register_rights, {"tenant_id": tenant, "relationship_id": relationship,
                                             "granted_at": item.granted_at, **right})
    if item.matter is not None:
        open_matter(session, tenant, item.matter, item.granted_at)
    if item.audit_row is not None:
        audit.append(session, tenant, item.audit_row)
    if item.traffic_row is not None:
        session.insert(traffic, item.traffic_row)
    return seq


def _failure(session, item: PendingDocument, exc: Exception) -> Exception:
    """What a document undone alone gets: StaleVersion as it is; DuplicateDocument when its id is stored;
    else (e.g. its tenant was deleted meanwhile, or a refusal's rows) the ConstraintViolation."""
    if isinstance(exc, StaleVersion) or item.row is None:
        return exc
    existing = session.rows(DOCUMENT_SUMMARY, tenant=item.tenant, key=item.row["document_id"])
    return DuplicateDocument(item.row["document_id"], existing[0]) if existing else exc


class GroupWriter:
    """One writer thread per process: it takes every accepted document queued meanwhile (up to
    `max_batch`), writes them all in one transaction with one commit (one fsync), then resolves each
    one's future. A request is acknowledged only after its future resolves, so after its commit;
    the event loop checks the next documents while SQLite syncs."""

    def __init__(self, write, max_batch: int = 64):
        self._write, self.max_batch = write, max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.batches = self.documents = 0  # counters, for the bench and the tests

    def submit(self, item: PendingDocument) -> Future:
        """A future of the document's seq (or the exception that refused it)."""
        if self._pid != os.getpid():
            self._start()
        future: Future = Future()
        self._queue.put((item, future))
        return future

    def _start(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # never started, or inherited across a fork without its thread
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, args=(self._queue,), name="mock-kanta-group-writer", daemon=True).start()
                self._pid = os.getpid()

    def _run(self, q: queue.SimpleQueue) -> None:
        while True:
            batch = [q.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self._write([item for item, _ in batch])
            except BaseException as exc:  # the whole transaction failed: every request gets the error
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches, self.documents = self.batches + 1, self.documents + len(batch)
            for (_, future), result in zip(batch, results):
                future.set_result(result)
