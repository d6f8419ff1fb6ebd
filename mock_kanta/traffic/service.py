"""The traffic log: what each message a tenant received looked like and what it was answered.

One row per archive, validation, query and retrieve message, whatever the verdict (table
`traffic`, mock_kanta/store/tables/traffic.py). The live flow in the web UI and a trainer
explaining a refusal read it through the control API (/api/v1/traffic).

Writing is cheap on the archive path: an accepted document's row is built from values the
archive computed already (its access log event and its documents row) and written with one
INSERT inside the document's own transaction; it keeps no bytes (`stored`: the frame,
document and findings are the stored document's). A refusal's row is written in the
transaction of its access log event, with the parts as received (at most KEEP_BYTES each).
"""
from __future__ import annotations

import base64
import json
from datetime import datetime

from mock_kanta.audit.service import iso, submission_event
from mock_kanta.core.clock import utc_now
from mock_kanta.core.codes.oids import SERVICE_REQUESTS
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.rules import REGISTRY
from mock_kanta.store.queries import faults as marks_rows
from mock_kanta.store.queries import traffic as traffic_rows
from mock_kanta.store.queries.traffic import write  # noqa: F401  (one row in a transaction of its own)
from mock_kanta.wire import soap

KEEP_BYTES = 2 * 1024 * 1024  # per stored part of a message that was not accepted
CHANNELS = ("archive", "validate", "query", "retrieve")
VERDICTS = {"archive": ("AA", "AE", "AR"), "validate": ("valid", "invalid"), "query": ("ok", "refused"),
            "retrieve": ("ok", "refused")}
_FRAME_PREFIX, _DOCUMENT_PREFIX = "/hl7:", "/hl7:ClinicalDocument"


# --- rows ------------------------------------------------------------------------------------


def accepted_row(tenant: str, event, document_row: dict) -> dict:
    """An accepted archive message: from its access log event and the documents row about to be
    inserted (no parsing, no bytes: they are the stored document's)."""
    return {
        "tenant_id": tenant, "at": iso(event.at), "recorded_at": document_row["received_at"], "channel": "archive",
        "verdict": "AA", "ack": "AA", "transport": document_row["transport"], "sender_oid": document_row["sender_oid"],
        "unit_oid": event.unit_oid, "person_id": event.person_id, "client_id": document_row["client_id"],
        "service_request": document_row["service_request"], "register_oid": document_row["register_oid"],
        "document_id": document_row["document_id"], "usage_situation": document_row["usage_situation"],
        "message_id": document_row["message_id"], "rule_ids": "[]", "detail": event.action, "stored": True,
        "truncated": False,
    }  # the columns left out (findings, bytes) stay NULL: fewer parameters, a cheaper INSERT


def message_row(tenant: str, channel: str, verdict: str, *, at: datetime, event=None, parsed=None,
                findings: list[Finding] = (), ack: str | None = None, body: bytes | None = None,
                content_type: str | None = None, detail: str | None = None) -> dict:
    """An archive message that was not accepted, or a validation message: who, where and whose from
    the access log event (or the parsed message), the parts as received (else the raw body)."""
    frame = parsed.frame if parsed is not None else None
    doc = parsed.document if parsed is not None else None
    if event is None and parsed is not None:
        event = submission_event(verdict, parsed, findings, at=at)
    sp = frame.reason(SERVICE_REQUESTS) if frame is not None else None
    custodian = doc.custodian.id if doc is not None and doc.custodian is not None else None
    frame_bytes = parsed.frame_bytes if parsed is not None else None
    document_bytes = parsed.document_bytes if parsed is not None else None
    if frame_bytes is not None or document_bytes is not None:
        body = None  # split: the parts are kept instead
    elif parsed is not None and parsed.body is not None:
        body, content_type = parsed.body, parsed.content_type or content_type
    kept = [_bounded(b) for b in (frame_bytes, document_bytes, body)]
    if detail is None and event is not None and channel == "archive":
        detail = event.action  # archive | replace | void
    return {
        "tenant_id": tenant, "at": iso(at), "recorded_at": iso(utc_now()), "channel": channel, "verdict": verdict,
        "ack": ack, "transport": parsed.transport if parsed is not None else None,
        "sender_oid": frame.sender if frame is not None else None,
        "unit_oid": event.unit_oid if event else None, "person_id": event.person_id if event else None,
        "client_id": event.client_id if event else None, "service_request": sp.code if sp else None,
        "register_oid": custodian.root if custodian is not None else None,
        "document_id": doc.document_id if doc is not None else None, "document_ids": None,
        "usage_situation": event.usage_situation if event else None,
        "message_id": ii_text(frame.message_id) if frame is not None else None,
        "rule_ids": _json(sorted({f.rule_id for f in findings if f.severity is Severity.ERROR})),
        "findings_json": _json([f.to_json() for f in findings]), "detail": detail,
        "stored": False, "frame_xml": kept[0][0], "document_xml": kept[1][0], "body": kept[2][0],
        "content_type": content_type, "truncated": any(k[1] for k in kept),
    }


