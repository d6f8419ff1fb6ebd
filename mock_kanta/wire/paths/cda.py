"""Where each field of the Kanta social welfare CDA R2 document lives (lxml-free): the field declarations in
CDA R2 schema order, and the XPath of a document field for a finding."""
from __future__ import annotations

from functools import lru_cache

from mock_kanta.core.model import (
    Body,
    HeaderSignature,
    LocalSocialHeader,
    Matter,
    OrgRef,
    Person,
    RelatedDocument,
    ServiceProcess,
    Software,
)
from mock_kanta.wire.paths import ORG, F, birth_spec, person_spec, xpath_of

ROOT = "/hl7:ClinicalDocument"
LSH = "hl7fi:localSocialHeader"

_ORG = ORG
_PERSON_PATIENT = person_spec("hl7:patient", *birth_spec("hl7:patient"))
_PERSON_AUTHOR = person_spec("hl7:assignedPerson")
_RELATED = (
    F("type_code", ".", "attr:typeCode"),
    F("id", "hl7:parentDocument/hl7:id", "ii"),
    F("set_id", "hl7:parentDocument/hl7:setId", "ii"),
    F("version_number", "hl7:parentDocument/hl7:versionNumber", "value"),
)
_MATTER = (
    F("id", "hl7:id", "ii"),
    F("effective_time", "hl7:effectiveTime", "value", nullable=True),
    F("responsible_org", "hl7:responsibleParty/hl7:assignedEntity/hl7:representedOrganization", "obj", OrgRef, _ORG),
    F(
        "service_unit",
        "hl7:encounterParticipant[@typeCode='ADM']/hl7:assignedEntity/hl7:representedOrganization",
        "obj",
        OrgRef,
        _ORG,
    ),
)
_SIGNATURE = (
    F("assigned_author_signer", "hl7fi:assignedAuthorSigner", "text"),
    F("signer_name", "hl7fi:signer/hl7fi:name", "name"),
    F("authentication_method", "hl7fi:authenticationMethod", "cd"),
    F("time", "hl7fi:time", "value"),
)
_LOCAL = (
    F("specific_document_type", "hl7fi:specificDocumentType", "cd"),
    F("creation_time", "hl7fi:creationTime", "value"),
    F("document_group", "hl7fi:documentGroup", "cd"),
    F("file_format", "hl7fi:fileFormat", "cd"),
    F("structured_file_format", "hl7fi:structuredFileFormat", "cd"),
    F(
        "software",
        "hl7fi:softwareSupport",
        "obj",
        Software,
        (
            F("moderator", ".", "attr:moderator"),
            F("product", ".", "attr:product"),
            F("version", ".", "attr:version"),
        ),
    ),
    F("function_code", "hl7fi:functionCode", "cd"),
    F("record_status", "hl7fi:recordStatus", "cd"),
    F("registry_type", "hl7fi:registryType", "cd"),
    F("outsourcing_service_customer", "hl7fi:outsourcingServiceCustomer", "attr:root"),
    F("outsourcing_service_customer_name", "hl7fi:outsourcingServiceCustomerName", "text"),
    F("total_retention_period_class", "hl7fi:totalRetentionPeriodClass", "cd"),
    F("special_content", "hl7fi:specialContent", "cd"),
    F("content_specification_id", "hl7fi:contentSpecificationId", "text"),
    F("client_relationship", "hl7fi:encompassingClientRelationship", "attr:root"),
    F(
        "service_process",
        "hl7fi:serviceProcess",
        "obj",
        ServiceProcess,
        (F("type", "hl7fi:type", "text"), F("code", "hl7fi:code", "cd")),
    ),
    F("authorization_restriction_argument", "hl7fi:authorizationRestrictionArgument", "text"),
    F("inaccessible_argument", "hl7fi:inaccessibleArgument", "cd"),
    F("inaccessible_until", "hl7fi:inaccessibleUntil", "value"),  # modelled: the delay's end (not public)
    F("reason_of_correction", "hl7fi:reasonOfCorrection", "cd"),
    F("signature", "hl7fi:signature", "obj", HeaderSignature, _SIGNATURE),
)
_BODY = (
    F("id", ".", "attr:ID"),
    F("display_media_type", "hl7:text", "attr:mediaType"),
    F("display_representation", "hl7:text", "attr:representation"),
    F("display_b64", "hl7:text", "b64"),
    F("json_representation", "hl7fi:json", "attr:representation"),
    F("json_b64", "hl7fi:json", "b64"),
)
SPEC = (
    F("realm_code", "hl7:realmCode", "code"),
    F("type_id", "hl7:typeId", "ii"),
    F("id", "hl7:id", "ii"),
    F("code", "hl7:code", "cd"),
    F("title", "hl7:title", "text"),
    F("effective_time", "hl7:effectiveTime", "value"),
    F("confidentiality", "hl7:confidentialityCode", "cd"),
    F("language", "hl7:languageCode", "code"),
    F("set_id", "hl7:setId", "ii"),
    F("version_number", "hl7:versionNumber", "value"),
    F("client", "hl7:recordTarget/hl7:patientRole", "obj", Person, _PERSON_PATIENT),
    F("author_time", "hl7:author/hl7:time", "value", nullable=True),
    F("author", "hl7:author/hl7:assignedAuthor", "obj", Person, _PERSON_AUTHOR),
    F(
        "custodian",
        "hl7:custodian/hl7:assignedCustodian/hl7:representedCustodianOrganization",
        "obj",
        OrgRef,
        _ORG,
    ),
    F("related", "hl7:relatedDocument", "obj", RelatedDocument, _RELATED, many=True),
    F("consent", "hl7:authorization/hl7:consent/hl7:code", "cd"),
    F("consent_status", "hl7:authorization/hl7:consent/hl7:statusCode", "code"),
    F("matter", "hl7:componentOf/hl7:encompassingEncounter", "obj", Matter, _MATTER),
    F("local", LSH, "obj", LocalSocialHeader, _LOCAL),
    F("body", "hl7:component/hl7:nonXMLBody", "obj", Body, _BODY),
)

# Where each top-level field lives, for findings.
PATHS = {f.attr: f.path for f in SPEC}
LOCAL_PATHS = {f.attr: f.path for f in _LOCAL}
BODY_PATHS = {f.attr: f.path for f in _BODY}


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def xpath(attr: str, sub: str | None = None, *, at: str | None = None) -> str:
    """XPath of a document field (`attr`), optionally a sub-path and an attribute."""
    return xpath_of(ROOT, PATHS[attr], sub or "", attr=at)


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def local_xpath(attr: str, at: str | None = None) -> str:
    return xpath_of(ROOT, LSH, LOCAL_PATHS[attr], attr=at)


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def body_xpath(attr: str, at: str | None = None) -> str:
    return xpath_of(ROOT, PATHS["body"], BODY_PATHS[attr], attr=at)
