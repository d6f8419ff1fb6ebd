"""Kanta's XMLDSig profile: constants and the XML helpers shared by signing and verification.

Kanta (both public samples) puts plain XMLDSig into the CDA header:
`hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature` holds
`signatureDescription`, `signatureTimestamp@ID` and `ds:Signature`, whose
`SignedInfo` (exc-c14n, rsa-sha256) has two sha256 References with an exc-c14n
Transform: `#OID<document id>` (`component/nonXMLBody@ID`) and `#<timestamp ID>`.
"""
from __future__ import annotations

import copy

from lxml import etree

from mock_kanta.wire.paths import NS

HL7, FI, DS = NS["hl7"], NS["hl7fi"], NS["ds"]
XML_NS = "http://www.w3.org/XML/1998/namespace"

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

# Canonicalisations lxml can compute: Algorithm -> (exclusive, with_comments).
# Only EXC_C14N is in Kanta's profile; the others are verified but reported.
C14N = {
    EXC_C14N: (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
}
DIGESTS = {
    SHA256: "sha256",
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
SIGNATURE_METHODS = {
    RSA_SHA256: "sha256",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": "sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "sha512",
}

SIGNATURE_TYPE_SYSTEM = "1.2.246.537.5.40127.2006"  # KanTa-palvelut - Sähköisen allekirjoituksen tyyppi
SIGNATURE_TYPE_NAME = "KanTa-palvelut - Sähköisen allekirjoituksen tyyppi"
KINDS = {  # kind -> (signatureDescription code, displayName)
    "professional": ("1", "Ammattihenkilön allekirjoitus"),
    "system": ("3", "Järjestelmäallekirjoitus"),
}
AUTH_METHOD = {  # header hl7fi:signature/hl7fi:authenticationMethod, as in the asiakassuunnitelma sample
    "code": "1",
    "codeSystem": "1.2.246.537.5.40128.2006",
    "codeSystemName": "KanTa-palvelut - Tunnistautumistapa",
    "displayName": "Sosiaali- ja terveydenhuollon ammattihenkilön varmenne",
}

ROOT_PATH = "/hl7:ClinicalDocument"
BODY_PATH = "/hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody"
LSH_PATH = "/hl7:ClinicalDocument/hl7fi:localSocialHeader"

_PREFIX = {v: k for k, v in NS.items()}
_XML_WS = " \t\r\n"  # XML's whitespace; str.strip() alone would also take Unicode spaces
# The attributes an ID resolver may take as an ID: .NET's GetIdElement tries Id, ID and id;
# libxml2 (xmlsec) knows xml:id and what is registered (Kanta: ID). A union is the fastest XPath.
_ID_ATTRS = etree.XPath(" | ".join(f"descendant-or-self::*/@{a}" for a in ("ID", "Id", "id", "xml:id")))
_HAS_XML_SPACE = etree.XPath("boolean(descendant-or-self::*/@xml:space)")
_XML_SPACE = f"{{{XML_NS}}}space"


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def c14n(el: etree._Element, algorithm: str = EXC_C14N, prefixes: tuple[str, ...] = ()) -> bytes:
    """Canonical bytes of `el` in its document context (comments dropped for the plain forms)."""
    exclusive, comments = C14N[algorithm]
    return etree.tostring(
        el,
        method="c14n",
        exclusive=exclusive,
        with_comments=comments,
        inclusive_ns_prefixes=list(prefixes) if exclusive and prefixes else None,
    )


def id_index(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Every ID-like attribute value (ID, Id, id, xml:id) in the document -> the elements carrying it."""
    index: dict[str, list[etree._Element]] = {}
    for value in _ID_ATTRS(root):
        index.setdefault(str(value), []).append(value.getparent())
    return index


def path_of(el: etree._Element) -> str:
    """A prefixed absolute XPath (`hl7:`, `hl7fi:`, `ds:`), positional only where siblings share the tag."""
    steps = []
    while el is not None:
        parent = el.getparent()
        tag = el.tag
        if not isinstance(tag, str):
            step = "comment()" if el.tag is etree.Comment else "node()"
        else:
            qn = etree.QName(tag)
            prefix = _PREFIX.get(qn.namespace or "")
            step = f"{prefix}:{qn.localname}" if prefix else f"*[local-name()='{qn.localname}']"
            if parent is not None:
                same = [s for s in parent.iterchildren(tag)]
                if len(same) > 1:
                    step += f"[{same.index(el) + 1}]"
        steps.append(step)
        el = parent
    return "/" + "/".join(reversed(steps))


def child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child element with `tag` (a Clark name): faster than ElementPath `find`."""
    for found in el.iterchildren(tag):
        return found
    return None


def strip_whitespace_copy(el: etree._Element) -> etree._Element:
    """A deep copy of `el` without whitespace-only text nodes (text and tails): how a .NET
    XmlDocument loads with PreserveWhitespace=false. xml:space="preserve" scopes, also
    inherited from ancestors, are kept. Exclusive c14n of the copy equals exclusive c14n
    of the stripped element in its document (lxml canonicalises a subtree on its own
    with the ancestors' namespace declarations, and exc-c14n inherits nothing else)."""
    stripped = copy.deepcopy(el)
    stripped.tail = None
    inherited = _inherited_space(el)
    if inherited is None and not _HAS_XML_SPACE(stripped):
        for node in stripped.iter():
            text = node.text
            if text is not None and not text.strip(_XML_WS) and isinstance(node.tag, str):
                node.text = None
            tail = node.tail
            if tail is not None and not tail.strip(_XML_WS):
                node.tail = None
        return stripped
    preserve = _preserve_map(stripped, inherited == "preserve")
    for node in stripped.iter():
        if node.text is not None and isinstance(node.tag, str) and not preserve[node] and not node.text.strip(_XML_WS):
            node.text = None
        if node.tail is not None and not node.tail.strip(_XML_WS):
            parent = node.getparent()
            if parent is not None and not preserve[parent]:
                node.tail = None
    return stripped


def _inherited_space(el: etree._Element) -> str | None:
    for ancestor in el.iterancestors():
        space = ancestor.get(_XML_SPACE)
        if space in ("preserve", "default"):
            return space
    return None


def _preserve_map(root: etree._Element, inherited: bool) -> dict[etree._Element, bool]:
    result: dict[etree._Element, bool] = {}
    for el in root.iter(tag=etree.Element):
        space = el.get(_XML_SPACE)
        if space in ("preserve", "default"):
            result[el] = space == "preserve"
        else:
            parent = el.getparent()
            result[el] = result[parent] if parent is not None else inherited
    return result
