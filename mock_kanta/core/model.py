"""Domain objects of one archive message: the HL7 V3 frame and the CDA R2 document.

Plain data, no XML: `mock_kanta.wire` parses bytes into these and builds them back.
Every field that the wire modules read has a fixed XPath (see `mock_kanta.wire.paths`).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class II:
    """HL7 instance identifier: root (an OID), optional extension, or a nullFlavor."""

    root: str | None = None
    extension: str | None = None
    null_flavor: str | None = None


@dataclass(frozen=True)
class Coded:
    """HL7 CE/CV value: code in a code system (OID), with optional names."""

    code: str | None = None
    code_system: str | None = None
    code_system_name: str | None = None
    display_name: str | None = None
    null_flavor: str | None = None


@dataclass(frozen=True)
class PersonName:
    given: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    call_name: str | None = None  # <given qualifier="CL">, kutsumanimi


@dataclass(frozen=True)
class OrgRef:
    id: II | None = None
    name: str | None = None


@dataclass(frozen=True)
class Person:
    """A person named in a frame or a header: id, name and (for clients) birth data."""

    id: II | None = None
    name: PersonName | None = None
    gender: Coded | None = None
    birth_time: str | None = None


@dataclass(frozen=True)
class ServiceProcess:
    type: str | None = None
    code: Coded | None = None


@dataclass(frozen=True)
class HeaderSignature:
    """`hl7fi:signature` in the local header: who signed as a professional, how, when."""

    assigned_author_signer: str | None = None
    signer_name: PersonName | None = None
    authentication_method: Coded | None = None
    time: str | None = None


@dataclass(frozen=True)
class Software:
    moderator: str | None = None
    product: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class RelatedDocument:
    """`relatedDocument/parentDocument`: the version this one replaces (RPLC)."""

    type_code: str | None = None
    id: II | None = None
    set_id: II | None = None
    version_number: str | None = None


@dataclass(frozen=True)
class LocalSocialHeader:
    """`hl7fi:localSocialHeader`, the Finnish social welfare metadata."""

    specific_document_type: Coded | None = None
    creation_time: str | None = None
    document_group: Coded | None = None
    file_format: Coded | None = None
    structured_file_format: Coded | None = None
    software: Software | None = None
    function_code: Coded | None = None  # palvelutehtävä
    record_status: Coded | None = None
    registry_type: Coded | None = None
    outsourcing_service_customer: str | None = None  # palvelunjärjestäjä OID
    outsourcing_service_customer_name: str | None = None
    total_retention_period_class: Coded | None = None
    special_content: Coded | None = None
    content_specification_id: str | None = None
    client_relationship: str | None = None  # encompassingClientRelationship@root
    service_process: ServiceProcess | None = None
    authorization_restriction_argument: str | None = None
    inaccessible_argument: Coded | None = None
    inaccessible_until: str | None = None  # modelled (verified: false): the end of an OmaKanta delay
    reason_of_correction: Coded | None = None
    signature: HeaderSignature | None = None


@dataclass(frozen=True)
class Body:
    """`component/nonXMLBody`: display form (XHTML or PDF/A) and the JSON structured form.

    Payloads are kept as the Base64 text found on the wire (whitespace removed).
    """

    id: str | None = None  # nonXMLBody@ID, "OID" + document id
    display_media_type: str | None = None
    display_representation: str | None = None
    display_b64: str | None = None
    json_representation: str | None = None
    json_b64: str | None = None


@dataclass(frozen=True)
class Matter:
    """`componentOf/encompassingEncounter`: the matter (asia) and its service unit."""

    id: II | None = None
    effective_time: str | None = None
    responsible_org: OrgRef | None = None
    service_unit: OrgRef | None = None  # encounterParticipant[@typeCode=ADM]


@dataclass(frozen=True)
class ClinicalDocument:
    """A Kanta social welfare CDA R2 document (the "S" part of a message)."""

    realm_code: str | None = None
    type_id: II | None = None
    id: II | None = None
    code: Coded | None = None  # general document type (nullFlavor NA on asiakkuusasiakirja)
    title: str | None = None
    effective_time: str | None = None
    confidentiality: Coded | None = None
    language: str | None = None
    set_id: II | None = None
    version_number: str | None = None
    client: Person | None = None  # recordTarget/patientRole
    author: Person | None = None
    author_time: str | None = None
    custodian: OrgRef | None = None
    consent: Coded | None = None  # authorization/consent/code (minor's disclosure to guardians)
    consent_status: str | None = None
    related: tuple[RelatedDocument, ...] = ()
    matter: Matter | None = None
    local: LocalSocialHeader | None = None
    body: Body | None = None

    @property
    def document_id(self) -> str | None:
        return self.id.root if self.id else None


@dataclass(frozen=True)
class FrameAuthor:
    """`controlActProcess/authorOrPerformer/assignedPerson`."""

    type_code: str | None = None
    person: Person | None = None
    organisation: OrgRef | None = None


@dataclass(frozen=True)
class FrameDocument:
    """`controlActProcess/subject/clinicalDocument`: the frame's copy of the header."""

    realm_code: str | None = None
    type_id: II | None = None
    id: II | None = None
    register_code: Coded | None = None  # code, registry code system .1264
    text_media_type: str | None = None
    status_code: str | None = None
    effective_time: str | None = None
    confidentiality: Coded | None = None
    language: str | None = None
    set_id: II | None = None
    version_number: str | None = None
    completion_code: Coded | None = None
    storage_code: Coded | None = None
    client: Person | None = None
    author: Person | None = None
    author_time: str | None = None
    custodian: OrgRef | None = None
    encounter_id: II | None = None
    encounter_time: str | None = None


@dataclass(frozen=True)
class Frame:
    """An HL7 V3 archive frame (`RCMR_IN200002FI01`, the "K" part of a message)."""

    interaction: str | None = None  # root element local name
    its_version: str | None = None
    message_id: II | None = None
    creation_time: str | None = None
    version_code: str | None = None
    interaction_id: II | None = None
    processing_code: str | None = None
    processing_mode_code: str | None = None
    accept_ack_code: str | None = None
    receiver: str | None = None  # receiver/device/id@root
    sender: str | None = None  # sender/device/id@root
    control_act_code: Coded | None = None
    priority_code: str | None = None
    reason_codes: tuple[Coded, ...] = ()
    author: FrameAuthor | None = None
    document: FrameDocument | None = None

    def reason(self, code_system: str) -> Coded | None:
        return next((c for c in self.reason_codes if c.code_system == code_system), None)


@dataclass
class Message:
    """One archive submission: frame and document, with their raw bytes."""

    frame: Frame
    document: ClinicalDocument
    frame_bytes: bytes
    document_bytes: bytes
    transport: str = "multipart"
    extras: dict = field(default_factory=dict)
