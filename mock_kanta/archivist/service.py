"""The archivist's view: per register, what arrived, from whom, through which system, signed by whom.

What an archivist checks in a deployment test (käyttöönottokoe): each document's sending
organisation and service unit, the sending system (the frame's `authorOrPerformer` and message
id root, the document's `hl7fi:softwareSupport`), when it arrived and what date it carries,
who signed it (type, certificate subject and serialNumber, signing time), its versions
(by setId) and status, and the warnings it was accepted with; and per register, counts by
sender, document type and status.

No Flask here: functions of the store, the tenant and plain values. The XML-derived parts
of a stored document never change (its bytes are immutable), so they are cached in memory
per document id: the provenance (frame and header facts, cheap) for list pages, the
signature summaries (each signature verified again over the stored bytes, dearer) when one
document is asked for, or a page with `signers=True`. Status and versions are read fresh.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from cryptography.x509.oid import NameOID

from mock_kanta.signing.xmldsig import verify_document
from mock_kanta.store.queries import archivist as archivist_rows
from mock_kanta.store.queries.archivist import RegisterFilter, documents_page  # noqa: F401  (the view's page)
from mock_kanta.wire import cda, hl7v3, safexml

HELSINKI = ZoneInfo("Europe/Helsinki")
SIGNATURE_TYPE_SYSTEM = "1.2.246.537.5.40127.2006"
DOCUMENT_TYPE_SYSTEM = "1.2.246.537.6.1506.201701"
DOCUMENT_GROUP_SYSTEM = "1.2.246.537.6.1505.201601"
AUTH_METHOD_SYSTEM = "1.2.246.537.5.40128.2006"
DATE_FIELDS = ("received", "effective")


class _Lru:
    """A small thread-safe LRU map (one per process; each worker keeps its own)."""

    def __init__(self, size: int):
        self.size, self._data, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_PROVENANCE = _Lru(20_000)
_SIGNERS = _Lru(20_000)


def clear_caches() -> None:
    _PROVENANCE.clear()
    _SIGNERS.clear()


def _key(store, tenant: str, document_id: str, received_at: str | None) -> tuple:
    """received_at tells a document from one archived under the same id after a tenant reset (other workers' caches)."""
    return (store.url, tenant, document_id, received_at)


# --- filters and pages ---------------------------------------------------------------------


def where(tenant: str, register_oid: str, *, client: str | None = None, sender: str | None = None,
          date_from: date | None = None, date_to: date | None = None, date_field: str = "received",
          status: str | None = None, document_type: str | None = None, unit: str | None = None) -> RegisterFilter:
    """A register's documents under the filters (dates inclusive, Helsinki days)."""
    if date_field not in DATE_FIELDS:
        raise ValueError(f"date_field must be one of {DATE_FIELDS}, not {date_field!r}")
    if date_field == "received":  # received_at: ISO instants in UTC, same format in every row
        bounds = {"received_from": _utc_start(date_from) if date_from else None,
                  "received_before": _utc_start(date_to + timedelta(days=1)) if date_to else None}
    else:  # effective_time: HL7 TS as written (local time): compare its YYYYMMDD
        bounds = {"effective_from": date_from.strftime("%Y%m%d") if date_from else None,
                  "effective_to": date_to.strftime("%Y%m%d") if date_to else None}
    return RegisterFilter(tenant, register_oid, client=client, sender=sender, status=status,
                          document_type=document_type, unit=unit, **bounds)


def _utc_start(day: date) -> str:
    return datetime.combine(day, time(0), HELSINKI).astimezone(timezone.utc).isoformat(timespec="microseconds")


def version_sets(store, tenant: str, set_ids) -> dict[str, list[dict]]:
    """Every version of each set (document id, version, status, received_at), oldest first: one query."""
    set_ids = sorted({s for s in set_ids if s})
    if not set_ids:
        return {}
    sets: dict[str, list[dict]] = {}
    for row in archivist_rows.version_sets(store, tenant, set_ids):
        sets.setdefault(row.pop("set_id"), []).append(row)
    return sets


def versions_json(versions: list[dict], document_id: str) -> dict:
    current = next((v["document_id"] for v in reversed(versions) if v["status"] != "replaced"), None)
    mine = next((v for v in versions if v["document_id"] == document_id), None)
    return {
        "count": len(versions),
        "latest": max((v["version"] or 0 for v in versions), default=None),
        "current": current,
        "isCurrent": current == document_id and (mine or {}).get("status") == "active",
        "history": [{"documentId": v["document_id"], "version": v["version"], "status": v["status"],
                     "receivedAt": v["received_at"]} for v in versions],
    }


def warnings(row: dict) -> list[dict]:
    """The warnings a document was accepted with (rule, place, message in fi/sv/en)."""
    found = json.loads(row.get("findings_json") or "[]")
    return [{"rule": f.get("rule"), "location": f.get("location"), "message": f.get("message")}
            for f in found if f.get("severity") == "warning"]


# --- provenance: frame and header facts (cached) ----------------------------------------------


def _ii(ii) -> dict | None:
    return {"root": ii.root, "extension": ii.extension} if ii and (ii.root or ii.extension) else None


def _name(name) -> str | None:
    if not name:
        return None
    return " ".join([*name.given, *name.family]) or None


def _coded(coded) -> dict | None:
    return {"code": coded.code, "display": coded.display_name} if coded and coded.code else None


def _person(person) -> dict | None:
    return {"id": _ii(person.id), "name": _name(person.name)} if person else None


def read_provenance(frame_xml: bytes, document_xml: bytes) -> dict:
    """What the frame and the document header say about where a document came from."""
    out: dict = {}
    try:
        frame = hl7v3.frame_from_tree(safexml.parse(frame_xml))
    except Exception as exc:  # stored bytes were read once at arrival; never fail the view on them
        out["frameError"] = str(exc)[:300]
        frame = None
    try:
        doc = cda.document_from_tree(safexml.parse(document_xml))
    except Exception as exc:
        out["documentError"] = str(exc)[:300]
        doc = None
    if frame is not None:
        author = frame.author
        out["message"] = {"id": _ii(frame.message_id), "creationTime": frame.creation_time,
                          "interaction": frame.interaction, "sender": frame.sender,
                          "reasonCodes": [c.code for c in frame.reason_codes if c and c.code]}
        out["authorOrPerformer"] = {
            "typeCode": author.type_code if author else None,
            "person": _person(author.person) if author else None,
            "organisation": {"oid": author.organisation.id.root if author.organisation.id else None,
                             "name": author.organisation.name} if author and author.organisation else None,
        }
    if doc is not None:
        local = doc.local
        software = local.software if local else None
        signature = local.signature if local else None
        out["software"] = {"moderator": software.moderator, "product": software.product,
                           "version": software.version} if software else None
        out["title"] = doc.title
        out["author"] = _person(doc.author)
        out["headerSigner"] = {
            "registrationNumber": signature.assigned_author_signer, "name": _name(signature.signer_name),
            "authenticationMethod": _coded(signature.authentication_method), "time": signature.time,
        } if signature else None
        out["related"] = [{"typeCode": r.type_code, "documentId": r.id.root if r.id else None,
                           "setId": r.set_id.root if r.set_id else None, "version": r.version_number} for r in doc.related]
        out["reasonOfCorrection"] = _coded(local.reason_of_correction) if local else None
        out["recordStatus"] = _coded(local.record_status) if local else None
    return out


def provenances(store, tenant: str, rows: list[dict]) -> dict[str, dict]:
    """The provenance of each row, from the cache or (one query for the rest) the stored bytes."""
    out, missing = {}, []
    for row in rows:
        cached = _PROVENANCE.get(_key(store, tenant, row["document_id"], row.get("received_at")))
        if cached is None:
            missing.append(row["document_id"])
        else:
            out[row["document_id"]] = cached
    if missing:
        for raw in archivist_rows.stored_bytes(store, tenant, missing):
            prov = read_provenance(raw["frame_xml"], raw["document_xml"])
            _PROVENANCE.put(_key(store, tenant, raw["document_id"], raw["received_at"]), prov)
            out[raw["document_id"]] = prov
    return out


# --- signers (verified over the stored bytes, cached) ------------------------------------------


def _attr(name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else None


def signer_summary(result, codes=None) -> dict:
    """One signature: its type, the certificate's subject, serial and issuer, the signing time, the crypto check."""
    cert = result.certificate
    certificate = None
    if cert is not None:
        subject = cert.subject
        certificate = {
            "subject": subject.rfc4514_string(),
            "commonName": _attr(subject, NameOID.COMMON_NAME),
            "serialNumber": _attr(subject, NameOID.SERIAL_NUMBER),  # registration number or organisation OID
            "givenName": _attr(subject, NameOID.GIVEN_NAME),
            "surname": _attr(subject, NameOID.SURNAME),
            "organisation": _attr(subject, NameOID.ORGANIZATION_NAME),
            "title": _attr(subject, NameOID.TITLE),
            "certificateSerial": format(cert.serial_number, "x"),
            "issuer": cert.issuer.rfc4514_string(),
            "notBefore": cert.not_valid_before_utc.isoformat(),
            "notAfter": cert.not_valid_after_utc.isoformat(),
        }
    code = result.description_code
    return {
        "index": result.index,
        "signatureId": result.signature_id,
        "type": {"code": code, "display": codes.display(SIGNATURE_TYPE_SYSTEM, code) if codes and code else None},
        "signedAt": result.signed_at.isoformat() if result.signed_at else None,
        "certificate": certificate,
        "certificateError": result.certificate_error,
        "cryptoOk": result.crypto_ok,
        "whitespaceTolerant": result.whitespace_tolerant,
        "problems": [*result.layout_problems, *result.wrapping_problems],
    }


def signers(store, tenant: str, document_id: str, document_xml: bytes, codes=None, *, received_at: str | None) -> list[dict]:
    """Every signature of a stored document, verified once per process and cached."""
    key = _key(store, tenant, document_id, received_at)
    cached = _SIGNERS.get(key)
    if cached is not None:
        return cached
    try:
        results = verify_document(safexml.parse(document_xml))
        found = [signer_summary(r, codes) for r in results]
    except Exception as exc:  # never fail the view on stored bytes
        found = [{"index": 0, "error": str(exc)[:300]}]
    _SIGNERS.put(key, found)
    return found


def cached_signers(store, tenant: str, document_id: str, received_at: str | None) -> list[dict] | None:
    return _SIGNERS.get(_key(store, tenant, document_id, received_at))


def document_xml(store, tenant: str, document_ids) -> dict[str, bytes]:
    ids = list(document_ids)
    if not ids:
        return {}
    return {r["document_id"]: r["document_xml"] for r in archivist_rows.stored_bytes(store, tenant, ids, frames=False)}


# --- the register summary ----------------------------------------------------------------------


def summary(store, where: RegisterFilter) -> dict:
    """Counts under the filter: total, clients, arrivals, and by sender, document type, status, unit, service request."""
    counts = archivist_rows.summary(store, where)
    return {
        "total": counts["total"], "clients": counts["clients"], "firstReceivedAt": counts["first"],
        "lastReceivedAt": counts["last"], "withWarnings": counts["with_warnings"],
        "bySender": counts["by_sender"], "byDocumentType": counts["by_document_type"], "byStatus": counts["by_status"],
        "byServiceUnit": counts["by_service_unit"], "byServiceRequest": counts["by_service_request"],
    }


def document_type_display(codes, row: dict) -> str | None:
    """The display name of a row's document type (specific or general), or of its group when it has none."""
    if codes is None:
        return None
    if row.get("document_type"):
        return codes.display(DOCUMENT_TYPE_SYSTEM, row["document_type"])
    if row.get("document_group"):
        return codes.display(DOCUMENT_GROUP_SYSTEM, row["document_group"])
    return None

