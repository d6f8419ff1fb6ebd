"""Mandatory CDA header and local header (hl7fi:localSocialHeader) elements."""
import re

from mock_kanta.core.findings import Severity
from mock_kanta.core.model import II, Coded
from mock_kanta.rules.archive.consistency import CLIENT_RELATIONSHIP_GROUP
from mock_kanta.rules.registry import Context, Stage, define, hit, rule
from mock_kanta.rules.sources import CDA_STANDARD, METADATA, SAMPLES
from mock_kanta.wire import cda

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

# (rule id, (fi, sv, en) name of the element, getter, xpath, when)
_MANDATORY = (
    ("SH-HDR-001", ("asiakirjan tunniste (id@root)", "dokumentets id (id@root)", "document id (id@root)"),
     lambda d: d.id, cda.xpath("id", at="root"), ALWAYS),
    ("SH-HDR-002", ("setId", "setId", "setId"), lambda d: d.set_id, cda.xpath("set_id", at="root"), ALWAYS),
    ("SH-HDR-003", ("versionumero", "versionsnummer", "versionNumber"),
     lambda d: d.version_number, cda.xpath("version_number", at="value"), ALWAYS),
    ("SH-HDR-004", ("laatimisaika (effectiveTime)", "upprättandetid (effectiveTime)", "effectiveTime"),
     lambda d: d.effective_time, cda.xpath("effective_time", at="value"), ALWAYS),
    ("SH-HDR-005", ("luottamuksellisuus", "sekretessklass", "confidentialityCode"),
     lambda d: d.confidentiality, cda.xpath("confidentiality", at="code"), ALWAYS),
    ("SH-HDR-006", ("kieli", "språk", "languageCode"), lambda d: d.language, cda.xpath("language", at="code"), ALWAYS),
    ("SH-HDR-007", ("asiakkaan henkilötunnus", "klientens personbeteckning", "client identity (recordTarget)"),
     lambda d: d.client.id.extension if d.client and d.client.id else None,
     cda.xpath("client", "hl7:id", at="extension"), ALWAYS),
    ("SH-HDR-008", ("rekisterinpitäjä (custodian)", "registeransvarig (custodian)", "custodian"),
     lambda d: d.custodian.id if d.custodian else None, cda.xpath("custodian", "hl7:id", at="root"), ALWAYS),
    ("SH-HDR-009", ("palveluyksikkö (encounterParticipant ADM)", "serviceenhet (encounterParticipant ADM)",
                    "service unit (encounterParticipant ADM)"),
     lambda d: d.matter.service_unit.id if d.matter and d.matter.service_unit else None,
     cda.xpath("matter", "hl7:encounterParticipant[@typeCode='ADM']/hl7:assignedEntity/hl7:representedOrganization/hl7:id", at="root"),
     ALWAYS),
    ("SH-HDR-010", ("yleinen asiakirjatyyppi (code)", "allmän dokumenttyp (code)", "general document type (code)"),
     lambda d: d.code, cda.xpath("code", at="code"), CLIENT_DOC),
    ("SH-HDR-011", ("ammattihenkilön tunniste (author)", "yrkesutbildad persons id (author)", "professional's id (author)"),
     lambda d: d.author.id if d.author else None, cda.xpath("author", "hl7:id"), CLIENT_DOC),
    ("SH-LSH-001", ("asiakirjaryhmä", "dokumentgrupp", "documentGroup"),
     lambda d: _lh(d, "document_group"), cda.local_xpath("document_group", "code"), ALWAYS),
    ("SH-LSH-002", ("luontiaika", "skapelsetid", "creationTime"),
     lambda d: _lh(d, "creation_time"), cda.local_xpath("creation_time", "value"), ALWAYS),
    ("SH-LSH-003", ("näyttömuodon formaatti", "visningsformens format", "fileFormat"),
     lambda d: _lh(d, "file_format"), cda.local_xpath("file_format", "code"), ALWAYS),
    ("SH-LSH-004", ("rekisteri (registryType)", "register (registryType)", "registryType"),
     lambda d: _lh(d, "registry_type"), cda.local_xpath("registry_type", "code"), ALWAYS),
    ("SH-LSH-005", ("palvelunjärjestäjä", "tjänsteanordnare", "outsourcingServiceCustomer"),
     lambda d: _lh(d, "outsourcing_service_customer"), cda.local_xpath("outsourcing_service_customer", "root"), ALWAYS),
    ("SH-LSH-006", ("kokonaissäilytysaika", "total bevarandetid", "totalRetentionPeriodClass"),
     lambda d: _lh(d, "total_retention_period_class"), cda.local_xpath("total_retention_period_class", "code"), ALWAYS),
    ("SH-LSH-007", ("valmistumisen tila", "färdigställandestatus", "recordStatus"),
     lambda d: _lh(d, "record_status"), cda.local_xpath("record_status", "code"), ALWAYS),
    ("SH-LSH-008", ("sisältömääritys", "innehållsspecifikation", "contentSpecificationId"),
     lambda d: _lh(d, "content_specification_id"), cda.local_xpath("content_specification_id"), ALWAYS),
    ("SH-LSH-009", ("palvelutehtävä", "serviceuppgift", "functionCode (service task)"),
     lambda d: _lh(d, "function_code"), cda.local_xpath("function_code", "code"), CLIENT_DOC),
    ("SH-LSH-010", ("palveluprosessin vaihe", "skede i serviceprocessen", "serviceProcess phase"),
     lambda d: _lh(d, "service_process").code if _lh(d, "service_process") else None,
     cda.local_xpath("service_process") + "/hl7fi:code/@code", CLIENT_DOC),
    ("SH-LSH-011", ("tarkennettu asiakirjatyyppi", "preciserad dokumenttyp", "specificDocumentType"),
     lambda d: _lh(d, "specific_document_type"), cda.local_xpath("specific_document_type", "code"), CLIENT_DOC),
    ("SH-LSH-012", ("asiakkuuden tunniste", "klientrelationens id", "encompassingClientRelationship"),
     lambda d: _lh(d, "client_relationship"), cda.local_xpath("client_relationship", "root"), RELATIONSHIP_DOC),
)


