"""Evidence in words: a matcher as a sentence, an event, document or right as a record with a one-line text.

Every record keeps its facts as fields (seq, time, action, outcome, organisation, unit,
usage situation, client, documents and their registers, rule ids) and says them once more
in `text`, which the reports print. The words are `texts.yaml`'s in the language `lang`
(fi, sv or en): the grader grades once per language (see `grading.grade_all`).
"""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from mock_kanta.rehearsal.checklist import Match
from mock_kanta.rehearsal.scope import Party, Scope, Seen
from mock_kanta.rehearsal.texts import DEFAULT_LANG, say

HELSINKI = ZoneInfo("Europe/Helsinki")


class Words:
    """Describes matchers, events, documents and rights of one session's scope, naming organisations."""

    def __init__(self, scope: Scope, names: dict[str, str] | None = None, lang: str = DEFAULT_LANG):
        self.scope, self.names, self.lang = scope, names or {}, lang

    def say(self, key: str, **values) -> str:
        return say(key, self.lang, **values)

    def either(self, words) -> str:
        """Alternatives joined with "or" ("tai", "eller")."""
        return self.say("describe.or").join(words)

    def describe(self, m: Match, *, article: bool = True, lead: bool = True) -> str:
        """The matcher in words, e.g. "an accepted (AA) archive from the session organisation Hoivakoti Kielo Oy (1.2...) ..."."""
        parts = []
        if lead:
            outcome = "/".join(m.outcomes)
            kind = self.either(self.say(f"action.{a}") for a in m.actions) if m.actions else self.say("describe.event")
            head = ({"AA": self.say("describe.accepted"), "AE": self.say("describe.refused")}
                    .get(outcome, f"{outcome} " if outcome else ""))
            noun = f"{head}{kind}"
            if article:
                noun = self.say("describe.article_vowel" if noun[0] in "aeiou" else "describe.article") + noun
            parts.append(noun)
            if m.sender != "any":
                parts.append(self.say("describe.from", who=self.who(m.sender)))
        elif m.outcomes:
            parts.append(self.say("describe.answered", outcomes="/".join(m.outcomes)))
        if m.register != "any":
            parts.append(self.say("describe.register", who=self.who(m.register)))
        if m.usage:
            parts.append(self.say("describe.usage", codes=self.either(m.usage)))
        if m.document_groups:
            parts.append(self.say("describe.document_group", codes=self.either(m.document_groups)))
        if m.service_requests:
            parts.append(self.say("describe.service_request", codes=self.either(m.service_requests)))
        if m.client == "test-identity":
            parts.append(self.say("describe.test_identity"))
        if m.min_documents:
            parts.append(self.say("describe.min_documents", n=m.min_documents))
        return " ".join(parts) if parts else self.say("describe.any_event")

    def record(self, s: Seen, *, note: str | None = None, problems: list[str] | None = None) -> dict:
        """One event as evidence: what, when, by whom, which documents (and registers), which rules."""
        e = s.event
        docs = [{"id": d["document_id"], "register": d["register_oid"], "registerName": self.names.get(d["register_oid"]),
                 "documentGroup": d["document_group"], "serviceRequest": d["service_request"], "setId": d["set_id"],
                 "version": d["version"], "status": d["status"]} for d in s.documents]
        out = {"seq": e.seq, "at": e.at.isoformat() if e.at else None, "action": e.action, "outcome": e.outcome,
               "organisation": e.organisation_oid, "organisationName": self.names.get(e.organisation_oid),
               "unit": e.unit_oid, "unitName": self.names.get(e.unit_oid), "person": e.person_id,
               "usageSituation": e.usage_situation, "client": e.client_id, "documentIds": list(e.document_ids),
               "documents": docs, "rules": list(e.rule_ids)}
        if note:
            out["note"] = note
        if problems is not None:
            out["problems"] = problems
        out["text"] = self._event_text(s, note, problems)
        return out

    def _event_text(self, s: Seen, note: str | None, problems: list[str] | None) -> str:
        e = s.event
        when = e.at.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M") if e.at else "?"
        text = self.say("record.event", seq=e.seq, when=when, action=e.action, outcome=e.outcome,
                        org=self.org_label(e.organisation_oid))
        if e.usage_situation:
            text += self.say("record.usage", code=e.usage_situation)
        if e.client_id:
            text += self.say("record.client", client=e.client_id)
        if s.documents:
            by_register: dict[str, list[str]] = {}
            for d in s.documents:
                by_register.setdefault(d["register_oid"], []).append(d["document_id"])
            text += "; " + "; ".join(self.say("record.documents_count", n=len(ids), register=self.register_label(r))
                                     if len(ids) > 2 else
                                     self.say("record.documents_listed", ids=", ".join(ids), register=self.register_label(r))
                                     for r, ids in by_register.items())
        elif e.document_ids:
            text += self.say("record.document", ids=", ".join(e.document_ids))
        if e.rule_ids:
            text += self.say("record.rules", ids=", ".join(e.rule_ids))
        if note:
            text += f" [{note}]"
        if problems:
            text += ": " + "; ".join(problems)
        return text

    def document_record(self, row: dict, s: Seen, note: str | None = None) -> dict:
        text = self.say("record.stored", id=row["document_id"], version=row["version"], status=row["status"],
                        register=self.register_label(row["register_oid"]), sender=self.org_label(row["sender_oid"]),
                        unit=self.org_label(row["service_unit_oid"]), received=row["received_at"], seq=s.event.seq)
        out = {"documentId": row["document_id"], "register": row["register_oid"], "registerName": self.names.get(row["register_oid"]),
               "status": row["status"], "version": row["version"], "setId": row["set_id"], "sender": row["sender_oid"],
               "unit": row["service_unit_oid"], "client": row["client_id"], "receivedAt": row["received_at"],
               "seq": s.event.seq, "text": text + (f" [{note}]" if note else "")}
        if note:
            out["note"] = note
        return out

    def right_record(self, r: dict) -> dict:
        end = r["end_date"].isoformat() if r["end_date"] else self.say("record.open_ended")
        state = self.say("record.replaced_by", id=r["replaced_by"]) if r["replaced_by"] else ""
        services = ", ".join(str(x) for x in json.loads(r["services_json"] or "[]")) or self.say("record.no_services")
        text = self.say("record.right", client=r["client_id"], unit=self.org_label(r["unit_oid"]), services=services,
                        start=r["start_date"].isoformat(), end=end, document=r["source_document_id"],
                        version=r["source_version"], organiser=self.org_label(r["organiser_oid"]), state=state)
        return {"client": r["client_id"], "unit": r["unit_oid"], "unitName": self.names.get(r["unit_oid"]),
                "services": json.loads(r["services_json"] or "[]"),
                "organiser": r["organiser_oid"], "start": r["start_date"].isoformat(), "end": r["end_date"].isoformat() if r["end_date"] else None,
                "sourceDocument": r["source_document_id"], "sourceVersion": r["source_version"], "replacedBy": r["replaced_by"],
                "text": text}

    def near_miss_sentence(self, misses: list[dict]) -> str:
        if not misses:
            return ""
        return self.say("record.near_misses", list=" | ".join(m["text"] for m in misses[:3]))

    def party(self, role: str) -> Party:
        if role == "counterpart":
            if self.scope.counterpart is None:
                raise ValueError("this session has no counterpart organisation")
            return self.scope.counterpart
        return self.scope.session

    def who(self, role: str) -> str:
        if role in ("counterpart", "session"):
            return self.say(f"who.{role}", label=self.party(role).label())
        return self.say("who.other" if role == "other" else "who.any")

    def register_label(self, oid: str) -> str:
        if oid == self.scope.session.oid:
            return self.say("who.own_register", label=self.scope.session.label())
        if self.scope.counterpart and oid == self.scope.counterpart.oid:
            return self.say("who.organiser_register", label=self.scope.counterpart.label())
        return self.org_label(oid)

    def org_label(self, oid: str | None) -> str:
        if not oid:
            return self.say("who.unknown")
        name = self.names.get(oid)
        return f"{name} ({oid})" if name else oid
