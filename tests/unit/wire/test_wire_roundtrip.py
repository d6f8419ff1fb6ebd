"""Both public samples parse, and parse-build-parse keeps every metadata value."""
import pytest

from mock_kanta.core.model import Body, ClinicalDocument
from mock_kanta.wire import cda, hl7v3
from tests.conftest import SAMPLE_NAMES, sample


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_document_round_trip(name):
    doc, _ = cda.parse_document(sample(name, "document"))
    again, _ = cda.parse_document(cda.to_bytes(cda.build_document(doc)))
    assert again == doc


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_frame_round_trip(name):
    frame, _ = hl7v3.parse_frame(sample(name, "frame"))
    again, _ = hl7v3.parse_frame(hl7v3.to_bytes(hl7v3.build_frame(frame)))
    assert again == frame


def test_client_plan_metadata_values():
    doc, _ = cda.parse_document(sample("asiakassuunnitelma", "document"))
    assert doc.document_id == "1.2.246.10.2012566.95.2026.688883.2655274"
    assert doc.client.id.extension == "180418A903L" and doc.client.name.call_name == "Kanta-Hakuat"
    assert doc.author.id.root == "1.2.246.537.26" and doc.author.id.extension == "25104559650"
    assert doc.custodian.id.root == "1.2.246.10.2012566.10.40"
    assert doc.matter.id.root == "1.2.246.10.2012566.95.2026.778465.646" and doc.matter.id.null_flavor == "NA"
    assert doc.matter.service_unit.id.root == "1.2.246.10.2012566.10.40006775"
    lh = doc.local
    assert (lh.document_group.code, lh.function_code.code, lh.service_process.code.code) == ("5", "24", "3")
    assert lh.inaccessible_argument.code == "1" and lh.authorization_restriction_argument == "Viivästys 1"
    assert lh.signature.assigned_author_signer == "25104559650"
    assert doc.consent.code == "1" and doc.consent_status == "completed"
    assert doc.body.id == "OID" + doc.document_id
    assert doc.body.display_media_type == "application/xhtml+xml" and doc.body.json_b64.startswith("eyAibGFwc2")


def test_client_relationship_metadata_values():
    doc, _ = cda.parse_document(sample("asiakkuusasiakirja", "document"))
    assert doc.code.null_flavor == "NA" and doc.code.code is None
    assert doc.local.client_relationship == "1.2.246.10.32213561.95777.2026.698084.281"
    assert doc.local.document_group.code == "1"
    assert doc.matter.id.null_flavor == "NA" and doc.matter.id.root is None


def test_frame_metadata_values():
    frame, _ = hl7v3.parse_frame(sample("asiakkuusasiakirja", "frame"))
    assert frame.interaction == "RCMR_IN200002FI01"
    assert frame.message_id.extension == "10037140046"
    assert frame.reason("1.2.246.537.6.1503.201601").code == "SP1"
    assert frame.reason("1.2.246.537.6.1289.201901").code == "1"
    assert frame.author.organisation.id.root == "1.2.246.10.1246109.10.2001213"
    assert frame.document.client.id.extension == "200111A904P"
    assert frame.document.register_code.code == "1"


def test_pdf_display_form_builds_and_parses():
    doc, _ = cda.parse_document(sample("asiakassuunnitelma", "document"))
    pdf_body = Body(id=doc.body.id, display_media_type="application/pdf", display_representation="B64",
                    display_b64="JVBERi0xLjcK", json_b64=doc.body.json_b64)
    pdf_doc = ClinicalDocument(**{**doc.__dict__, "body": pdf_body})
    again, _ = cda.parse_document(cda.to_bytes(cda.build_document(pdf_doc)))
    assert again.body == pdf_body


def test_built_document_keeps_schema_order():
    doc, _ = cda.parse_document(sample("asiakassuunnitelma", "document"))
    root = cda.build_document(doc)
    order = [child.tag.split("}")[1] for child in root]
    assert order.index("custodian") < order.index("authorization") < order.index("componentOf")
    assert order[-2:] == ["localSocialHeader", "component"]