def _applies(when: str, doc) -> bool:
    if when == ALWAYS:
        return True
    if when == CLIENT_DOC:
        return is_client_document(doc)
    return group_code(doc) == CLIENT_RELATIONSHIP_GROUP


def _mandatory_check(getter, location, when):
    def check(ctx: Context):
        doc = ctx.document
        if _applies(when, doc) and not _filled(getter(doc)):
            yield hit(location)

    return check


_WHEN_TEXT = {
    ALWAYS: ("kaikissa asiakirjoissa", "i alla dokument", "in every document"),
    CLIENT_DOC: ("asiakasasiakirjoissa", "i klientdokument", "in client documents"),
    RELATIONSHIP_DOC: ("asiakkuusasiakirjassa", "i klientrelationsdokumentet", "in the client-relationship document"),
}

for rid, (fi, sv, en), getter, location, when in _MANDATORY:
    wfi, wsv, wen = _WHEN_TEXT[when]
    local = rid.startswith("SH-LSH")
    define(
        rid,
        Severity.ERROR,
        Stage.DOCUMENT,
        needs=("document",),
        check=_mandatory_check(getter, location, when),
        title=(f"Pakollinen tieto: {fi}", f"Obligatorisk uppgift: {sv}", f"Mandatory: {en}"),
        message=(
            f"Asiakirjasta puuttuu {fi}; se on pakollinen {wfi}.",
            f"Dokumentet saknar {sv}; den är obligatorisk {wsv}.",
            f"The document lacks the {en}; it is mandatory {wen}.",
        ),
        fix=(
            f"Lisää {fi} {'paikallisen otsikon (hl7fi:localSocialHeader)' if local else 'CDA-otsikon'} kohtaan {location}.",
            f"Lägg till {sv} i {'det lokala huvudet (hl7fi:localSocialHeader)' if local else 'CDA-huvudet'} vid {location}.",
            f"Add the {en} to the {'local header (hl7fi:localSocialHeader)' if local else 'CDA header'} at {location}.",
        ),
        source=METADATA if local else f"{CDA_STANDARD}; {METADATA}",
        kanta_verified=rid in ("SH-LSH-001",),
    )


