"""Control API: OmaKanta views (what the client, a guardian and a professional see) and guardianships.

The decisions are `mock_kanta.omakanta.service`'s; these handlers read the rows, the sandbox clock
and the guardianships, and map each decision to JSON.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import abort

from mock_kanta.api.common import (
    BASE_PATH,
    JSON,
    current_services,
    current_store,
    current_tenant,
    hl7_ts_iso,
    iso_date_param,
    name_lookups,
    register_path,
    row_json,
)
from mock_kanta.archivist.service import document_type_display
from mock_kanta.core.identity import HetuError, age_on, parse_hetu
from mock_kanta.omakanta import service as omakanta

CREATED = 201


# --- views ------------------------------------------------------------------------------------


def client_view(clientId: str):
    ctx = _Context(clientId)
    return ctx.one_view(omakanta.CLIENT), 200, JSON


def guardian_view(clientId: str, guardianId: str):
    ctx = _Context(clientId)
    return ctx.one_view(ctx.guardian(guardianId)), 200, JSON


def professional_view(clientId: str, register: list[str] | None = None):
    ctx = _Context(clientId, register)
    return ctx.one_view(omakanta.PROFESSIONAL), 200, JSON


def side_by_side(clientId: str, guardian: str | None = None, register: list[str] | None = None):
    """Every document of the client once, with the decision for each viewer, for the trainers' UI."""
    ctx = _Context(clientId)
    guardian_id = guardian or ctx.default_guardian()
    viewers = {"client": omakanta.CLIENT, "professional": omakanta.PROFESSIONAL}
    if guardian_id:
        viewers["guardian"] = ctx.guardian(guardian_id)
    registers = set(register or ())
    entries, counts = [], {name: {"shown": 0, "hidden": 0} for name in ("client", "guardian", "professional")}
    for row in ctx.rows:
        entry = ctx.document_json(row)
        for name in ("client", "guardian", "professional"):
            if name not in viewers:
                entry[name] = None
                continue
            if name == "professional" and registers and row["register_oid"] not in registers:
                entry[name] = {"shown": False, "reason": "register-not-asked", "reasons": [{
                    "code": "register-not-asked",
                    "text": {"fi": "Asiakirja on rekisterissä, jota ammattilaisen näkymä ei kysynyt.",
                             "sv": "Handlingen finns i ett register som den yrkesutbildade personens vy inte frågade efter.",
                             "en": "The document is in a register the professional's view did not ask for."}}]}
            else:
                entry[name] = omakanta.decide(row, viewers[name], ctx.now, ctx.types).to_json()
            counts[name]["shown" if entry[name]["shown"] else "hidden"] += 1
        entries.append(entry)
    body = {
        **ctx.head(),
        "guardianId": guardian_id,
        "guardianship": ctx.guardianship_json(guardian_id) if guardian_id else None,
        "registers": sorted(registers) or None,
        "counts": {name: (counts[name] if name in viewers else None) for name in counts},
        "documents": entries,
    }
    return body, 200, JSON


def document_types():
    types = omakanta.load_types(current_services().settings.data_dir)
    return {"verified": types.verified, "source": types.source, "default": "shown",
            "overrideFile": str(current_services().settings.data_dir / omakanta.TYPES_OVERRIDE_FILE),
            "kinds": [k.to_json() for k in types.kinds]}, 200, JSON


# --- guardianships ----------------------------------------------------------------------------


def add_guardian(body: dict):
    tenant, store = current_tenant(), current_store()
    minor, guardian = body["minorClientId"], body["guardianId"]
    born = _hetu_birth(minor, "minorClientId")
    _hetu_birth(guardian, "guardianId")
    if minor == guardian:
        abort(400, "A person cannot be their own guardian.")
    since = iso_date_param(body.get("since")) or born
    until = iso_date_param(body.get("until"))
    if until is not None and until < since:
        abort(400, f"until {until} is before since {since}.")
    clash = omakanta.overlapping_guardianship(store, tenant, minor, guardian, since, until)
    if clash is not None:
        abort(409, f"{guardian} is already recorded as a guardian of {minor} from {clash['since']}"
                   + (f" to {clash['until']}" if clash["until"] else "") + ".")
    row = omakanta.add_guardianship(store, tenant, minor_client_id=minor, guardian_id=guardian, since=since, until=until,
                                    source=body.get("source") or "control API")
    return _guardianship_json(row, current_services().clock.now(tenant)), CREATED, JSON


def list_guardians(clientId: str):
    tenant = current_tenant()
    now = current_services().clock.now(tenant)
    rows = omakanta.guardianships(current_store(), tenant, clientId)
    on = omakanta.today_of(now)
    return {"clientId": clientId, "at": now.isoformat(), "clientAge": age_on(clientId, on),
            "comesOfAge": _iso(omakanta.coming_of_age(clientId)),
            "guardians": [_guardianship_json(r, now) for r in rows]}, 200, JSON


