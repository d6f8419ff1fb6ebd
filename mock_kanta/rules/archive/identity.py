"""Identity codes (henkilötunnus) and OIDs."""
from mock_kanta.core.findings import Severity
from mock_kanta.core.identity import HetuError, is_oid, parse_hetu
from mock_kanta.rules.registry import Context, Stage, hit, rule
from mock_kanta.rules.sources import HETU, SANDBOX
from mock_kanta.wire import cda, hl7v3

HETU_ROOT = "1.2.246.21"


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


@rule(
    "SH-ID-001",
    Severity.ERROR,
    Stage.DOCUMENT,
    title=("Virheellinen henkilötunnus", "Ogiltig personbeteckning", "Invalid identity code"),
    message=(
        "{element}: henkilötunnus {value} on virheellinen: {reason}.",
        "{element}: personbeteckningen {value} är ogiltig: {reason}.",
        "{element}: identity code {value} is invalid: {reason}.",
    ),
    fix=(
        "Tarkista syntymäaika, välimerkki (+, -, A-F, U-Y) ja tarkistusmerkki (jakojäännös 31).",
        "Kontrollera födelsedatum, skiljetecken (+, -, A-F, U-Y) och kontrolltecken (rest vid division med 31).",
        "Check the birth date, the century sign (+, -, A-F, U-Y) and the check character (remainder mod 31).",
    ),
    source=HETU,
    kanta_verified=True,
)
def hetu_valid(ctx):
    for label, value, loc in _hetus(ctx):
        try:
            parse_hetu(value)
        except HetuError as exc:
            yield hit(loc, element=label, value=value or "-", reason=str(exc))


@rule(
    "SH-ID-002",
    Severity.ERROR,
    Stage.DOCUMENT,
    title=("Ei testihenkilö", "Inte en testperson", "Not a test identity"),
    message=(
        "{element}: henkilötunnuksen {value} yksilönumero on {number}; hiekkalaatikko hyväksyy vain testitunnukset (900-999).",
        "{element}: personbeteckningens {value} individnummer är {number}; sandlådan godtar endast testbeteckningar (900-999).",
        "{element}: identity code {value} has individual number {number}; the sandbox accepts test identities only (900-999).",
    ),
    fix=(
        "Käytä keinotekoista testihenkilötunnusta (yksilönumero 900-999). Älä lähetä oikeita henkilötietoja hiekkalaatikkoon.",
        "Använd en konstgjord testbeteckning (individnummer 900-999). Skicka inga riktiga personuppgifter till sandlådan.",
        "Use an artificial test identity (individual number 900-999). Never send real personal data to the sandbox.",
    ),
    source=SANDBOX + "; Kanta: only the 900-series test identities in testing (kanta.fi käyttöönottokoe)",
)
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


@rule(
    "SH-ID-003",
    Severity.ERROR,
    Stage.DOCUMENT,
    title=("Virheellinen OID", "Ogiltig OID", "Invalid OID"),
    message=(
        "{element}: {value} ei ole OID-tunniste (numeroita pisteillä erotettuna).",
        "{element}: {value} är ingen OID (siffror åtskilda med punkter).",
        "{element}: {value} is not an OID (numbers separated by dots).",
    ),
    fix=(
        "Anna OID muodossa 1.2.246.10.<y-tunnus>.…, ilman etunollia ja välilyöntejä.",
        "Ange OID i formen 1.2.246.10.<FO-nummer>.…, utan inledande nollor och mellanslag.",
        "Give the OID as 1.2.246.10.<business id>.…, with no leading zeros or spaces.",
    ),
    source="ITU-T X.660 / ISO/IEC 9834-1 (OID syntax); HL7 II.root",
    kanta_verified=True,
)
def oid_syntax(ctx):
    for label, value, loc in _oids(ctx):
        if value and not is_oid(value):
            yield hit(loc, element=label, value=value)
