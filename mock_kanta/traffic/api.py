"""Control API: the traffic log (api/traffic.yaml, mounted at /api/v1/traffic)."""
from __future__ import annotations

import json

import httpx
import yaml
from flask import Response, abort, request

from mock_kanta.api.common import (
    BASE_PATH,
    JSON,
    OCTET,
    XML,
    current_services,
    current_tenant,
    inert_bytes,
)
from mock_kanta.archive import endpoint as archive_endpoint
from mock_kanta.read import endpoint as read_endpoint
from mock_kanta.traffic import service as traffic

PATH = f"{BASE_PATH}/traffic"
REPLAY_TIMEOUT = 150.0  # seconds: longer than the longest fault delay (faults.service.MAX_DELAY_MS)
_CAMEL = {"tenant_id": None, "frame_xml": None, "document_xml": None, "body": None, "findings_json": None,
          "has_frame": None, "has_document": None, "has_body": None, "content_type": None}


def list_traffic(after: int = 0, limit: int = 100, channel: str | None = None, verdict: str | None = None,
                 client: str | None = None):
    return page_json(current_services(), current_tenant(), after=after, limit=limit, channel=channel, verdict=verdict, client=client), 200, JSON


def get_entry(seq: int):
    tenant = current_tenant()
    row = _entry(tenant, seq)
    body = summary_json(row, names(current_services().store, tenant), traffic.marks(current_services().store, tenant, [seq]))
    body.update(findings=traffic.findings_json(row), contentType=row["content_type"], frameXml=_text(row["frame_xml"]),
                documentXml=_text(row["document_xml"]), bodyText=_text(row["body"]))
    return body, 200, JSON


def get_frame(seq: int):
    return _raw(seq, "frame_xml", "frame")


def get_document(seq: int):
    return _raw(seq, "document_xml", "document")


def get_body(seq: int):
    return _raw(seq, "body", "raw body")


def page_json(services, tenant: str, *, after: int = 0, limit: int = 100, channel: str | None = None,
              verdict: str | None = None, client: str | None = None) -> dict:
    """{"items", "last", "more"}; ValueError for a bad parameter."""
    if type(after) is not int or after < 0:
        raise ValueError(f"after must be an integer >= 0, not {after!r}")
    if type(limit) is not int or not 1 <= limit <= 500:
        raise ValueError(f"limit must be an integer from 1 to 500, not {limit!r}")
    if channel is not None and channel not in traffic.CHANNELS:
        raise ValueError(f"channel {channel!r} is not one of {', '.join(traffic.CHANNELS)}")
    verdicts = sorted({v for vs in traffic.VERDICTS.values() for v in vs})
    if verdict is not None and verdict not in verdicts:
        raise ValueError(f"verdict {verdict!r} is not one of {', '.join(verdicts)}")
    rows, more = traffic.page(services.store, tenant, after=after, limit=limit, channel=channel, verdict=verdict,
                              client_id=client)
    found = names(services.store, tenant) if rows else ({}, {})
    marked = traffic.marks(services.store, tenant, [r["seq"] for r in rows])
    return {"items": [summary_json(r, found, marked) for r in rows], "last": rows[-1]["seq"] if rows else after, "more": more}


def names(store, tenant: str) -> tuple[dict, dict]:
    """({unit oid: name}, {organisation oid: name}) of the tenant."""
    return ({u["oid"]: u["name"] for u in store.service_units(tenant)},
            {o["oid"]: o["name"] for o in store.organisations(tenant)})


