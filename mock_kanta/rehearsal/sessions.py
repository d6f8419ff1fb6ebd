"""Rehearsal sessions: open one for an organisation, grade it live, close it to freeze the report.

A session remembers the access log's last sequence number when it opened; grading looks
only at the tenant's events after it (and, once closed, up to the last one graded then).
Closing grades once more and stores the whole result as JSON, so the report of a closed
session never changes, whatever happens in the tenant afterwards.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mock_kanta.archivist.service import provenances
from mock_kanta.core.identity import is_oid
from mock_kanta.rehearsal.checklist import Checklist, load_checklists
from mock_kanta.rehearsal.grading import grade_all
from mock_kanta.rehearsal.scope import Party, Scope
from mock_kanta.rehearsal.texts import DEFAULT_LANG, LANGS, say, says
from mock_kanta.store.queries import rehearsal as session_rows
from mock_kanta.store.queries.audit import last_seq

SYSTEM_MAX = 200


class RehearsalError(Exception):
    """Bad input: the message says what and how to fix it (HTTP 400).

    `code` names the text `error.<code>` of texts.yaml; `str(exc)` is its English, `exc.text("fi")`
    the same in Finnish or Swedish (a value given as {fi, sv, en} is said in each language).
    """

    status = 400

    def __init__(self, code: str, **values):
        self.code, self.values = code, values
        super().__init__(self.text(DEFAULT_LANG))

    def text(self, lang: str) -> str:
        return say(f"error.{self.code}", lang, **{k: v.get(lang, v.get(DEFAULT_LANG)) if isinstance(v, dict) else v
                                                  for k, v in self.values.items()})


class SessionNotFound(RehearsalError):
    status = 404


class SessionClosed(RehearsalError):
    status = 409


@dataclass(frozen=True)
class Session:
    tenant: str
    id: str
    test: str
    organisation_oid: str
    counterpart_oid: str | None
    system_name: str | None
    opened_at: str
    opened_real_at: str
    opened_seq: int
    closed_at: str | None = None
    closed_real_at: str | None = None
    closed_seq: int | None = None
    result: str | None = None
    report_json: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_seq is not None

    @classmethod
    def from_row(cls, row: dict) -> Session:
        return cls(**{k if k != "tenant_id" else "tenant": v for k, v in row.items()})


class Rehearsals:
    """The sessions of every tenant, graded against the checklists."""

    def __init__(self, store, clock, checklists: dict[str, Checklist]):
        self.store, self.clock, self.checklists = store, clock, checklists

    @classmethod
    def from_services(cls, services) -> Rehearsals:
        """The process's instance (checklists read once from `<fixtures>/rehearsals/`)."""
        found = services.__dict__.get("_rehearsals")
        if found is None:
            found = cls(services.store, services.clock, load_checklists(checklists_dir(services.settings)))
            services.__dict__["_rehearsals"] = found
        return found

    # --- opening, listing, closing ---

    def open(self, tenant: str, test: str, organisation_oid: str, organiser_oid: str | None = None,
             system: str | None = None) -> Session:
        checklist = self.checklists.get(test)
        if checklist is None:
            raise RehearsalError("unknown_test", test=str(test)[:80], known=", ".join(sorted(self.checklists)))
        org = self._organisation(tenant, organisation_oid, "organisationOid")
        if org["kind"] not in checklist.organisation_kinds:
            raise RehearsalError("wrong_kind", name=org["name"], oid=org["oid"], kind=_kind(org["kind"]), test=test,
                                 kinds={lang: ", ".join(_kind(k)[lang] for k in checklist.organisation_kinds) for lang in LANGS})
        if checklist.counterpart is None and organiser_oid:
            raise RehearsalError("organiser_not_taken", test=test)
        if checklist.counterpart is not None:
            if not organiser_oid:
                raise RehearsalError("organiser_required", test=test, kind=_kind(checklist.counterpart), name=org["name"])
            counterpart = self._organisation(tenant, organiser_oid, "organiserOid")
            if counterpart["kind"] != checklist.counterpart:
                raise RehearsalError("organiser_kind", oid=organiser_oid, name=counterpart["name"],
                                     kind=_kind(counterpart["kind"]), wanted=_kind(checklist.counterpart))
            if organiser_oid == organisation_oid:
                raise RehearsalError("organiser_same")
        if system is not None and (not isinstance(system, str) or len(system) > SYSTEM_MAX):
            raise RehearsalError("system_long", n=SYSTEM_MAX)
        row = {"tenant_id": tenant, "id": f"reh-{secrets.token_hex(6)}", "test": test, "organisation_oid": organisation_oid,
               "counterpart_oid": organiser_oid or None, "system_name": (system or "").strip() or None,
               "opened_at": self.clock.now(tenant).isoformat(), "opened_real_at": _utc_now()}
        session_rows.open_session(self.store, row)
        return self.session(tenant, row["id"])

    def sessions(self, tenant: str) -> list[Session]:
        return [Session.from_row(row) for row in session_rows.sessions(self.store, tenant)]

    def session(self, tenant: str, session_id: str) -> Session:
        row = session_rows.session(self.store, tenant, session_id)
        if row is None:
            raise SessionNotFound("no_session", id=session_id, tenant=tenant)
        return Session.from_row(row)

    def close(self, tenant: str, session_id: str) -> dict:
        """Grade up to now, freeze the result and return it; closing twice is refused."""
        session = self.session(tenant, session_id)
        if session.closed:
            raise SessionClosed("closed", id=session_id, at=session.closed_at)
        through = last_seq(self.store)
        closed = Session(**{**session.__dict__, "closed_at": self.clock.now(tenant).isoformat(), "closed_real_at": _utc_now(),
                            "closed_seq": max(through, session.opened_seq)})
        result = self._grade(closed)
        values = {"closed_at": closed.closed_at, "closed_real_at": closed.closed_real_at, "closed_seq": closed.closed_seq,
                  "result": result["result"], "report_json": json.dumps(result, ensure_ascii=False)}
        if not session_rows.close_session(self.store, tenant, session_id, values):
            raise SessionClosed("closed_meanwhile", id=session_id)
        return result

    # --- grading ---

    def result(self, session: Session) -> dict:
        """The session and its grading: frozen once closed, graded now while open."""
        if session.closed and session.report_json:
            return json.loads(session.report_json)
        return self._grade(session)

    def _grade(self, session: Session) -> dict:
        checklist = self.checklists.get(session.test)
        if checklist is None:
            raise RehearsalError("checklist_gone", test=session.test)
        names, orgs = self._names(session.tenant)
        scope = Scope(session.tenant, self._party(session.tenant, session.organisation_oid, names),
                      self._party(session.tenant, session.counterpart_oid, names) if session.counterpart_oid else None,
                      session.opened_seq, session.closed_seq)
        grading = grade_all(self.store, scope, checklist, names)
        out = {
            "id": session.id, "tenant": session.tenant, "test": session.test, "title": checklist.title,
            "status": "closed" if session.closed else "open",
            "organisation": _org_json(orgs.get(session.organisation_oid), session.organisation_oid),
            "organiser": _org_json(orgs.get(session.counterpart_oid), session.counterpart_oid) if session.counterpart_oid else None,
            "system": session.system_name or self._software(session.tenant, grading),
            "systemNamedBy": "vendor" if session.system_name else "documents",
            "openedAt": session.opened_at, "openedRealAt": session.opened_real_at, "openedSeq": session.opened_seq,
            "closedAt": session.closed_at, "closedRealAt": session.closed_real_at, "closedSeq": session.closed_seq,
            "checklist": {"file": f"fixtures/rehearsals/{checklist.path.name}" if checklist.path else None,
                          "source": checklist.source, "verified": checklist.verified, "description": checklist.description},
        }
        out.update(grading.to_json())
        if out["system"] is None:
            out["systemNamedBy"] = None
        return out

    def _software(self, tenant: str, grading) -> str | None:
        """The sending system as the session's first accepted document names it (hl7fi:softwareSupport)."""

        own = grading.scope.session.oid
        first = next((d["id"] for item in grading.items for ev in item.evidence
                      if ev.get("organisation") == own and ev.get("action") in ("archive", "replace", "void")
                      for d in ev.get("documents") or ()), None)
        if first is None:
            return None
        row = self.store.document(tenant, first, summary=True)
        software = (provenances(self.store, tenant, [row]).get(first) or {}).get("software") or {} if row else {}
        if not software.get("product"):
            return None
        name = " ".join(p for p in (software["product"], software.get("version")) if p)
        return f"{name} ({software['moderator']})" if software.get("moderator") else name

    # --- lookups ---

    def _organisation(self, tenant: str, oid, field: str) -> dict:
        if not isinstance(oid, str) or not is_oid(oid):
            raise RehearsalError("not_oid", field=field, value=str(oid)[:80])
        org = self.store.organisation(tenant, oid)
        if org is None:
            raise RehearsalError("no_organisation", field=field, oid=oid, tenant=tenant)
        return org

    def _names(self, tenant: str) -> tuple[dict[str, str], dict[str, dict]]:
        orgs = {o["oid"]: o for o in self.store.organisations(tenant)}
        names = {oid: o["name"] for oid, o in orgs.items()}
        names.update({u["oid"]: u["name"] for u in self.store.service_units(tenant)})
        return names, orgs

    def _party(self, tenant: str, oid: str, names: dict[str, str]) -> Party:
        units = frozenset(u["oid"] for u in self.store.service_units(tenant, organisation_oid=oid))
        return Party(oid, names.get(oid), units)


def checklists_dir(settings) -> Path:
    return Path(settings.fixtures_dir) / "rehearsals"


def _kind(kind: str) -> dict[str, str]:
    """An organisation kind (organiser, provider, vendor) in fi, sv and en."""
    try:
        return says(f"kind.{kind}")
    except KeyError:
        return {lang: kind for lang in LANGS}


def _org_json(org: dict | None, oid: str) -> dict:
    return {"oid": oid, "name": org["name"] if org else None, "kind": org["kind"] if org else None}


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
