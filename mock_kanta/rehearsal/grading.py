"""Grade a rehearsal session: each checklist item met or missing, with the evidence.

The evidence is the tenant's access log (`audit_events`: who archived, replaced, voided,
searched or read what, with which outcome and rules) after the session opened, joined with
the stored documents (`documents`: custodian = register, document group, service request,
set and version) and the register usage rights. Nothing here writes.

A met item names the events or documents that satisfied it; a missing item says what was
looked for and names the near misses: the session organisation's events of the same kind
that failed some condition, with each condition they failed.

The words are in one language per `Grader` (fi, sv or en); `grade_all` grades in all three
and gives the English result with each text in every language beside it (`texts`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mock_kanta.archivist.service import where as archivist_where
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.rehearsal.checklist import ACTIONS, Checklist, Evidence, Item, Match
from mock_kanta.rehearsal.evidence import Words
from mock_kanta.rehearsal.scope import Party, Scope, Seen, load_seen
from mock_kanta.rehearsal.texts import DEFAULT_LANG, LANGS
from mock_kanta.store.queries.archivist import listed
from mock_kanta.store.queries.documents import rights_of_clients

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
    texts: dict[str, dict[str, str]] | None = None  # {lang: {"lookedFor", "why"}} (grade_all)

    def to_json(self) -> dict:
        out = {"id": self.item.id, "title": self.item.title, "status": "met" if self.met else "missing",
               "lookedFor": self.looked_for, "why": self.why, "evidence": self.evidence,
               "evidenceCount": self.evidence_count, "nearMisses": self.near_misses, "source": self.item.source,
               "verified": self.item.verified}
        if self.texts is not None:
            out["texts"] = self.texts
        return out


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


def grade_all(store, scope: Scope, checklist: Checklist, names: dict[str, str] | None = None) -> Grading:
    """Grade once per language on the same events: the English grading, each text also in fi, sv and en.

    Every item gets `texts` ({lang: {lookedFor, why}}) and every evidence and near-miss record
    `texts` ({lang: text}) beside its English `text`.
    """
    seen = load_seen(store, scope)
    gradings = {lang: Grader(store, scope, names, lang).grade(checklist, seen) for lang in LANGS}
    base = gradings[DEFAULT_LANG]
    for n, item in enumerate(base.items):
        each = {lang: g.items[n] for lang, g in gradings.items()}
        item.texts = {lang: {"lookedFor": r.looked_for, "why": r.why} for lang, r in each.items()}
        for records in ("evidence", "near_misses"):
            for k, record in enumerate(getattr(item, records)):
                record["texts"] = {lang: _text_at(getattr(r, records), k, record) for lang, r in each.items()}
    return base


def _text_at(records: list[dict], k: int, same: dict) -> str:
    """The k-th record's text in another language's grading (the English one if live traffic made them differ)."""
    other = records[k] if k < len(records) else None
    return other["text"] if other and other.get("seq") == same.get("seq") else same["text"]



class Grader:
    def __init__(self, store, scope: Scope, names: dict[str, str] | None = None, lang: str = DEFAULT_LANG):
        self.store, self.scope = store, scope
        self.words = Words(scope, names, lang)
        self.say = self.words.say

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
        looked_for = self.words.describe(m) + (self.say("grade.at_least", n=ev.min) if ev.min > 1 else "")
        result = ItemResult(item, len(found) >= ev.min, looked_for, evidence_count=len(found),
                            evidence=[self.words.record(s) for s in found[:MAX_EVIDENCE]])
        if not result.met:
            result.near_misses = self.near_misses(seen, m)
            result.why = (self.say("grade.found", looked_for=looked_for, n=len(found)) if found
                          else self.say("grade.found_none", looked_for=looked_for))
            result.why += self.words.near_miss_sentence(result.near_misses)
        return result

    def _refusal_handled(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        refusals = [s for s in seen if not self.problems(s, ev.match)]
        handled, unhandled = [], []
        for r in refusals:
            fix = next((s for s in seen if s.event.seq > r.event.seq and not self.problems(s, ev.then) and self._linked(r, s, ev.same)),
                       None)
            (handled if fix else unhandled).append((r, fix))
        links = self.words.either(self.say(f"grade.same_{x}") for x in ev.same)
        looked_for = self.say("grade.followed_by", refusal=self.words.describe(ev.match), then=self.words.describe(ev.then),
                              links=links)
        met = len(handled) >= ev.min and (not ev.every or not unhandled)
        evidence = []
        for r, fix in handled[:MAX_EVIDENCE // 2]:
            evidence.append(self.words.record(r, note=self.say("grade.note_refused")))
            evidence.append(self.words.record(fix, note=self.say("grade.note_handles", seq=r.event.seq,
                                                                 link=self._link_word(r, fix, ev.same))))
        result = ItemResult(item, met, looked_for, evidence=evidence, evidence_count=len(handled))
        if not met:
            if not refusals:
                result.why = self.say("grade.no_refusal", looked_for=looked_for, what=self.words.describe(ev.match))
                result.near_misses = self.near_misses(seen, ev.match)
            else:
                open_ = ", ".join(self.say("grade.refusal_seq", seq=r.event.seq,
                                           rules=", ".join(r.event.rule_ids) or self.say("grade.no_rule_ids"))
                                  for r, _ in unhandled[:5])
                result.why = (self.say("grade.refusals_handled", looked_for=looked_for, handled=len(handled), n=len(refusals))
                              + (self.say("grade.needed", n=ev.min) if len(handled) < ev.min else "")
                              + (self.say("grade.not_followed", links=links, open=open_) if unhandled else self.say("grade.end")))
                result.near_misses = [self.words.record(r, note=self.say("grade.note_unhandled"))
                                      for r, _ in unhandled[:MAX_NEAR_MISSES]]
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
        looked_for = self.say("grade.view_every" if ev.every else "grade.view_a", what=what, who=self.words.who(ev.register))
        met = len(sent) >= max(ev.min, 1) and (not missing if ev.every else len(visible) >= max(ev.min, 1))
        evidence = [self.words.document_record(visible[d], sent[d][0]) for d in sent if d in visible][:MAX_EVIDENCE]
        result = ItemResult(item, met, looked_for, evidence=evidence, evidence_count=len(visible))
        if not met:
            if not sent:
                result.why = self.say("grade.no_document", looked_for=looked_for, what=what)
                result.near_misses = self.near_misses(seen, ev.match)
            else:
                absent = ", ".join(self.say("grade.document_register", id=d,
                                            register=self.words.register_label(sent[d][1]["register_oid"])) for d in missing[:5])
                result.why = self.say("grade.not_in_view", looked_for=looked_for, visible=len(visible), n=len(sent), missing=absent)
                result.near_misses = [self.words.document_record(sent[d][1], sent[d][0], note=self.say("grade.note_not_in_view"))
                                      for d in missing[:MAX_NEAR_MISSES]]
        return result

    def _every_event(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        events = [s for s in seen if not self.problems(s, ev.match)]
        bad = [(s, self.problems(s, ev.require)) for s in events]
        bad = [(s, p) for s, p in bad if p]
        looked_for = self.say("grade.every_also", events=self.words.describe(ev.match, article=False),
                              require=self.words.describe(ev.require, article=False, lead=False))
        met = len(events) >= ev.min and not bad
        result = ItemResult(item, met, looked_for, evidence_count=len(events),
                            evidence=[self.words.record(s) for s in events[:MAX_EVIDENCE]])
        if not met:
            if len(events) < ev.min:
                result.why = self.say("grade.too_few_events", looked_for=looked_for, n=len(events), min=ev.min)
            else:
                listed = "; ".join(self.say("grade.event_problems", seq=s.event.seq, problems=", ".join(p)) for s, p in bad[:5])
                result.why = self.say("grade.events_fail", looked_for=looked_for, bad=len(bad), n=len(events), list=listed)
            result.near_misses = [self.words.record(s, problems=p) for s, p in bad[:MAX_NEAR_MISSES]]
        return result

    def _right(self, item: Item, ev: Evidence, seen: list[Seen]) -> ItemResult:
        organiser, holder = self.words.party(ev.organiser), self.words.party(ev.unit_of)
        clients = sorted({s.event.client_id for s in seen if s.event.client_id and self._from(s, holder)})
        looked_for = self.say("grade.right", organiser=organiser.label(), holder=holder.label())
        rows = self._rights(organiser.oid, clients)
        good = [r for r in rows if r["unit_oid"] in holder.units and r["replaced_by"] is None]
        result = ItemResult(item, bool(good), looked_for, evidence=[self.words.right_record(r) for r in good[:MAX_EVIDENCE]],
                            evidence_count=len(good))
        if not good:
            if not clients:
                result.why = self.say("grade.no_client", looked_for=looked_for, holder=holder.label())
            else:
                result.why = (self.say("grade.no_right", looked_for=looked_for, clients=", ".join(clients[:5]))
                              + (self.say("grade.other_rights", n=len(rows)) if rows else self.say("grade.end")))
                result.near_misses = [self.words.right_record(r) for r in rows[:MAX_NEAR_MISSES]]
        return result

    # --- matching one event ---

    def problems(self, s: Seen, m: Match) -> list[str]:
        """Why the event does not match (empty: it matches)."""
        e, out, say, either = s.event, [], self.say, self.words.either
        if m.actions and e.action not in m.actions:
            out.append(say("problem.action", was=e.action, expected=either(m.actions)))
        if m.outcomes and e.outcome not in m.outcomes:
            rules = f" ({', '.join(e.rule_ids)})" if e.rule_ids else ""
            out.append(say("problem.outcome", was=e.outcome, rules=rules, expected=either(m.outcomes)))
        if m.sender != "any" and not self._from(s, self.words.party(m.sender)):
            out.append(say("problem.sender", org=self.words.org_label(e.organisation_oid), who=self.words.who(m.sender)))
        if m.usage and e.usage_situation not in m.usage:
            out.append(say("problem.usage", was=e.usage_situation or say("problem.none"), expected=either(m.usage)))
        if m.client == "test-identity" and e.client_id and not is_test_identity(e.client_id):
            out.append(say("problem.not_test_identity", client=e.client_id, why=self._hetu_problem(e.client_id)))
        docs = s.documents
        if m.register != "any":
            if not docs:
                if not (m.outcomes and e.outcome not in m.outcomes):
                    out.append(say("problem.no_documents_returned" if e.action in READS else "problem.no_stored_register"))
            else:
                docs = [d for d in docs if self._register_is(d["register_oid"], m.register)]
                if not docs:
                    where = ", ".join(sorted({self.words.register_label(d["register_oid"]) for d in s.documents}))
                    out.append(say("problem.register", where=where, who=self.words.who(m.register)))
        if m.document_groups and docs and not any(d["document_group"] in m.document_groups for d in docs):
            out.append(say("problem.document_group", was=", ".join(sorted({str(d["document_group"]) for d in docs})),
                           expected=either(m.document_groups)))
        if m.service_requests and docs and not any(d["service_request"] in m.service_requests for d in docs):
            out.append(say("problem.service_request", was=", ".join(sorted({str(d["service_request"]) for d in docs})),
                           expected=either(m.service_requests)))
        if (m.document_groups or m.service_requests) and not s.documents and not out:
            out.append(say("problem.no_stored_group"))
        if m.min_documents and len(docs) < m.min_documents and not (m.outcomes and e.outcome not in m.outcomes):
            out.append(say("problem.too_few_documents", n=len(docs), min=m.min_documents,
                           where=say("problem.in_that_register") if m.register != "any" else ""))
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

    def _link_word(self, a: Seen, b: Seen, same: tuple[str, ...]) -> str:
        if Grader._linked(a, b, tuple(x for x in same if x == "document")):
            return self.say("grade.link_document")
        return self.say("grade.link_client", client=a.event.client_id)

    def _hetu_problem(self, hetu: str) -> str:
        try:
            return self.say("problem.individual_number", n=parse_hetu(hetu).individual_number)
        except HetuError as exc:
            return self.say("problem.bad_hetu", why=exc)

    # --- lookups ---

    def _in_view(self, register_oid: str, ids: list[str]) -> dict[str, dict]:
        """The rows of `ids` that the archivist's view of the register lists (mock_kanta.archivist.service.where)."""
        return listed(self.store, archivist_where(self.scope.tenant, register_oid), ids)

    def _rights(self, organiser_oid: str, clients: list[str]) -> list[dict]:
        return rights_of_clients(self.store, self.scope.tenant, organiser_oid, clients)


def is_test_identity(hetu: str) -> bool:
    try:
        return parse_hetu(hetu).is_test
    except HetuError:
        return False

