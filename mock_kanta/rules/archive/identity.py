"""Checks of identity codes (henkilötunnus) and OIDs wherever the message states them: SH-ID."""
from mock_kanta.core.codes.oids import HETU_ROOT
from mock_kanta.core.identity import HetuError, is_oid, parse_hetu
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda, hl7v3


def _hetus(ctx: Context):
    """(label, value, xpath) for every henkilötunnus (root 1.2.246.21) in the message."""
    d, f = ctx.document, ctx.frame
    if d is not None:
        if d.client and d.client.id and d.client.id.root == HETU_ROOT:
            yield "recordTarget", d.client.id.extension, cda.xpath("client", "hl7:id", at="extension")
        if d.author and d.author.id and d.author.id.root == HETU_ROOT:
            yield "author", d.author.id.extension, cda.xpath("author", "hl7:id", at="extension")
    if f is not None:
        root = f.interaction
        fd = f.document
        if fd and fd.client and fd.client.id and fd.client.id.root == HETU_ROOT:
            yield "frame recordTarget", fd.client.id.extension, hl7v3.doc_xpath("client", "hl7:id", at="extension", root=root)
        if fd and fd.author and fd.author.id and fd.author.id.root == HETU_ROOT:
            yield "frame author", fd.author.id.extension, hl7v3.doc_xpath("author", "hl7:id", at="extension", root=root)
        p = f.author.person if f.author else None
        if p and p.id and p.id.root == HETU_ROOT:
            yield "authorOrPerformer", p.id.extension, hl7v3.xpath("author", "hl7:assignedPerson/hl7:id", at="extension", root=root)


@check("SH-ID-001")
def hetu_valid(ctx):
    for label, value, loc in _hetus(ctx):
        try:
            parse_hetu(value)
        except HetuError as exc:
            yield hit(loc, element=label, value=value or "-", reason=str(exc))


@check("SH-ID-002")
def hetu_is_test(ctx):
    for label, value, loc in _hetus(ctx):
        try:
            h = parse_hetu(value)
        except HetuError:
            continue
        if not h.is_test:
            yield hit(loc, element=label, value=value, number=f"{h.individual_number:03d}")


def _oids(ctx: Context):
    d, f = ctx.document, ctx.frame
    if d is not None:
        yield "id", d.document_id, cda.xpath("id", at="root")
        yield "setId", d.set_id.root if d.set_id else None, cda.xpath("set_id", at="root")
        yield "custodian", d.custodian.id.root if d.custodian and d.custodian.id else None, cda.xpath("custodian", "hl7:id", at="root")
        m = d.matter
        if m:
            yield "encompassingEncounter/id", m.id.root if m.id else None, cda.xpath("matter", "hl7:id", at="root")
            if m.service_unit and m.service_unit.id:
                yield "service unit", m.service_unit.id.root, cda.xpath("matter", "hl7:encounterParticipant/hl7:assignedEntity/hl7:representedOrganization/hl7:id", at="root")
        if d.local:
            yield "outsourcingServiceCustomer", d.local.outsourcing_service_customer, cda.local_xpath("outsourcing_service_customer", "root")
            yield "encompassingClientRelationship", d.local.client_relationship, cda.local_xpath("client_relationship", "root")
            yield "contentSpecificationId", d.local.content_specification_id, cda.local_xpath("content_specification_id")
    if f is not None:
        root = f.interaction
        yield "sender", f.sender, hl7v3.xpath("sender", root=root)
        yield "receiver", f.receiver, hl7v3.xpath("receiver", root=root)
        yield "message id", f.message_id.root if f.message_id else None, hl7v3.xpath("message_id", at="root", root=root)


@check("SH-ID-003")
def oid_syntax(ctx):
    for label, value, loc in _oids(ctx):
        if value and not is_oid(value):
            yield hit(loc, element=label, value=value)
