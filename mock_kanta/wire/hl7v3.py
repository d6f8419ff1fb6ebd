"""HL7 V3 messages: the archive frame (`RCMR_IN200002FI01`) and the application acknowledgement (lxml).
The frame's field declarations, constants and field XPaths are in `mock_kanta.wire.paths.hl7v3`
(lxml-free)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from mock_kanta.core.model import II, Coded, Frame, FrameAuthor, FrameDocument, Person
from mock_kanta.wire import safexml
from mock_kanta.wire.paths import NS
from mock_kanta.wire.paths.hl7v3 import (
    ACK_INTERACTION,
    ARCHIVE_INTERACTION,
    INTERACTION_ID_ROOT,
    SPEC,
)
from mock_kanta.wire.spec import read, write


def frame_from_tree(root: etree._Element) -> Frame:
    qn = etree.QName(root)
    interaction = qn.localname if qn.namespace == NS["hl7"] else root.tag
    return read(root, Frame, SPEC, interaction=interaction)


def parse_frame(data: bytes) -> tuple[Frame, etree._Element]:
    root = safexml.parse(data)
    return frame_from_tree(root), root


def build_frame(frame: Frame) -> etree._Element:
    root = etree.Element(f"{{{NS['hl7']}}}{frame.interaction or ARCHIVE_INTERACTION}", nsmap={None: NS["hl7"]})
    write(root, frame, SPEC)
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- application acknowledgement -------------------------------------------------

@dataclass(frozen=True)
class AckDetail:
    type_code: str  # E error, W warning, I information (HL7 AcknowledgementDetailType)
    code: str  # rule id
    code_system: str
    display_name: str
    text: str
    location: str


def _hl7(parent, tag, **attrs):
    return etree.SubElement(parent, f"{{{NS['hl7']}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def build_ack(
    type_code: str,
    target_id: II | None,
    details: list[AckDetail],
    *,
    sender_oid: str,
    receiver_oid: str | None,
    processing_code: str | None,
    now: datetime,
    ack_id_root: str,
    ack_id: str | None = None,
) -> bytes:
    """An `MCCI_IN000002UV01`-style application acknowledgement (AA / AE / AR), written from string templates:
    the same bytes as `build_ack_tree` (lxml; tests/unit/test_ack_bytes.py compares them), at a fraction of the
    cost. A string lxml would refuse (a control character, a surrogate) goes to lxml, which raises as before."""
    ack_id = ack_id or str(uuid.uuid4())
    strings = [ack_id_root, ack_id, receiver_oid, sender_oid, processing_code, type_code]
    if target_id is not None:
        strings += [target_id.root, target_id.extension]
    for d in details:
        strings += [d.type_code, d.code, d.code_system, d.display_name, d.text, d.location]
    if any(_NOT_XML.search(x) for x in strings if x):
        return build_ack_tree(type_code, target_id, details, sender_oid=sender_oid, receiver_oid=receiver_oid,
                              processing_code=processing_code, now=now, ack_id_root=ack_id_root, ack_id=ack_id)
    out = [_ACK_HEAD, _empty("id", root=ack_id_root, extension=ack_id),
           _empty("creationTime", value=now.strftime("%Y%m%d%H%M%S%z")), _ACK_INTERACTION_ID,
           _empty("processingCode", code=processing_code or "P"), _ACK_MODES, _ACK_RECEIVER,
           _empty("id", root=receiver_oid, nullFlavor=None if receiver_oid else "UNK"), _ACK_SENDER,
           _empty("id", root=sender_oid), _ACK_SENDER_END, _empty("acknowledgement", typeCode=type_code)[:-2],
           ">" + _TARGET]
    if target_id is not None and (target_id.root or target_id.extension):
        out.append(_empty("id", root=target_id.root, extension=target_id.extension))
    else:
        out.append('<id nullFlavor="UNK"/>')
    out.append(_TARGET_END)
    for d in details:
        out += [_empty("acknowledgementDetail", typeCode=d.type_code)[:-2], ">",
                _empty("code", code=d.code, codeSystem=d.code_system, displayName=d.display_name),
                _text_element("text", d.text), _text_element("location", d.location), "</acknowledgementDetail>"]
    out.append(_ACK_TAIL)
    return "".join(out).encode("utf-8")


# The acknowledgement's fixed parts, as lxml writes them.
_ACK_HEAD = f"<?xml version='1.0' encoding='UTF-8'?>\n<{ACK_INTERACTION} xmlns=\"{NS['hl7']}\" ITSVersion=\"XML_1.0\">"
_ACK_INTERACTION_ID = f'<interactionId root="{INTERACTION_ID_ROOT}" extension="{ACK_INTERACTION}"/>'
_ACK_MODES = '<processingModeCode code="T"/><acceptAckCode code="NE"/>'
_ACK_RECEIVER = '<receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE">'
_ACK_SENDER = '</device></receiver><sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE">'
_ACK_SENDER_END = "</device></sender>"
_TARGET, _TARGET_END = "<targetMessage>", "</targetMessage>"
_ACK_TAIL = f"</acknowledgement></{ACK_INTERACTION}>"
# What lxml refuses to write at all (control characters, U+FFFE/U+FFFF, surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attr(value: str) -> str:
    """An attribute value escaped as libxml2 does (str.replace: far cheaper than str.translate here)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return value


