"""The access log (lokitiedot): who did what to whose data, append-only and hash-chained per tenant.

Each event's `hash` is SHA-256 over a canonical JSON of its stored fields, `prev_hash`
included (the previous event's hash in the same tenant, "" for the first), so a changed,
deleted or reordered row breaks the chain at a place `verify` names (`mock_kanta.core.audit_chain`).

Appending is safe with several worker processes on SQLite: the store appends in a write transaction
that takes the database's write lock first, then reads the tenant's chain end and inserts the event
sealed after it (`mock_kanta.store.queries.audit.append`). No other writer can commit in between, so
two events never share a predecessor. Inside the caller's transaction (`within`), that one holds the lock.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from mock_kanta.core.audit_chain import chain_hash
from mock_kanta.core.clock import SandboxClock, utc_now
from mock_kanta.core.codes.oids import USAGE_SITUATIONS
from mock_kanta.core.findings import Severity
from mock_kanta.signing.pki import readable_name
from mock_kanta.store.queries import audit as audit_rows

OUTCOMES = frozenset({"AA", "AE", "AR", "ok", "refused"})
LOG_REQUEST, PURGE = "log-request", "purge"
CLIENT_LOG_YEARS = 2  # Client Data Act 703/2023 §11: older logs only for a special reason
RETENTION_YEARS = 12  # [K] the Keusote guide (keusote-liittymisopas); not verified elsewhere


@dataclass(frozen=True)
class AuditEvent:
    action: str
    outcome: str
    at: datetime | None = None  # None: the tenant's sandbox clock when recorded
    person_id: str | None = None
    card_serial: str | None = None
    card_subject: str | None = None
    organisation_oid: str | None = None
    unit_oid: str | None = None
    usage_situation: str | None = None
    client_id: str | None = None
    document_ids: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    detail: str | None = None
    # set by the log
    seq: int | None = None
    tenant_id: str | None = None
    recorded_at: datetime | None = None
    prev_hash: str | None = None
    hash: str | None = None

    @classmethod
    def from_row(cls, row: dict) -> AuditEvent:
        values = {f.name: row[f.name] for f in fields(cls)}
        values.update(at=datetime.fromisoformat(row["at"]), recorded_at=datetime.fromisoformat(row["recorded_at"]),
                      document_ids=tuple(json.loads(row["document_ids"])), rule_ids=tuple(json.loads(row["rule_ids"])))
        return cls(**values)

    def to_json(self) -> dict:
        out = {}
        for f in fields(self):
            if f.name == "tenant_id":
                continue
            value = getattr(self, f.name)
            out[_camel(f.name)] = value.isoformat() if isinstance(value, datetime) else list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    tenant: str | None = None  # where the chain broke
    broken_seq: int | None = None
    problem: str | None = None  # changed | deleted | reordered
    detail: str | None = None
    heads: dict[str, dict] = field(default_factory=dict)  # tenant -> {"seq", "hash"} of the last event checked

    def to_json(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "tenant": self.tenant, "brokenSeq": self.broken_seq,
                "problem": self.problem, "detail": self.detail, "heads": self.heads}


@dataclass(frozen=True)
class ClientLog:
    client_id: str
    since: datetime
    until: datetime
    entries: tuple[AuditEvent, ...]  # newest first
    request: AuditEvent  # the log request itself, as recorded


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    purged: int
    anchor_seq: int | None
    anchor_hash: str | None
    event: AuditEvent  # the purge itself, as recorded


class AuditLog:
    def __init__(self, store, clock: SandboxClock | None = None):
        self.store = store
        self.clock = clock or SandboxClock(store)

    # --- writing ---------------------------------------------------------------------

    def record(self, tenant: str, event: AuditEvent, *, within=None) -> AuditEvent:
        """Append one event; inside the caller's transaction when `within` (a `Store.transaction()`) is given
        (it commits or rolls back with it)."""
        if event.outcome not in OUTCOMES:
            raise ValueError(f"outcome {event.outcome!r} is not one of {sorted(OUTCOMES)}")
        if not event.action:
            raise ValueError("an event needs an action")
        row = event_row(tenant, event, event.at or self.clock.now(tenant))
        with self.store.transaction(within) as session:
            return AuditEvent.from_row(audit_rows.append(session, tenant, row))

    # --- verifying ---------------------------------------------------------------------

    def verify(self, tenant: str | None = None) -> VerifyResult:
        """Walk each tenant's chain in seq order; stop at the first break."""
        checked, heads = 0, {}
        for t in [tenant] if tenant else audit_rows.chain_tenants(self.store):
            anchor = audit_rows.newest_anchor(self.store, t)
            expected, prev_seq = (anchor["anchor_hash"], anchor["purged_through_seq"]) if anchor else ("", None)
            for row in audit_rows.chain(self.store, t):
                problem = self._break(t, row, expected, prev_seq)
                if problem:
                    return VerifyResult(False, checked, t, row["seq"], *problem, heads=heads)
                checked, expected, prev_seq = checked + 1, row["hash"], row["seq"]
                heads[t] = {"seq": row["seq"], "hash": row["hash"]}
        return VerifyResult(True, checked, heads=heads)

    def _break(self, tenant: str, row: dict, expected: str, prev_seq: int | None) -> tuple[str, str] | None:
        """(problem, detail) if this row breaks the chain, else None."""
        seq = row["seq"]
        if chain_hash(row) != row["hash"]:
            return "changed", f"seq {seq}: its content no longer matches its hash (a column was changed)"
        if row["prev_hash"] == expected:
            return None
        before = f"seq {prev_seq}" if prev_seq is not None else "the start of the log"
        found = audit_rows.seq_of_hash(self.store, tenant, row["prev_hash"])
        if found is None:
            return "deleted", (f"seq {seq}: the event it follows is not in the log: a row between {before} and seq {seq} "
                               f"was deleted (or {before} was changed and re-hashed)")
        return "reordered", f"seq {seq}: it follows seq {found} in the chain, but comes after {before}"

    # --- reading -------------------------------------------------------------------------

    def events(self, tenant: str, *, client_id: str | None = None, action: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[list[AuditEvent], int]:
        """One page of the tenant's events, newest first, and how many match."""
        found, total = audit_rows.events_page(self.store, tenant, client_id=client_id, action=action, limit=limit, offset=offset)
        return [AuditEvent.from_row(r) for r in found], total

    def client_log(self, tenant: str, client_id: str, *, since: datetime | None = None, until: datetime | None = None,
                   requested_by: str | None = None) -> ClientLog:
        """The client's log request (asiakkaan lokitietopyyntö): who used or received the client's data
        from `since` to `until`, both inclusive (default: two years back from the sandbox clock's now).
        The request itself is recorded (action log-request); earlier requests are not listed."""
        now = self.clock.now(tenant)
        until = utc(until) if until else now
        since = utc(since) if since else years_before(until, CLIENT_LOG_YEARS)
        if since > until:
            raise ValueError(f"since {iso(since)} is after until {iso(until)}")
        entries = tuple(AuditEvent.from_row(r) for r in audit_rows.client_events(self.store, tenant, client_id, iso(since),
                                                                            iso(until), leaving_out=LOG_REQUEST))
        request = self.record(tenant, AuditEvent(
            LOG_REQUEST, "ok", at=now, client_id=client_id, person_id=requested_by,
            detail=f"{len(entries)} entries from {iso(since)} to {iso(until)}"))
        return ClientLog(client_id, since, until, entries, request)

    # --- retention -----------------------------------------------------------------------

    def purge(self, tenant: str, now: datetime | None = None) -> PurgeResult:
        """Remove the events older than the retention (12 years [K]) by the sandbox clock, and log the purge.

        Only the oldest stretch of the chain goes: the events before the first one still within the
        retention. (An old event recorded after a newer one, when the sandbox clock was moved back,
        waits until that one is due too.) The last removed event's hash becomes the anchor the
        first kept event links to."""
        now = utc(now) if now else self.clock.now(tenant)
        cutoff = years_before(now, RETENTION_YEARS)
        with self.store.transaction() as session:  # the chain's lock first, then the reads
            count, last = audit_rows.purge_before(session, tenant, iso(cutoff), iso(now))
            detail = (f"removed {count} events recorded before {iso(cutoff)} (retention {RETENTION_YEARS} years [K])"
                      + (f"; anchor: seq {last['seq']}" if count else ""))
            event = AuditEvent.from_row(audit_rows.append(session, tenant, event_row(tenant, AuditEvent(PURGE, "ok", detail=detail), now)))
        return PurgeResult(cutoff, count, last["seq"] if last else None, last["hash"] if last else None, event)


def event_row(tenant: str, event: AuditEvent, at: datetime) -> dict:
    """The event's stored row, not yet sealed (prev_hash and hash empty)."""
    return {
        "tenant_id": tenant, "at": iso(at), "recorded_at": iso(utc_now()), "action": event.action,
        "outcome": event.outcome, "person_id": event.person_id, "card_serial": event.card_serial,
        "card_subject": event.card_subject, "organisation_oid": event.organisation_oid, "unit_oid": event.unit_oid,
        "usage_situation": event.usage_situation, "client_id": event.client_id,
        "document_ids": _json_list(event.document_ids), "rule_ids": _json_list(event.rule_ids),
        "detail": event.detail, "prev_hash": "", "hash": "",
    }


# --- what the archive records ----------------------------------------------------------------


def submission_event(ack: str, parsed, findings, *, at: datetime, action: str = "archive") -> AuditEvent:
    """The event of one archive submission (an `archive.Parsed` after `check`, and its findings): the acting
    person (the frame's author, else the document's), the signing card (the professional signature's
    certificate, else the first signature's), the sending organisation, the matter's service unit, the
    usage situation, the client, the document and the rules that refused it (error-level findings)."""

    frame, doc = parsed.frame, parsed.document
    person = _extension(frame.author.person.id) if frame and frame.author and frame.author.person else None
    if person is None and doc and doc.author:
        person = _extension(doc.author.id)
    cert = _signing_certificate(parsed)
    usage = frame.reason(USAGE_SITUATIONS) if frame else None
    unit = doc.matter.service_unit.id if doc and doc.matter and doc.matter.service_unit else None
    return AuditEvent(
        action, ack, at=at, person_id=person,
        card_serial=f"{cert.serial_number:x}" if cert else None, card_subject=_card_subject(cert) if cert else None,
        organisation_oid=frame.sender if frame else None, unit_oid=unit.root if unit else None,
        usage_situation=usage.code if usage else None, client_id=_extension(doc.client.id) if doc and doc.client else None,
        document_ids=(doc.document_id,) if doc and doc.document_id else (),
        rule_ids=tuple(sorted({f.rule_id for f in findings if f.severity is Severity.ERROR})),
    )


@lru_cache(maxsize=1024)
def _card_subject(cert) -> str:
    """The card's readable subject, worked out once per certificate (the same cards sign message after message)."""

    return readable_name(cert.subject)


def _signing_certificate(parsed):
    verified = parsed.context.signatures if parsed.context else None
    signatures = [s for s in verified or () if s.certificate is not None]
    professional = [s for s in signatures if s.description_code == "1"]
    return (professional or signatures)[0].certificate if signatures else None


def _extension(ii) -> str | None:
    return ii.extension if ii is not None else None


# --- time and small helpers ----------------------------------------------------------------


def utc(at: datetime) -> datetime:
    """The instant in UTC (a naive time is taken as UTC)."""
    return at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)


def iso(at: datetime) -> str:
    """The stored form: UTC with microseconds, so text order is time order."""
    return utc(at).isoformat(timespec="microseconds")


def years_before(at: datetime, years: int) -> datetime:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return at.replace(year=at.year - years)
    except ValueError:
        return at.replace(year=at.year - years, day=28)


def parse_instant(value: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date-time (UTC when it has no offset), or a date: a UTC day's first instant,
    or its last with `end_of_day` (so `until=2026-03-31` includes that whole day). ValueError if neither."""
    try:
        day = datetime.combine(date.fromisoformat(value), time(), tzinfo=timezone.utc)
    except ValueError:
        return utc(datetime.fromisoformat(value))
    return day + timedelta(days=1, microseconds=-1) if end_of_day else day


def _json_list(values) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
