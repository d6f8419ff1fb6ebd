"""Registers, the register usage right, matters and the SOTE organisation register: the world
the register rules look at, for one tenant at one moment of the sandbox clock.

Reads the store; knows nothing of XML. The effects of an accepted document (rights granted
by a client-relationship document, a matter opened by an organiser's document) are computed
here and written by the store in the document's own transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

from mock_kanta.core.identity import HetuError, parse_hetu

HELSINKI = ZoneInfo("Europe/Helsinki")
# Soteri -> SOTE organisation register runs once a day; the hour is modelled (not public).
SOTE_TRANSFER_HOUR = 3
PROVIDER_USAGE = "provider-in-organiser-register"
OWN_USAGE = "own-register"
USAGE_SYSTEM = "1.2.246.537.6.1289.201901"
PHASE_SYSTEM = "1.2.246.537.6.1277.201701"
CONSENT_SYSTEM = "1.2.246.537.6.1286.201901"


def ts_date(value: str | None) -> date | None:
    """The date of an HL7 TS value (YYYYMMDD...), or None."""
    if not value or len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def iso_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def sote_register_from(registered_at: str | None) -> datetime | None:
    """When a unit registered in Soteri at `registered_at` reaches the SOTE organisation register:
    the next daily transfer (SOTE_TRANSFER_HOUR, Helsinki time) after it. None = long ago."""
    if not registered_at:
        return None
    at = datetime.fromisoformat(registered_at).astimezone(HELSINKI)
    transfer = datetime.combine(at.date(), time(SOTE_TRANSFER_HOUR), HELSINKI)
    if transfer <= at:
        transfer += timedelta(days=1)
    return transfer.astimezone(timezone.utc)


def age_on(hetu: str | None, on: date | None) -> int | None:
    if not hetu or on is None:
        return None
    try:
        born = parse_hetu(hetu).birth_date
    except HetuError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Right:
    organiser_oid: str
    client_id: str
    relationship_id: str
    function_code: str | None
    unit_oid: str
    services: tuple[str, ...]
    start: date
    end: date | None
    source_document_id: str

    def in_force(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    @classmethod
    def from_row(cls, row: dict) -> "Right":
        return cls(row["organiser_oid"], row["client_id"], row["relationship_id"], row["function_code"], row["unit_oid"],
                   tuple(json.loads(row["services_json"])), row["start_date"], row["end_date"], row["source_document_id"])


class World:
    """One tenant's organisations, units, rights and matters, read lazily, at arrival time `now`."""

    def __init__(self, store, tenant: str, now: datetime, view=None):
        self.store, self.tenant, self.now = store, tenant, now
        self.view = view or store.view(tenant)
        self._rights: dict[str, list[Right]] = {}

    def org(self, oid: str | None) -> dict | None:
        if not oid:
            return None
        return self.view.organisation(oid)

    def unit(self, oid: str | None) -> dict | None:
        if not oid:
            return None
        return self.view.service_unit(oid)

    def kind(self, oid: str | None) -> str | None:
        org = self.org(oid)
        return org["kind"] if org else None

    def rights(self, client_id: str) -> list[Right]:
        if client_id not in self._rights:
            self._rights[client_id] = [Right.from_row(r) for r in self.store.rights(self.tenant, client_id)]
        return self._rights[client_id]

    def provider_rights(self, client_id: str, provider_oid: str) -> list[Right]:
        """Rights for this client in any organiser's register naming a unit of `provider_oid`."""
        return [r for r in self.rights(client_id) if (u := self.unit(r.unit_oid)) and u["organisation_oid"] == provider_oid]

    def document(self, document_id: str | None) -> dict | None:
        return self._memo("document", document_id, lambda: self.store.document(self.tenant, document_id, summary=True))

    def current_version(self, set_id: str | None) -> dict | None:
        """The set's current version (active or voided), or None when the set is unknown."""
        def lookup():
            versions = self.store.versions(self.tenant, set_id)
            return next((v for v in reversed(versions) if v["status"] != "replaced"), None)

        return self._memo("current", set_id, lookup)

    def matter(self, matter_id: str | None) -> dict | None:
        return self._memo("matter", matter_id, lambda: self.store.matter(self.tenant, matter_id))

    def _memo(self, kind: str, key: str | None, lookup):
        """One store lookup per key and message: several rules ask the same question."""
        if not key:
            return None
        memo = self.__dict__.setdefault("_lookups", {})
        if (kind, key) not in memo:
            memo[(kind, key)] = lookup()
        return memo[(kind, key)]

    @cached_property
    def today(self) -> date:
        return self.now.astimezone(HELSINKI).date()


# --- effects of an accepted document -------------------------------------------------------


def granted_rights(document, structured: dict | None) -> tuple[str, list[dict]] | None:
    """(relationship id, right rows) from a client-relationship document's structured part, or None."""
    if not isinstance(structured, dict) or not isinstance(structured.get("asiakkuusasiakirja"), dict):
        return None
    body = structured["asiakkuusasiakirja"]
    relationship = (document.local.client_relationship if document.local else None) or _value(body.get("asiakkuuden_yksilointitunnus"))
    if not relationship:
        return None
    default_start = iso_date((body.get("sosiaalihuollon_asiakkuus") or {}).get("asiakkuuden_alkamispvm"))
    rows = []
    for task in body.get("sosiaalihuollon_palvelutehtava") or []:
        function_code = _code(task.get("palvelutehtava"))
        for provider in task.get("palveluntuottaja") or []:
            unit = _code(provider.get("palveluyksikon_nimi"))
            start = iso_date(provider.get("asiakkuuden_alkamispvm")) or default_start
            if not unit or start is None:
                continue
            services = [c for c in (_code(s) for s in provider.get("sosiaalipalvelu") or []) if c]
            rows.append({
                "organiser_oid": document.custodian.id.root,
                "client_id": document.client.id.extension,
                "source_document_id": document.document_id,
                "source_set_id": document.set_id.root if document.set_id else document.document_id,
                "source_version": int(document.version_number or 1),
                "function_code": function_code,
                "unit_oid": unit,
                "services_json": json.dumps(services),
                "start_date": start,
                "end_date": iso_date(provider.get("asiakkuuden_paattymispvm")),
            })
    return relationship, rows


def social_services(structured) -> list[str]:
    """Every sosiaalipalvelu code anywhere in a structured part."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sosiaalipalvelu":
                    for item in value if isinstance(value, list) else [value]:
                        if _code(item):
                            found.append(_code(item))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(structured)
    return found


def visibility(document, codes) -> dict:
    """The effective OmaKanta visibility and the guardians' disclosure of a document, as stored."""
    lh = document.local
    restricted = bool(lh and lh.inaccessible_argument and lh.inaccessible_argument.code)
    until = ts_date(lh.inaccessible_until) if lh else None
    consent = document.consent.code if document.consent else None
    entry = codes.get(CONSENT_SYSTEM).get(consent) if consent and codes.get(CONSENT_SYSTEM) else None
    return {
        "visibility": "delayed" if restricted and until else "restricted" if restricted else "visible",
        "visible_from": until if restricted else None,
        "guardian_disclosure": entry.meaning if entry else None,
    }


def _code(coded) -> str | None:
    return str(coded.get("code")) if isinstance(coded, dict) and coded.get("code") is not None else None


def _value(ident) -> str | None:
    return str(ident.get("value")) if isinstance(ident, dict) and ident.get("value") else None
