"""Build Kanta social welfare documents and their archive frames from a few arguments.

The builders return `mock_kanta.core.model` objects; bytes come from the wire builders
(`cda.build_document`, `hl7v3.build_frame`), so a built document parses back to the
same object. Header values follow the public samples [S]; what is modelled is said
where it is used (ids: `mock_kanta.client.ids`; the replacement reason list:
`coding.CORRECTION`; the PDF display form code 1).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime

from mock_kanta import __version__
from mock_kanta.client import coding as c
from mock_kanta.client.coding import CodeArg, coded, fi_date, hl7_date, hl7_ts, local_date
from mock_kanta.client.display import Section, content_sections, xhtml
from mock_kanta.client.frames import frame_bytes, frame_for  # re-exported: documents and their frames
from mock_kanta.client.ids import new_document_id
from mock_kanta.client.parties import HETU_ROOT, Client, Org, Professional, TaskGrant, Unit
from mock_kanta.client.pdf import simple_pdf
from mock_kanta.client.structured import client_document_json, relationship_json
from mock_kanta.core.identity import age_on
from mock_kanta.core.model import (
    II,
    Body,
    ClinicalDocument,
    Coded,
    LocalSocialHeader,
    Matter,
    Person,
    PersonName,
    RelatedDocument,
    ServiceProcess,
    Software,
)
from mock_kanta.signing import xmldsig
from mock_kanta.wire import cda

SOFTWARE = Software(moderator="mock-kanta", product="mock-kanta client", version=__version__)
RELATIONSHIP_SPEC = "1.2.246.537.6.1505.1.2023.6.1"  # [S] the asiakkuusasiakirja sample
SERVICE_PROCESS_TYPE = "Sosiaalihuollon palveluprosessi"  # fixed by the schema [S]
XHTML, PDF = "application/xhtml+xml", "application/pdf"
CDA_TYPE_ID = II(root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
Replaces = tuple[str, str | None, int | str]  # (document id, set id, version) of the version being replaced
AUTO = "auto"  # consent default: code 1 (the minor does not forbid disclosure) for a client under 18, else none


@dataclass(frozen=True)
class Structure:
    """A Sosmeta structure the builder knows: its content specification and where planned services go."""

    content_specification_id: str
    services_path: tuple[str, ...]


STRUCTURES = {
    "lapsiperheiden_palvelujen_asiakassuunnitelma": Structure(  # [S] the asiakassuunnitelma sample
        "1.2.246.537.6.1506.15007.2024.11.28", ("suunnitelma", "palvelut_joita_asiakkaalle_suunnitellaan")),
}
DEFAULT_SERVICES_PATH = ("sosiaalipalvelut",)  # [I] for structures not listed above


def _client_person(client: Client) -> Person:
    given = client.given_names
    return Person(
        id=II(root=HETU_ROOT, extension=client.hetu),
        name=PersonName(given, (client.family,), given[0] if given else None),
        gender=coded(c.GENDER, client.gender_code),
        birth_time=hl7_date(client.birth_date),
    )


def _versioning(document_id: str, set_id: str | None, version: int | None, replaces: Replaces | None,
                reason: CodeArg) -> tuple[II, str, tuple[RelatedDocument, ...], Coded | None]:
    """(setId, version, relatedDocument, reasonOfCorrection): a new document, or a version replacing another (RPLC)."""
    if replaces is None:
        return II(root=set_id or document_id), str(version or 1), (), None
    old_id, old_set, old_version = replaces
    old_set = old_set or old_id
    related = RelatedDocument("RPLC", II(root=old_id), II(root=old_set), str(old_version))
    reason_coded = coded(c.CORRECTION, reason, system_name=c.CORRECTION_NAME)
    return II(root=old_set), str(version or int(old_version) + 1), (related,), reason_coded


def _consent(consent: CodeArg | None, client: Client, on: date) -> tuple[Coded | None, str | None]:
    """authorization/consent: the minor's disclosure to guardians (AUTO: code 1 for a minor, nothing for an adult)."""
    if consent == AUTO:
        consent = "1" if age_on(client.hetu, on) < 18 else None
    return (coded(c.CONSENT, consent), "completed") if consent is not None else (None, None)


