"""Reading a read message through the wire: the body's size, its media type, the SOAP envelope, the hardened
XML parser and the root element this path takes. What stops it is a `Problem`: the body or its XML could not
be read (`unreadable`: the archive's SH-XML rules, `rules.unread`), or it is not a read of this path
(`problems`: the read checks' SH-QRY-001 and 002)."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from mock_kanta.rules import Problem, ProblemKind
from mock_kanta.wire import safexml, soap
from mock_kanta.wire.paths import NS
from mock_kanta.wire.paths.query import Interaction, ReadRequest
from mock_kanta.wire.query_messages import request_from_tree

_XML_KINDS = {k.value: k for k in (ProblemKind.EMPTY, ProblemKind.MALFORMED, ProblemKind.DTD, ProblemKind.TOO_LARGE,
                                   ProblemKind.TOO_DEEP)}  # the parser's kinds


@dataclass(frozen=True)
class Reading:
    request: ReadRequest | None = None
    soap_version: str | None = None  # the answer goes back in an envelope of the same version
    unreadable: Problem | None = None
    problems: tuple[Problem, ...] = ()


def read_message(kind: str, interaction: Interaction, body: bytes, content_type: str | None, limit: int) -> Reading:
    if len(body) > limit:
        return Reading(unreadable=Problem.too_large(len(body), limit))
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in soap.XML_MEDIA_TYPES:
        return _not_read(f"Content-Type {media or 'missing'!r}; expected one of {', '.join(soap.XML_MEDIA_TYPES)}")
    try:
        envelope = soap.unpack(body, content_type)
        root = safexml.parse(envelope.frame_bytes, limit)
    except safexml.XMLInputError as exc:
        return Reading(unreadable=Problem(_XML_KINDS.get(exc.kind, ProblemKind.MALFORMED), f"{kind} message", detail=exc.detail,
                                          size=exc.size, limit=exc.limit))
    except soap.TransportError as exc:
        return _not_read(f"{exc} [{exc.reason}]")
    qn = etree.QName(root)
    if qn.namespace != NS["hl7"] or qn.localname != interaction.request:
        found = root.tag if qn.namespace != NS["hl7"] else qn.localname
        return Reading(soap_version=envelope.soap_version,
                       problems=(Problem(ProblemKind.WRONG_ROOT, found=found, expected=interaction.request),))
    return Reading(request_from_tree(root), envelope.soap_version)


def _not_read(detail: str) -> Reading:
    return Reading(problems=(Problem(ProblemKind.TRANSPORT, detail=detail),))