def _empty(tag: str, **attrs: str | None) -> str:
    """An empty element, its attributes in order, None ones left out (as `_hl7` does)."""
    return "<" + tag + "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items() if v is not None) + "/>"


def _text_element(tag: str, text: str | None) -> str:
    if text is None:
        return f"<{tag}/>"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f"<{tag}>{text}</{tag}>"


def build_ack_tree(
    type_code: str,
    target_id: II | None,
    details: list[AckDetail],
    *,
    sender_oid: str,
    receiver_oid: str | None,
    processing_code: str | None,
    now: datetime,
    ack_id_root: str,
    ack_id: str | None = None,
) -> bytes:
    """The acknowledgement built as an lxml tree: the reference `build_ack` is held to."""
    root = etree.Element(f"{{{NS['hl7']}}}{ACK_INTERACTION}", nsmap={None: NS["hl7"]}, ITSVersion="XML_1.0")
    _hl7(root, "id", root=ack_id_root, extension=ack_id or str(uuid.uuid4()))
    _hl7(root, "creationTime", value=now.strftime("%Y%m%d%H%M%S%z"))
    _hl7(root, "interactionId", root=INTERACTION_ID_ROOT, extension=ACK_INTERACTION)
    _hl7(root, "processingCode", code=processing_code or "P")
    _hl7(root, "processingModeCode", code="T")
    _hl7(root, "acceptAckCode", code="NE")
    receiver = _hl7(_hl7(root, "receiver", typeCode="RCV"), "device", classCode="DEV", determinerCode="INSTANCE")
    _hl7(receiver, "id", root=receiver_oid, nullFlavor=None if receiver_oid else "UNK")
    sender = _hl7(_hl7(root, "sender", typeCode="SND"), "device", classCode="DEV", determinerCode="INSTANCE")
    _hl7(sender, "id", root=sender_oid)
    ack = _hl7(root, "acknowledgement", typeCode=type_code)
    target = _hl7(ack, "targetMessage")
    if target_id is not None and (target_id.root or target_id.extension):
        _hl7(target, "id", root=target_id.root, extension=target_id.extension)
    else:
        _hl7(target, "id", nullFlavor="UNK")
    for d in details:
        el = _hl7(ack, "acknowledgementDetail", typeCode=d.type_code)
        _hl7(el, "code", code=d.code, codeSystem=d.code_system, displayName=d.display_name)
        _hl7(el, "text").text = d.text
        _hl7(el, "location").text = d.location
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse_ack(data: bytes) -> dict:
    """Read an acknowledgement back (for clients and tests)."""
    root = safexml.parse(data)
    ack = root.find("hl7:acknowledgement", NS)
    target = ack.find("hl7:targetMessage/hl7:id", NS)
    return {
        "type_code": ack.get("typeCode"),
        "target": II(target.get("root"), target.get("extension"), target.get("nullFlavor")),
        "details": [
            {
                "type_code": d.get("typeCode"),
                "code": d.find("hl7:code", NS).get("code"),
                "text": d.findtext("hl7:text", namespaces=NS),
                "location": d.findtext("hl7:location", namespaces=NS),
            }
            for d in ack.findall("hl7:acknowledgementDetail", NS)
        ],
    }


__all__ = ["Coded", "FrameAuthor", "FrameDocument", "Person", "parse_frame", "build_frame", "build_ack", "parse_ack"]