def _body(document_id: str, display: bytes, media_type: str, structured: dict) -> Body:
    data = json.dumps(structured, ensure_ascii=False).encode("utf-8")
    return Body(id=f"OID{document_id}", display_media_type=media_type, display_representation="B64",
                display_b64=base64.b64encode(display).decode("ascii"), json_b64=base64.b64encode(data).decode("ascii"))


def _local(*, group: str, effective: str, organiser: Org, spec_id: str, media_type: str, software: Software,
           special_content: bool, **extra) -> LocalSocialHeader:
    """The local header items every document carries, plus `extra` ones."""
    return LocalSocialHeader(
        creation_time=effective,
        document_group=coded(c.DOCUMENT_GROUP, group),
        file_format=coded(c.FILE_FORMAT, "1" if media_type == PDF else "2"),  # PDF/A code 1 is modelled [I]
        structured_file_format=coded(c.STRUCTURED_FORMAT, "5"),
        software=software,
        record_status=coded(c.RECORD_STATUS, "3"),
        registry_type=coded(c.REGISTER, "1"),
        outsourcing_service_customer=organiser.oid,
        outsourcing_service_customer_name=organiser.name,
        total_retention_period_class=coded(c.RETENTION, "1"),
        special_content=coded(c.YES_NO, "K" if special_content else "E"),
        content_specification_id=spec_id,
        **extra,
    )


def _header(*, document_id: str, code: Coded, effective: str, language: str, set_id: II, version: str, client: Client,
            author: Person, custodian: Org, related, consent, matter: Matter, local: LocalSocialHeader,
            body: Body) -> ClinicalDocument:
    consent_code, consent_status = consent
    return ClinicalDocument(
        realm_code="FI", type_id=CDA_TYPE_ID, id=II(root=document_id), code=code, effective_time=effective,
        confidentiality=coded(c.CONFIDENTIALITY, "6"), language=language, set_id=set_id, version_number=version,
        client=_client_person(client), author=author, custodian=custodian.ref(), consent=consent_code,
        consent_status=consent_status, related=related, matter=matter, local=local, body=body,
    )


# --- the client-relationship document (asiakkuusasiakirja) -------------------------------


def _relationship_sections(relationship_id: str, client: Client, organiser: Org, start: date, data: dict) -> list[Section]:
    gender = coded(c.GENDER, client.gender_code).display_name
    sections = [
        Section("Asiakkuuden yksilöintitunnus", (relationship_id,)),
        Section("Asiakas", (f"{client.family}, {client.given}", client.masked_hetu,
                            f"Syntymäaika: {fi_date(client.birth_date)}", f"Sukupuoli: {gender.lower()}")),
        Section("Sosiaalihuollon asiakkuus", (f"Asiakkuuden alkamispvm: {fi_date(start)}",)),
        Section("Palvelunjärjestäjän toimintayksikkö", (organiser.name,)),
    ]
    for task in data["asiakkuusasiakirja"]["sosiaalihuollon_palvelutehtava"]:
        lines = []
        for label, key in (("Palvelunjärjestäjän palveluyksikkö", "palvelunjarjestajan_palveluyksikko"),
                           ("Palveluntuottajan palveluyksikkö", "palveluntuottaja")):
            for unit in task.get(key, []):
                lines.append(f"{label}: {unit['palveluyksikon_nimi']['display']}")
                if unit.get("sosiaalipalvelu"):
                    lines.append("Sosiaalipalvelu: " + ", ".join(s["display"] for s in unit["sosiaalipalvelu"]))
                lines.append(f"Palveluyksikön asiakkuuden alkamispvm: {fi_date(date.fromisoformat(unit['asiakkuuden_alkamispvm']))}")
                if "asiakkuuden_paattymispvm" in unit:
                    lines.append("Palveluyksikön asiakkuuden päättymispvm: "
                                 + fi_date(date.fromisoformat(unit["asiakkuuden_paattymispvm"])))
        sections.append(Section(f"Sosiaalihuollon palvelutehtävä: {task['palvelutehtava']['display']}", tuple(lines) or ("",)))
    return sections