def summary_json(row: dict, lookup: tuple[dict, dict], marked: dict | None = None) -> dict:
    """A traffic row as the API lists it (camelCase; organisation and unit names from `names`; links; the entry
    it replays and the fault that answered it, from `traffic.marks`)."""
    units, orgs = lookup
    out = {_camel(k): v for k, v in row.items() if _CAMEL.get(k, k) is not None}
    mark = (marked or {}).get(row["seq"]) or {}
    out.update(replayOf=mark.get("replay_of"), injectedBy=mark.get("fault_id"))
    out["ruleIds"] = json.loads(row["rule_ids"] or "[]")
    out["documentIds"] = json.loads(row["document_ids"]) if row.get("document_ids") else None
    out.update(senderName=orgs.get(row["sender_oid"]), unitName=units.get(row["unit_oid"]),
               registerName=orgs.get(row["register_oid"]))
    def own(part: str, column: str) -> bool:  # summary rows carry has_*, whole rows the bytes
        return bool(row[f"has_{part}"]) if f"has_{part}" in row else row.get(column) is not None

    stored_frame = row["stored"] and row["channel"] == "archive"  # a read's frame is its own request
    frame, document = own("frame", "frame_xml") or stored_frame, own("document", "document_xml") or row["stored"]
    has_body = own("body", "body")
    self_path = f"{PATH}/{row['seq']}"
    out["links"] = {"self": self_path, "frame": f"{self_path}/frame.xml" if frame else None,
                    "document": f"{self_path}/document.xml" if document else None,
                    "body": f"{self_path}/body" if has_body else None}
    return out


def _entry(tenant: str, seq: int) -> dict:
    row = traffic.entry(current_services().store, tenant, seq)
    if row is None:
        abort(404, f"No message {seq} in the traffic log of tenant {tenant}.")
    return row


def _raw(seq: int, column: str, what: str) -> Response:
    """The bytes as received, inert: XML parts as application/xml, a raw body as a download of
    application/octet-stream whatever type its sender gave it (that type is in the entry's contentType)."""
    tenant = current_tenant()
    row = _entry(tenant, seq)
    if row[column] is None:
        abort(404, f"Message {seq} has no {what} in the traffic log"
                   + (" (it was not split into parts: see its body)" if row["body"] is not None else "") + ".")
    if column == "body":
        return inert_bytes(row[column], OCTET, filename=f"message-{seq}-body.bin", download=True)
    return inert_bytes(row[column], XML, filename=f"message-{seq}-{what}.xml")


def _text(data: bytes | None) -> str | None:
    return data.decode("utf-8", errors="replace") if data is not None else None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def replay_entry(seq: int):
    """Send entry `seq` again through the wire, as a new arrival; the new entry names the one it replays."""
    services, tenant = current_services(), current_tenant()
    paths = {"archive": archive_endpoint.ARCHIVE_PATH, "validate": archive_endpoint.VALIDATION_PATH,
             **read_endpoint.paths(services)}
    base = request.host_url.rstrip("/")
    forward = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "cookie")}

    def send(channel: str, body: bytes, content_type: str) -> int | None:
        headers = {"Content-Type": content_type, "X-Mock-Kanta-Tenant": tenant, **forward}
        try:
            return httpx.post(base + paths[channel], content=body, headers=headers, timeout=REPLAY_TIMEOUT).status_code
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.TimeoutException):
            return None  # no answer: a fault dropped or held it
        except httpx.TransportError as exc:
            abort(502, f"The sandbox could not reach its own wire endpoint at {base}: {exc}")

    try:
        return traffic.replay(services.store, tenant, seq, send), 200, JSON
    except LookupError as exc:
        abort(404, str(exc))
    except traffic.NotReplayable as exc:
        abort(409, str(exc))


def export_traffic(after: int = 0, until: int | None = None, channel: str | None = None, verdict: str | None = None,
                   limit: int = 200):
    """The selection as a scenario file (YAML) that sends the same messages and expects the same verdicts: a download
    served inert, like every byte the sandbox received (the file holds them, base64)."""
    services, tenant = current_services(), current_tenant()
    if until is not None and until <= after:
        abort(400, f"until ({until}) must be greater than after ({after})")
    summaries, _ = traffic.page(services.store, tenant, after=after, limit=limit, channel=channel, verdict=verdict)
    rows = [traffic.entry(services.store, tenant, r["seq"]) for r in summaries if until is None or r["seq"] <= until]
    text = yaml.safe_dump(traffic.export(services.store, tenant, rows), allow_unicode=True, sort_keys=False, width=120)
    return inert_bytes(text.encode("utf-8"), OCTET, filename=f"traffic-{tenant}.yaml", download=True)
