"""The archive service: unpack, parse, check, store, answer. Callable without HTTP.

One call handles one submission. A message with any error-level finding changes
nothing; an accepted one is stored in one transaction before it is acknowledged.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree

from mock_kanta.audit.service import AuditLog, event_row, submission_event
from mock_kanta.core.clock import SandboxClock, utc_now
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.codes.oids import SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.core.model import ClinicalDocument, Frame
from mock_kanta.registers.service import World, granted_rights, visibility
from mock_kanta.rules import REGISTRY, Context, Problem, ProblemKind, WriteOutcome, after_write, evaluate, finding
from mock_kanta.rules.archive.versions import is_void_document, replaced
from mock_kanta.rules.context import Duplicate, StaleParent
from mock_kanta.rules.profiles import OrganiserProfiles
from mock_kanta.rules.verdicts import VerdictProfile, Verdicts
from mock_kanta.settings import KANTA_SH_DEVICE, RULES_CODE_SYSTEM, Settings
from mock_kanta.signing import xmldsig
from mock_kanta.signing.trust import Trust
from mock_kanta.store import DuplicateDocument, PendingDocument, StaleVersion, Store
from mock_kanta.traffic import service as traffic
from mock_kanta.wire import body as wire_body
from mock_kanta.wire import cda, hl7v3, safexml, soap
from mock_kanta.wire import limits as bounds
from mock_kanta.wire.hl7v3 import AckDetail
from mock_kanta.wire.paths.hl7v3 import ARCHIVE_INTERACTION

_DETAIL_TYPE = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}
_LABELS = {"fi": "Korjaa", "sv": "Åtgärd", "en": "Fix"}
# A bound of wire.limits -> the rule that says a part or document breaks it (each a sandbox limit)
BOUND_RULES = {"elements": "SH-XML-005", "attributes": "SH-XML-006", "depth": "SH-XML-007",
               "header_elements": "SH-LSH-013", "header_depth": "SH-LSH-014",
               "signatures": "SH-SIG-021", "references": "SH-SIG-022"}
_ORDER = {rule_id: n for n, rule_id in enumerate(REGISTRY)}


@dataclass
class Parsed:
    """What could be read of a submission; missing parts stay None."""

    frame: Frame | None = None
    document: ClinicalDocument | None = None
    document_root: etree._Element | None = None  # kept for signature verification
    frame_bytes: bytes | None = None
    document_bytes: bytes | None = None
    transport: str | None = None
    soap_version: str | None = None  # "1.1" | "1.2" when the request came in a SOAP envelope
    problems: list[Problem] = field(default_factory=list)  # met while reading: the message could not be read whole
    over_bounds: list[Finding] = field(default_factory=list)  # a part past a sandbox bound (wire.limits): not read
    body: bytes | None = None  # the raw body, kept only when it could not be split into parts (traffic log)
    content_type: str | None = None
    context: Context | None = None  # what the checks saw (decoded body, signatures, the register world)


@dataclass
class Accepted:
    """A document that passed every check, ready to store (Archive.prepare, then Archive.settle)."""

    tenant: str
    parsed: Parsed
    findings: list[Finding]
    pending: PendingDocument


@dataclass
class Outcome:
    ack: str  # AA | AE | AR
    findings: list[Finding]
    parsed: Parsed
    stored_seq: int | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


class Archive:
    def __init__(self, settings: Settings, store: Store | None, codes: CodeSystems, trust: Trust,
                 clock: SandboxClock | None = None, audit: AuditLog | None = None):
        self.settings = settings
        self.store = store
        self.codes = codes
        self.trust = trust
        self.clock = clock
        self.audit = audit
        self.verdicts = Verdicts(OrganiserProfiles.for_fixtures(settings.fixtures_dir))
        self.limits = bounds.default()  # MOCK_KANTA_MAX_* (docs/configuration.md)

    # --- reading ----------------------------------------------------------------

    def read(self, body: bytes, content_type: str | None) -> Parsed:
        limit = self.settings.max_body_bytes
        if len(body) > limit:
            return _unread(Problem.too_large(len(body), limit), body, content_type)
        try:
            env = soap.unpack(body, content_type)
        except safexml.LimitExceeded as exc:
            parsed = Parsed(body=body, content_type=content_type)
            parsed.over_bounds.append(bound_finding(exc.excess, "root part"))
            return parsed
        except safexml.XMLInputError as exc:
            return _unread(_xml_problem("root part", exc), body, content_type)
        except soap.TransportError as exc:
            problem = (Problem(ProblemKind.NO_DOCUMENT) if exc.reason == "missing-document"
                       else Problem(ProblemKind.TRANSPORT, detail=f"{exc} [{exc.reason}]"))
            return _unread(problem, body, content_type)
        parsed = Parsed(transport=env.transport, soap_version=env.soap_version)
        self._read_parts(parsed, env.frame_bytes, env.document_bytes)
        return parsed

    def read_parts(self, frame_bytes: bytes, document_bytes: bytes | None, transport: str) -> Parsed:
        parsed = Parsed(transport=transport)
        self._read_parts(parsed, frame_bytes, document_bytes)
        return parsed

    def _read_parts(self, parsed: Parsed, frame_bytes: bytes, document_bytes: bytes | None) -> None:
        parsed.frame_bytes, parsed.document_bytes = frame_bytes, document_bytes
        frame_root = self._parse_part(parsed, "frame", frame_bytes)
        if frame_root is not None:
            if etree.QName(frame_root).localname == "ClinicalDocument":
                parsed.problems.append(Problem(ProblemKind.WRONG_ROOT, "frame", found="ClinicalDocument",
                                               expected=ARCHIVE_INTERACTION))
            else:
                parsed.frame = hl7v3.frame_from_tree(frame_root)
        if document_bytes is None:
            parsed.problems.append(Problem(ProblemKind.NO_DOCUMENT))
            return
        doc_root = self._parse_part(parsed, "document", document_bytes)
        if doc_root is not None:
            try:
                parsed.document = cda.document_from_tree(doc_root)
                parsed.document_root = doc_root
            except cda.NotACdaDocument:
                parsed.problems.append(Problem(ProblemKind.WRONG_ROOT, "document", found=doc_root.tag,
                                               expected="{urn:hl7-org:v3}ClinicalDocument"))

    def _parse_part(self, parsed: Parsed, part: str, data: bytes):
        try:
            return safexml.parse(data, self.settings.max_body_bytes, self.limits)
        except safexml.LimitExceeded as exc:
            parsed.over_bounds.append(bound_finding(exc.excess, part))
            return None
        except safexml.XMLInputError as exc:
            parsed.problems.append(_xml_problem(part, exc))
            return None

    # --- checking and storing ---------------------------------------------------------

    def check(self, parsed: Parsed, tenant: str | None = None, *, at: datetime | None = None,
              client_org: str | None = None, requested_service: str | None = None,
              profile: VerdictProfile | None = None) -> list[Finding]:
        """All findings, judged by the tenant's verdict profile and rule modes (`rules.verdicts`); `at` is the
        arrival time (default: the tenant's sandbox clock, else real time), `client_org` the organisation of the
        TLS client certificate, `requested_service` the validation clone's palveluPyynto, `profile` a verdict
        profile instead of the tenant's (`mock-kanta validate`)."""
        tenant = tenant or self.settings.default_tenant
        view = self.store.view(tenant) if self.store is not None else None
        arrival = at or (self.clock.now(tenant, view) if self.clock else utc_now())
        ctx = parsed.context = Context(
            frame=parsed.frame, document=parsed.document, codes=self.codes, problems=tuple(parsed.problems),
            body=wire_body.decode(parsed.document.body) if parsed.document is not None else None,
            world=World(self.store, tenant, arrival, view) if self.store is not None else None,
            now=arrival, client_org=client_org, requested_service=requested_service,
        )
        over = list(parsed.over_bounds)
        if parsed.document_root is not None:
            root = parsed.document_root
            header = bounds.header_excess(root, self.limits)
            over += [bound_finding(e) for e in ([header] if header else []) + xmldsig.excess(root, self.limits)]
            ctx.signatures = tuple(xmldsig.verify_document(root, self.limits))
            ctx.trust = {s.index: self.trust.signature_problems(s, arrival) for s in ctx.signatures}
        findings = evaluate(ctx)
        if over:  # in catalogue order among the checks' findings
            findings = sorted(over + findings, key=lambda f: _ORDER.get(f.rule_id, 0))
        if parsed.problems or parsed.over_bounds:  # not read whole: refused (AR) whatever the basis, nothing to judge
            return findings
        if profile is None:
            profile = VerdictProfile.of(view.verdict_profile()) if view is not None else VerdictProfile()
        return self.verdicts.judge(findings, register=_custodian(parsed.document), profile=profile,
                                   modes=view.rule_modes() if view is not None else {})

    def archive(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> Outcome:
        """Archive one submission; `client_org` is the organisation of the TLS client certificate, if any."""
        return self.archive_parsed(tenant, self.read(body, content_type), client_org)

    async def archive_async(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> Outcome:
        """`archive` for the event loop: reading and the checks (CPU) run in a worker thread, so the loop keeps
        answering; the write goes to the process's group-commit writer (one transaction and one fsync for all
        documents queued meanwhile), and the outcome comes only after the document's commit."""
        step = await asyncio.to_thread(lambda: self.prepare(tenant, self.read(body, content_type), client_org))
        if isinstance(step, Accepted):
            step = self.settle(step, await asyncio.wrap_future(self.store.writer.submit(step.pending)))
            if step.ack == "AA":
                return step
        if self.store is not None:  # a refusal's log rows go through the same writer (no fsync of its own on the loop)
            _raise_failed(await asyncio.wrap_future(self.store.writer.submit(self._refusal(tenant, step))))
        return step

    def archive_parsed(self, tenant: str, parsed: Parsed, client_org: str | None = None) -> Outcome:
        """Check, store if clean, and log the submission in the access log and the traffic log (an
        accepted document's event and traffic row are written in the document's own transaction)."""
        step = self.prepare(tenant, parsed, client_org)
        if isinstance(step, Accepted):
            step = self.settle(step, self.store.write_documents([step.pending])[0])
            if step.ack == "AA":
                return step
        return self._logged(tenant, step)

    def prepare(self, tenant: str, parsed: Parsed, client_org: str | None = None) -> Outcome | Accepted:
        """Check; a refusal comes back as its Outcome (not yet logged: `_logged` / `_refusal`), a clean
        document ready to store."""
        findings = self.check(parsed, tenant, client_org=client_org)
        if parsed.problems or parsed.over_bounds:
            return Outcome("AR", findings, parsed)
        if any(f.severity is Severity.ERROR for f in findings):
            return Outcome("AE", findings, parsed)
        at = self._arrival(parsed, tenant)
        event = submission_event("AA", parsed, findings, at=at, action=_action(parsed.document, self.codes))
        row = self._row(parsed, findings)
        pending = pending_document(tenant, parsed, row)
        if self.audit is not None:
            pending.audit_row = event_row(tenant, event, at)
        pending.traffic_row = traffic.accepted_row(tenant, event, row)
        return Accepted(tenant, parsed, findings, pending)

    def settle(self, step: Accepted, result: int | Exception) -> Outcome:
        """The outcome of a prepared document from what its write returned: its seq, or why it was undone
        (an AE, not yet logged)."""
        tenant, parsed, findings = step.tenant, step.parsed, step.findings
        if isinstance(result, (StaleVersion, DuplicateDocument)):
            parsed.context.write = self._write_outcome(tenant, result)
            return Outcome("AE", findings + after_write(parsed.context), parsed)
        _raise_failed(result)
        return Outcome("AA", findings, parsed, stored_seq=result)

    def _write_outcome(self, tenant: str, refused: StaleVersion | DuplicateDocument) -> WriteOutcome:
        if isinstance(refused, DuplicateDocument):
            return WriteOutcome(duplicate=Duplicate(refused.document_id, refused.existing["received_at"]))
        parent = self.store.document(tenant, refused.parent_id, summary=True)  # the version another write replaced
        return WriteOutcome(stale_parent=StaleParent(refused.parent_id, parent["version"], parent["replaced_by"],
                                                     parent["status"]))

    def _arrival(self, parsed: Parsed, tenant: str) -> datetime:
        ctx = parsed.context
        return (ctx.now if ctx else None) or (self.clock.now(tenant) if self.clock else utc_now())

    def _logged(self, tenant: str, outcome: Outcome) -> Outcome:
        """Record a refusal in the access log and the traffic log (one transaction of its own:
        nothing else was written)."""
        if self.store is not None:
            _raise_failed(self.store.write_documents([self._refusal(tenant, outcome)])[0])
        return outcome

    def _refusal(self, tenant: str, outcome: Outcome) -> PendingDocument:
        """A refusal's rows for the store's write (no document): its access log event and traffic row."""
        at = self._arrival(outcome.parsed, tenant)
        event = submission_event(outcome.ack, outcome.parsed, outcome.findings, at=at,
                                 action=_action(outcome.parsed.document, self.codes))
        item = PendingDocument(tenant, None, traffic_row=traffic.message_row(
            tenant, "archive", outcome.ack, at=at, event=event, parsed=outcome.parsed, findings=outcome.findings,
            ack=outcome.ack))
        if self.audit is not None:
            item.audit_row = event_row(tenant, event, at)
        return item

    def _row(self, parsed: Parsed, findings: list[Finding]) -> dict:
        f, d = parsed.frame, parsed.document
        lh = d.local
        sp, usage = f.reason(SERVICE_REQUESTS), f.reason(USAGE_SITUATIONS)
        unit = d.matter.service_unit.id.root if d.matter and d.matter.service_unit and d.matter.service_unit.id else None
        return {
            "document_id": d.document_id,
            "set_id": d.set_id.root if d.set_id else None,
            "version": int(d.version_number) if (d.version_number or "").isdigit() else None,
            "register_oid": d.custodian.id.root,
            "registry_type": _code(lh.registry_type),
            "client_id": _client_id(d),
            "service_request": _code(sp),
            "usage_situation": _code(usage),
            "document_group": _code(lh.document_group),
            "document_type": _code(lh.specific_document_type) or _code(d.code),
            "function_code": _code(lh.function_code),
            "service_unit_oid": unit,
            "sender_oid": f.sender,
            "message_id": traffic.ii_text(f.message_id),
            "transport": parsed.transport,
            "effective_time": d.effective_time,
            "received_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            "status": "voided" if is_void_document(d, self.codes) else "active",
            "void_reason": (lh.authorization_restriction_argument or None) if is_void_document(d, self.codes) else None,
            **visibility(d, self.codes),
            "findings_json": json.dumps([x.to_json() for x in findings], ensure_ascii=False),
            "frame_xml": parsed.frame_bytes,
            "document_xml": parsed.document_bytes,
        }

    def refuse(self, findings: list[Finding]) -> Outcome:
        """An AR outcome for a submission that could not be read at all."""
        return Outcome("AR", findings, Parsed())

    # --- answering ------------------------------------------------------------------

    def ack_bytes(self, outcome: Outcome) -> bytes:
        frame = outcome.parsed.frame
        return hl7v3.build_ack(
            outcome.ack,
            frame.message_id if frame else None,
            ack_details(outcome.findings),
            sender_oid=KANTA_SH_DEVICE,
            receiver_oid=frame.sender if frame else None,
            processing_code=frame.processing_code if frame else None,
            now=datetime.now().astimezone(),
            ack_id_root=KANTA_SH_DEVICE,
        )


def _raise_failed(result) -> None:
    """Raise a write's failure (e.g. the tenant was deleted meanwhile): a refusal's log rows are all or nothing."""
    if isinstance(result, Exception):
        raise result


def ack_details(findings: list[Finding]) -> list[AckDetail]:
    """One acknowledgementDetail per finding (the archive's and the read side's answers alike)."""
    return [
        AckDetail(_DETAIL_TYPE[f.severity], f.rule_id, RULES_CODE_SYSTEM, f.message["en"][:200], ack_text(f), f.location)
        for f in findings
    ]


def ack_text(f: Finding) -> str:
    """The acknowledgementDetail text: the finding in Finnish, Swedish and English, with its fix, its rule's
    basis and source."""
    parts = [f"[{lang}] {f.message[lang]} {_LABELS[lang]}: {f.fix[lang]}" for lang in ("fi", "sv", "en")]
    return " ".join(parts) + f" [basis] {f.basis.value} [source] {f.source}"


def _action(document: ClinicalDocument | None, codes: CodeSystems) -> str:
    if document is None or not replaced(document):
        return "archive"
    return "void" if is_void_document(document, codes) else "replace"


def pending_document(tenant: str, parsed: Parsed, row: dict) -> PendingDocument:
    """What an accepted document writes besides itself, for the document's transaction: a new version
    supersedes its parent (only if still current: StaleVersion otherwise); a client-relationship
    document grants (and replaces) register usage rights; a client document stored by its register's
    own organisation opens its matter."""
    d, ctx = parsed.document, parsed.context
    group = d.local.document_group.code if d.local and d.local.document_group else None
    custodian, client = d.custodian.id.root, _client_id(d)
    grants = (granted_rights(d, ctx.body.structured if ctx.body else None, sender=parsed.frame.sender)
              if group == "1" and client else None)
    matter_id = d.matter.id.root if group != "1" and d.matter and d.matter.id else None
    opens_matter = matter_id and client and parsed.frame.sender == custodian
    parent = replaced(d)
    return PendingDocument(
        tenant, row,
        parent_id=parent.id.root if parent is not None and parent.id else None,
        grants=grants or None,
        matter={"matter_id": matter_id, "organiser_oid": custodian, "client_id": client,
                "source": d.document_id} if opens_matter else None,
        granted_at=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
    )


def describe(frame_bytes: bytes, document_bytes: bytes) -> dict:
    """The parsed metadata of a stored message (derived on read: the archive path stays lean)."""
    frame = hl7v3.frame_from_tree(safexml.parse(frame_bytes))
    document = cda.document_from_tree(safexml.parse(document_bytes))
    return {"document": _metadata(document), "frame": dataclasses.asdict(frame)}


def _metadata(d: ClinicalDocument) -> dict:
    meta = dataclasses.asdict(d)
    if meta.get("body"):
        for key in ("display_b64", "json_b64"):
            value = meta["body"].get(key)
            meta["body"][key] = f"<{len(value)} Base64 characters>" if value else None
    return meta


def _custodian(d: ClinicalDocument | None) -> str | None:
    """Whose register the document goes to (its custodian's OID)."""
    return d.custodian.id.root if d is not None and d.custodian is not None and d.custodian.id is not None else None


def _client_id(d: ClinicalDocument) -> str | None:
    """The client's identity code, None when the document names none (SH-HDR-007 says so)."""
    return d.client.id.extension if d.client is not None and d.client.id is not None else None


def _code(coded) -> str | None:
    return coded.code if coded else None


def bound_finding(excess: bounds.Excess, part: str = "document") -> Finding:
    """The finding of a sandbox bound a part or the document breaks (BOUND_RULES)."""
    return finding(BOUND_RULES[excess.what], excess.location, part=part, count=excess.count, limit=excess.limit,
                   setting=excess.setting)


def _unread(problem: Problem, body: bytes, content_type: str | None) -> Parsed:
    """A submission that could not be split into parts: the problem, and the raw body for the traffic log."""
    return Parsed(problems=[problem], body=body, content_type=content_type)


def _xml_problem(part: str, exc: safexml.XMLInputError) -> Problem:
    kind = _XML_KINDS.get(exc.kind, ProblemKind.MALFORMED)
    return Problem(kind, part, detail=exc.detail, size=exc.size, limit=exc.limit)


_XML_KINDS = {k.value: k for k in ProblemKind}  # the parser's kinds are problem kinds
