"""Rules against edited samples, through the archive's read and check (no HTTP, no store)."""
import base64
import dataclasses
import re
from datetime import datetime, timezone

import pytest

from mock_kanta.archive.service import Archive
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.findings import Severity
from mock_kanta.rules import REGISTRY, evaluate
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust
from tests.conftest import SAMPLES, sample
from tests.helpers import replace_once
from tests.signing import sample_certificates_pem


@pytest.fixture(scope="module")
def trust(tmp_path_factory):
    pem = tmp_path_factory.mktemp("trust") / "samples.pem"
    pem.write_bytes(sample_certificates_pem(SAMPLES))
    return Trust(Pki.open(tmp_path_factory.mktemp("pki")), load_extra_trust(pem))


@pytest.fixture(scope="module")
def archive(trust):
    return Archive(Settings(), store=None, codes=CodeSystems.load(), trust=trust)


# The samples' system certificate expired on 2026-10-09: check as if they arrived when they were sent.
SAMPLE_TIME = datetime(2026, 7, 17, 10, 10, tzinfo=timezone.utc)


def check(archive, frame: bytes, document: bytes, at=SAMPLE_TIME):
    return archive.check(archive.read_parts(frame, document, "test"), at=at)


def ids(findings, severity=None):
    return sorted(f.rule_id for f in findings if severity is None or f.severity is severity)


PLAN = ("asiakassuunnitelma",)
REL = ("asiakkuusasiakirja",)


def pair(name):
    return sample(name, "frame"), sample(name, "document")


def test_samples_have_only_their_true_warnings(archive):
    assert ids(check(archive, *pair("asiakkuusasiakirja"))) == ["SH-SIG-007"]
    assert ids(check(archive, *pair("asiakassuunnitelma"))) == ["SH-FRM-006", "SH-HDR-015", "SH-SIG-007", "SH-SIG-007"]


def test_service_request_must_fit_document_group(archive):
    frame, doc = pair("asiakkuusasiakirja")
    frame = replace_once(frame, b'code="SP1"', b'code="SP17"')
    assert "SH-CON-009" in ids(check(archive, frame, doc))


def test_own_use_requires_sender_to_be_custodian(archive):
    frame, doc = pair("asiakassuunnitelma")
    frame = re.sub(rb'(<sender typeCode="SND">\s*<device[^>]*>\s*<id root=")[0-9.]+', rb"\g<1>1.2.246.10.29876516.10.0", frame)
    found = check(archive, frame, doc)
    assert "SH-CON-010" in ids(found)
    hit = next(f for f in found if f.rule_id == "SH-CON-010")
    assert hit.location == "/hl7:RCMR_IN200002FI01/hl7:sender/hl7:device/hl7:id"
    assert "1.2.246.10.29876516.10.0" in hit.message["fi"] and "rekisterinpitäjä" in hit.message["fi"]


def test_real_identity_is_refused(archive):
    frame, doc = pair("asiakassuunnitelma")
    from mock_kanta.core.identity import check_char

    real = f"180418A123{check_char('180418', '123')}".encode()
    frame, doc = frame.replace(b"180418A903L", real), doc.replace(b"180418A903L", real)
    found = ids(check(archive, frame, doc), Severity.ERROR)
    assert found.count("SH-ID-002") == 2  # document and frame recordTarget


def test_codes_against_complete_and_partial_systems(archive):
    frame, doc = pair("asiakassuunnitelma")
    doc = replace_once(doc, b'<ep2:functionCode code="24"', b'<ep2:functionCode code="77"')
    doc = replace_once(doc, b'<ep2:recordStatus code="3" displayName="Arkistointivalmis" codeSystemName="eArkisto - Asiakirjan valmistumisen tila" codeSystem="1.2.246.537.5.40154.2008"',
                       b'<ep2:recordStatus code="3" codeSystem="1.2.246.537.5.40154"')
    found = check(archive, frame, doc)
    assert "SH-COD-003" in ids(found, Severity.WARNING)  # 77 may exist: the sandbox's list is partial
    assert "SH-COD-001" in ids(found, Severity.ERROR)


def test_complete_code_system_override_turns_unknown_into_error(tmp_path, archive):
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "tasks.yaml").write_text(
        "1.2.246.537.6.1221.201601:\n  complete: true\n  codes:\n    '25': {display: Iäkkäiden palvelut, verified: false}\n",
        encoding="utf-8")
    strict = Archive(Settings(data_dir=tmp_path), store=None, codes=CodeSystems.load(tmp_path / "codes"), trust=archive.trust)
    frame, doc = pair("asiakassuunnitelma")
    doc = replace_once(doc, b'<ep2:functionCode code="24"', b'<ep2:functionCode code="77"')
    found = check(strict, frame, doc)
    unknown = next(f for f in found if f.rule_id == "SH-COD-002")
    assert "24, 25" in unknown.fix["en"]


