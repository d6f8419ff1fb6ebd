"""Checks of whose register a document goes to: the register usage right (rekisterinkäyttöoikeus), keeping
registers apart, the SOTE organisation register and the organisers' timelines: SH-REG.

A provider's document in an organiser's register needs a right that names its service unit, covers its
service task and its social service, and is in force on its date (`core.registers.Coverage`, the same
`Right` methods the read side judges by); only the register's own organisation records the
client-relationship document that grants such rights (docs/register-usage-right.md)."""
from mock_kanta.core.codes.oids import CLIENT_RELATIONSHIP_GROUP, PROVIDER_USAGE, USAGE_SITUATIONS
from mock_kanta.core.dates import ts_date
from mock_kanta.core.registers import Coverage, sote_register_from
from mock_kanta.core.structured import provider_grants, relationship_body, social_services
from mock_kanta.rules.archive.header import group_code, is_client_document
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda, hl7v3

NEEDS = ("frame", "document", "world")
DECODED = (*NEEDS, "body")
UNIT_X = cda.xpath("matter", "hl7:encounterParticipant[@typeCode='ADM']/hl7:assignedEntity/hl7:representedOrganization/hl7:id", at="root")
CUSTODIAN_X = cda.xpath("custodian", "hl7:id", at="root")
TASK_X = cda.local_xpath("function_code", at="code")
JSON_X = cda.body_xpath("json_b64")


def _sender_x(ctx):
    return hl7v3.xpath("sender", root=ctx.frame.interaction)


def _usage_x(ctx):
    return hl7v3.reason_xpath(USAGE_SITUATIONS, ctx.frame.interaction) + "/@code"


class Situation:
    """Who sends what into whose register, derived once per message."""

    def __init__(self, ctx: Context):
        d, w = ctx.document, ctx.world
        self.sender = ctx.frame.sender
        self.custodian = d.custodian.id.root if d.custodian and d.custodian.id else None
        self.organiser = d.local.outsourcing_service_customer if d.local else None
        self.unit_oid = d.matter.service_unit.id.root if d.matter and d.matter.service_unit and d.matter.service_unit.id else None
        self.task = d.local.function_code.code if d.local and d.local.function_code else None
        self.client = d.client.id.extension if d.client and d.client.id else None
        self.date = ts_date(d.effective_time) or w.today
        self.sender_kind, self.custodian_kind = w.kind(self.sender), w.kind(self.custodian)
        usage = ctx.frame.reason(USAGE_SITUATIONS)
        system = ctx.codes.get(USAGE_SITUATIONS)
        provider_code = system.by_meaning(PROVIDER_USAGE) if system else None
        self.provider_code = provider_code.code if provider_code else None
        self.usage = usage.code if usage else None
        self.into_organiser = self.sender_kind == "provider" and self.custodian_kind == "organiser"
        self.own_provider_register = self.sender_kind == "provider" and self.custodian == self.sender


def situation(ctx: Context) -> Situation:
    return ctx.once(Situation)


@check("SH-REG-001", needs=NEEDS)
def custodian_is_organiser(ctx):
    s = situation(ctx)
    if s.into_organiser and s.organiser != s.custodian:
        yield hit(cda.local_xpath("outsourcing_service_customer", "root"), sender=s.sender, custodian=s.custodian,
                  organiser=s.organiser or "-")


@check("SH-REG-002", needs=NEEDS)
def usage_situation(ctx):
    s = situation(ctx)
    if not s.usage or not s.provider_code:
        return
    if s.into_organiser and s.usage != s.provider_code:
        yield hit(_usage_x(ctx), usage=s.usage, case=f"{s.sender} -> {s.custodian}", expected=s.provider_code,
                  provider_code=s.provider_code)
    elif s.usage == s.provider_code and not s.into_organiser:
        yield hit(_usage_x(ctx), usage=s.usage, case=f"{s.sender} -> {s.custodian}", expected="1", provider_code=s.provider_code)


@check("SH-REG-003", needs=NEEDS)
def unit_belongs_to_sender(ctx):
    s = situation(ctx)
    unit = ctx.world.unit(s.unit_oid)
    if unit and s.sender and unit["organisation_oid"] != s.sender:
        yield hit(UNIT_X, unit=s.unit_oid, owner=unit["organisation_oid"], sender=s.sender)


def coverage(ctx: Context) -> Coverage | None:
    """How far the client's rights in the custodian's register reach a provider's document there; None for
    any other document (or one without a client or a unit)."""
    return ctx.once(_coverage)


def _coverage(ctx: Context) -> Coverage | None:
    s = situation(ctx)
    if not (s.into_organiser and s.client and s.unit_oid):
        return None
    services = social_services(ctx.body.structured) if ctx.body is not None else ()
    return Coverage.of((r for r in ctx.world.rights(s.client) if r.organiser_oid == s.custodian),
                       unit=s.unit_oid, task=s.task, on=s.date, services=services)


def _gap(ctx: Context, step: str) -> Coverage | None:
    """The coverage of a provider's document when it first falls short at `step`, else None."""
    found = coverage(ctx)
    return found if found is not None and found.gap == step else None


@check("SH-REG-004", needs=NEEDS)
def right_exists(ctx):
    if _gap(ctx, "unit"):
        s = situation(ctx)
        others = sorted({r.unit_oid for r in ctx.world.rights(s.client) if r.organiser_oid == s.custodian})
        yield hit(UNIT_X, custodian=s.custodian, unit=s.unit_oid, client=s.client,
                  others=f" ({', '.join(others)})" if others else "")