@rule(
    "SH-HDR-012",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("CDA-tunnisteet", "CDA-identifierare", "CDA identifiers"),
    message=(
        "{element} on {found}; odotettiin {expected}.",
        "{element} är {found}; förväntades {expected}.",
        "{element} is {found}; expected {expected}.",
    ),
    fix=(
        'Käytä <realmCode code="FI"/> ja <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>.',
        'Använd <realmCode code="FI"/> och <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>.',
        'Use <realmCode code="FI"/> and <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>.',
    ),
    source=f"{CDA_STANDARD}; {SAMPLES}",
    kanta_verified=True,
)
def cda_identifiers(ctx):
    d = ctx.document
    if d.realm_code != "FI":
        yield hit(cda.xpath("realm_code", at="code"), element="realmCode", found=d.realm_code or "-", expected="FI")
    t = d.type_id
    if t is None or t.root != "2.16.840.1.113883.1.3" or t.extension != "POCD_HD000040":
        found = f"{t.root}/{t.extension}" if t else "-"
        yield hit(cda.xpath("type_id"), element="typeId", found=found, expected="2.16.840.1.113883.1.3/POCD_HD000040")


@rule(
    "SH-HDR-013",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Versionumero", "Versionsnummer", "Version number"),
    message=(
        "versionNumber on {found}; sen on oltava positiivinen kokonaisluku (1 uudelle asiakirjalle).",
        "versionNumber är {found}; det ska vara ett positivt heltal (1 för ett nytt dokument).",
        "versionNumber is {found}; it must be a positive integer (1 for a new document).",
    ),
    fix=(
        "Anna uudelle asiakirjalle versio 1 ja korvaavalle versiolle edellistä suurempi numero.",
        "Ge ett nytt dokument version 1 och en ersättande version ett högre nummer än föregående.",
        "Give a new document version 1 and a replacing version a higher number than the previous one.",
    ),
    source=f"{CDA_STANDARD}; {SAMPLES}",
    kanta_verified=True,
)
def version_number(ctx):
    v = ctx.document.version_number
    if v is not None and not (v.isdigit() and int(v) >= 1):
        yield hit(cda.xpath("version_number", at="value"), found=v)


@rule(
    "SH-HDR-014",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Aikaleiman muoto", "Tidsstämpelns format", "Timestamp format"),
    message=(
        "{element} = {found} ei ole HL7 TS -aika (VVVVKKPP[hhmm[ss]][+hhmm]).",
        "{element} = {found} är inte en HL7 TS-tid (ÅÅÅÅMMDD[hhmm[ss]][+hhmm]).",
        "{element} = {found} is not an HL7 TS time (YYYYMMDD[hhmm[ss]][+hhmm]).",
    ),
    fix=(
        "Käytä muotoa 20260323105424+0200 (paikallinen aika ja aikavyöhyke).",
        "Använd formen 20260323105424+0200 (lokal tid och tidszon).",
        "Use the form 20260323105424+0200 (local time with its offset).",
    ),
    source="HL7 V3 Data Types R1 (TS); " + SAMPLES,
    kanta_verified=True,
)
def timestamps(ctx):
    d = ctx.document
    for element, value, loc in (
        ("effectiveTime", d.effective_time, cda.xpath("effective_time", at="value")),
        ("creationTime", d.local.creation_time if d.local else None, cda.local_xpath("creation_time", "value")),
    ):
        if value is not None and not _TS.match(value):
            yield hit(loc, element=element, found=value)


@rule(
    "SH-HDR-015",
    Severity.WARNING,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Tunniste ja nullFlavor yhtä aikaa", "Id och nullFlavor samtidigt", "Identifier with a nullFlavor"),
    message=(
        "{element} sisältää sekä arvon {root} että nullFlavor={flavor}; arvo otetaan käyttöön.",
        "{element} har både värdet {root} och nullFlavor={flavor}; värdet används.",
        "{element} carries both the value {root} and nullFlavor={flavor}; the value is used.",
    ),
    fix=(
        "Anna joko root tai nullFlavor, ei molempia.",
        "Ange antingen root eller nullFlavor, inte båda.",
        "Give either a root or a nullFlavor, not both.",
    ),
    source="HL7 V3 Data Types R1 (ANY.nullFlavor: a null value has no value); " + SAMPLES,
)
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
