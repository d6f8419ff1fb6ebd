"""A hardened lxml parser for untrusted input.

No network, no DTD loading, no entity expansion; a document carrying any DTD is
refused outright. Size is bounded by the caller (`MAX_BYTES`); depth by libxml2's
default limit (256 levels, since `huge_tree` stays off).
"""
from __future__ import annotations

import re

from lxml import etree

MAX_BYTES = 16 * 1024 * 1024


class XMLInputError(ValueError):
    """Raised for input that is not acceptable XML. `kind` names the reason."""

    def __init__(self, kind: str, detail: str, size: int | None = None, limit: int | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # "too-large" | "too-deep" | "malformed" | "dtd" | "empty"
        self.detail = detail
        self.size, self.limit = size, limit


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


_PARSER = _parser()


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an element tree root, or raise XMLInputError."""
    if not data or not data.strip():
        raise XMLInputError("empty", "no XML content")
    if len(data) > max_bytes:
        raise XMLInputError("too-large", f"{len(data)} bytes exceeds the limit of {max_bytes}", len(data), max_bytes)
    if _has_doctype(data):
        raise XMLInputError("dtd", "a DOCTYPE (DTD, entity declarations) is not allowed in Kanta messages")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        detail = _describe(exc)
        kind = "too-deep" if "Excessive depth" in detail else "malformed"
        raise XMLInputError(kind, detail) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # belt and braces
        raise XMLInputError("dtd", "a DOCTYPE (DTD, entity declarations) is not allowed in Kanta messages")
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
