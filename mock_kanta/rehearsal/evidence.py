"""Evidence in words: a matcher as a sentence, an event, document or right as a record with a one-line text.

Every record keeps its facts as fields (seq, time, action, outcome, organisation, unit,
usage situation, client, documents and their registers, rule ids) and says them once more
in `text`, which the reports print.
"""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from mock_kanta.rehearsal.checklist import Match
from mock_kanta.rehearsal.scope import Party, Scope, Seen

HELSINKI = ZoneInfo("Europe/Helsinki")
ACTION_WORDS = {"archive": "archive", "replace": "new version (replace)", "void": "void", "search": "query (search)",
                "read": "retrieve (read)"}


class Words:
    """Describes matchers, events, documents and rights of one session's scope, naming organisations."""

    def __init__(self, scope: Scope, names: dict[str, str] | None = None):
        self.scope, self.names = scope, names or {}

    def describe(self, m: Match, *, article: bool = True, lead: bool = True) -> str:
        """The matcher in plain English, e.g. "an accepted (AA) archive from Hoivakoti Kielo Oy (1.2...) ..."."""
        parts = []
        if lead:
            outcome = "/".join(m.outcomes)
            kind = " or ".join(ACTION_WORDS[a] for a in m.actions) if m.actions else "event"
            head = {"AA": "accepted (AA) ", "AE": "refused (AE) "}.get(outcome, f"{outcome} " if outcome else "")
            noun = f"{head}{kind}"
            parts.append((("an " if noun[0] in "aeiou" else "a ") if article else "") + noun)
            if m.sender != "any":
                parts.append(f"from {self.who(m.sender)}")
        elif m.outcomes:
            parts.append(f"answered {'/'.join(m.outcomes)}")
        if m.register != "any":
            parts.append(f"with documents in the register of {self.who(m.register)}")
        if m.usage:
            parts.append(f"under usage situation {' or '.join(m.usage)}")
        if m.document_groups:
            parts.append(f"of document group {' or '.join(m.document_groups)}")
        if m.service_requests:
            parts.append(f"with service request {' or '.join(m.service_requests)}")
        if m.client == "test-identity":
            parts.append("for a test identity (henkilötunnus individual number 900-999)")
        if m.min_documents:
            parts.append(f"returning at least {m.min_documents} document(s)")
        return " ".join(parts) if parts else "any event"

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
        text = f"seq {e.seq} {when}: {e.action} {e.outcome} by {self.org_label(e.organisation_oid)}"
        if e.usage_situation:
            text += f", usage {e.usage_situation}"
        if e.client_id:
            text += f", client {e.client_id}"
        if s.documents:
            by_register: dict[str, list[str]] = {}
            for d in s.documents:
                by_register.setdefault(d["register_oid"], []).append(d["document_id"])
            text += "; " + "; ".join(f"{len(ids)} document(s) in the register of {self.register_label(r)}"
                                     if len(ids) > 2 else f"{', '.join(ids)} in the register of {self.register_label(r)}"
                                     for r, ids in by_register.items())
        elif e.document_ids:
            text += f"; document {', '.join(e.document_ids)}"
        if e.rule_ids:
            text += f"; rules {', '.join(e.rule_ids)}"
        if note:
            text += f" [{note}]"
        if problems:
            text += ": " + "; ".join(problems)
        return text

    def document_record(self, row: dict, s: Seen, note: str | None = None) -> dict:
        text = (f"{row['document_id']} (version {row['version']}, {row['status']}) in the register of "
                f"{self.register_label(row['register_oid'])}, sent by {self.org_label(row['sender_oid'])} "
                f"from unit {self.org_label(row['service_unit_oid'])}, received {row['received_at']}; access-log seq {s.event.seq}")
        out = {"documentId": row["document_id"], "register": row["register_oid"], "registerName": self.names.get(row["register_oid"]),
               "status": row["status"], "version": row["version"], "setId": row["set_id"], "sender": row["sender_oid"],
               "unit": row["service_unit_oid"], "client": row["client_id"], "receivedAt": row["received_at"],
               "seq": s.event.seq, "text": text + (f" [{note}]" if note else "")}
        if note:
            out["note"] = note
        return out

    def right_record(self, r: dict) -> dict:
        end = r["end_date"].isoformat() if r["end_date"] else "open-ended"
        state = f", replaced by {r['replaced_by']}" if r["replaced_by"] else ""
        services = ", ".join(str(x) for x in json.loads(r["services_json"] or "[]")) or "none"
        text = (f"client {r['client_id']}: unit {self.org_label(r['unit_oid'])}, services {services}, "
                f"{r['start_date'].isoformat()} to {end}, granted by client-relationship document {r['source_document_id']} "
                f"(version {r['source_version']}) of {self.org_label(r['organiser_oid'])}{state}")
        return {"client": r["client_id"], "unit": r["unit_oid"], "unitName": self.names.get(r["unit_oid"]),
                "services": json.loads(r["services_json"] or "[]"),
                "organiser": r["organiser_oid"], "start": r["start_date"].isoformat(), "end": r["end_date"].isoformat() if r["end_date"] else None,
                "sourceDocument": r["source_document_id"], "sourceVersion": r["source_version"], "replacedBy": r["replaced_by"],
                "text": text}

    def near_miss_sentence(self, misses: list[dict]) -> str:
        if not misses:
            return ""
        return " Near misses: " + " | ".join(m["text"] for m in misses[:3]) + "."

    def party(self, role: str) -> Party:
        if role == "counterpart":
            if self.scope.counterpart is None:
                raise ValueError("this session has no counterpart organisation")
            return self.scope.counterpart
        return self.scope.session

    def who(self, role: str) -> str:
        if role == "counterpart":
            return f"the organiser {self.party(role).label()}"
        if role == "session":
            return f"the session organisation {self.scope.session.label()}"
        if role == "other":
            return "an organisation other than the session's and the organiser's"
        return "anyone"

    def register_label(self, oid: str) -> str:
        if oid == self.scope.session.oid:
            return f"{self.scope.session.label()}, the session organisation's own"
        if self.scope.counterpart and oid == self.scope.counterpart.oid:
            return f"{self.scope.counterpart.label()}, the organiser's"
        return self.org_label(oid)

    def org_label(self, oid: str | None) -> str:
        if not oid:
            return "unknown"
        name = self.names.get(oid)
        return f"{name} ({oid})" if name else oid