def _dated(outside):
    """The check that a right covering the document's unit and service task is in force on the document's
    date; `outside(right, date)` says which side of its period the date falls on."""

    def dated(ctx):
        found = _gap(ctx, "date")
        s = situation(ctx)
        for r in found.task if found else ():
            if outside(r, s.date):
                yield hit(cda.xpath("effective_time", at="value"), unit=s.unit_oid, date=s.date.isoformat(),
                          start=r.start.isoformat(), end=r.end.isoformat() if r.end else "-")
                return

    return dated


check("SH-REG-005", needs=NEEDS)(_dated(lambda r, on: on < r.start))
check("SH-REG-006", needs=NEEDS)(_dated(lambda r, on: r.end is not None and on > r.end))


@check("SH-REG-007", needs=NEEDS)
def unit_in_sote_register(ctx):
    s = situation(ctx)
    unit = ctx.world.unit(s.unit_oid)
    available = sote_register_from(unit["soteri_registered_at"]) if unit else None
    if available and ctx.world.now < available:
        yield hit(UNIT_X, unit=s.unit_oid, registered=unit["soteri_registered_at"], available=available.isoformat())


@check("SH-REG-008", needs=NEEDS)
def organiser_open_for_providers(ctx):
    s = situation(ctx)
    org = ctx.world.org(s.custodian)
    opens = org and (org["providers_from"] or org["kanta_from"])
    if s.into_organiser and opens and ctx.world.today < opens:
        yield hit(CUSTODIAN_X, custodian=s.custodian, date=opens.isoformat(), now=ctx.world.today.isoformat())


@check("SH-REG-009", needs=NEEDS)
def keep_registers_apart(ctx):
    """A warning only: which contract a document belongs to is known to the provider's system, not to Kanta."""
    s = situation(ctx)
    if s.own_provider_register and s.client and is_client_document(ctx.document):
        for r in ctx.world.provider_rights(s.client, s.sender):
            if r.organiser_oid != s.sender and r.in_force(s.date):
                yield hit(CUSTODIAN_X, sender=s.sender, client=s.client, organiser=r.organiser_oid, unit=r.unit_oid,
                          task=r.function_code or "-", start=r.start.isoformat(), doc_unit=s.unit_oid or "-",
                          doc_task=s.task or "-")
                return


@check("SH-REG-010", needs=NEEDS)
def organiser_in_kanta(ctx):
    s = situation(ctx)
    org = ctx.world.org(s.custodian)
    if org and org["kind"] == "organiser" and org["kanta_from"] and ctx.world.today < org["kanta_from"] and not s.into_organiser:
        yield hit(CUSTODIAN_X, custodian=s.custodian, date=org["kanta_from"].isoformat(), now=ctx.world.today.isoformat())


def _known(getter, location, lookup):
    """The check that an organisation or unit the document names is in the sandbox's organisation data."""

    def known(ctx):
        oid = getter(situation(ctx))
        if oid and lookup(ctx.world, oid) is None:
            yield hit(location(ctx), oid=oid)

    return known


check("SH-REG-011", needs=NEEDS)(_known(lambda s: s.custodian, lambda ctx: CUSTODIAN_X, lambda world, oid: world.org(oid)))
check("SH-REG-012", needs=NEEDS)(_known(lambda s: s.sender, _sender_x, lambda world, oid: world.org(oid)))
check("SH-REG-013", needs=NEEDS)(_known(lambda s: s.unit_oid, lambda ctx: UNIT_X, lambda world, oid: world.unit(oid)))


@check("SH-REG-014", needs=NEEDS)
def relationship_recorded_by_custodian(ctx):
    """Only the register's own organisation records the client-relationship document (it grants the rights);
    `registers.service.granted_rights` grants nothing from another sender's either."""
    s = situation(ctx)
    if group_code(ctx.document) == CLIENT_RELATIONSHIP_GROUP and s.sender and s.custodian and s.sender != s.custodian:
        yield hit(_sender_x(ctx), sender=s.sender, kind=s.sender_kind or "-", custodian=s.custodian)


@check("SH-REG-015", needs=DECODED)
def granted_units_in_sote_register(ctx):
    """The units a client-relationship document names as providers must be in the SOTE organisation register
    when it arrives (Soteri's daily transfer)."""
    body = relationship_body(ctx.body.structured) if group_code(ctx.document) == CLIENT_RELATIONSHIP_GROUP else None
    seen = set()
    for grant in provider_grants(body) if body is not None else ():
        if not grant.unit or grant.unit in seen:
            continue
        seen.add(grant.unit)
        unit = ctx.world.unit(grant.unit)
        available = sote_register_from(unit["soteri_registered_at"]) if unit else None
        if unit is None:
            yield hit(JSON_X, unit=grant.unit, detail="not in the sandbox's organisation data")
        elif available and ctx.world.now < available:
            yield hit(JSON_X, unit=grant.unit, detail=f"registered in Soteri at {unit['soteri_registered_at']}, "
                                                      f"in the SOTE organisation register from {available.isoformat()}")


@check("SH-REG-016", needs=NEEDS)
def right_covers_task(ctx):
    found = _gap(ctx, "task")
    if found:
        s = situation(ctx)
        yield hit(TASK_X, unit=s.unit_oid, task=s.task, granted=_listed(r.function_code for r in found.unit))


@check("SH-REG-017", needs=DECODED)
def right_covers_services(ctx):
    found = _gap(ctx, "service")
    if found:
        s = situation(ctx)
        yield hit(JSON_X, unit=s.unit_oid, task=s.task or "-", services=_listed(social_services(ctx.body.structured)),
                  granted=_listed(c for r in found.dated for c in r.services))


def _listed(codes) -> str:
    return ", ".join(sorted({c for c in codes if c})) or "-"
