"""The acknowledgement written from string templates (hl7v3.build_ack) is byte for byte what the lxml
builder (hl7v3.build_ack_tree) writes, for real findings and for awkward strings."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mock_kanta.archive.service import ack_details
from mock_kanta.core.model import II
from mock_kanta.rules import finding
from mock_kanta.settings import KANTA_SH_DEVICE, RULES_CODE_SYSTEM
from mock_kanta.wire import hl7v3
from mock_kanta.wire.hl7v3 import AckDetail

NOW = datetime(2026, 11, 23, 14, 5, 9, tzinfo=timezone(timedelta(hours=2)))
ACK_ID = "0b6f8a52-3d51-4c1e-9a5e-2f7c1d9b8e41"
AWKWARD = 'quote " apostrophe \' <tag> & amp; ]]> line\nbreak\r\ttab ä€😀 \x7f\x85 '


def both(type_code, target, details, **kwargs) -> tuple[bytes, bytes]:
    args = {"sender_oid": KANTA_SH_DEVICE, "receiver_oid": "1.2.246.10.2012566.10.0", "processing_code": "T",
            "now": NOW, "ack_id_root": KANTA_SH_DEVICE, "ack_id": ACK_ID, **kwargs}
    return (hl7v3.build_ack(type_code, target, details, **args), hl7v3.build_ack_tree(type_code, target, details, **args))


def detail(**fields) -> AckDetail:
    return AckDetail(**{"type_code": "E", "code": "SH-TEST-001", "code_system": RULES_CODE_SYSTEM, "display_name": "x",
                        "text": "t", "location": "/hl7:ClinicalDocument", **fields})


@pytest.mark.parametrize("case", [
    dict(type_code="AA", target=II("1.2.246.10.2012566.10.0.1", "msg-1"), details=[]),
    dict(type_code="AE", target=II("1.2.246.10.2012566.10.0.1", None),
         details=ack_details([finding("SH-ARC-001", "/hl7:ClinicalDocument/hl7:id", document_id="1.2.3", received_at="2026-11-23"),
                              finding("SH-XML-003", "/", part="HTTP body", size=5, limit=4)])),
    dict(type_code="AR", target=None, details=ack_details([finding("SH-TRN-004", "/", detail="no sandbox tenant 'x&<y>'")]),
         receiver_oid=None, processing_code=None),
    dict(type_code="AR", target=II(None, "only-extension"), details=[], receiver_oid=""),
    dict(type_code="AR", target=II(None, None), details=[detail(text=None, location=None)]),
    dict(type_code="AE", target=II(AWKWARD, AWKWARD),
         details=[detail(type_code="W", display_name=AWKWARD, text=AWKWARD, location=AWKWARD), detail(text="", location="")]),
], ids=["AA", "AE-findings", "AR-no-frame", "extension-only", "empty-target-none-texts", "awkward-strings"])
def test_template_bytes_equal_lxmls(case):
    case = dict(case)
    templated, tree = both(case.pop("type_code"), case.pop("target"), case.pop("details"), **case)
    assert templated == tree
    assert hl7v3.parse_ack(templated)["type_code"] in ("AA", "AE", "AR")


def test_a_string_lxml_refuses_is_refused_alike():
    for bad in ("control \x01 character", "noncharacter \ufffe"):
        with pytest.raises(ValueError):
            hl7v3.build_ack("AE", None, [detail(text=bad)], sender_oid=KANTA_SH_DEVICE, receiver_oid=None,
                            processing_code=None, now=NOW, ack_id_root=KANTA_SH_DEVICE)


def test_each_ack_gets_its_own_id():
    kwargs = dict(sender_oid=KANTA_SH_DEVICE, receiver_oid=None, processing_code=None, now=NOW, ack_id_root=KANTA_SH_DEVICE)
    assert hl7v3.build_ack("AA", None, [], **kwargs) != hl7v3.build_ack("AA", None, [], **kwargs)
