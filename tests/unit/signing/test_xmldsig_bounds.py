"""The signature checks stay linear in the document (issue 13): an ID's carriers are named, not listed; a
referenced node is canonicalised once per transform set that can change it; signatures and references past
the bounds are counted, not read."""
from __future__ import annotations

import re

from lxml import etree

from mock_kanta.signing.xmldsig import excess, verify_document
from mock_kanta.signing.xmldsig import verify as verify_module
from mock_kanta.wire import safexml
from mock_kanta.wire.limits import Limits
from tests.conftest import sample

DOCUMENT = sample("asiakassuunnitelma", "document")
BODY_ID = re.search(rb'<nonXMLBody[^>]*ID="([^"]+)"', DOCUMENT).group(1)


def _with_header(markup: bytes) -> etree._Element:
    return safexml.parse(DOCUMENT.replace(b"<signatureCollection", markup + b"<signatureCollection", 1),
                         limits=Limits(elements=100_000, header_elements=100_000))


def test_sixteen_thousand_carriers_of_the_body_id_are_counted_and_three_named():
    root = _with_header(b"<junk>" + (b'<x ID="' + BODY_ID + b'"/>') * 16_000 + b"</junk>")
    results = verify_document(root, Limits(elements=100_000, header_elements=100_000))
    [message] = {m for r in results for m in r.wrapping_problems if "carried by" in m}
    assert "carried by 16001 elements" in message and "and 15998 more" in message
    assert message.count("/hl7:ClinicalDocument") == 3  # before: all 16,001 paths, each costing its siblings


def test_inclusive_prefixes_nothing_declares_make_no_canonicalisation_of_their_own():
    root = safexml.parse(DOCUMENT)
    doc = verify_module._Doc(root)
    refs = [verify_module.Ref(f"#OID{doc.doc_id}", "http://www.w3.org/2001/10/xml-exc-c14n#", (f"p{i}",), "sha256", None)
            for i in range(300)]
    digests = {doc.body_digest(ref, stripped=False) for ref in refs}
    assert len(digests) == 1 and len(doc._digests) == 1  # one canonicalisation for the 300 prefix lists


def test_signatures_and_references_past_the_bounds_are_counted_not_read():
    root = safexml.parse(DOCUMENT)  # two signatures of two references each
    assert excess(root, Limits()) == []
    found = excess(root, Limits(signatures=1, references=1))
    assert [(e.what, e.count, e.limit) for e in found] == [("signatures", 2, 1), ("references", 2, 1)]
    assert found[1].location.endswith("hl7fi:signature[1]/ds:Signature/ds:SignedInfo")
    assert len(verify_document(root, Limits(signatures=1))) == 1
