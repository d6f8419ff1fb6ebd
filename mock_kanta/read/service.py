"""The read service: query a client's documents and retrieve one with its signatures intact.
Callable without HTTP (`mock_kanta.read.endpoint` puts it on the wire).

One call handles one read message and returns a `ReadResult`: the acknowledgement (AA, AE,
AR), the findings, the documents returned and withheld, and who read what (for the access
log: `ReadResult.audit_fields()`). The messages are modelled (`wire.query_messages`,
`codes/interactions.yaml`, verified: false).

Who may read (docs/read-side.md):
  1. the reader is named in the message (registration number, unit) and proven by a card
     certificate that chains to the sandbox PKI (or the extra trust), is valid by the sandbox
     clock and carries the same registration number in its serialNumber;
  2. the reader has a role in the sending organisation (`access.Roles`, fixtures/roles.yaml);
  3. the register is reachable: usage situation 1 = the reader's own register, with a client
     relationship there (a document the organisation stored itself, a matter or a right);
     usage situation 2 = a provider in an organiser's register, with a register usage right
     in force today (sandbox clock) for this client naming the reader's unit;
  4. per document: a role allows its service task (narrowed by the person's assignment) and
     its document group/type; the right covers its service task; a retrieve needs a role
     with `content: true`.
A request-level refusal (1-3) is AE with nothing returned. In a query, documents refused by
(4) are left out and counted in warnings (rule and count, never their ids); a retrieve of such
a document is AE with the rule.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree
from sqlalchemy import exists, select

from mock_kanta.archive.service import ack_details
from mock_kanta.audit.service import AuditEvent
from mock_kanta.core.clock import utc_now
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.core.model import II, Coded, OrgRef
from mock_kanta.read.roles import Assignment, Roles, RoleSource
from mock_kanta.registers.service import HELSINKI, OWN_USAGE, PROVIDER_USAGE, USAGE_SYSTEM, World, iso_date
from mock_kanta.rules import finding
from mock_kanta.settings import KANTA_SH_DEVICE
from mock_kanta.signing.pki import readable_name
from mock_kanta.store.schema import documents
from mock_kanta.wire import cda, safexml, soap
from mock_kanta.wire.query_messages import (
    HETU_ROOT,
    REGISTRATION_ROOT,
    DocumentEntry,
    Interactions,
    QueryAck,
    ReadRequest,
    ReadResponse,
    build_response,
    new_response,
    reason_xpath,
    request_from_tree,
    request_xpath,
)
from mock_kanta.wire.spec import NS

SERVICE_REQUEST_SYSTEM = "1.2.246.537.6.1503.201601"
GROUP_SYSTEM = "1.2.246.537.6.1505.201601"
TYPE_SYSTEM = "1.2.246.537.6.1506.201701"
TASK_SYSTEM = "1.2.246.537.6.1221.201601"
DEFAULT_LIMIT = 100
HL7_STATUS = {"active": "completed", "replaced": "obsolete", "voided": "nullified"}
ACTIONS = {"query": "search", "retrieve": "read"}
_XML_RULES = {"malformed": "SH-XML-001", "empty": "SH-XML-001", "dtd": "SH-XML-002", "too-large": "SH-XML-003", "too-deep": "SH-XML-004"}
_WITHHELD = {"fi": "Jätettiin pois {n} asiakirjaa:", "sv": "{n} dokument utelämnades:", "en": "{n} document(s) withheld:"}
_DOC_LOCATION = {
    "SH-ACC-013": cda.local_xpath("function_code", at="code"),
    "SH-ACC-015": cda.local_xpath("function_code", at="code"),
    "SH-ACC-014": cda.local_xpath("document_group", at="code"),
    "SH-ACC-016": cda.xpath("id", at="root"),
}


class Refused(Exception):
    """A request-level refusal: the findings say why."""

    def __init__(self, *findings: Finding):
        super().__init__(findings[0].rule_id if findings else "refused")
        self.findings = list(findings)


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

    def audit_event(self):
        return AuditEvent(**self.audit_fields())

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


class _Doc:
    """A stored row with the few values read from its CDA on demand (matter, general type)."""

    def __init__(self, row: dict):
        self.row = row

    def __getitem__(self, key):
        return self.row[key]

    @cached_property
    def _root(self):
        return safexml.parse(self.row["document_xml"], max_bytes=1 << 31) if self.row.get("document_xml") else None

    @cached_property
    def matter_id(self) -> str | None:
        el = self._root.find("hl7:componentOf/hl7:encompassingEncounter/hl7:id", NS) if self._root is not None else None
        return el.get("root") if el is not None else None

    @cached_property
    def general_type(self) -> str | None:
        el = self._root.find("hl7:code", NS) if self._root is not None else None
        return el.get("code") if el is not None else None

    def types(self) -> tuple[str | None, ...]:
        specific = self.row["document_type"]
        return (specific,) if specific and specific == self.general_type else (specific, self.general_type)


class ReadService:
    def __init__(self, settings, store, codes, trust, clock=None, *, interactions: Interactions | None = None,
                 roles: RoleSource | None = None):
        self.settings, self.store, self.codes, self.trust, self.clock = settings, store, codes, trust, clock
        self.interactions = interactions or Interactions.load(settings.codes_override_dir)
        self.roles = roles or RoleSource.for_settings(settings)

    @classmethod
    def from_services(cls, services) -> "ReadService":
        return cls(services.settings, services.store, services.codes, services.archive.trust, services.clock)

    # --- entry points ------------------------------------------------------------------

    def query(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        return self.handle("query", tenant, body, content_type, client_org)

    def retrieve(self, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        return self.handle("retrieve", tenant, body, content_type, client_org)

    def refuse(self, kind: str, tenant: str, findings: list[Finding]) -> ReadResult:
        """An AR result for a request that was not read at all (unknown tenant, body too large, TLS)."""
        return ReadResult(kind, tenant, "AR", list(findings), at=self._now(tenant, safe=True))

    def handle(self, kind: str, tenant: str, body: bytes, content_type: str | None, client_org: str | None = None) -> ReadResult:
        result = ReadResult(kind, tenant)
        request = self._read(result, body, content_type)
        result.at = self._now(tenant, safe=request is None)
        if request is None:
            return result
        self._who(result, request)
        try:
            self._check_message(result, request, client_org)
            card_refusals = self._check_card(result, request)
            if result.errors or card_refusals:
                raise Refused(*card_refusals)
            world = World(self.store, tenant, result.at)
            assignment = self._assignment(result, request, world)
            if kind == "query":
                self._query(result, request, world, assignment)
            else:
                self._retrieve(result, request, world, assignment)
        except Refused as refused:
            result.findings.extend(refused.findings)
            result.documents, result.total = [], 0
        result.ack = "AE" if result.errors else "AA"
        return result

    # --- reading the message -------------------------------------------------------------------

    def _read(self, result: ReadResult, body: bytes, content_type: str | None) -> ReadRequest | None:
        interaction = self.interactions[result.kind]
        limit = self.settings.max_body_bytes
        if len(body) > limit:
            result.findings.append(finding("SH-XML-003", "/", part="HTTP body", size=len(body), limit=limit))
            return None
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media not in soap.XML_MEDIA_TYPES:
            result.findings.append(finding("SH-QRY-001", "/", detail=f"Content-Type {media or 'missing'!r}; "
                                                                       f"expected one of {', '.join(soap.XML_MEDIA_TYPES)}"))
            return None
        try:
            envelope = soap.unpack(body, content_type)
            root = safexml.parse(envelope.frame_bytes, limit)
        except safexml.XMLInputError as exc:
            result.findings.append(_xml_finding(result.kind, exc))
            return None
        except soap.TransportError as exc:
            result.findings.append(finding("SH-QRY-001", "/", detail=f"{exc} [{exc.reason}]"))
            return None
        result.soap_version = envelope.soap_version
        qn = etree.QName(root)
        if qn.namespace != NS["hl7"] or qn.localname != interaction.request:
            result.findings.append(self._wrong_interaction(root.tag if qn.namespace != NS["hl7"] else qn.localname, interaction.request, "-"))
            return None
        return request_from_tree(root)

    def _wrong_interaction(self, found: str, expected: str, interaction_id: str) -> Finding:
        return finding("SH-QRY-002", "/", found=found, expected=expected, interaction=interaction_id,
                       query_path=self.interactions["query"].path, retrieve_path=self.interactions["retrieve"].path)

    def _who(self, result: ReadResult, request: ReadRequest) -> None:
        reader = request.reader
        result.request = request
        result.registration_number = reader.registration_number if reader else None
        result.organisation = request.sender
        result.unit = reader.unit if reader else None
        usage = request.reason(USAGE_SYSTEM)
        result.usage_situation = usage.code if usage else None
        result.client_id = request.client

    def _check_message(self, result: ReadResult, r: ReadRequest, client_org: str | None) -> None:
        """The message's shape and parameters; SH-QRY findings (a parameter error makes queryResponseCode QE)."""
        interaction, kind, out = self.interactions[result.kind], result.kind, result.findings
        root = r.interaction
        x = lambda attr, **kw: request_xpath(attr, root, **kw)  # noqa: E731
        if not r.interaction_id or r.interaction_id.extension != root:
            out.append(dataclasses.replace(self._wrong_interaction(root, interaction.request,
                                                                   r.interaction_id.extension if r.interaction_id else "-"),
                                           location=x("interaction_id", at="extension")))
        if r.receiver != KANTA_SH_DEVICE:
            out.append(finding("SH-QRY-007", x("receiver"), field="receiver/device/id@root", found=r.receiver or "-",
                               detail=f"expected {KANTA_SH_DEVICE}"))
        if not r.sender:
            out.append(finding("SH-QRY-007", x("sender"), field="sender/device/id@root", found="-", detail="the reading organisation is missing"))
        elif client_org and r.sender != client_org:
            out.append(finding("SH-TRN-005", x("sender"), sender=r.sender, client=client_org))
        sp = r.reason(SERVICE_REQUEST_SYSTEM)
        expected = interaction.service_request
        if sp is None or sp.code != expected.code:
            out.append(finding("SH-QRY-003", reason_xpath(SERVICE_REQUEST_SYSTEM, root), system=SERVICE_REQUEST_SYSTEM,
                               found=sp.code if sp else "-", expected=expected.code))
        usage = r.reason(USAGE_SYSTEM)
        system = self.codes.get(USAGE_SYSTEM)
        if usage is None or system is None or system.get(usage.code) is None:
            known = ", ".join(f"{c.code} ({c.display})" for c in system.codes.values()) if system else "-"
            out.append(finding("SH-QRY-004", reason_xpath(USAGE_SYSTEM, root), system=USAGE_SYSTEM,
                               found=usage.code if usage else "-", known=known))
        reader = r.reader
        person_x = x("reader", reader="person")
        if reader is None or not reader.registration_number:
            out.append(finding("SH-QRY-005", person_x, parameter="the reader's registration number", where=person_x))
        elif reader.person.id.root != REGISTRATION_ROOT:
            out.append(self._bad(x("reader", reader="person", at="root"), "authorOrPerformer/assignedPerson/id",
                                 f"root {reader.person.id.root}: a read names the professional by the registration number (root {REGISTRATION_ROOT})"))
        if reader is None or not reader.unit:
            unit_x = x("reader", reader="organisation")
            out.append(finding("SH-QRY-005", unit_x, parameter="the reader's service unit (representedOrganization/id)", where=unit_x))
        if kind == "query":
            self._check_query_parameters(result, r, x)
        else:
            if r.document_id is None or not r.document_id.root:
                out.append(finding("SH-QRY-005", x("document_id"), parameter="documentId", where=x("document_id")))
                result.query_error = True
            if r.client_id is not None:
                self._check_client(result, r, x)
            self._bool(result, r.include_history, "includeHistory", x("include_history", at="value"))

    def _check_query_parameters(self, result: ReadResult, r: ReadRequest, x) -> None:
        out = result.findings
        if r.client_id is None or not r.client_id.extension:
            out.append(finding("SH-QRY-005", x("client_id"), parameter="clientId", where=x("client_id")))
            result.query_error = True
        else:
            self._check_client(result, r, x)
        low, high = _ts(r.time_low), _ts(r.time_high, end=True)
        for value, parsed, attr in ((r.time_low, low, "time_low"), (r.time_high, high, "time_high")):
            if value is not None and parsed is None:
                out.append(self._bad(x(attr, at="value"), "documentEffectiveTime", f"{value!r} is not an HL7 time (YYYYMMDD[hhmm[ss]][+zzzz])"))
                result.query_error = True
        if low and high and low >= high:
            out.append(self._bad(x("time_low", at="value"), "documentEffectiveTime", f"low {r.time_low} is after high {r.time_high}"))
            result.query_error = True
        self._bool(result, r.current_only, "currentOnly", x("current_only", at="value"))
        self._bool(result, r.include_voided, "includeVoided", x("include_voided", at="value"))
        if r.initial_quantity is not None:
            limit = self.interactions["query"].max_results
            if not r.initial_quantity.isdigit() or not 1 <= int(r.initial_quantity) <= limit:
                out.append(self._bad(x("initial_quantity", at="value"), "initialQuantity", f"{r.initial_quantity!r} is not 1-{limit}"))
                result.query_error = True

    def _check_client(self, result: ReadResult, r: ReadRequest, x) -> None:
        if r.client_id.root != HETU_ROOT:
            result.findings.append(self._bad(x("client_id", at="root"), "clientId", f"root {r.client_id.root}, expected {HETU_ROOT} (henkilötunnus)"))
            result.query_error = True
            return
        try:
            parse_hetu(r.client_id.extension or "")
        except HetuError as exc:
            result.findings.append(self._bad(x("client_id", at="extension"), "clientId", str(exc)))
            result.query_error = True

    def _bool(self, result: ReadResult, value: str | None, name: str, location: str) -> None:
        if value is not None and value not in ("true", "false"):
            result.findings.append(self._bad(location, name, f"{value!r} is not true or false"))
            result.query_error = True

    def _bad(self, location: str, parameter: str, detail: str) -> Finding:
        return finding("SH-QRY-006", location, parameter=parameter, detail=detail, max=self.interactions["query"].max_results)

    # --- who reads: the card ------------------------------------------------------------------

    def _check_card(self, result: ReadResult, r: ReadRequest) -> list[Finding]:
        reader = r.reader
        location = request_xpath("reader", r.interaction, reader="certificate_b64")
        b64 = reader.certificate_b64 if reader else None
        if not b64:
            return [finding("SH-ACC-001", location, detail="no hl7fi:authenticationCertificate")]
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(b64, validate=True))
        except (binascii.Error, ValueError) as exc:
            return [finding("SH-ACC-001", location, detail=f"not a Base64 DER X.509 certificate ({exc})")]
        result.card_serial = f"{cert.serial_number:x}"
        result.card_subject = readable_name(cert.subject)
        problems = [f"{p.kind}: {p.detail}" for p in self.trust.problems(cert, signed_at=None, arrival=result.at)]
        policy = self.trust.policy_problem(cert, "1")  # a professional's card (as for a professional signature)
        if policy:
            problems.append(f"policy: {policy}")
        if problems:
            return [finding("SH-ACC-002", location, subject=result.card_subject, detail="; ".join(problems))]
        serials = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
        card_number = str(serials[0]) if serials else None
        if reader.registration_number and card_number != reader.registration_number:
            return [finding("SH-ACC-003", request_xpath("reader", r.interaction, reader="person", at="extension"),
                            stated=reader.registration_number, card=card_number or "-")]
        return []

    # --- who reads: role and unit ----------------------------------------------------------------

    def _assignment(self, result: ReadResult, r: ReadRequest, world: World) -> Assignment:
        roles: Roles = self.roles.current()
        person_x = request_xpath("reader", r.interaction, reader="person", at="extension")
        assignment = roles.assignment(result.registration_number, result.organisation)
        if assignment is None:
            raise Refused(finding("SH-ACC-004", person_x, person=result.registration_number, organisation=result.organisation))
        result.roles = assignment.role_ids
        unit_x = request_xpath("reader", r.interaction, reader="organisation") + "/hl7:id/@root"
        if result.unit != result.organisation:
            row = world.unit(result.unit)
            if row is None:
                raise Refused(finding("SH-ACC-005", unit_x, unit=result.unit, organisation=result.organisation,
                                      detail="not in the sandbox's SOTE organisation register"))
            if row["organisation_oid"] != result.organisation:
                raise Refused(finding("SH-ACC-005", unit_x, unit=result.unit, organisation=result.organisation,
                                      detail=f"it is a unit of {row['organisation_oid']}"))
        return assignment

    # --- whose register ----------------------------------------------------------------------

    def _usage(self, code: str | None) -> str | None:
        system = self.codes.get(USAGE_SYSTEM)
        entry = system.get(code) if system else None
        return entry.meaning if entry else None

    def _usage_code(self, meaning: str) -> str:
        system = self.codes.get(USAGE_SYSTEM)
        entry = system.by_meaning(meaning) if system else None
        return entry.code if entry else "?"

    def _scope(self, result: ReadResult, r: ReadRequest, world: World, client: str,
               named: str | None) -> list[tuple[str, frozenset[str] | None]]:
        """The registers this reader may read for this client now, each with the service tasks a right limits
        it to (None: no limit); raises Refused with the most specific reasons."""
        org, unit, usage = result.organisation, result.unit, result.usage_situation
        usage_x = reason_xpath(USAGE_SYSTEM, r.interaction)
        asked = bool(r.register_id and r.register_id.root)  # a retrieve's register is the document's own
        register_x = request_xpath("register_id", r.interaction, at="root") if asked else usage_x
        if self._usage(usage) != PROVIDER_USAGE:  # the organisation's own register
            register = named or org
            if register != org:
                raise Refused(finding("SH-ACC-006", register_x, organisation=org, register=register,
                                      usage=usage, provider_code=self._usage_code(PROVIDER_USAGE)))
            if not self._relationship(world, org, client):
                raise Refused(finding("SH-ACC-008", request_xpath("client_id", r.interaction, at="extension"), client=client,
                                      organisation=org))
            return [(org, None)]
        own_code = self._usage_code(OWN_USAGE)
        if world.kind(org) != "provider":
            raise Refused(finding("SH-ACC-007", usage_x, usage=usage, own_code=own_code,
                                  detail=f"the reader's organisation {org} is {world.kind(org) or 'unknown'}, not a provider"))
        if named and world.kind(named) != "organiser":
            raise Refused(finding("SH-ACC-007", register_x, usage=usage, own_code=own_code,
                                  detail=f"register {named} is not an organiser's"))
        today = world.today
        rights = [x for x in world.rights(client)
                  if (u := world.unit(x.unit_oid)) and u["organisation_oid"] == org and (named is None or x.organiser_oid == named)]
        client_x = request_xpath("client_id", r.interaction, at="extension")
        if not rights:
            raise Refused(finding("SH-ACC-009", register_x if asked else client_x, register=named or "-", organisation=org, client=client))
        allowed, refusals = [], []
        unit_x = request_xpath("reader", r.interaction, reader="organisation") + "/hl7:id/@root"
        for register in sorted({x.organiser_oid for x in rights}):
            mine = [x for x in rights if x.organiser_oid == register and x.unit_oid == unit]
            opens = iso_date((world.org(register) or {}).get("providers_from"))
            if opens and today < opens:
                refusals.append(finding("SH-ACC-018", usage_x, register=register, date=opens.isoformat(), today=today.isoformat()))
            elif not mine:
                named_units = sorted({x.unit_oid for x in rights if x.organiser_oid == register})
                refusals.append(finding("SH-ACC-012", unit_x, client=client, named=", ".join(named_units), unit=unit))
            elif not (live := [x for x in mine if x.in_force(today)]):
                ended = [x.end for x in mine if x.end is not None and x.end < today]
                if ended:
                    refusals.append(finding("SH-ACC-010", client_x, unit=unit, client=client, end=max(ended).isoformat(), today=today.isoformat()))
                else:
                    refusals.append(finding("SH-ACC-011", client_x, unit=unit, client=client,
                                            start=min(x.start for x in mine).isoformat(), today=today.isoformat()))
            else:
                tasks = None if any(x.function_code is None for x in live) else frozenset(x.function_code for x in live)
                allowed.append((register, tasks))
        if not allowed:
            raise Refused(*refusals)
        return allowed

    def _relationship(self, world: World, org: str, client: str) -> bool:
        """A client relationship in the organisation's own register: a document it stored there itself,
        a matter it opened, or a register usage right it granted (modelled; see docs/read-side.md)."""
        c = documents.c
        q = select(exists().where((c.tenant_id == world.tenant) & (c.register_oid == org) & (c.client_id == client)
                                  & (c.sender_oid == org)))
        with self.store.engine.connect() as conn:
            if conn.execute(q).scalar():
                return True
        if any(m["organiser_oid"] == org for m in self.store.matters(world.tenant, client)):
            return True
        return any(x.organiser_oid == org for x in world.rights(client))

    # --- per document ------------------------------------------------------------------------

    def _judge(self, doc: _Doc, assignment: Assignment, right_tasks: frozenset[str] | None, *,
               content: bool = False) -> tuple[str, dict] | None:
        """Why this reader may not see this document (rule, params), or None; `content`: may they also
        retrieve it (a role with content: true)."""
        needs_types = any(role.document_types is not None for role in assignment.roles)
        types = doc.types() if needs_types else (doc["document_type"],)
        verdict = Roles.judge(assignment, task=doc["function_code"], group=doc["document_group"], types=types)
        if not verdict.allowed:
            return verdict.rule, verdict.params
        task = doc["function_code"]
        if right_tasks is not None and task is not None and task not in right_tasks:
            return "SH-ACC-015", {"granted": ", ".join(sorted(right_tasks)), "task": task}
        if content and not verdict.content:
            return "SH-ACC-016", {"roles": ", ".join(assignment.role_ids)}
        return None

    # --- query -------------------------------------------------------------------------------

    def _query(self, result: ReadResult, r: ReadRequest, world: World, assignment: Assignment) -> None:
        client = r.client
        named = r.register_id.root if r.register_id and r.register_id.root else None
        scope = self._scope(result, r, world, client, named)
        result.registers = tuple(reg for reg, _ in scope)
        tasks_by_register = dict(scope)
        current_only, include_voided = r.current_only != "false", r.include_voided == "true"
        low, high = _ts(r.time_low), _ts(r.time_high, end=True)
        wanted = {
            "tasks": {c.code for c in r.service_tasks if c.code}, "groups": {c.code for c in r.document_groups if c.code},
            "types": {c.code for c in r.document_types if c.code},
        }
        allowed, withheld = [], []
        for doc in self._candidates(world.tenant, client, list(tasks_by_register)):
            status = doc["status"]
            if (status == "voided" and not include_voided) or (current_only and status == "replaced"):
                continue
            if wanted["tasks"] and doc["function_code"] not in wanted["tasks"]:
                continue
            if wanted["groups"] and doc["document_group"] not in wanted["groups"]:
                continue
            if wanted["types"] and not wanted["types"] & set(doc.types()):
                continue
            if r.matter_id and r.matter_id.root and doc.matter_id != r.matter_id.root:
                continue
            when = _ts(doc["effective_time"])
            if (low and (when is None or when < low)) or (high and (when is None or when >= high)):
                continue
            refusal = self._judge(doc, assignment, tasks_by_register[doc["register_oid"]])
            if refusal:
                withheld.append((doc, refusal))
            else:
                allowed.append(doc)
        limit = int(r.initial_quantity) if r.initial_quantity and r.initial_quantity.isdigit() else DEFAULT_LIMIT
        result.total = len(allowed)
        result.documents = [d.row for d in allowed[:limit]]
        result.withheld = [(d["document_id"], rule) for d, (rule, _) in withheld]
        result.findings.extend(_withheld_findings(withheld))

    def _candidates(self, tenant: str, client: str, registers: list[str]) -> list[_Doc]:
        c = documents.c
        q = select(documents).where((c.tenant_id == tenant) & (c.client_id == client) & c.register_oid.in_(registers))
        with self.store.engine.connect() as conn:
            rows = [_Doc(dict(row._mapping)) for row in conn.execute(q.order_by(c.seq))]
        far = datetime.max.replace(tzinfo=timezone.utc)
        return sorted(rows, key=lambda d: (_ts(d["effective_time"]) or far, d["set_id"] or "", d["version"] or 0, d["seq"]))

    # --- retrieve ----------------------------------------------------------------------------

    def _retrieve(self, result: ReadResult, r: ReadRequest, world: World, assignment: Assignment) -> None:
        doc_id = r.document_id.root
        doc_x = request_xpath("document_id", r.interaction, at="root")
        row = self.store.document(world.tenant, doc_id)
        named = r.register_id.root if r.register_id and r.register_id.root else None
        detail = ""
        if row is not None and r.client_id is not None and r.client_id.extension != row["client_id"]:
            detail = " for this client"
        elif row is not None and named and named != row["register_oid"]:
            detail = f" in register {named}"
        if row is None or detail:
            raise Refused(finding("SH-ACC-017", doc_x, document=doc_id, detail=detail))
        result.client_id = row["client_id"]
        scope = dict(self._scope(result, r, world, row["client_id"], row["register_oid"]))
        result.registers = tuple(scope)
        right_tasks = scope[row["register_oid"]]
        doc = _Doc(row)
        refusal = self._judge(doc, assignment, right_tasks, content=True)
        if refusal:
            rule, params = refusal
            raise Refused(finding(rule, doc_x, **params))
        chosen = [doc]
        withheld = []
        if r.include_history == "true" and row["set_id"]:
            chosen = []
            for version in self.store.versions(world.tenant, row["set_id"]):
                other = doc if version["document_id"] == doc_id else _Doc(self.store.document(world.tenant, version["document_id"]))
                if other is not doc and other["register_oid"] != row["register_oid"]:
                    continue
                refusal = other is not doc and self._judge(other, assignment, right_tasks, content=True)
                if refusal:
                    withheld.append((other, refusal))
                else:
                    chosen.append(other)
        result.documents = [d.row for d in chosen]
        result.total = len(chosen)
        result.withheld = [(d["document_id"], rule) for d, (rule, _) in withheld]
        result.findings.extend(_withheld_findings(withheld))

    # --- answering ---------------------------------------------------------------------------

    def response(self, result: ReadResult) -> ReadResponse:
        interaction = self.interactions[result.kind]
        r = result.request
        details = ack_details(result.findings)
        content = result.kind == "retrieve" and result.ack == "AA"
        entries = [self._entry(row, content) for row in result.documents] if result.ack == "AA" else []
        if result.ack == "AA":
            code = "OK" if entries else "NF"
        else:
            code = "QE" if result.query_error else "AE"
        query_ack = QueryAck(query_id=(r.query_id or r.message_id) if r else None, response_code=code,
                             total=str(result.total if result.ack == "AA" else 0), current=str(len(entries)),
                             remaining=str(max(result.total - len(entries), 0) if result.ack == "AA" else 0))
        return new_response(interaction, result.ack, target=r.message_id if r else None, receiver=r.sender if r else None,
                            details=details, documents=entries, query_ack=query_ack,
                            processing_code=r.processing_code if r else None, now=datetime.now().astimezone())

    def response_bytes(self, result: ReadResult, *, soap_wrap: bool = True) -> bytes:
        payload = build_response(self.response(result))
        return _soap(payload, result.soap_version) if soap_wrap and result.soap_version else payload

    def _entry(self, row: dict, content: bool) -> DocumentEntry:
        doc = _Doc(row)
        display = self.codes.display
        coded = lambda system, code: Coded(code=code, code_system=system, display_name=display(system, code)) if code else None  # noqa: E731
        register = self.store.organisation(row["tenant_id"], row["register_oid"]) if "tenant_id" in row else None
        b64 = lambda data: base64.b64encode(data).decode("ascii") if content and data else None  # noqa: E731
        return DocumentEntry(
            id=II(root=row["document_id"]), code=coded(TYPE_SYSTEM, row["document_type"]),
            text_media_type="text/xml" if content else None, text_representation="B64" if content else None,
            document_b64=b64(row.get("document_xml")), status_code=HL7_STATUS.get(row["status"], row["status"]),
            effective_time=row["effective_time"], set_id=II(root=row["set_id"]) if row["set_id"] else None,
            version_number=str(row["version"]) if row["version"] is not None else None,
            client_id=II(root=HETU_ROOT, extension=row["client_id"]) if row["client_id"] else None,
            register=OrgRef(II(root=row["register_oid"]), register["name"] if register else None),
            matter_id=II(root=doc.matter_id) if doc.matter_id else None,
            document_group=coded(GROUP_SYSTEM, row["document_group"]), service_task=coded(TASK_SYSTEM, row["function_code"]),
            service_unit=row["service_unit_oid"], record_status=row["status"], replaced_by=row["replaced_by"],
            void_reason=row["void_reason"], archived_by=row["sender_oid"], received_at=_hl7_instant(row["received_at"]),
            frame_media_type="text/xml" if content else None, frame_b64=b64(row.get("frame_xml")),
        )

    def _now(self, tenant: str, *, safe: bool = False) -> datetime:
        if self.clock is None:
            return utc_now()
        try:
            return self.clock.now(tenant)
        except Exception:
            if safe:  # an unreadable message to an unknown tenant still gets its AR
                return utc_now()
            raise


