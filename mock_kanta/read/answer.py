"""The answer to a read (modelled, `wire.query_messages`): the acknowledgement with one detail per finding, one
subject per document returned (metadata; for a retrieve also the stored bytes and the original frame) and the
HL7 queryAck; back in a SOAP envelope of the request's version when it came in one."""
from __future__ import annotations

import base64
from datetime import datetime

from mock_kanta.archive.service import ack_details
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.codes.oids import DOCUMENT_GROUPS, DOCUMENT_TYPES, HETU_ROOT
from mock_kanta.core.dates import HELSINKI
from mock_kanta.core.model import II, Coded, OrgRef
from mock_kanta.read.facts import StoredDocument
from mock_kanta.read.results import ReadResult
from mock_kanta.wire import soap
from mock_kanta.wire.paths.query import Interaction
from mock_kanta.wire.query_messages import DocumentEntry, QueryAck, ReadResponse, build_response, new_response

TASK_SYSTEM = "1.2.246.537.6.1221.201601"
HL7_STATUS = {"active": "completed", "replaced": "obsolete", "voided": "nullified"}


def response(result: ReadResult, interaction: Interaction, codes: CodeSystems, store) -> ReadResponse:
    r = result.request
    answered = result.ack == "AA"
    content = result.kind == "retrieve" and answered
    entries = [_entry(row, content, codes, store) for row in result.documents] if answered else []
    if answered:
        code = "OK" if entries else "NF"
    else:
        code = "QE" if result.query_error else "AE"
    query_ack = QueryAck(query_id=(r.query_id or r.message_id) if r else None, response_code=code,
                         total=str(result.total if answered else 0), current=str(len(entries)),
                         remaining=str(max(result.total - len(entries), 0) if answered else 0))
    return new_response(interaction, result.ack, target=r.message_id if r else None, receiver=r.sender if r else None,
                        details=ack_details(result.findings), documents=entries, query_ack=query_ack,
                        processing_code=r.processing_code if r else None, now=datetime.now().astimezone())


def response_bytes(answer: ReadResponse, soap_version: str | None) -> bytes:
    payload = build_response(answer)
    return _soap(payload, soap_version) if soap_version else payload


def _entry(row: dict, content: bool, codes: CodeSystems, store) -> DocumentEntry:
    doc = StoredDocument(row)

    def coded(system: str, code: str | None) -> Coded | None:
        return Coded(code=code, code_system=system, display_name=codes.display(system, code)) if code else None

    def b64(data: bytes | None) -> str | None:
        return base64.b64encode(data).decode("ascii") if content and data else None

    register = store.organisation(row["tenant_id"], row["register_oid"]) if "tenant_id" in row else None
    return DocumentEntry(
        id=II(root=row["document_id"]), code=coded(DOCUMENT_TYPES, row["document_type"]),
        text_media_type="text/xml" if content else None, text_representation="B64" if content else None,
        document_b64=b64(row.get("document_xml")), status_code=HL7_STATUS.get(row["status"], row["status"]),
        effective_time=row["effective_time"], set_id=II(root=row["set_id"]) if row["set_id"] else None,
        version_number=str(row["version"]) if row["version"] is not None else None,
        client_id=II(root=HETU_ROOT, extension=row["client_id"]) if row["client_id"] else None,
        register=OrgRef(II(root=row["register_oid"]), register["name"] if register else None),
        matter_id=II(root=doc.matter_id) if doc.matter_id else None,
        document_group=coded(DOCUMENT_GROUPS, row["document_group"]), service_task=coded(TASK_SYSTEM, row["function_code"]),
        service_unit=row["service_unit_oid"], record_status=row["status"], replaced_by=row["replaced_by"],
        void_reason=row["void_reason"], archived_by=row["sender_oid"], received_at=_hl7_instant(row["received_at"]),
        frame_media_type="text/xml" if content else None, frame_b64=b64(row.get("frame_xml")),
    )


def _hl7_instant(iso: str | None) -> str | None:
    """A stored ISO instant as an HL7 TS in Helsinki time (e.g. 20261105120000+0200)."""
    try:
        return datetime.fromisoformat(iso).astimezone(HELSINKI).strftime("%Y%m%d%H%M%S%z") if iso else None
    except ValueError:
        return iso


def _soap(payload: bytes, version: str | None) -> bytes:
    ns = (soap.SOAP12_NS if version == "1.2" else soap.SOAP11_NS).encode()
    inner = payload.split(b"?>", 1)[1] if payload.startswith(b"<?xml") else payload
    return (b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="' + ns + b'"><soap:Body>' + inner
            + b"</soap:Body></soap:Envelope>")
