"""An injected refusal: the answer a real refusal would get (an AE/AR acknowledgement, the validation clone's
failure, a read's AE/AR response) with the trainer's code and text, recorded in the traffic log like any answer
and marked as injected (its traffic row's detail and mark name the fault). Nothing else changes."""
from __future__ import annotations

import json

from mock_kanta.archive import validation as shark
from mock_kanta.archive.service import Outcome
from mock_kanta.faults.service import Fault, of
from mock_kanta.read.results import ReadResult
from mock_kanta.traffic import service as traffic


def _logged(services, tenant: str, row: dict, fault: Fault) -> None:
    row["detail"] = f"injected fault {fault.id}"
    of(services).mark_injected(tenant, traffic.write(services.store, row), fault)


def archive(services, tenant: str, fault: Fault, body: bytes, content_type: str | None) -> tuple[int, bytes, str | None]:
    """(HTTP status, acknowledgement, SOAP version of the request or None)."""
    parsed = services.archive.read(body, content_type)
    outcome = Outcome(fault.ack, [fault.finding()], parsed)
    _logged(services, tenant, traffic.message_row(
        tenant, "archive", fault.ack, at=services.clock.now(tenant), parsed=parsed, findings=outcome.findings,
        ack=fault.ack, body=body, content_type=content_type), fault)
    return (400 if fault.ack == "AR" else 200), services.archive.ack_bytes(outcome), parsed.soap_version


def validation(services, tenant: str, fault: Fault, body: bytes, content_type: str | None,
               lang: str = shark.DEFAULT_LANGUAGE) -> tuple[int, bytes]:
    findings = [fault.finding()]
    _logged(services, tenant, traffic.message_row(tenant, "validate", "invalid", at=services.clock.now(tenant),
                                                  findings=findings, body=body, content_type=content_type), fault)
    return 400, json.dumps(shark.failure(None, findings, lang), ensure_ascii=False).encode()


def read(services, reads, kind: str, tenant: str, fault: Fault, body: bytes, content_type: str | None) -> tuple[int, bytes]:
    result = ReadResult(kind, tenant, fault.ack, [fault.finding()], at=services.clock.now(tenant))
    _logged(services, tenant, traffic.read_row(result, body, content_type), fault)
    return (400 if fault.ack == "AR" else 200), reads.response_bytes(result)