# --- helpers ----------------------------------------------------------------------------------


def _withheld_findings(withheld: list[tuple[_Doc, tuple[str, dict]]]) -> list[Finding]:
    """One warning per distinct reason: the rule's text with the count, never the documents' ids."""
    groups: dict[tuple, int] = {}
    for _, (rule, params) in withheld:
        key = (rule, tuple(sorted(params.items())))
        groups[key] = groups.get(key, 0) + 1
    out = []
    for (rule, params), n in groups.items():
        f = finding(rule, _DOC_LOCATION.get(rule, cda.xpath("id", at="root")), **dict(params))
        out.append(dataclasses.replace(f, severity=Severity.WARNING,
                                       message={lang: f"{_WITHHELD[lang].format(n=n)} {text}" for lang, text in f.message.items()}))
    return out


def _ts(value: str | None, *, end: bool = False) -> datetime | None:
    """An HL7 TS (YYYYMMDD[hh[mm[ss[.f]]]][+zzzz]) as an aware instant (no zone: Helsinki time);
    `end` gives the first instant after the stated precision (an inclusive upper bound)."""
    if not value:
        return None
    text = value.strip()
    zone = None
    for sign in ("+", "-"):
        if sign in text[8:]:
            head, _, tail = text.rpartition(sign)
            if len(tail) == 4 and tail.isdigit():
                minutes = int(tail[:2]) * 60 + int(tail[2:])
                zone = timezone(timedelta(minutes=minutes if sign == "+" else -minutes))
                text = head
            break
    digits = text.split(".", 1)[0]
    if not digits.isdigit() or len(digits) not in (8, 10, 12, 14):
        return None
    try:
        parts = [int(digits[0:4]), int(digits[4:6]), int(digits[6:8])] + [int(digits[i:i + 2]) for i in range(8, len(digits), 2)]
        at = datetime(*parts, tzinfo=zone or HELSINKI)
    except ValueError:
        return None
    if end:
        at += {8: timedelta(days=1), 10: timedelta(hours=1), 12: timedelta(minutes=1), 14: timedelta(seconds=1)}[len(digits)]
    return at


def _hl7_instant(iso: str | None) -> str | None:
    """A stored ISO instant as an HL7 TS in Helsinki time (e.g. 20261105120000+0200)."""
    try:
        return datetime.fromisoformat(iso).astimezone(HELSINKI).strftime("%Y%m%d%H%M%S%z") if iso else None
    except ValueError:
        return iso


def _xml_finding(kind: str, exc: safexml.XMLInputError) -> Finding:
    rule = _XML_RULES.get(exc.kind, "SH-XML-001")
    part = f"{kind} message"
    if rule == "SH-XML-003":
        return finding(rule, "/", part=part, size=exc.size, limit=exc.limit)
    return finding(rule, "/", part=part, detail=exc.detail)


def _soap(payload: bytes, version: str | None) -> bytes:
    ns = (soap.SOAP12_NS if version == "1.2" else soap.SOAP11_NS).encode()
    inner = payload.split(b"?>", 1)[1] if payload.startswith(b"<?xml") else payload
    return (b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="' + ns + b'"><soap:Body>' + inner
            + b"</soap:Body></soap:Envelope>")
