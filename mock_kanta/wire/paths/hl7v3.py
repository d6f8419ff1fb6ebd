"""Where each field of the HL7 V3 archive frame (RCMR_IN200002FI01) lives (lxml-free): the interaction
constants, the field declarations, and the XPath of a frame field for a finding."""
from __future__ import annotations

from functools import lru_cache

from mock_kanta.core.model import FrameAuthor, FrameDocument, OrgRef, Person
from mock_kanta.wire.paths import ORG, TRANSMISSION, F, birth_spec, person_spec, xpath_of

ARCHIVE_INTERACTION = "RCMR_IN200002FI01"
ACK_INTERACTION = "MCCI_IN000002UV01"
INTERACTION_ID_ROOT = "2.16.840.1.113883.1.6"
KANTA_SH_DEVICE = "1.2.246.556.18007.2"  # receiver in both samples [S]

_ORG = ORG
_FRAME_PERSON = person_spec("hl7:assignedPerson")
_FRAME_PATIENT = person_spec("hl7:patientPerson", *birth_spec("hl7:patientPerson"))
_DOC = (
    F("realm_code", "hl7:realmCode", "code"),
    F("type_id", "hl7:typeId", "ii"),
    F("id", "hl7:id", "ii"),
    F("register_code", "hl7:code", "cd"),
    F("text_media_type", "hl7:text", "attr:mediaType"),
    F("status_code", "hl7:statusCode", "code"),
    F("effective_time", "hl7:effectiveTime", "value"),
    F("confidentiality", "hl7:confidentialityCode", "cd"),
    F("language", "hl7:languageCode", "code"),
    F("set_id", "hl7:setId", "ii"),
    F("version_number", "hl7:versionNumber", "value"),
    F("completion_code", "hl7:completionCode", "cd"),
    F("storage_code", "hl7:storageCode", "cd"),
    F("client", "hl7:recordTarget/hl7:patient", "obj", Person, _FRAME_PATIENT),
    F("author_time", "hl7:author/hl7:time", "value", nullable=True),
    F("author", "hl7:author/hl7:assignedAuthor", "obj", Person, _FRAME_PERSON),
    F("custodian", "hl7:custodian/hl7:assignedCustodian/hl7:representedOrganization", "obj", OrgRef, _ORG),
    F("encounter_id", "hl7:componentOf/hl7:encounterEvent/hl7:id", "ii"),
    F("encounter_time", "hl7:componentOf/hl7:encounterEvent/hl7:effectiveTime", "value"),
)
_CACT = "hl7:controlActProcess"
SPEC = (
    *TRANSMISSION,
    F("receiver", "hl7:receiver/hl7:device/hl7:id", "attr:root"),
    F("sender", "hl7:sender/hl7:device/hl7:id", "attr:root"),
    F("control_act_code", f"{_CACT}/hl7:code", "cd"),
    F("priority_code", f"{_CACT}/hl7:priorityCode", "code"),
    F("reason_codes", f"{_CACT}/hl7:reasonCode", "cd", many=True),
    F(
        "author",
        f"{_CACT}/hl7:authorOrPerformer",
        "obj",
        FrameAuthor,
        (
            F("type_code", ".", "attr:typeCode"),
            F("person", "hl7:assignedPerson", "obj", Person, _FRAME_PERSON),
            F("organisation", "hl7:assignedPerson/hl7:representedOrganization", "obj", OrgRef, _ORG),
        ),
    ),
    F("document", f"{_CACT}/hl7:subject/hl7:clinicalDocument", "obj", FrameDocument, _DOC),
)
PATHS = {f.attr: f.path for f in SPEC}
DOC_PATHS = {f.attr: f.path for f in _DOC}


def root_path(interaction: str | None) -> str:
    return f"/hl7:{interaction or ARCHIVE_INTERACTION}"


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def xpath(attr: str, sub: str | None = None, *, at: str | None = None, root: str | None = None) -> str:
    return xpath_of(root_path(root), PATHS[attr], sub or "", attr=at)


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def doc_xpath(attr: str, sub: str | None = None, *, at: str | None = None, root: str | None = None) -> str:
    return xpath_of(root_path(root), PATHS["document"], DOC_PATHS[attr], sub or "", attr=at)


@lru_cache(maxsize=4096)  # findings' locations: the same few strings, asked on every message
def reason_xpath(code_system: str, root: str | None = None) -> str:
    return xpath_of(root_path(root), f"{PATHS['reason_codes']}[@codeSystem='{code_system}']")
