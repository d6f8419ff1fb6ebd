"""Grade a rehearsal session: each checklist item met or missing, with the evidence.

The evidence is the tenant's access log (`audit_events`: who archived, replaced, voided,
searched or read what, with which outcome and rules) after the session opened, joined with
the stored documents (`documents`: custodian = register, document group, service request,
set and version) and the register usage rights. Nothing here writes.

A met item names the events or documents that satisfied it; a missing item says what was
looked for and names the near misses: the session organisation's events of the same kind
that failed some condition, with each condition they failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from mock_kanta.archivist import where as archivist_where
from mock_kanta.identity import HetuError, parse_hetu
from mock_kanta.rehearsal.checklist import ACTIONS, Checklist, Evidence, Item, Match
from mock_kanta.rehearsal.evidence import Words
from mock_kanta.rehearsal.scope import DOC_COLUMNS, Party, Scope, Seen, load_seen
from mock_kanta.store.schema import documents, register_rights

MAX_EVIDENCE = 20  # records listed per item (the count says how many there were)
MAX_NEAR_MISSES = 5
WRITES, READS = ("archive", "replace", "void"), ("search", "read")


@dataclass
class ItemResult:
    item: Item
    met: bool
    looked_for: str
    why: str = ""
    evidence: list[dict] = field(default_factory=list)
    evidence_count: int = 0
    near_misses: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"id": self.item.id, "title": self.item.title, "status": "met" if self.met else "missing",
                "lookedFor": self.looked_for, "why": self.why, "evidence": self.evidence,
                "evidenceCount": self.evidence_count, "nearMisses": self.near_misses, "source": self.item.source,
                "verified": self.item.verified}


@dataclass
class Grading:
    checklist: Checklist
    scope: Scope
    items: list[ItemResult]
    events: int  # access-log events of the tenant in the window
    last_seq: int | None  # the last of them

    @property
    def passed(self) -> bool:
        return all(r.met for r in self.items)

    @property
    def met(self) -> int:
        return sum(r.met for r in self.items)

    def to_json(self) -> dict:
        return {"result": "passed" if self.passed else "failed", "met": self.met, "missing": len(self.items) - self.met,
                "eventsGraded": self.events, "lastSeq": self.last_seq, "items": [r.to_json() for r in self.items]}


# --- grading ------------------------------------------------------------------------------------


class Grader:
    def __init__(self, store, scope: Scope, names: dict[str, str] | None = None):
        self.store, self.scope = store, scope
        self.words = Words(scope, names)

    def grade(self, checklist: Checklist, seen: list[Seen] | None = None) -> Grading:
        seen = load_seen(self.store, self.scope) if seen is None else seen
        grade = {"event": self._event, "refusal-handled": self._refusal_handled, "archivist-view": self._archivist_view,
                 "every-event": self._every_event, "right": self._right}
        items = [grade[item.evidence.kind](item, item.evidence, seen) for item in checklist.items]
        return Grading(checklist, self.scope, items, len(seen), seen[-1].event.seq if seen else None)

    # --- one function per evidence kind ---

    def _event(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        m = ev.match
        found = [s for s in seen if not self.problems(s, m)]
        looked_for = self.words.describe(m) + (f" (at least {ev.min})" if ev.min > 1 else "")
        result = ItemResult(item, len(found) >= ev.min, looked_for, evidence_count=len(found),
                            evidence=[self.words.record(s) for s in found[:MAX_EVIDENCE]])
        if not result.met:
            result.near_misses = self.near_misses(seen, m)
            result.why = (f"Looked for {looked_for}: found {len(found)}." if found else f"Looked for {looked_for}: found none.")
            result.why += self.words.near_miss_sentence(result.near_misses)
        return result

    def _refusal_handled(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        refusals = [s for s in seen if not self.problems(s, ev.match)]
        handled, unhandled = [], []
        for r in refusals:
            fix = next((s for s in seen if s.event.seq > r.event.seq and not self.problems(s, ev.then) and self._linked(r, s, ev.same)),
                       None)
            (handled if fix else unhandled).append((r, fix))
        links = " or ".join({"document": "the same document", "client": "the same client"}[x] for x in ev.same)
        looked_for = f"{self.words.describe(ev.match)}, later followed by {self.words.describe(ev.then)} for {links}"
        met = len(handled) >= ev.min and (not ev.every or not unhandled)
        evidence = []
        for r, fix in handled[:MAX_EVIDENCE // 2]:
            evidence.append(self.words.record(r, note="refused"))
            evidence.append(self.words.record(fix, note=f"handles the refusal seq {r.event.seq} ({self._link_word(r, fix, ev.same)})"))
        result = ItemResult(item, met, looked_for, evidence=evidence, evidence_count=len(handled))
        if not met:
            if not refusals:
                result.why = f"Looked for {looked_for}: the session met no refusal ({self.words.describe(ev.match)})."
                result.near_misses = self.near_misses(seen, ev.match)
            else:
                open_ = ", ".join(f"seq {r.event.seq} ({', '.join(r.event.rule_ids) or 'no rule ids'})" for r, _ in unhandled[:5])
                result.why = (f"Looked for {looked_for}: {len(handled)} of {len(refusals)} refusal(s) handled"
                              + (f" (needed {ev.min})" if len(handled) < ev.min else "")
                              + (f"; not followed by an accepted message for {links}: {open_}." if unhandled else "."))
                result.near_misses = [self.words.record(r, note="refused, not handled") for r, _ in unhandled[:MAX_NEAR_MISSES]]
                later = [self.near_miss(s, ev.then) for r, _ in unhandled for s in seen
                         if s.event.seq > r.event.seq and self._linked(r, s, ev.same) and s.event.action in ev.then.actions]
                result.near_misses += [x for x in later if x][:MAX_NEAR_MISSES]
            result.why += self.words.near_miss_sentence(result.near_misses)
        return result

    def _archivist_view(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        party = self.words.party(ev.register)
        sent: dict[str, tuple[Seen, dict]] = {}
        for s in seen:
            if not self.problems(s, ev.match):
                for row in s.documents:
                    sent.setdefault(row["document_id"], (s, row))
        visible = self._in_view(party.oid, list(sent))
        missing = [d for d in sent if d not in visible]
        what = self.words.describe(ev.match)
        looked_for = (f"{'every' if ev.every else 'a'} document of {what} shown in the archivist's view of the register of "
                      f"{self.words.who(ev.register)}")
        met = len(sent) >= max(ev.min, 1) and (not missing if ev.every else len(visible) >= max(ev.min, 1))
        evidence = [self.words.document_record(visible[d], sent[d][0]) for d in sent if d in visible][:MAX_EVIDENCE]
        result = ItemResult(item, met, looked_for, evidence=evidence, evidence_count=len(visible))
        if not met:
            if not sent:
                result.why = f"Looked for {looked_for}: the session has no document of {what}."
                result.near_misses = self.near_misses(seen, ev.match)
            else:
                result.why = (f"Looked for {looked_for}: {len(visible)} of {len(sent)} document(s) are in that view; not there: "
                              + ", ".join(f"{d} (register {self.words.register_label(sent[d][1]['register_oid'])})" for d in missing[:5]) + ".")
                result.near_misses = [self.words.document_record(sent[d][1], sent[d][0], note="not in the view") for d in missing[:MAX_NEAR_MISSES]]
        return result

    def _every_event(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        events = [s for s in seen if not self.problems(s, ev.match)]
        bad = [(s, self.problems(s, ev.require)) for s in events]
        bad = [(s, p) for s, p in bad if p]
        looked_for = f"every {self.words.describe(ev.match, article=False)} also {self.words.describe(ev.require, article=False, lead=False)}"
        met = len(events) >= ev.min and not bad
        result = ItemResult(item, met, looked_for, evidence_count=len(events),
                            evidence=[self.words.record(s) for s in events[:MAX_EVIDENCE]])
        if not met:
            if len(events) < ev.min:
                result.why = f"Looked for {looked_for}: found {len(events)} such event(s), at least {ev.min} needed."
            else:
                result.why = (f"Looked for {looked_for}: {len(bad)} of {len(events)} event(s) do not: "
                              + "; ".join(f"seq {s.event.seq}: {', '.join(p)}" for s, p in bad[:5]) + ".")
            result.near_misses = [self.words.record(s, problems=p) for s, p in bad[:MAX_NEAR_MISSES]]
        return result

    def _right(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        organiser, holder = self.words.party(ev.organiser), self.words.party(ev.unit_of)
        clients = sorted({s.event.client_id for s in seen if s.event.client_id and self._from(s, holder)})
        looked_for = (f"a register usage right recorded by {organiser.label()} on a client-relationship document, naming a "
                      f"service unit of {holder.label()}, for a client of the session's traffic")
        rows = self._rights(organiser.oid, clients)
        good = [r for r in rows if r["unit_oid"] in holder.units and r["replaced_by"] is None]
        result = ItemResult(item, bool(good), looked_for, evidence=[self.words.right_record(r) for r in good[:MAX_EVIDENCE]],
                            evidence_count=len(good))
        if not good:
            if not clients:
                result.why = f"Looked for {looked_for}: the session's traffic from {holder.label()} names no client yet."
            else:
                result.why = (f"Looked for {looked_for}: none for the client(s) {', '.join(clients[:5])}"
                              + (f"; {len(rows)} right(s) found name other units or were replaced." if rows else "."))
                result.near_misses = [self.words.right_record(r) for r in rows[:MAX_NEAR_MISSES]]
        return result

    # --- matching one event ---

    def problems(self, s: Seen, m: Match) -> list[str]:
        """Why the event does not match (empty: it matches)."""
        e, out = s.event, []
        if m.actions and e.action not in m.actions:
            out.append(f"action was {e.action}, expected {' or '.join(m.actions)}")
        if m.outcomes and e.outcome not in m.outcomes:
            rules = f" ({', '.join(e.rule_ids)})" if e.rule_ids else ""
            out.append(f"outcome was {e.outcome}{rules}, expected {' or '.join(m.outcomes)}")
        if m.sender != "any" and not self._from(s, self.words.party(m.sender)):
            out.append(f"sent by {self.words.org_label(e.organisation_oid)}, expected {self.words.who(m.sender)}")
        if m.usage and e.usage_situation not in m.usage:
            out.append(f"usage situation was {e.usage_situation or 'none'}, expected {' or '.join(m.usage)}")
        if m.client == "test-identity" and e.client_id and not is_test_identity(e.client_id):
            out.append(f"client {e.client_id} is not a test identity ({_hetu_problem(e.client_id)})")
        docs = s.documents
        if m.register != "any":
            if not docs:
                if not (m.outcomes and e.outcome not in m.outcomes):
                    out.append("returned no documents" if e.action in READS else "no stored document, so no register to check")
            else:
                docs = [d for d in docs if self._register_is(d["register_oid"], m.register)]
                if not docs:
                    where = ", ".join(sorted({self.words.register_label(d["register_oid"]) for d in s.documents}))
                    out.append(f"its documents are in the register of {where}, expected {self.words.who(m.register)}")
        if m.document_groups and docs and not any(d["document_group"] in m.document_groups for d in docs):
            out.append(f"document group was {', '.join(sorted({str(d['document_group']) for d in docs}))}, "
                       f"expected {' or '.join(m.document_groups)}")
        if m.service_requests and docs and not any(d["service_request"] in m.service_requests for d in docs):
            out.append(f"service request was {', '.join(sorted({str(d['service_request']) for d in docs}))}, "
                       f"expected {' or '.join(m.service_requests)}")
        if (m.document_groups or m.service_requests) and not s.documents and not out:
            out.append("no stored document, so no document group or service request to check")
        if m.min_documents and len(docs) < m.min_documents and not (m.outcomes and e.outcome not in m.outcomes):
            out.append(f"{len(docs)} document(s) returned{' in that register' if m.register != 'any' else ''}, "
                       f"expected at least {m.min_documents}")
        return out

    def near_misses(self, seen: list[Seen], m: Match) -> list[dict]:
        """The session organisation's events of the same kind (write or read) that failed some condition."""
        family = set(m.actions) if m.actions else set(ACTIONS)
        family |= set(WRITES) if family & set(WRITES) else set()
        family |= set(READS) if family & set(READS) else set()
        sender = self.words.party(m.sender) if m.sender != "any" else None
        found = []
        for s in seen:
            if s.event.action in family and (sender is None or self._from(s, sender)):
                problems = self.problems(s, m)
                if problems:
                    found.append((len(problems), -s.event.seq, s, problems))
        found.sort(key=lambda x: (x[0], x[1]))
        return [self.words.record(s, problems=p) for _, _, s, p in found[:MAX_NEAR_MISSES]]

    def near_miss(self, s: Seen, m: Match) -> dict | None:
        problems = self.problems(s, m)
        return self.words.record(s, problems=problems) if problems else None

    # --- parties, registers and links ---

    def _from(self, s: Seen, party: Party) -> bool:
        e = s.event
        return e.organisation_oid == party.oid or (e.organisation_oid is None and e.unit_oid in party.units)

    def _register_is(self, oid: str, role: str) -> bool:
        own = self.scope.session.oid
        other = self.scope.counterpart.oid if self.scope.counterpart else None
        return {"session": oid == own, "counterpart": oid == other, "other": oid not in (own, other)}.get(role, True)

    @staticmethod
    def _linked(a: Seen, b: Seen, same: tuple[str, ...]) -> bool:
        if "document" in same:
            ids = set(a.event.document_ids)
            if ids & set(b.event.document_ids) or ids & {d["set_id"] for d in b.documents if d["set_id"]}:
                return True
        return "client" in same and bool(a.event.client_id) and a.event.client_id == b.event.client_id

    @staticmethod
    def _link_word(a: Seen, b: Seen, same: tuple[str, ...]) -> str:
        if Grader._linked(a, b, tuple(x for x in same if x == "document")):
            return "same document"
        return f"same client {a.event.client_id}"

    # --- lookups ---

    def _in_view(self, register_oid: str, ids: list[str]) -> dict[str, dict]:
        """The rows of `ids` that the archivist's view of the register lists (mock_kanta.archivist.where)."""
        found: dict[str, dict] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                cond = archivist_where(self.scope.tenant, register_oid) & documents.c.document_id.in_(ids[start:start + 500])
                found.update({r.document_id: dict(r._mapping) for r in conn.execute(select(*DOC_COLUMNS).where(cond))})
        return found

    def _rights(self, organiser_oid: str, clients: list[str]) -> list[dict]:
        if not clients:
            return []
        c = register_rights.c
        q = (select(register_rights).where((c.tenant_id == self.scope.tenant) & (c.organiser_oid == organiser_oid)
                                           & c.client_id.in_(clients)).order_by(c.seq))
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]


def is_test_identity(hetu: str) -> bool:
    try:
        return parse_hetu(hetu).is_test
    except HetuError:
        return False


def _hetu_problem(hetu: str) -> str:
    try:
        return f"individual number {parse_hetu(hetu).individual_number}; 900-999 expected"
    except HetuError as exc:
        return f"not a valid henkilötunnus: {exc}"
