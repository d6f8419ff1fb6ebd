"""The read service: query a client's documents and retrieve one with its signatures intact.
Callable without HTTP (`mock_kanta.read.endpoint` puts it on the wire).

One call handles one read message and returns a `ReadResult` (`read.results`): the acknowledgement (AA, AE,
AR), the findings, the documents returned and withheld, and who read what (for the access log). The
messages are modelled (`wire.query_messages`, `core/codes/interactions.yaml`, verified: false).

The service reads the message (`read.reading`), then fills the read checks' context (`rules.read.context`)
step by step and runs the checks after each (`rules.read.evaluate`); the first step with an error refuses
the read (docs/read-side.md, "Who may read what"):
  1. the message and the reader's card (`read.facts.read_card`);
  2. who reads: a role in the sending organisation (`read.roles`), for one of its units;
  3. a retrieve's document, as stored;
  4. whose documents: the client and register, in the register world by the sandbox clock;
  5. each document it would answer with (`read.selection`), judged alone (`rules.read.judge`).
A request-level refusal (1-4) is AE with nothing returned. In a query, documents refused at 5 are left out
and counted in warnings (rule and count, never their ids); a retrieve of such a document is AE.
"""
from __future__ import annotations

from datetime import datetime

from mock_kanta.core.clock import utc_now
from mock_kanta.core.findings import Finding
from mock_kanta.read import answer, selection
from mock_kanta.read.facts import ReadWorld, StoredDocument, read_card
from mock_kanta.read.reading import read_message
from mock_kanta.read.results import ReadResult
from mock_kanta.read.roles import RoleSource
from mock_kanta.rules import unread
from mock_kanta.rules.read import evaluate, judge
from mock_kanta.rules.read.context import Candidate, ReadContext, Stored, Target, Who
from mock_kanta.rules.read.scope import readable
from mock_kanta.wire.paths.query import Interactions, ReadRequest
from mock_kanta.wire.query_messages import ReadResponse

__all__ = ["ReadResult", "ReadService"]


class Refused(Exception):
    """A request-level refusal: the findings already say why."""


