"""The client library's document builders: round trips, and the archive's own checks find nothing to refuse."""
import base64
import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from mock_kanta.archive.service import Archive
from mock_kanta.client import (
    Client,
    Org,
    Professional,
    TaskGrant,
    Unit,
    artificial_hetu,
    client_document,
    client_relationship_document,
    document_bytes,
    frame_bytes,
    frame_for,
    new_document_id,
    parse_answer,
    replaces_of,
    signed_bytes,
)
from mock_kanta.client.coding import coded
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.dates import HELSINKI
from mock_kanta.core.identity import is_oid, parse_hetu
from mock_kanta.http.requests import soap_envelope
from mock_kanta.settings import Settings
from mock_kanta.signing.cards import CardStore
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust
from mock_kanta.wire import cda, hl7v3, safexml
from mock_kanta.wire.hl7v3 import AckDetail, build_ack
from tests.signing import issue_signer

ORGANISER = Org("1.2.246.10.32213561.10.0", "Vantaan ja Keravan hyvinvointialue")
OWN_UNIT = Unit("1.2.246.10.1246109.10.2001213", "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue")
PROVIDER_UNIT = Unit("1.2.246.10.28765435.10.1", "Lumme, tuettu asuminen Vantaa")
CLIENT = Client(artificial_hetu(date(2014, 5, 6), 935), "Testi Kanta", "Asiakas")
PRO = Professional("25104559650", "Angelica", "Johansson", hetu=artificial_hetu(date(1979, 7, 8), 998), title="sosiaaliohjaaja")
NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki.open(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def archive(pki):
    return Archive(Settings(), store=None, codes=CodeSystems.load(), trust=Trust(pki, []))


@pytest.fixture(scope="module")
def professional(pki):
    return issue_signer(pki, "professional", (PRO.given, PRO.family, PRO.registration_number)), "professional"


@pytest.fixture(scope="module")
def system(pki):
    return issue_signer(pki, "system", (ORGANISER.name, ORGANISER.oid)), "system"


def relationship(**overrides):
    args = dict(
        organiser=ORGANISER, client=CLIENT, relationship_id=new_document_id(ORGANISER.oid), effective_time=NOW,
        tasks=[
            TaskGrant("24", OWN_UNIT, ["15"], date(2026, 1, 5), provider_unit=False),
            TaskGrant("24", OWN_UNIT, ["15"], date(2026, 1, 5)),
            TaskGrant(("24", "Lapsiperheiden palvelut"), PROVIDER_UNIT, [("45", "Sosiaaliohjaus"), "15"], date(2026, 2, 1),
                      end=date(2026, 12, 31)),
        ],
    )
    return client_relationship_document(**{**args, **overrides})


def plan(**overrides):
    args = dict(custodian=ORGANISER, unit=OWN_UNIT, author=PRO, client=CLIENT, effective_time=NOW,
                content={"suunnitelma": {"kuvaus_asiakkaan_tilanteesta": "Perhe tarvitsee tukea.", "selvitys_oikeuksista": True}})
    return client_document(**{**args, **overrides})


def own_frame(doc, person=None):
    return frame_for(doc, sender_oid=ORGANISER.oid, author_person=person or PRO.frame_person(), author_org=OWN_UNIT.ref())


def check(archive, frame, document: bytes):
    return archive.check(archive.read_parts(frame_bytes(frame), document, "test"), at=datetime.now(timezone.utc))


def structured(doc) -> dict:
    return json.loads(base64.b64decode(doc.body.json_b64))


def display(doc) -> bytes:
    return base64.b64decode(doc.body.display_b64)


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("build", [
    relationship,
    lambda: relationship(consent="1"),
    plan,
    lambda: plan(consent="1", restriction={"code": "1", "text": "Viivästys 1", "until": date(2027, 1, 1)},
                 matter_id=new_document_id(ORGANISER.oid)),
    lambda: plan(display_format="pdf"),
    lambda: plan(replaces=("1.2.246.10.32213561.95.2026.1.1", "1.2.246.10.32213561.95.2026.1.1", 1)),
], ids=["relationship", "relationship-consent", "plan", "plan-restricted", "plan-pdf", "plan-replacing"])
def test_built_document_and_frame_parse_back_to_the_same_model(build):
    doc = build()
    again, _ = cda.parse_document(document_bytes(doc))
    assert again == doc
    frame = own_frame(doc)
    assert hl7v3.parse_frame(frame_bytes(frame))[0] == frame


def test_frame_repeats_the_header():
    doc = plan()
    fd = own_frame(doc).document
    assert (fd.id, fd.set_id, fd.version_number, fd.client, fd.custodian) == (doc.id, doc.set_id, doc.version_number,
                                                                              doc.client, doc.custodian)
    assert fd.register_code.code == "1" and fd.encounter_id == doc.matter.id
    assert (fd.completion_code.code, fd.storage_code.code, fd.status_code) == ("LA", "AC", "COMPLETED")
    rel_frame = own_frame(relationship())
    assert rel_frame.reason("1.2.246.537.6.1503.201601").code == "SP1" and rel_frame.author.type_code == "PRF"
    assert own_frame(doc).reason("1.2.246.537.6.1503.201601").code == "SP17"


# --- the archive's own checks -------------------------------------------------------------


def test_signed_client_document_has_no_findings(archive, professional):
    doc = plan(consent="1", restriction={"code": "1", "text": "Viivästys 1"})
    found = check(archive, own_frame(doc), signed_bytes(doc, [professional]))
    assert [(f.rule_id, f.location) for f in found] == []


def test_signed_relationship_document_has_no_findings(archive, system):
    doc = relationship(consent="1")
    found = check(archive, own_frame(doc), signed_bytes(doc, [system]))
    assert [(f.rule_id, f.location) for f in found] == []


def test_signed_document_parses_to_the_model_plus_the_signer(professional):
    doc = plan()
    again, _ = cda.parse_document(signed_bytes(doc, [professional]))
    assert again.local.signature.assigned_author_signer == PRO.registration_number
    assert replace(again, local=replace(again.local, signature=None)) == doc


def test_pdf_display_form_is_a_pdf_but_not_pdf_a(archive, professional):
    doc = plan(display_format="pdf")
    assert display(doc).startswith(b"%PDF-1.4") and doc.local.file_format.code == "1"
    found = check(archive, own_frame(doc), signed_bytes(doc, [professional]))
    assert [f.rule_id for f in found] == ["SH-BODY-008"]
    own = plan(display_format="pdf", pdf=b"%PDF-1.7 pdfaid:part 2")
    assert display(own) == b"%PDF-1.7 pdfaid:part 2"


def test_generated_pdf_is_well_formed():
    raw = display(plan(display_format="pdf", content={"suunnitelma": {"kuvaus": "Pitkä (kuvaus) \\ " * 200}}))
    xref = int(raw.rsplit(b"startxref\n", 1)[1].split()[0])
    assert raw[xref:].startswith(b"xref\n") and raw.endswith(b"%%EOF\n")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n ", raw[xref:])]
    assert len(offsets) >= 7 and all(raw[o:].startswith(b"%d 0 obj" % n) for n, o in enumerate(offsets, 1))
    assert b"/Count 2" in raw and b"Pitk\xe4 \\(kuvaus\\) \\\\" in raw  # two pages; cp1252, escaped


def test_virtual_card_and_system_key_sign_documents(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cards") / "var"
    cards = CardStore(data_dir, Pki.open(data_dir / "pki"))
    card = cards.issue("professional", PRO.given, PRO.family, registration_number=PRO.registration_number, pin="4321")
    card_archive = Archive(Settings(), store=None, codes=CodeSystems.load(), trust=Trust(cards.pki, []))
    doc = plan()
    assert check(card_archive, own_frame(doc), signed_bytes(doc, [(cards.signer(card.id, "4321"), "professional")])) == []
    rel = relationship()
    system = cards.system_signer(ORGANISER.oid, ORGANISER.name)
    assert check(card_archive, own_frame(rel), signed_bytes(rel, [(system, "system")])) == []


def test_display_form_escapes_text(archive, professional):
    doc = plan(content={"suunnitelma": {"kuvaus_asiakkaan_tilanteesta": '<script>alert("x")</script> & <b>'}})
    xhtml = display(doc)
    root = safexml.parse(xhtml)
    assert not root.xpath("//*[local-name()='script' or local-name()='b']")
    assert '<script>alert("x")</script> & <b>' in "".join(root.itertext())
    assert root.get("id") == f"OID{doc.document_id}" and root.get("class") == "soc-document"
    found = check(archive, own_frame(doc), signed_bytes(doc, [professional]))
    assert [f.rule_id for f in found] == []


# --- contents -------------------------------------------------------------------------


def test_relationship_json_carries_the_provider_unit_grants():
    doc = relationship()
    body = structured(doc)["asiakkuusasiakirja"]
    assert body["asiakas"]["henkilotunnus"]["value"] == CLIENT.hetu
    assert body["sosiaalihuollon_asiakkuus"]["asiakkuuden_alkamispvm"] == "2026-01-05"
    [task] = body["sosiaalihuollon_palvelutehtava"]
    assert task["palvelutehtava"]["code"] == "24"
    assert [u["palveluyksikon_nimi"]["code"] for u in task["palvelunjarjestajan_palveluyksikko"]] == [OWN_UNIT.oid]
    own, provider = task["palveluntuottaja"]
    assert own["palveluyksikon_nimi"] == {"system": "urn:oid:1.2.246.537.6.202.2008", "code": OWN_UNIT.oid,
                                          "display": OWN_UNIT.name}
    assert provider["palveluyksikon_nimi"]["code"] == PROVIDER_UNIT.oid
    assert [s["code"] for s in provider["sosiaalipalvelu"]] == ["45", "15"]
    assert (provider["asiakkuuden_alkamispvm"], provider["asiakkuuden_paattymispvm"]) == ("2026-02-01", "2026-12-31")
    assert "asiakkuuden_paattymispvm" not in own
    assert doc.local.client_relationship == body["asiakkuuden_yksilointitunnus"]["value"]
    assert doc.matter.service_unit.id.root == OWN_UNIT.oid  # the organiser's unit is the header's unit
    assert PROVIDER_UNIT.name in safexml.parse(display(doc)).xpath("string()")


def test_relationship_header_is_not_a_professionals():
    doc = relationship()
    assert doc.code.null_flavor == "NA" and doc.author.id.null_flavor == "NA"
    assert doc.local.document_group.code == "1" and doc.local.content_specification_id == "1.2.246.537.6.1505.1.2023.6.1"


def test_client_document_header_and_json():
    doc = plan(organiser=Org("1.2.246.10.2012566.10.40", "Helsingin sosiaali- ja terveystoimi"))
    assert doc.local.outsourcing_service_customer == "1.2.246.10.2012566.10.40"
    assert doc.custodian.id.root == ORGANISER.oid and doc.matter.responsible_org.id.root == "1.2.246.10.2012566.10.40"
    assert (doc.code.code, doc.local.specific_document_type.code, doc.local.function_code.code) == ("15", "15007", "24")
    assert doc.local.service_process.code.code == "3" and doc.matter.id.root and is_oid(doc.matter.id.root)
    body = structured(doc)["lapsiperheiden_palvelujen_asiakassuunnitelma"]
    assert body["suunnitelma"]["palvelut_joita_asiakkaalle_suunnitellaan"][0]["sosiaalipalvelu"]["code"] == "45"
    assert body["suunnitelma"]["selvitys_oikeuksista"] is True
    assert body["laatija"][0]["palveluyksikko"]["code"] == OWN_UNIT.oid and body["paivamaara"] == NOW.astimezone(HELSINKI).date().isoformat()  # the client dates in Finnish time


def test_unknown_structure_needs_its_specification_and_keeps_services_findable():
    with pytest.raises(ValueError, match="content_specification_id"):
        plan(structure_name="oma_rakenne")
    doc = plan(structure_name="oma_rakenne", content_specification_id="1.2.246.537.6.1506.15.2024.1.1")
    assert structured(doc)["oma_rakenne"]["sosiaalipalvelut"] == [
        {"sosiaalipalvelu": {"system": "urn:oid:1.2.246.537.6.1222.201601", "code": "45", "display": "Sosiaaliohjaus"}}]


def test_replacement_keeps_the_set_and_raises_the_version():
    first = plan()
    second = plan(replaces=replaces_of(first))
    assert second.document_id != first.document_id and second.set_id == first.set_id
    assert second.version_number == "2" and plan(replaces=replaces_of(second)).version_number == "3"
    [rel] = second.related
    assert (rel.type_code, rel.id.root, rel.version_number) == ("RPLC", first.document_id, "1")
    assert second.local.reason_of_correction.code == "1"


def test_a_minor_gets_the_disclosure_element_unless_told_otherwise(archive, professional):
    assert (plan().consent.code, plan().consent_status) == ("1", "completed")
    adult = Client(artificial_hetu(date(1970, 1, 1), 950), "Aikuinen", "Asiakas")
    assert plan(client=adult).consent is None and relationship(client=adult).consent is None
    assert plan(client=adult, consent="1").consent.code == "1"
    doc = plan(consent=None)
    found = check(archive, own_frame(doc), signed_bytes(doc, [professional]))
    assert [f.rule_id for f in found] == ["SH-MIN-001"]


def test_restriction_and_delay(archive, professional):
    doc = plan(restriction={"code": "1", "text": "Viivästys 1", "until": date(2027, 1, 1)})
    lh = doc.local
    assert (lh.inaccessible_argument.code, lh.authorization_restriction_argument, lh.inaccessible_until) == (
        "1", "Viivästys 1", "20270101")
    assert check(archive, own_frame(doc), signed_bytes(doc, [professional])) == []
    prohibited = plan(consent="2", restriction={"text": "Nuori kieltää luovuttamisen."})
    assert prohibited.local.inaccessible_argument is None and prohibited.consent.code == "2"
    assert check(archive, own_frame(prohibited), signed_bytes(prohibited, [professional])) == []
    with pytest.raises(ValueError, match="restriction takes"):
        plan(restriction={"reason": "1"})


def test_codes_the_data_does_not_name_need_a_display():
    with pytest.raises(ValueError, match=r"\(code, display\)"):
        plan(function_code="77")
    assert plan(function_code=("25", "Iäkkäiden palvelut")).local.function_code.display_name == "Iäkkäiden palvelut"
    assert coded("1.2.246.537.6.1221.201601", "24").code_system_name == "Sosiaalihuolto - Palvelutehtävä"


# --- identifiers -------------------------------------------------------------------------


def test_new_document_ids_are_unique_oids_under_the_organisation():
    ids = {new_document_id(ORGANISER.oid, 2026) for _ in range(200)}
    assert len(ids) == 200 and all(is_oid(i) and i.startswith("1.2.246.10.32213561.95.2026.") for i in ids)
    assert new_document_id("1.2.3.4", 2026).startswith("1.2.3.4.95.2026.")
    with pytest.raises(ValueError):
        new_document_id("not an oid")


@pytest.mark.parametrize("born", [date(1899, 12, 31), date(1960, 2, 29), date(2024, 1, 1)])
def test_artificial_hetu_is_valid_and_a_test_identity(born):
    for _ in range(20):
        hetu = parse_hetu(artificial_hetu(born))
        assert hetu.is_test and hetu.birth_date == born
    with pytest.raises(ValueError):
        artificial_hetu(born, 123)


def test_client_gender_follows_the_identity_code():
    assert Client(artificial_hetu(date(2000, 1, 1), 901), "A", "B").gender_code == "1"
    assert Client(artificial_hetu(date(2000, 1, 1), 902), "A", "B").gender_code == "2"
    assert Client(artificial_hetu(date(2000, 1, 1), 902), "A", "B", gender="1").gender_code == "1"


# --- answers -------------------------------------------------------------------------------


def test_answers_are_read_bare_or_in_a_soap_envelope():
    details = [AckDetail("E", "SH-HDR-001", "x", "e", "[fi] puuttuu", "/hl7:ClinicalDocument/hl7:id/@root"),
               AckDetail("W", "SH-FRM-004", "x", "w", "[fi] vastaanottaja", "/hl7:RCMR_IN200002FI01/hl7:receiver")]
    ack = build_ack("AE", None, details, sender_oid="1.2.246.556.18007.2", receiver_oid=ORGANISER.oid,
                    processing_code="D", now=datetime.now().astimezone() - timedelta(seconds=1), ack_id_root="1.2.246.556.18007.2")
    for raw in (ack, soap_envelope(ack)):
        answer = parse_answer(200, raw)
        assert answer.ack == "AE" and not answer.accepted
        assert answer.rule_ids == ["SH-HDR-001", "SH-FRM-004"]
        assert [d.rule for d in answer.errors] == ["SH-HDR-001"] and [d.rule for d in answer.warnings] == ["SH-FRM-004"]
        assert answer.errors[0].location == "/hl7:ClinicalDocument/hl7:id/@root"
