"""The archivist's pages: /ui/archivist, /ui/archivist/<register>, /ui/archivist/<register>/<document>.

What arrived in each register, from whom and through which system, signed by whom, in
which versions. The work is `mock_kanta.archivist.service`'s (signatures are verified over the
stored bytes once per document and cached); this module lays it out.
"""
from __future__ import annotations

import json

from flask import abort, request

from mock_kanta.archivist import service as archivist
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.ui import context, display, i18n
from mock_kanta.ui.overview import registers_with_counts

PAGE = 50
STATUSES = ("active", "replaced", "voided")


def register(bp) -> None:
    bp.add_url_rule("/archivist", "archivist", index)
    bp.add_url_rule("/archivist/<register_oid>", "archivist_register", register_page)
    bp.add_url_rule("/archivist/<register_oid>/<document_id>", "archivist_document", document_page)


def index():
    rows = [r for r in registers_with_counts() if r["documents"] or r["kind"] == "organiser"]
    return context.render("archivist.html", registers=rows)


def register_page(register_oid: str):
    tenant, store = context.tenant(), context.store()
    org = store.organisation(tenant, register_oid)
    if org is None and not any(r["register_oid"] == register_oid for r in store.registers(tenant)):
        abort(404, i18n.t("registers.unknown", oid=register_oid[:120]))
    filters = _filters()
    offset = _offset()
    cond = archivist.where(tenant, register_oid, client=filters["client"], status=filters["status"])
    rows, total = archivist.documents_page(store, cond, limit=PAGE, offset=offset)
    provenance = archivist.provenances(store, tenant, rows)
    sets = archivist.version_sets(store, tenant, (r["set_id"] for r in rows))
    names = context.names()
    codes = context.services().codes
    documents = [{
        "row": r, "type": archivist.document_type_display(codes, r) or r.get("document_type") or r.get("document_group"),
        "sender": names.orgs.get(r.get("sender_oid")) or r.get("sender_oid"),
        "unit": names.units.get(r.get("service_unit_oid")) or r.get("service_unit_oid"),
        "versions": archivist.versions_json(sets.get(r["set_id"]) or [], r["document_id"]),
        "warnings": len(archivist.warnings(r)),
        "software": ((provenance.get(r["document_id"]) or {}).get("software") or {}).get("product"),
    } for r in rows]
    summary = archivist.summary(store, cond)
    return context.render("archivist_register.html", register_oid=register_oid, org=org, documents=documents, total=total,
                          offset=offset, page=PAGE, filters=filters, statuses=STATUSES, summary=summary, names=names)


def document_page(register_oid: str, document_id: str):
    tenant, store = context.tenant(), context.store()
    row = display.document_row(register_oid, document_id)
    codes = context.services().codes
    provenance = archivist.provenances(store, tenant, [row]).get(document_id, {})
    versions = archivist.versions_json(archivist.version_sets(store, tenant, [row["set_id"]]).get(row["set_id"]) or [],
                                       document_id)
    signers = archivist.signers(store, tenant, document_id, row["document_xml"], codes, received_at=row["received_at"])
    return context.render(
        "archivist_document.html", row=row, register_oid=register_oid, names=context.names(), provenance=provenance,
        versions=versions, signers=signers, findings=json.loads(row["findings_json"] or "[]"),
        type=archivist.document_type_display(codes, row) or row.get("document_type"),
        display_url=f"/ui/archivist/{register_oid}/{document_id}/display")


def _filters() -> dict:
    client = (request.args.get("client") or "").strip().upper() or None
    if client:
        try:
            parse_hetu(client)
        except HetuError as exc:
            context.bad_hetu(client, exc)
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        abort(400, i18n.t("archivist.bad_status", value=status[:20]))
    return {"client": client, "status": status}


def _offset() -> int:
    try:
        offset = int(request.args.get("offset") or 0)
    except ValueError:
        offset = -1
    if offset < 0:
        abort(400, i18n.t("archivist.bad_offset", value=(request.args.get("offset") or "")[:20]))
    return offset