class ReadService:
    def __init__(self, settings, store, codes, trust, clock=None, *, interactions: Interactions | None = None,
                 roles: RoleSource | None = None):
        self.settings, self.store, self.codes, self.trust, self.clock = settings, store, codes, trust, clock
        self.interactions = interactions or Interactions.load(settings.codes_override_dir)
        self.roles = roles or RoleSource.for_settings(settings)

    @classmethod
    def from_services(cls, services) -> "ReadService":
        return cls(services.settings, services.store, services.codes, services.archive.trust, services.clock)

    # --- entry points ------------------------------------------------------------------

    def query(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        return self.handle("query", tenant, body, content_type, client_org)

    def retrieve(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        return self.handle("retrieve", tenant, body, content_type, client_org)

    def refuse(self, kind: str, tenant: str, findings: list[Finding]) -> ReadResult:
        """An AR result for a request that was not read at all (unknown tenant, body too large, TLS)."""
        return ReadResult(kind, tenant, "AR", list(findings), at=self._now(tenant, safe=True))

    def handle(self, kind: str, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        result = ReadResult(kind, tenant)
        reading = read_message(kind, self.interactions[kind], body, content_type, self.settings.max_body_bytes)
        result.at, result.soap_version = self._now(tenant, safe=reading.request is None), reading.soap_version
        ctx = ReadContext(kind, self.interactions, problems=reading.problems)
        if reading.request is None:  # AR: not read
            result.findings = unread(reading.unreadable) if reading.unreadable else evaluate(ctx)
            return result
        result.note_request(reading.request)
        try:
            self._message(result, ctx, reading.request, client_org)
            world = ReadWorld(self.store, tenant, result.at)
            self._who(result, ctx, world)
            if kind == "query":
                self._query(result, ctx, world)
            else:
                self._retrieve(result, ctx, world)
        except Refused:
            result.documents, result.total = [], 0
        result.ack = "AE" if result.errors else "AA"
        return result

    # --- the steps -------------------------------------------------------------------------

    def _message(self, result: ReadResult, ctx: ReadContext, request: ReadRequest, client_org: str | None) -> None:
        card = read_card(request, self.trust, result.at)
        result.card_serial, result.card_subject = card.serial, card.subject
        ctx.request, ctx.codes, ctx.card, ctx.client_org = request, self.codes, card, client_org
        result.note_message_findings(evaluate(ctx))
        _stop_at_errors(result)

    def _who(self, result: ReadResult, ctx: ReadContext, world: ReadWorld) -> None:
        assignment = self.roles.current().assignment(result.registration_number, result.organisation)
        ctx.who = Who(assignment, world.unit(result.unit))
        result.roles = assignment.role_ids if assignment else ()
        _checked(result, ctx)

    def _scope(self, result: ReadResult, ctx: ReadContext, world: ReadWorld, target: Target) -> dict[str, frozenset[str] | None]:
        """The registers the reader may read for the target, with the service tasks a right limits each to."""
        ctx.target, ctx.world = target, world
        _checked(result, ctx)
        scope = dict(readable(ctx))
        result.registers = tuple(scope)
        return scope

    def _query(self, result: ReadResult, ctx: ReadContext, world: ReadWorld) -> None:
        r = ctx.request
        named = r.register_id.root if r.register_id and r.register_id.root else None
        scope = self._scope(result, ctx, world, Target(r.client, named))
        found = selection.matches(self.store, world.tenant, r, list(scope))
        allowed, withheld = _judged(ctx, [Candidate(doc, scope[doc.register_oid], content=False) for doc in found])
        result.total = len(allowed)
        result.documents = [d.row for d in allowed[:selection.limit(r)]]
        result.withhold(withheld)

    def _retrieve(self, result: ReadResult, ctx: ReadContext, world: ReadWorld) -> None:
        row = self.store.document(world.tenant, ctx.request.document_id.root)
        ctx.stored = Stored(row)
        _checked(result, ctx)
        result.client_id = row["client_id"]
        right_tasks = self._scope(result, ctx, world, Target(row["client_id"], row["register_oid"]))[row["register_oid"]]
        doc = StoredDocument(row)
        result.findings.extend(judge(ctx, Candidate(doc, right_tasks, content=True, asked=True)))
        _stop_at_errors(result)
        if ctx.request.include_history != "true" or not row["set_id"]:
            result.documents, result.total = [row], 1
            return
        versions = selection.history(self.store, world.tenant, doc)
        chosen, withheld = _judged(ctx, [Candidate(version, right_tasks, content=True) for version in versions])
        result.documents, result.total = [d.row for d in chosen], len(chosen)
        result.withhold(withheld)

    # --- answering ---------------------------------------------------------------------------

    def response(self, result: ReadResult) -> ReadResponse:
        return answer.response(result, self.interactions[result.kind], self.codes, self.store)

    def response_bytes(self, result: ReadResult, *, soap_wrap: bool = True) -> bytes:
        return answer.response_bytes(self.response(result), result.soap_version if soap_wrap else None)

    def _now(self, tenant: str, *, safe: bool = False) -> datetime:
        if self.clock is None:
            return utc_now()
        try:
            return self.clock.now(tenant)
        except Exception:
            if safe:  # an unreadable message to an unknown tenant still gets its AR
                return utc_now()
            raise


def _judged(ctx: ReadContext, candidates: list[Candidate]) -> tuple[list[StoredDocument], list[tuple[str, Finding]]]:
    """The candidates the reader may have, and the others' ids with the finding that refuses each."""
    allowed, withheld = [], []
    for candidate in candidates:
        refusals = judge(ctx, candidate)
        if refusals:
            withheld.append((candidate.stored.document_id, refusals[0]))
        else:
            allowed.append(candidate.stored)
    return allowed, withheld


def _checked(result: ReadResult, ctx: ReadContext) -> None:
    """The findings of the checks the step's parts make runnable; a refusal stops the read."""
    result.findings.extend(evaluate(ctx))
    _stop_at_errors(result)


def _stop_at_errors(result: ReadResult) -> None:
    if result.errors:
        raise Refused