def client_relationship_document(
    *, organiser: Org, client: Client, tasks: list[TaskGrant], relationship_id: str, effective_time: datetime,
    document_id: str | None = None, set_id: str | None = None, version: int | None = None, unit: Unit | None = None,
    start: date | None = None, consent: CodeArg | None = AUTO, replaces: Replaces | None = None,
    replace_reason: CodeArg = ("1", "Korjaus"), language: str = "fi", software: Software = SOFTWARE,
) -> ClinicalDocument:
    """The asiakkuusasiakirja (document group 1) of `client` in `organiser`'s register.

    tasks: the units of each service task; provider units grant the register usage right.
    unit: the service unit in the header (encounterParticipant); default the first
    organiser unit among `tasks`, else the first unit. start: the relationship's start
    (default the earliest grant, else the effective date). consent: the minor's
    disclosure to guardians, a code of 1.2.246.537.6.1286.201901 or None (AUTO: code 1
    for a client under 18 on the document's date, none for an adult). replaces: (document id, set id, version) of the
    version this one replaces: the set id is kept and the version raised.
    """
    if unit is None:
        if not tasks:
            raise ValueError("give the header's service unit (unit=...) when there are no task grants")
        unit = next((t.unit for t in tasks if not t.provider_unit), tasks[0].unit)
    document_id = document_id or new_document_id(organiser.oid, effective_time.year)
    start = start or min((t.start for t in tasks), default=local_date(effective_time))
    effective = hl7_ts(effective_time)
    set_ii, version_text, related, reason = _versioning(document_id, set_id, version, replaces, replace_reason)
    data = relationship_json(relationship_id, client, organiser, tasks, start)
    display = xhtml(document_id, organisation=organiser.name, general_type="", day=local_date(effective_time),
                    title="Asiakkuusasiakirja", sections=_relationship_sections(relationship_id, client, organiser, start, data))
    local = _local(group="1", effective=effective, organiser=organiser, spec_id=RELATIONSHIP_SPEC, media_type=XHTML,
                   software=software, special_content=False, client_relationship=relationship_id,
                   reason_of_correction=reason)
    return _header(
        document_id=document_id, code=Coded(null_flavor="NA"), effective=effective, language=language, set_id=set_ii,
        version=version_text, client=client, author=Person(id=II(null_flavor="NA")), custodian=organiser,
        related=related, consent=_consent(consent, client, local_date(effective_time)),
        matter=Matter(id=II(null_flavor="NA"), service_unit=unit.ref()),
        local=local, body=_body(document_id, display, XHTML, data),
    )


# --- client documents (asiakasasiakirja, document group 5) ------------------------------


_RESTRICTION_KEYS = {"code", "display", "text", "until"}


def _restriction(restriction: dict | None) -> dict:
    """inaccessibleArgument (OmaKanta restriction reason), its free-text argument and the delay's end."""
    if not restriction:
        return {}
    unknown = set(restriction) - _RESTRICTION_KEYS
    if unknown:
        raise ValueError(f"restriction takes {sorted(_RESTRICTION_KEYS)}, not {sorted(unknown)}")
    code, until = restriction.get("code"), restriction.get("until")
    value = (code, restriction["display"]) if code and restriction.get("display") else code
    return {
        "inaccessible_argument": coded(c.RESTRICTION, value) if value else None,
        "authorization_restriction_argument": restriction.get("text"),
        "inaccessible_until": hl7_date(until) if until else None,
    }


