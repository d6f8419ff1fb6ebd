"""Checks of the CDA header and the local header (hl7fi:localSocialHeader): SH-HDR, SH-LSH."""
import re

from mock_kanta.core.codes.oids import CLIENT_RELATIONSHIP_GROUP
from mock_kanta.core.model import II, Coded
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda

_TS = re.compile(r"^\d{8}(\d{4}(\d{2}(\.\d{1,4})?)?)?([+-]\d{4})?$")


def group_code(doc) -> str | None:
    g = doc.local.document_group if doc.local else None
    return g.code if g else None


def is_client_document(doc) -> bool:
    """Anything but the client-relationship document (asiakkuusasiakirja, group 1)."""
    return group_code(doc) not in (None, CLIENT_RELATIONSHIP_GROUP)


def _lh(doc, attr):
    return getattr(doc.local, attr, None) if doc.local else None


def _filled(value) -> bool:
    if isinstance(value, Coded):
        return bool(value.code)
    if isinstance(value, II):
        return bool(value.root)
    return value is not None and value != ""


ALWAYS, CLIENT_DOC, RELATIONSHIP_DOC = "always", "client", "relationship"
_DOCUMENT = ("document",)

# (rule id, getter, xpath, when it is mandatory)
_MANDATORY = (
    ("SH-HDR-001", lambda d: d.id, cda.xpath("id", at="root"), ALWAYS),
    ("SH-HDR-002", lambda d: d.set_id, cda.xpath("set_id", at="root"), ALWAYS),
    ("SH-HDR-003", lambda d: d.version_number, cda.xpath("version_number", at="value"), ALWAYS),
    ("SH-HDR-004", lambda d: d.effective_time, cda.xpath("effective_time", at="value"), ALWAYS),
    ("SH-HDR-005", lambda d: d.confidentiality, cda.xpath("confidentiality", at="code"), ALWAYS),
    ("SH-HDR-006", lambda d: d.language, cda.xpath("language", at="code"), ALWAYS),
    ("SH-HDR-007", lambda d: d.client.id.extension if d.client and d.client.id else None,
     cda.xpath("client", "hl7:id", at="extension"), ALWAYS),
    ("SH-HDR-008", lambda d: d.custodian.id if d.custodian else None, cda.xpath("custodian", "hl7:id", at="root"), ALWAYS),
    ("SH-HDR-009", lambda d: d.matter.service_unit.id if d.matter and d.matter.service_unit else None,
     cda.xpath("matter", "hl7:encounterParticipant[@typeCode='ADM']/hl7:assignedEntity/hl7:representedOrganization/hl7:id", at="root"),
     ALWAYS),
    ("SH-HDR-010", lambda d: d.code, cda.xpath("code", at="code"), CLIENT_DOC),
    ("SH-HDR-011", lambda d: d.author.id if d.author else None, cda.xpath("author", "hl7:id"), CLIENT_DOC),
    ("SH-LSH-001", lambda d: _lh(d, "document_group"), cda.local_xpath("document_group", "code"), ALWAYS),
    ("SH-LSH-002", lambda d: _lh(d, "creation_time"), cda.local_xpath("creation_time", "value"), ALWAYS),
    ("SH-LSH-003", lambda d: _lh(d, "file_format"), cda.local_xpath("file_format", "code"), ALWAYS),
    ("SH-LSH-004", lambda d: _lh(d, "registry_type"), cda.local_xpath("registry_type", "code"), ALWAYS),
    ("SH-LSH-005", lambda d: _lh(d, "outsourcing_service_customer"), cda.local_xpath("outsourcing_service_customer", "root"), ALWAYS),
    ("SH-LSH-006", lambda d: _lh(d, "total_retention_period_class"), cda.local_xpath("total_retention_period_class", "code"), ALWAYS),
    ("SH-LSH-007", lambda d: _lh(d, "record_status"), cda.local_xpath("record_status", "code"), ALWAYS),
    ("SH-LSH-008", lambda d: _lh(d, "content_specification_id"), cda.local_xpath("content_specification_id"), ALWAYS),
    ("SH-LSH-009", lambda d: _lh(d, "function_code"), cda.local_xpath("function_code", "code"), CLIENT_DOC),
    ("SH-LSH-010", lambda d: _lh(d, "service_process").code if _lh(d, "service_process") else None,
     cda.local_xpath("service_process") + "/hl7fi:code/@code", CLIENT_DOC),
    ("SH-LSH-011", lambda d: _lh(d, "specific_document_type"), cda.local_xpath("specific_document_type", "code"), CLIENT_DOC),
    ("SH-LSH-012", lambda d: _lh(d, "client_relationship"), cda.local_xpath("client_relationship", "root"), RELATIONSHIP_DOC),
)


def _applies(when: str, doc) -> bool:
    if when == ALWAYS:
        return True
    if when == CLIENT_DOC:
        return is_client_document(doc)
    return group_code(doc) == CLIENT_RELATIONSHIP_GROUP


def _mandatory_check(getter, location, when):
    def present(ctx: Context):
        doc = ctx.document
        if _applies(when, doc) and not _filled(getter(doc)):
            yield hit(location)

    return present


for rid, getter, location, when in _MANDATORY:
    check(rid, needs=_DOCUMENT)(_mandatory_check(getter, location, when))


@check("SH-HDR-012", needs=_DOCUMENT)
def cda_identifiers(ctx):
    d = ctx.document
    if d.realm_code != "FI":
        yield hit(cda.xpath("realm_code", at="code"), element="realmCode", found=d.realm_code or "-", expected="FI")
    t = d.type_id
    if t is None or t.root != "2.16.840.1.113883.1.3" or t.extension != "POCD_HD000040":
        found = f"{t.root}/{t.extension}" if t else "-"
        yield hit(cda.xpath("type_id"), element="typeId", found=found, expected="2.16.840.1.113883.1.3/POCD_HD000040")


@check("SH-HDR-013", needs=_DOCUMENT)
def version_number(ctx):
    v = ctx.document.version_number
    if v is not None and not (v.isdigit() and int(v) >= 1):
        yield hit(cda.xpath("version_number", at="value"), found=v)


@check("SH-HDR-014", needs=_DOCUMENT)
def timestamps(ctx):
    d = ctx.document
    for element, value, loc in (
        ("effectiveTime", d.effective_time, cda.xpath("effective_time", at="value")),
        ("creationTime", d.local.creation_time if d.local else None, cda.local_xpath("creation_time", "value")),
    ):
        if value is not None and not _TS.match(value):
            yield hit(loc, element=element, found=value)


@check("SH-HDR-015", needs=_DOCUMENT)
def id_with_null_flavor(ctx):
    d = ctx.document
    candidates = (
        ("componentOf/encompassingEncounter/id (asia)", d.matter.id if d.matter else None, cda.xpath("matter", "hl7:id")),
        ("id", d.id, cda.xpath("id")),
        ("setId", d.set_id, cda.xpath("set_id")),
    )
    for element, ii, loc in candidates:
        if ii is not None and ii.root and ii.null_flavor:
            yield hit(loc, element=element, root=ii.root, flavor=ii.null_flavor)
