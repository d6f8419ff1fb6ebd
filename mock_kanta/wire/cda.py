"""The Kanta social welfare CDA R2 document: parse and build (lxml).

Element order follows the CDA R2 schema and the public samples, so a built
document reads like vendor output. The field declarations and the XPath of a field
are in `mock_kanta.wire.paths.cda` (lxml-free).
"""
from __future__ import annotations

from lxml import etree

from mock_kanta.core.model import ClinicalDocument
from mock_kanta.wire import safexml
from mock_kanta.wire.paths import NS
from mock_kanta.wire.paths.cda import LSH, SPEC
from mock_kanta.wire.spec import read, write

__all__ = ["NotACdaDocument", "document_from_tree", "parse_document", "build_document", "to_bytes"]


class NotACdaDocument(ValueError):
    pass


def document_from_tree(root: etree._Element) -> ClinicalDocument:
    if root.tag != f"{{{NS['hl7']}}}ClinicalDocument":
        raise NotACdaDocument(f"root element is {root.tag}, expected {{urn:hl7-org:v3}}ClinicalDocument")
    return read(root, ClinicalDocument, SPEC)


def parse_document(data: bytes) -> tuple[ClinicalDocument, etree._Element]:
    """Parse CDA bytes (hardened) into the domain object and the element tree."""
    root = safexml.parse(data)
    return document_from_tree(root), root


def build_document(doc: ClinicalDocument, signatures: list[etree._Element] | None = None) -> etree._Element:
    """Build a CDA element tree from a domain object.

    `signatures` (`hl7fi:signature` elements) go into `hl7fi:signatureCollection`
    at the end of the local header, where Kanta expects them.
    """
    root = etree.Element(f"{{{NS['hl7']}}}ClinicalDocument", nsmap={None: NS["hl7"], "hl7fi": NS["hl7fi"]})
    write(root, doc, SPEC)
    if signatures:
        local = root.find(LSH, NS)
        if local is None:
            local = etree.Element(f"{{{NS['hl7fi']}}}localSocialHeader")
            root.find("hl7:component", NS).addprevious(local)
        collection = etree.SubElement(local, f"{{{NS['hl7fi']}}}signatureCollection")
        collection.extend(signatures)
    _place_local_header(root)
    return root


def _place_local_header(root: etree._Element) -> None:
    """The local header sits after componentOf and before component (samples)."""
    local = root.find(LSH, NS)
    component = root.find("hl7:component", NS)
    if local is not None and component is not None:
        component.addprevious(local)


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
