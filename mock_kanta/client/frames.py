"""The archive frame (`RCMR_IN200002FI01`) around a document, repeating its header as the samples do [S]."""
from __future__ import annotations

from datetime import datetime

from mock_kanta.client import coding as c
from mock_kanta.client.coding import coded, hl7_ts
from mock_kanta.client.ids import new_message_number
from mock_kanta.core.model import II, ClinicalDocument, Coded, Frame, FrameAuthor, FrameDocument, OrgRef, Person
from mock_kanta.wire import hl7v3
from mock_kanta.wire.paths.hl7v3 import ARCHIVE_INTERACTION, INTERACTION_ID_ROOT, KANTA_SH_DEVICE

TRIGGER = "RCMR_TE000102UV01"
CLIENT_RELATIONSHIP_GROUP = "1"


def _group(document: ClinicalDocument) -> str | None:
    group = document.local.document_group if document.local else None
    return group.code if group else None


def _frame_document(document: ClinicalDocument) -> FrameDocument:
    matter_id = document.matter.id if document.matter and document.matter.id and document.matter.id.root else None
    return FrameDocument(
        realm_code=document.realm_code, type_id=document.type_id, id=document.id,
        register_code=document.local.registry_type if document.local else None, text_media_type="multipart/related",
        status_code="COMPLETED", effective_time=document.effective_time, confidentiality=document.confidentiality,
        language=document.language, set_id=document.set_id, version_number=document.version_number,
        completion_code=coded(c.COMPLETION, "LA"), storage_code=coded(c.STORAGE, "AC"), client=document.client,
        author=document.author, custodian=document.custodian, encounter_id=matter_id,
    )


def frame_for(
    document: ClinicalDocument, *, sender_oid: str, author_person: Person, author_org: OrgRef,
    service_request: str | None = None, usage_situation: str = "1", message_id: II | None = None,
    creation_time: datetime | None = None, processing_code: str = "D",
) -> Frame:
    """The archive frame for `document`, sent by organisation `sender_oid`.

    author_person / author_org: who sends, for which unit or organisation
    (authorOrPerformer; e.g. `Professional.frame_person()` and `Unit.ref()`).
    service_request: SP1 for a client-relationship document, SP17 otherwise (default
    from the document group). usage_situation: 1 = the organiser's own register; the
    sandbox's modelled code 2 = a provider using the organiser's register.
    message_id: default root = sender, extension = a new number. processing_code: D as
    in the samples.
    """
    relationship = _group(document) == CLIENT_RELATIONSHIP_GROUP
    request = service_request or ("SP1" if relationship else "SP17")
    return Frame(
        interaction=ARCHIVE_INTERACTION,
        its_version="XML_1.0",
        message_id=message_id or II(root=sender_oid, extension=new_message_number()),
        creation_time=hl7_ts(creation_time or datetime.now().astimezone()),
        version_code="V3-2006",
        interaction_id=II(root=INTERACTION_ID_ROOT, extension=ARCHIVE_INTERACTION),
        processing_code=processing_code,
        processing_mode_code="T",
        accept_ack_code="ER",
        receiver=KANTA_SH_DEVICE,
        sender=sender_oid,
        control_act_code=Coded(code=TRIGGER, code_system=c.TRIGGER_SYSTEM),
        priority_code="R",
        reason_codes=(coded(c.SERVICE_REQUESTS, request), coded(c.USAGE_SITUATIONS, usage_situation)),
        author=FrameAuthor(type_code="PRF" if relationship else "AUT", person=author_person, organisation=author_org),
        document=_frame_document(document),
    )


def frame_bytes(frame: Frame) -> bytes:
    return hl7v3.to_bytes(hl7v3.build_frame(frame))
