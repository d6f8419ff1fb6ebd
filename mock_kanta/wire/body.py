"""The nonXMLBody read once per document: both forms decoded from Base64 (strictly), the XHTML display form
parsed (hardened) and scanned for active content, the structured form parsed as JSON. The checks read the
result (`mock_kanta.core.body.DecodedBody`); so does the archive, for the rights an asiakkuusasiakirja grants."""
from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from mock_kanta.core.body import DecodedBody, Xhtml
from mock_kanta.core.model import Body
from mock_kanta.wire import safejson, safexml

XHTML = "application/xhtml+xml"
PDF = "application/pdf"


def decode(body: Body | None) -> DecodedBody | None:
    """The body's forms as values; None when the document has no body."""
    if body is None:
        return None
    display = b64(body.display_b64)
    xhtml = xhtml_error = None
    if display is not None and body.display_media_type == XHTML:
        try:
            xhtml = _xhtml(safexml.parse(display), display)
        except safexml.XMLInputError as exc:
            xhtml_error = exc.detail
    structured, structured_error = _structured(body.json_b64)
    return DecodedBody(display, xhtml, xhtml_error, structured, structured_error)


def b64(value: str | None) -> bytes | None:
    """Strict Base64 decode; None when absent or invalid."""
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _structured(value: str | None) -> tuple[object, str | None]:
    if not value:
        return None, None
    raw = b64(value)
    if raw is None:
        return None, "not valid Base64"
    try:  # bounded (depth, numbers, no lone surrogate): what the checks and the store take must encode again
        return safejson.loads(raw), None
    except safejson.JSONInputError as exc:
        return None, f"not UTF-8 JSON ({exc})"


def _xhtml(root: etree._Element, raw: bytes) -> Xhtml:
    return Xhtml(root.tag, root.get("class"), root.get("id"), _active(root, raw))


_ACTIVE = etree.XPath(
    "(//*[local-name()='script' or local-name()='iframe' or local-name()='object' or local-name()='embed']"
    " | //*[@*[starts-with(translate(local-name(), 'ON', 'on'), 'on')]])[1]"
)
# A cheap byte scan before the XPath (on the ASCII-lowercased bytes; not for UTF-16): an active tag,
# or an `on...=` attribute after white space. The handler scan looks for the literal "on" first and
# then checks the rest, several times faster than one `\son\w+\s*=` alternation with re.I.
_ACTIVE_TAG = re.compile(rb"<\s*(?:\w+:)?(?:script|iframe|object|embed)\b")
_ON = re.compile(rb"on\w*\s*=")
_HANDLER = re.compile(rb"on\w+\s*=")


def _active_hint(raw: bytes) -> bool:
    low = raw.lower()
    if _ACTIVE_TAG.search(low):
        return True
    return any(m.start() > 0 and low[m.start() - 1:m.start()].isspace() and _HANDLER.match(low, m.start())
               for m in _ON.finditer(low))


def _active(root: etree._Element, raw: bytes) -> str | None:
    """The first active element of the display form, as `local` or `local@handler`; None if none."""
    if b"\x00" not in raw[:200] and not _active_hint(raw):  # cheap byte scan (not for UTF-16), XPath confirms
        return None
    found = _ACTIVE(root)
    if not found:
        return None
    el = found[0]
    handlers = [a for a in el.attrib if a.lower().startswith("on")]
    local = etree.QName(el).localname
    return f"{local}@{handlers[0]}" if handlers else local