def _guardianship_json(row: dict, now) -> dict:
    on = omakanta.today_of(now)
    body = row_json(row)
    minor = row["minor_client_id"]
    in_force = omakanta.guardianship_in_force([row], minor, row["guardian_id"], on) is not None
    age = age_on(minor, on)
    body["inForce"] = in_force and age is not None and age < omakanta.AGE_OF_MAJORITY
    body["endsAt18"] = _iso(omakanta.coming_of_age(minor))
    return body


# --- shared -----------------------------------------------------------------------------------


class _Context:
    """One request's tenant, clock, types, the client's rows and the name look-ups."""

    def __init__(self, client_id: str, registers: list[str] | None = None):
        self.tenant, self.client_id = current_tenant(), client_id
        services = current_services()
        self.now = services.clock.now(self.tenant)
        self.on = omakanta.today_of(self.now)
        self.types = omakanta.load_types(services.settings.data_dir)
        self.codes = services.codes
        self.registers = list(registers or [])
        self.rows = omakanta.client_documents(current_store(), self.tenant, client_id, self.registers or None)
        self.units, self.orgs = name_lookups(self.tenant)
        self._guardianships: list[dict] | None = None

    @property
    def guardianships(self) -> list[dict]:
        if self._guardianships is None:
            self._guardianships = omakanta.guardianships(current_store(), self.tenant, self.client_id)
        return self._guardianships

    def guardian(self, guardian_id: str) -> omakanta.Viewer:
        return omakanta.Viewer("guardian", guardian_id, tuple(self.guardianships))

    def default_guardian(self) -> str | None:
        """The first guardian in force today, else the first ever recorded (None when there is none)."""
        rows = self.guardianships
        live = next((r for r in rows if omakanta.guardianship_in_force([r], self.client_id, r["guardian_id"], self.on)), None)
        row = live or (rows[0] if rows else None)
        return row["guardian_id"] if row else None

    def guardianship_json(self, guardian_id: str) -> dict:
        row = omakanta.guardianship_in_force(self.guardianships, self.client_id, guardian_id, self.on)
        standing = omakanta.guardian_standing(self.guardian(guardian_id), self.client_id, self.on)
        return {"guardianId": guardian_id, "recordInForce": row_json(row) if row else None,
                "mayLook": standing is None, "reason": standing.to_json() if standing else None}

    def head(self) -> dict:
        return {"clientId": self.client_id, "at": self.now.isoformat(), "today": self.on.isoformat(),
                "clientAge": age_on(self.client_id, self.on)}

    def one_view(self, viewer: omakanta.Viewer) -> dict:
        result = omakanta.view(self.rows, viewer, self.now, self.types)
        body = {**self.head(), "viewer": {"kind": viewer.kind}}
        if viewer.kind == "guardian":
            body["viewer"]["guardianId"] = viewer.guardian_id
            body["guardianship"] = self.guardianship_json(viewer.guardian_id)
        if viewer.kind == "professional":
            body["viewer"]["registers"] = self.registers or None
            body["note"] = ("OmaKanta restrictions and delays do not bind professionals; the access-rights check "
                            "(role and client relationship) is not applied in this view.")
        body["shown"] = [self.document_json(row) for row, _ in result.shown]
        body["hidden"] = [{**self.document_json(row), **decision.to_json()} for row, decision in result.hidden]
        return body

    def document_json(self, row: dict) -> dict:
        kind = self.types.kind_of(row)
        register = row["register_oid"]
        path = f"{register_path(register)}/{quote(row['document_id'], safe='')}"
        effective = hl7_ts_iso(row.get("effective_time"))
        return {
            "documentId": row["document_id"],
            "setId": row.get("set_id"),
            "version": row.get("version"),
            "status": row.get("status"),
            "replacedBy": row.get("replaced_by"),
            "voidReason": row.get("void_reason"),
            "documentType": {
                "code": row.get("document_type"),
                "display": document_type_display(self.codes, row),
                "group": row.get("document_group"),
                "omakantaKind": kind.key if kind else None,
                "shownInOmaKanta": kind.shown if kind else True,
            },
            "date": effective[:10] if effective else None,
            "effectiveTime": effective,
            "registerOid": register,
            "registerName": self.orgs.get(register),
            "serviceUnitOid": row.get("service_unit_oid"),
            "serviceUnitName": self.units.get(row.get("service_unit_oid")),
            "visibility": row.get("visibility"),
            "visibleFrom": _iso(row.get("visible_from")),
            "guardianDisclosure": row.get("guardian_disclosure"),
            "links": {
                "self": path,
                "document": f"{path}/document.xml",
                "frame": f"{path}/frame.xml",
                "archivist": f"{BASE_PATH}/archivist/registers/{quote(register, safe='')}/documents/"
                             f"{quote(row['document_id'], safe='')}",
            },
        }


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _hetu_birth(value: str, field: str) -> date:
    try:
        return parse_hetu(value).birth_date
    except HetuError as exc:
        abort(400, f"{field} {value!r} is not a valid henkilötunnus: {exc}")