def read_row(result, body: bytes | None, content_type: str | None) -> dict:
    """A query or retrieve (a `query.ReadResult`): the request body as the frame; a retrieved
    document is the stored one."""
    fields = result.audit_fields()
    r = result.request
    retrieved = result.kind == "retrieve" and result.ack == "AA" and bool(result.documents)
    frame, truncated = _bounded(body)
    ids = list(fields["document_ids"])
    return {
        "tenant_id": result.tenant, "at": iso(result.at or utc_now()), "recorded_at": iso(utc_now()),
        "channel": result.kind, "verdict": "ok" if result.ack == "AA" else "refused", "ack": result.ack,
        "transport": f"soap {result.soap_version}" if result.soap_version else ("plain" if r is not None else None),
        "sender_oid": result.organisation,
        "unit_oid": result.unit, "person_id": result.registration_number, "client_id": result.client_id,
        "service_request": None, "register_oid": result.registers[0] if len(result.registers) == 1 else None,
        "document_id": result.requested_document if result.kind == "retrieve" else None,
        "document_ids": _json(ids) if result.kind == "query" else None, "usage_situation": result.usage_situation,
        "message_id": ii_text(r.message_id) if r is not None else None, "rule_ids": _json(list(fields["rule_ids"])),
        "findings_json": _json([f.to_json() for f in result.findings]), "detail": fields["detail"],
        "stored": retrieved, "frame_xml": frame, "document_xml": None, "body": None, "content_type": content_type,
        "truncated": truncated,
    }


# --- reading ---------------------------------------------------------------------------------


def page(store, tenant: str, *, after: int = 0, limit: int = 100, channel: str | None = None,
         verdict: str | None = None, client_id: str | None = None) -> tuple[list[dict], bool]:
    """Summary rows after `after`, oldest first, and whether more follow."""
    found = traffic_rows.page(store, tenant, after=after, limit=limit + 1, channel=channel, verdict=verdict, client_id=client_id)
    return found[:limit], len(found) > limit


def entry(store, tenant: str, seq: int) -> dict | None:
    """One row whole: the frame, document and findings resolved (from the stored document when `stored`)."""
    row = traffic_rows.entry(store, tenant, seq)
    if row is None:
        return None
    stored_frame, stored_document, stored_findings = row.pop("stored_frame"), row.pop("stored_document"), row.pop("stored_findings")
    if row["stored"]:  # an accepted document's frame, document and findings; a retrieved document
        if row["channel"] == "archive":
            row["frame_xml"], row["findings_json"] = stored_frame, stored_findings
        row["document_xml"] = stored_document
    return row


def marks(store, tenant: str, seqs: list[int]) -> dict[int, dict]:
    """{seq: {"replay_of", "fault_id"}} of the rows among `seqs` a replay or an injected fault made."""
    return marks_rows.marks(store, tenant, seqs)


def findings_json(row: dict) -> list[dict]:
    """The row's findings as the UI explains them: rule, title, severity, XPath, part, text and fix
    in fi/sv/en, and source."""
    return [explain(f) for f in json.loads(row.get("findings_json") or "[]")]


def explain(f: dict) -> dict:
    """A stored finding (Finding.to_json) with the rule's title and the part it points at."""
    rule = REGISTRY.get(f["rule"])
    return {"rule": f["rule"], "title": _texts(rule.title) if rule else None, "severity": f["severity"],
            "xpath": f["location"], "part": part_of(f["location"]), "text": f["message"], "fix": f["fix"],
            "source": f["source"]}


def part_of(xpath: str) -> str:
    """frame | document | message (the whole message: unreadable, missing parts, transport)."""
    if xpath.startswith(_DOCUMENT_PREFIX):
        return "document"
    return "frame" if xpath.startswith(_FRAME_PREFIX) else "message"


# --- helpers ---------------------------------------------------------------------------------


def _bounded(data: bytes | None) -> tuple[bytes | None, bool]:
    if data is None:
        return None, False
    return (data[:KEEP_BYTES], True) if len(data) > KEEP_BYTES else (data, False)


