"""Where each field of the model lives in the XML, without lxml: the field declarations of the CDA document
(`paths.cda`) and of the HL7 V3 archive frame (`paths.hl7v3`), and the XPath of a field for a finding.

A dataclass of `mock_kanta.core.model` is described once, as `F(attr, path, kind)` in schema order; the
lxml reader and writer (`mock_kanta.wire.spec`) follow the same declarations, so the string that locates a
finding is the one that finds the node. Paths are ElementPath steps with the prefixes of `NS`.
"""
from __future__ import annotations

from dataclasses import dataclass

NS = {
    "hl7": "urn:hl7-org:v3",
    "hl7fi": "urn:hl7finland",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


@dataclass(frozen=True)
class F:
    """One field: dataclass attribute, element path (relative, '.' for self), kind.

    Kinds: ii, cd, value (@value), code (@code), text, b64 (text without
    whitespace), name (PersonName), attr:NAME, obj (nested `spec` of `cls`).
    `many` collects every match into a tuple. `nullable` fields that are None
    are still written, as `nullFlavor="NA"` (CDA requires the element).
    """

    attr: str
    path: str
    kind: str
    cls: type | None = None
    spec: tuple["F", ...] = ()
    many: bool = False
    nullable: bool = False


def person_spec(person_step: str, *extra: F) -> tuple[F, ...]:
    """An id plus a name under `person_step` (assignedPerson, patient, patientPerson), plus extras."""
    return (F("id", "hl7:id", "ii"), F("name", f"{person_step}/hl7:name", "name"), *extra)


def birth_spec(person_step: str) -> tuple[F, ...]:
    """Gender and birth time of a client, under `person_step`."""
    return (
        F("gender", f"{person_step}/hl7:administrativeGenderCode", "cd"),
        F("birth_time", f"{person_step}/hl7:birthTime", "value"),
    )


ORG = (F("id", "hl7:id", "ii"), F("name", "hl7:name", "text"))
# The HL7 V3 transmission wrapper every message starts with (the archive frame, a query or retrieve).
TRANSMISSION = (
    F("its_version", ".", "attr:ITSVersion"),
    F("message_id", "hl7:id", "ii"),
    F("creation_time", "hl7:creationTime", "value"),
    F("version_code", "hl7:versionCode", "code"),
    F("interaction_id", "hl7:interactionId", "ii"),
    F("processing_code", "hl7:processingCode", "code"),
    F("processing_mode_code", "hl7:processingModeCode", "code"),
    F("accept_ack_code", "hl7:acceptAckCode", "code"),
)


def xpath_of(base: str, *steps: str, attr: str | None = None) -> str:
    """An absolute XPath for a finding: base plus relative steps, optional attribute."""
    path = "/".join([base, *(s for s in steps if s and s != ".")])
    return f"{path}/@{attr}" if attr else path