def client_document(
    *, custodian: Org, unit: Unit, author: Professional, client: Client, effective_time: datetime,
    organiser: Org | None = None, document_type: CodeArg = ("15", "Suunnitelma"),
    specific_type: CodeArg = ("15007", "Lapsiperheiden palvelujen asiakassuunnitelma"),
    function_code: CodeArg = ("24", "Lapsiperheiden palvelut"),
    social_services: list[CodeArg] | tuple = (("45", "Sosiaaliohjaus"),),
    service_process: CodeArg = ("3", "Asiakkuuden suunnittelu"), matter_id: str | None = None,
    consent: CodeArg | None = AUTO, restriction: dict | None = None,
    structure_name: str = "lapsiperheiden_palvelujen_asiakassuunnitelma", content: dict | None = None,
    content_specification_id: str | None = None, replaces: Replaces | None = None,
    replace_reason: CodeArg = ("1", "Korjaus"), display_format: str = "xhtml", pdf: bytes | None = None,
    document_id: str | None = None, version: int | None = None, relationship_id: str | None = None,
    special_content: bool = False, language: str = "fi", software: Software = SOFTWARE,
) -> ClinicalDocument:
    """A client document (document group 5) written by `author` in `unit`, stored in `custodian`'s register.

    organiser: the service organiser (outsourcingServiceCustomer, responsibleParty);
    default the custodian. matter_id: the matter (asia) the document belongs to; None
    opens a new one under the organiser. consent: as for the client-relationship document.
    restriction: {"code": "1", "text": "…", "until": date} for an OmaKanta display
    restriction (inaccessibleArgument, authorizationRestrictionArgument and the modelled
    delay end inaccessibleUntil); {"text": "…"} alone is the written justification a
    minor's prohibition (consent 2) or its refusal (3) needs.
    content: the structure's own fields (merged into the JSON; also shown in the display
    form). display_format "pdf" attaches `pdf` (your PDF/A) or a plain generated PDF.
    """
    organiser = organiser or custodian
    structure = STRUCTURES.get(structure_name)
    spec_id = content_specification_id or (structure.content_specification_id if structure else None)
    if spec_id is None:
        raise ValueError(f"structure {structure_name!r} is not known here: give content_specification_id")
    if display_format not in ("xhtml", "pdf"):
        raise ValueError(f"display_format must be 'xhtml' or 'pdf', not {display_format!r}")
    document_id = document_id or new_document_id(custodian.oid, effective_time.year)
    day, effective = local_date(effective_time), hl7_ts(effective_time)
    general, specific = coded(c.DOC_TYPE, document_type), coded(c.DOC_TYPE, specific_type)
    services = list(social_services)
    set_ii, version_text, related, reason = _versioning(document_id, None, version, replaces, replace_reason)
    data = client_document_json(structure_name, client=client, author=author, unit=unit, day=day, services=services,
                                services_path=structure.services_path if structure else DEFAULT_SERVICES_PATH,
                                content=content)
    sections = [Section("Asiakas", (f"{client.family}, {client.given}", client.masked_hetu)),
                *content_sections(content or {})]
    if services:
        sections.append(Section("Sosiaalipalvelut", tuple(f"Sosiaalipalvelu: {coded(c.SOCIAL_SERVICE, s).display_name}"
                                                           for s in services)))
    sections += [Section("Päivämäärä", (fi_date(day),)),
                 Section("Laatija", tuple(x for x in (f"{author.family}, {author.given}", author.title, unit.name) if x))]
    if display_format == "pdf":
        display, media_type = pdf or simple_pdf(specific.display_name, sections), PDF
    else:
        display = xhtml(document_id, organisation=custodian.name, general_type=general.display_name, day=day,
                        title=specific.display_name, sections=sections)
        media_type = XHTML
    local = _local(
        group="5", effective=effective, organiser=organiser, spec_id=spec_id, media_type=media_type, software=software,
        special_content=special_content, specific_document_type=specific, function_code=coded(c.SERVICE_TASK, function_code),
        client_relationship=relationship_id,
        service_process=ServiceProcess(SERVICE_PROCESS_TYPE, coded(c.SERVICE_PROCESS, service_process)),
        reason_of_correction=reason, **_restriction(restriction),
    )
    matter = Matter(id=II(root=matter_id or new_document_id(organiser.oid, effective_time.year)),
                    responsible_org=organiser.ref(), service_unit=unit.ref())
    return _header(
        document_id=document_id, code=general, effective=effective, language=language, set_id=set_ii,
        version=version_text, client=client, author=author.author(), custodian=custodian, related=related,
        consent=_consent(consent, client, day), matter=matter, local=local, body=_body(document_id, display, media_type, data),
    )


def replaces_of(document: ClinicalDocument) -> Replaces:
    """The `replaces=` argument for a new version of `document`."""
    return document.document_id, document.set_id.root if document.set_id else None, int(document.version_number or 1)


# --- bytes -------------------------------------------------------------------------------


def document_bytes(document: ClinicalDocument) -> bytes:
    """The unsigned document as UTF-8 XML."""
    return cda.to_bytes(cda.build_document(document))


def signed_bytes(document: ClinicalDocument, signers: list[tuple[xmldsig.Signer, str]], *,
                 signed_at: datetime | None = None) -> bytes:
    """The document built and signed by each (signer, kind) in turn; kind "professional" or "system"."""
    root = cda.build_document(document)
    for signer, kind in signers:
        xmldsig.sign_document(root, signer, kind=kind, signed_at=signed_at)
    return cda.to_bytes(root)

__all__ = ["AUTO", "STRUCTURES", "SOFTWARE", "Structure", "client_document", "client_relationship_document",
           "document_bytes", "frame_bytes", "frame_for", "replaces_of", "signed_bytes"]
