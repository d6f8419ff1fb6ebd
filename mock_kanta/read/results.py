"""The outcome of one read (`ReadResult`): the acknowledgement, the findings, the documents returned and
withheld, and who read what (for the access log: `ReadResult.audit_fields()`)."""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from mock_kanta.audit.service import AuditEvent
from mock_kanta.core.codes.oids import USAGE_SITUATIONS
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.wire.paths.query import QUERY_PARAMETERS, ReadRequest

ACTIONS = {"query": "search", "retrieve": "read"}
_WITHHELD = {"fi": "Jätettiin pois {n} asiakirjaa:", "sv": "{n} dokument utelämnades:", "en": "{n} document(s) withheld:"}


@dataclass
class ReadResult:
    """The outcome of one read, with everything the access log needs."""

    kind: str  # "query" | "retrieve"
    tenant: str
    ack: str = "AR"
    findings: list[Finding] = field(default_factory=list)
    request: ReadRequest | None = None
    soap_version: str | None = None
    at: datetime | None = None  # the sandbox clock at the read
    registration_number: str | None = None
    card_serial: str | None = None  # hex, as the archive's log writes it
    card_subject: str | None = None
    organisation: str | None = None  # the sending organisation
    unit: str | None = None
    usage_situation: str | None = None
    client_id: str | None = None
    roles: tuple[str, ...] = ()
    registers: tuple[str, ...] = ()  # the registers searched
    documents: list[dict] = field(default_factory=list)  # returned rows (with bytes for a retrieve)
    withheld: list[tuple[str, str]] = field(default_factory=list)  # (document id, rule id), never sent
    total: int = 0  # allowed matches before the limit
    query_error: bool = False  # the refusal is about the query's parameters (queryResponseCode QE)

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.findings]

    @property
    def document_ids(self) -> list[str]:
        return [d["document_id"] for d in self.documents]

    @property
    def requested_document(self) -> str | None:
        r = self.request
        return r.document_id.root if r is not None and r.document_id is not None else None

    def audit_fields(self) -> dict:
        """Keyword arguments for the access log's event (mock_kanta.audit.service.AuditEvent)."""
        ids = self.document_ids
        if self.kind == "retrieve" and not ids and self.requested_document:
            ids = [self.requested_document]  # the refused read names what it asked for
        rules = sorted({f.rule_id for f in self.errors} | {rule for _, rule in self.withheld})
        return {
            "action": self.action, "outcome": self.ack, "at": self.at, "person_id": self.registration_number,
            "card_serial": self.card_serial, "card_subject": self.card_subject, "organisation_oid": self.organisation,
            "unit_oid": self.unit, "usage_situation": self.usage_situation, "client_id": self.client_id,
            "document_ids": tuple(ids), "rule_ids": tuple(rules), "detail": self.detail(),
        }

    def audit_event(self) -> AuditEvent:
        return AuditEvent(**self.audit_fields())

    def note_request(self, request: ReadRequest) -> None:
        """Who reads what, as the request states it."""
        reader = request.reader
        usage = request.reason(USAGE_SITUATIONS)
        self.request, self.organisation, self.client_id = request, request.sender, request.client
        self.registration_number = reader.registration_number if reader else None
        self.unit = reader.unit if reader else None
        self.usage_situation = usage.code if usage else None

    def note_message_findings(self, findings: list[Finding]) -> None:
        """The message's own findings; one on the query's parameters makes queryResponseCode QE."""
        self.findings.extend(findings)
        self.query_error = any(f.severity is Severity.ERROR and QUERY_PARAMETERS in f.location for f in findings)

    def withhold(self, refused: list[tuple[str, Finding]]) -> None:
        """Leave out these documents (id, the finding that refuses it): the log keeps their ids and rules, the
        answer one warning per distinct reason, with the count and never the ids."""
        self.withheld = [(document_id, f.rule_id) for document_id, f in refused]
        self.findings.extend(withheld_warnings([f for _, f in refused]))

    def detail(self) -> str:
        r = self.request
        parts = [f"{self.kind} {r.interaction if r else '-'}"]
        if r is not None and r.message_id is not None:
            parts.append(f"message {r.message_id.root}^{r.message_id.extension or ''}")
        if self.roles:
            parts.append("roles " + ",".join(self.roles))
        if self.registers:
            parts.append("registers " + ",".join(self.registers))
        parts.append(f"returned {len(self.documents)}")
        if self.withheld:
            counts = Counter(rule for _, rule in self.withheld)
            parts.append("withheld " + ", ".join(f"{rule}x{n}" for rule, n in sorted(counts.items())) + ": "
                         + " ".join(doc for doc, _ in self.withheld))
        return "; ".join(parts)

    def to_log(self) -> dict:
        """A JSON-friendly summary (for logs and tests)."""
        out = self.audit_fields()
        out.update(at=self.at.isoformat() if self.at else None, document_ids=list(out["document_ids"]),
                   rule_ids=list(out["rule_ids"]), kind=self.kind, tenant=self.tenant, roles=list(self.roles),
                   registers=list(self.registers), withheld=[list(w) for w in self.withheld])
        return out


def withheld_warnings(refusals: list[Finding]) -> list[Finding]:
    """One warning per distinct refusal: its text with the count of documents it withheld."""
    counts = Counter(_reason(f) for f in refusals)
    first = {_reason(f): f for f in reversed(refusals)}
    return [_counted(first[key], n) for key, n in counts.items()]


def _counted(f: Finding, n: int) -> Finding:
    message = {lang: f"{_WITHHELD[lang].format(n=n)} {text}" for lang, text in f.message.items()}
    return dataclasses.replace(f, severity=Severity.WARNING, message=message)


def _reason(f: Finding) -> tuple:
    return f.rule_id, f.location, tuple(f.message.items())
