"""A hardened lxml parser for untrusted input.

No network, no DTD loading, no entity expansion; a document carrying any DTD is
refused outright. Size is bounded by the caller (`MAX_BYTES`); the number of elements,
attributes and the depth by `limits.Limits` (libxml2 itself stops at 256 levels, since
`huge_tree` stays off). A part with more elements than allowed is read only up to the bound
(never built whole), so a flood of tiny elements costs no more than the bound.
"""
from __future__ import annotations

import re

from lxml import etree

from mock_kanta.wire.limits import Excess, Limits, default, shape_excess

MAX_BYTES = 16 * 1024 * 1024


class XMLInputError(ValueError):
    """Raised for input that is not acceptable XML. `kind` names the reason."""

    def __init__(self, kind: str, detail: str, size: int | None = None, limit: int | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # "too-large" | "too-deep" | "malformed" | "dtd" | "empty" | "limit"
        self.detail = detail
        self.size, self.limit = size, limit
        self.excess: Excess | None = None  # kind "limit": the bound the part breaks


class LimitExceeded(XMLInputError):
    """The part breaks one of the sandbox's bounds (`Limits`): too many elements or attributes, too deep."""

    def __init__(self, excess: Excess):
        super().__init__("limit", f"{excess.count} {excess.what} exceed the limit of {excess.limit} ({excess.setting})",
                         excess.count, excess.limit)
        self.excess = excess


_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
                remove_pis=True, collect_ids=False)
_CHUNK = 64 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_OPTIONS)


_PARSER = _parser()


def parse(data: bytes, max_bytes: int = MAX_BYTES, limits: Limits | None = None) -> etree._Element:
    """Parse untrusted bytes into an element tree root, or raise XMLInputError (LimitExceeded past a bound
    of `limits`, by default the environment's)."""
    limits = limits or default()
    if not data or not data.strip():
        raise XMLInputError("empty", "no XML content")
    if len(data) > max_bytes:
        raise XMLInputError("too-large", f"{len(data)} bytes exceeds the limit of {max_bytes}", len(data), max_bytes)
    if _has_doctype(data):
        raise XMLInputError("dtd", "a DOCTYPE (DTD, entity declarations) is not allowed in Kanta messages")
    try:
        # Every element has a start tag: '<' not followed by '/' bounds their number from above.
        if data.count(b"<") - data.count(b"</") > limits.elements:
            root = _counted(data, limits.elements)
        else:
            root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        detail = _describe(exc)
        kind = "too-deep" if "Excessive depth" in detail else "malformed"
        raise XMLInputError(kind, detail) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # belt and braces
        raise XMLInputError("dtd", "a DOCTYPE (DTD, entity declarations) is not allowed in Kanta messages")
    if data.count(b"=") > limits.attributes or data.count(b"<") > limits.depth:  # else nothing to count
        excess = shape_excess(root, limits)
        if excess is not None:
            raise LimitExceeded(excess)
    return root


def _counted(data: bytes, limit: int) -> etree._Element:
    """Parse in chunks, counting the elements; LimitExceeded as soon as there are more than `limit`."""
    parser = etree.XMLPullParser(events=("start",), **_OPTIONS)
    count = 0
    for at in range(0, len(data), _CHUNK):
        parser.feed(data[at:at + _CHUNK])
        count += sum(1 for _ in parser.read_events())
        if count > limit:
            raise LimitExceeded(Excess("elements", "/", count, limit))
    root = parser.close()
    count += sum(1 for _ in parser.read_events())
    if count > limit:
        raise LimitExceeded(Excess("elements", "/", count, limit))
    return root


_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _has_doctype(data: bytes) -> bool:
    """True when the prolog (before the root element) holds a DOCTYPE."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_SKIP.match(data, pos)
        if not m:
            break
        pos = m.end()
    return data[pos : pos + 64].lstrip().upper().startswith(b"<!DOCTYPE")


def _describe(exc: etree.XMLSyntaxError) -> str:
    msg = str(exc.msg or exc).strip()
    line = getattr(exc, "lineno", None)
    return f"{msg} (line {line})" if line else msg
