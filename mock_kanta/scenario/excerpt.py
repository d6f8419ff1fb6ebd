"""Readable excerpts of what a step sent and received, for reports: XML indented, Base64 and long texts elided.

A signed document is mostly Base64 (the display form, the structured JSON, certificates);
the excerpt keeps every element and attribute and replaces long texts with a note of their
length, then decodes the structured JSON so a reader sees what the document says.
"""
from __future__ import annotations

import base64
import binascii
import json

from lxml import etree

from mock_kanta.wire import safexml

LONG_TEXT = 120
LONG_PLAIN = 4_000
MAX_CHARS = 12_000
_B64_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n\t ")


def clip(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit:,} more characters not shown)"


def _shorter(text: str) -> str:
    """Base64 replaced by a note of its length; other text kept (cut only when very long)."""
    raw = text.strip()
    if len(raw) <= LONG_TEXT:
        return text
    if set(raw.encode("utf-8", "replace")) <= _B64_CHARS and max(len(t) for t in raw.split()) > 60:
        return f"[{len(raw):,} characters of Base64 not shown]"
    return text if len(raw) <= LONG_PLAIN else raw[:LONG_PLAIN] + f" … [{len(raw) - LONG_PLAIN:,} more characters]"


def xml(data: bytes | None, *, limit: int = MAX_CHARS) -> str:
    """`data` indented, long texts elided; not XML: the bytes as text."""
    if not data:
        return ""
    try:
        root = safexml.parse(data)
    except Exception:  # an excerpt must never fail the report: show what came
        return clip(data.decode("utf-8", "replace"), limit)
    root = etree.fromstring(etree.tostring(root))  # a copy to edit
    for el in root.iter():
        if isinstance(el.tag, str) and el.text:
            el.text = _shorter(el.text)
        if el.tail:  # text after a comment inside an element
            el.tail = _shorter(el.tail)
    etree.indent(root, space="  ")
    return clip(etree.tostring(root, encoding="unicode"), limit)


def structured_json(document: bytes | None) -> str:
    """The document's structured JSON part (Base64 in nonXMLBody), pretty-printed, if it has one."""
    if not document:
        return ""
    try:
        root = safexml.parse(document)
    except Exception:
        return ""
    for el in root.iter("{urn:hl7finland}json"):
        b64 = "".join([el.text or ""] + [child.tail or "" for child in el])  # comments may split the text
        if b64.strip():
            try:
                decoded = json.loads(base64.b64decode("".join(b64.split())))
            except (binascii.Error, ValueError):
                return ""
            return json.dumps(decoded, ensure_ascii=False, indent=1)
    return ""


def document(frame: bytes | None, doc: bytes | None) -> str:
    """The frame, the document (Base64 elided) and its structured content, as one text."""
    parts = []
    if frame:
        parts.append("--- archive frame ---\n" + xml(frame, limit=6_000))
    if doc:
        parts.append("--- document (Base64 parts not shown) ---\n" + xml(doc, limit=8_000))
        content = structured_json(doc)
        if content:
            parts.append("--- structured content (JSON) ---\n" + clip(content, 3_000))
    return "\n\n".join(parts)


def as_json(value) -> str:
    return clip(json.dumps(value, ensure_ascii=False, indent=1, default=str))
