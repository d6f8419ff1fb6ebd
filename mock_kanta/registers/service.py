"""Registers, the register usage right, matters and the SOTE organisation register: the world
the register rules look at, for one tenant at one moment of the sandbox clock.

Reads the store; knows nothing of XML. The effects of an accepted document (rights granted
by a client-relationship document, a matter opened by an organiser's document) are computed
here and written by the store in the document's own transaction.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from functools import cached_property

from mock_kanta.core.codes.oids import GUARDIAN_DISCLOSURE
from mock_kanta.core.dates import HELSINKI, ts_date
from mock_kanta.core.registers import Right
from mock_kanta.core.structured import provider_grants, relationship_body, value_of


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


def granted_rights(document, structured: dict | None, sender: str | None = None) -> tuple[str, list[dict]] | None:
    """(relationship id, right rows) from a client-relationship document's structured part, or None.

    Only the register's own organisation grants: a client-relationship document sent by anyone else
    (`sender`, the frame's sending organisation, is not the custodian) grants nothing, whatever the rules
    made of it (SH-REG-014 refuses it; a report-only mode or a softer verdict must not open a register).
    A provider entry without a unit or a start date grants nothing either."""
    body = relationship_body(structured)
    custodian = document.custodian.id.root if document.custodian and document.custodian.id else None
    if body is None or not custodian or (sender is not None and sender != custodian):
        return None
    relationship = (document.local.client_relationship if document.local else None) or value_of(body.get("asiakkuuden_yksilointitunnus"))
    if not relationship:
        return None
    rows = [{
        "organiser_oid": custodian,
        "client_id": document.client.id.extension,
        "source_document_id": document.document_id,
        "source_set_id": document.set_id.root if document.set_id else document.document_id,
        "source_version": int(document.version_number or 1),
        "function_code": grant.function_code,
        "unit_oid": grant.unit,
        "services_json": json.dumps(list(grant.services)),
        "start_date": grant.start,
        "end_date": grant.end,
    } for grant in provider_grants(body) if grant.unit and grant.start is not None]
    return relationship, rows


def visibility(document, codes) -> dict:
    """The effective OmaKanta visibility and the guardians' disclosure of a document, as stored."""
    lh = document.local
    restricted = bool(lh and lh.inaccessible_argument and lh.inaccessible_argument.code)
    until = ts_date(lh.inaccessible_until) if lh else None
    consent = document.consent.code if document.consent else None
    entry = codes.get(GUARDIAN_DISCLOSURE).get(consent) if consent and codes.get(GUARDIAN_DISCLOSURE) else None
    return {
        "visibility": "delayed" if restricted and until else "restricted" if restricted else "visible",
        "visible_from": until if restricted else None,
        "guardian_disclosure": entry.meaning if entry else None,
    }