def _texts(text) -> dict[str, str]:
    return {"fi": text.fi, "sv": text.sv, "en": text.en}


def ii_text(ii) -> str | None:
    """An instance identifier as root^extension (root alone without one)."""
    if ii is None:
        return None
    return f"{ii.root}^{ii.extension}" if ii.extension else ii.root


def _json(values) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


# --- replay and export -----------------------------------------------------------------------


class NotReplayable(ValueError):
    """The entry's bytes are not all kept (cut at KEEP_BYTES, or never kept)."""


def request_of(row: dict) -> tuple[bytes, str]:
    """A whole entry's (`entry`) request as it is sent again: the raw body as received, or the frame and
    document as received (an accepted document's, the stored ones) in a request of the same transport."""
    if row["truncated"]:
        raise NotReplayable(f"message {row['seq']} was longer than the traffic log keeps: it cannot be sent again")
    if row["body"] is not None:
        return row["body"], row["content_type"] or "application/octet-stream"
    frame, document = row["frame_xml"], row["document_xml"]
    if frame is None:
        raise NotReplayable(f"message {row['seq']} kept no bytes: it cannot be sent again")
    if row["channel"] in ("query", "retrieve"):
        return frame, row["content_type"] or "text/xml"
    if row["channel"] == "validate":
        return json.dumps({"messageId": f"replay-{row['seq']}", "palveluPyynto": row["service_request"] or "",
                           "level": "1", "siirtokehysXml": frame.decode("utf-8"),
                           "asiakirjaXml": (document or b"").decode("utf-8")}).encode(), "application/json"
    build = soap.build_soap_swa if row["transport"] == "soap-swa" else soap.build_multipart
    return build(frame, document or b"")


def replay(store, tenant: str, seq: int, send) -> dict:
    """Send entry `seq` again as a new arrival, through the wire (`send(channel, body, content_type)` posts it
    and returns the HTTP status, or None when no answer came), and mark the new entry as its replay.
    LookupError if there is no such entry; NotReplayable."""
    row = entry(store, tenant, seq)
    if row is None:
        raise LookupError(f"No message {seq} in the traffic log of tenant {tenant}.")
    body, content_type = request_of(row)
    before = marks_rows.last_traffic_seq(store, tenant)
    status = send(row["channel"], body, content_type)
    new = next((r for r in traffic_rows.page(store, tenant, after=before, limit=100, channel=row["channel"])
                if r["message_id"] == row["message_id"] and r["seq"] not in marks(store, tenant, [r["seq"]])), None)
    if new is not None:
        marks_rows.mark(store, tenant, new["seq"], replay_of=seq)
    return {"replayOf": seq, "seq": new["seq"] if new else None, "status": status,
            "verdict": new["verdict"] if new else None}


def export(store, tenant: str, rows: list[dict], *, title: str | None = None) -> dict:
    """A scenario (docs/scenarios.md) that sends `rows` (whole entries, oldest first) again, each expecting the
    verdict and error rules it got, the clock set to each arrival: a regression test of a recorded session. Rows
    cut short, and answers a fault injected, are left out (the description counts them)."""
    steps, cut, injected, last_at = [], 0, 0, None
    marked = marks(store, tenant, [r["seq"] for r in rows])
    for row in rows:
        if marked.get(row["seq"], {}).get("fault_id"):
            injected += 1
            continue
        try:
            body, content_type = request_of(row)
        except NotReplayable:
            cut += 1
            continue
        at = datetime.fromisoformat(row["at"])
        if last_at is not None and abs((at - last_at).total_seconds()) > 60:
            steps.append({"clock": {"set": row["at"]}})
        last_at = at
        step = {"send": {"channel": row["channel"], "content_type": content_type,
                         "body": base64.b64encode(body).decode("ascii"), "replays": row["seq"]}}
        rules = [r for r in json.loads(row["rule_ids"] or "[]") if r in REGISTRY]
        step["expect"] = {"verdict": row["verdict"], **({"rules": rules} if rules else {})}
        steps.append(step)
    first = rows[0]["at"] if rows else None
    left_out = [f"{n} {what}" for n, what in ((cut, "cut short"), (injected, "answered by an injected fault")) if n]
    return {"scenario": f"traffic-{tenant}"[:60].lower(),
            "title": {"en": title or f"Traffic of tenant {tenant}, sent again"},
            "description": f"Exported from the traffic log of tenant {tenant}: {len(rows)} message(s)"
                           + (f", left out: {', '.join(left_out)}" if left_out else "") + ".",
            **({"start": first} if first else {}), "steps": steps}