def test_bodies_must_decode_and_parse(archive):
    frame, doc = pair("asiakassuunnitelma")
    not_json = base64.b64encode(b"{not json").decode().encode()
    doc = re.sub(rb"(<ep2:json[^>]*>).*?(</ep2:json>)", rb"\g<1>" + not_json + rb"\g<2>", doc, flags=re.S)
    broken_xhtml = base64.b64encode(b"<div class='soc-document'><p></div>")
    doc = re.sub(rb'(representation="B64">).*?(</text>)', rb"\g<1>" + broken_xhtml + rb"\g<2>", doc, flags=re.S)
    found = ids(check(archive, frame, doc))
    assert "SH-BODY-011" in found and "SH-BODY-005" in found


def test_client_document_without_context_lists_every_missing_element(archive):
    frame, doc = pair("asiakassuunnitelma")
    for tag in (rb"<ep2:functionCode [^>]*/>", rb"<ep2:serviceProcess>.*?</ep2:serviceProcess>", rb"<ep2:specificDocumentType [^>]*/>"):
        doc = re.sub(tag, b"", doc, flags=re.S)
    found = ids(check(archive, frame, doc))
    assert {"SH-LSH-009", "SH-LSH-010", "SH-LSH-011"} <= set(found)


def test_scripts_in_display_form_are_reported(archive):
    frame, doc = pair("asiakassuunnitelma")
    xhtml = base64.b64encode(
        b'<div xmlns="http://www.w3.org/1999/xhtml" class="soc-document" id="OID1.2.246.10.2012566.95.2026.688883.2655274">'
        b"<img src='x' onerror='alert(1)'/></div>")
    doc = re.sub(rb'(representation="B64">).*?(</text>)', rb"\g<1>" + xhtml + rb"\g<2>", doc, flags=re.S)
    found = check(archive, frame, doc)
    assert [f.rule_id for f in found if f.severity is Severity.INFO] == ["SH-BODY-014"]


def test_every_rule_speaks_three_languages():
    for r in REGISTRY.values():
        for text in (r.title, r.message, r.fix):
            assert text.fi and text.sv and text.en, r.id
        assert r.source, r.id


def test_sample_arriving_after_its_certificate_expired_is_accepted_with_a_warning(archive):
    """Signed on 17.7.2026 inside its certificate's validity (to 9.10.2026), it arrives in November: no public
    source says Kanta judges validity at arrival, so the reading that refuses less is taken, with SH-SIG-011
    saying so (docs/cards-and-signatures.md, "When a certificate must be valid")."""
    found = check(archive, *pair("asiakkuusasiakirja"), at=datetime(2026, 11, 23, tzinfo=timezone.utc))
    assert ids(found, Severity.ERROR) == []
    assert ids(found, Severity.WARNING) == ["SH-SIG-007", "SH-SIG-011"]
    assert "2026-10-09" in next(f for f in found if f.rule_id == "SH-SIG-011").message["en"]


def test_sample_without_extra_trust_is_untrusted(tmp_path):
    bare = Archive(Settings(), store=None, codes=CodeSystems.load(), trust=Trust(Pki.open(tmp_path / "pki"), []))
    found = check(bare, *pair("asiakassuunnitelma"))
    assert ids(found).count("SH-SIG-009") == 2
    assert "DVV TEST" in next(f for f in found if f.rule_id == "SH-SIG-009").message["en"]


def test_a_crashing_check_is_reported_and_hides_no_other_finding(archive):
    """SH-SYS-001: a check that raises becomes a finding of its own; the checks after it still run."""
    parsed = archive.read_parts(*pair("asiakassuunnitelma"), "test")
    archive.check(parsed, at=SAMPLE_TIME)  # fills parsed.context as the archive does
    broken = dataclasses.replace(REGISTRY["SH-FRM-001"], check=lambda ctx: iter([ctx.frame.no_such_field]))
    found = evaluate(parsed.context, [broken, REGISTRY["SH-FRM-006"], REGISTRY["SH-HDR-015"]])
    assert [f.rule_id for f in found] == ["SH-SYS-001", "SH-FRM-006", "SH-HDR-015"]
    assert found[0].location == "(rule SH-FRM-001)" and "no_such_field" in found[0].message["en"]
