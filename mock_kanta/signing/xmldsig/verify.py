"""Verification of Kanta's XMLDSig profile: one `SignatureResult` per collected signature.

Never raises on hostile input: every problem becomes a field or a message.
Digests are computed over the document's OWN targets (the first
`/hl7:ClinicalDocument/hl7:component/hl7:nonXMLBody`, the signature's own
`hl7fi:signatureTimestamp`), i.e. over what the archive actually keeps; where a
reference URI would lead an ID resolver elsewhere, `wrapping_problems` says so.

Strict first (whitespace kept). When a digest or the value fails, the same
elements are checked again with whitespace-only text nodes dropped, as a .NET
`XmlDocument` with PreserveWhitespace=false does (the public samples need this);
only the referenced subtrees and SignedInfo are copied for that, never the document.

Linear in the document: the ID index is built once, a referenced node is canonicalised once per
distinct transform set (InclusiveNamespaces prefixes that nothing declares are dropped first), only
the first `Limits.signatures` signatures and `Limits.references` references of each are read
(`excess` names what was left unread), and a message names at most a few of an ID's carriers.
"""
from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from mock_kanta.core.signatures import SignatureResult
from mock_kanta.signing.xmldsig.parts import Parts, Ref, key_info, read_parts, signed_at
from mock_kanta.signing.xmldsig.profile import (
    BODY_PATH,
    DS,
    FI,
    HL7,
    LSH_PATH,
    SIGNATURE_TYPE_SYSTEM,
    c14n,
    child,
    id_index,
    path_of,
    q,
    strip_whitespace_copy,
)
from mock_kanta.wire.limits import Excess, Limits, default

_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_SIG_CHILDREN = {q(FI, "signatureDescription"), q(FI, "signatureTimestamp"), q(DS, "Signature")}
_CD = q(HL7, "ClinicalDocument")
_LSH = q(FI, "localSocialHeader")
_COLLECTION = q(FI, "signatureCollection")
_SIGNATURE = q(FI, "signature")
_COLLECTION_PATH = f"{LSH_PATH}/hl7fi:signatureCollection"
_SIGNED_INFO = q(DS, "SignedInfo")
_REFERENCE = q(DS, "Reference")
_DS_SIGNATURE = q(DS, "Signature")
_NAMED = 3  # the carriers of an ID a wrapping message names (the rest are counted)


class _Doc:
    """Per-document state shared by its signatures: body digests, the ID index, document problems."""

    def __init__(self, root: etree._Element):
        self.root = root
        id_el = child(root, q(HL7, "id"))
        self.doc_id = id_el.get("root") if id_el is not None else None
        component = child(root, q(HL7, "component"))
        self.body = child(component, q(HL7, "nonXMLBody")) if component is not None else None
        self._digests: dict[tuple, bytes | None] = {}
        self._ids: dict[str, list[etree._Element]] | None = None
        self._prefixes: set[str] | None = None
        self.problems: list[str] = []
        if root.tag != _CD:
            self.problems.append(f"the root element is {root.tag}, not hl7:ClinicalDocument")
        if not self.doc_id:
            self.problems.append("the document has no /hl7:ClinicalDocument/hl7:id/@root, "
                                 "so #OID<document id> is undefined")
        if self.body is None:
            self.problems.append(f"the document has no {BODY_PATH}")
        elif self.doc_id and self.body.get("ID") != f"OID{self.doc_id}":
            self.problems.append(f"{BODY_PATH}/@ID is {self.body.get('ID')!r}, expected 'OID{self.doc_id}'")

    @property
    def ids(self) -> dict[str, list[etree._Element]]:
        if self._ids is None:
            self._ids = id_index(self.root)
        return self._ids

    def body_digest(self, ref: Ref, stripped: bool) -> bytes | None:
        key = (ref.c14n, self._declared(ref.prefixes), ref.digest_alg, stripped)
        if key not in self._digests:
            self._digests[key] = _digest(self.body, ref, stripped, key[1])
        return self._digests[key]

    def _declared(self, prefixes: tuple[str, ...]) -> tuple[str, ...]:
        """The InclusiveNamespaces prefixes that can change the body's canonical form (declared in its scope
        or inside it), sorted: the rest change nothing, so they make no canonicalisation of their own."""
        if not prefixes:
            return ()
        if self._prefixes is None:
            self._prefixes = {p for el in self.body.iter(tag=etree.Element) for p in el.nsmap} if self.body is not None else set()
        return tuple(sorted(set(prefixes) & self._prefixes))


def verify_document(root: etree._Element, limits: Limits | None = None) -> list[SignatureResult]:
    """Check the `hl7fi:signatureCollection/hl7fi:signature`s of a CDA document, in document order (the first
    `limits.signatures` of them, each with its first `limits.references` references)."""
    limits = limits or default()
    doc = _Doc(root)
    results = []
    for index, (sig, location) in enumerate(_signatures(root, limits.signatures), start=1):
        try:
            results.append(_verify_one(doc, sig, index, location, limits.references))
        except Exception as exc:  # last resort: hostile input must not raise
            results.append(SignatureResult(
                index, sig.get("ID"), location, None, None, None, None, False, False, False, False,
                (f"the signature could not be checked: {exc!r}",), ()))
    return results


def excess(root: etree._Element, limits: Limits) -> list[Excess]:
    """What of the document's signatures `verify_document` leaves unread: more signatures than
    `limits.signatures`, a signature with more references than `limits.references`."""
    found = []
    total = sum(1 for coll in root.iter(_COLLECTION) for _ in coll.iterchildren(_SIGNATURE))
    if total > limits.signatures:
        found.append(Excess("signatures", _COLLECTION_PATH, total, limits.signatures))
    for sig, location in _signatures(root, limits.signatures):
        for dsig in sig.iterchildren(_DS_SIGNATURE):
            for info in dsig.iterchildren(_SIGNED_INFO):
                refs = sum(1 for _ in info.iterchildren(_REFERENCE))
                if refs > limits.references:
                    found.append(Excess("references", f"{location}/ds:Signature/ds:SignedInfo", refs, limits.references))
    return found


def _signatures(root: etree._Element, limit: int) -> list[tuple[etree._Element, str]]:
    """The first `limit` signatures with their locations (each collection's path worked out once)."""
    out: list[tuple[etree._Element, str]] = []
    for coll in root.iter(_COLLECTION):
        path = None
        for n, sig in enumerate(coll.iterchildren(_SIGNATURE), start=1):
            if len(out) >= limit:
                return out
            path = path or _collection_path(coll)
            out.append((sig, f"{path}/hl7fi:signature[{n}]"))
    return out


def _collection_path(collection: etree._Element) -> str:
    header = collection.getparent()
    if (header is not None and header.tag == _LSH and header.getparent() is not None
            and header.getparent().tag == _CD and header.getparent().getparent() is None
            and child(header, _COLLECTION) is collection):
        return _COLLECTION_PATH if len(list(header.iterchildren(_COLLECTION))) == 1 else path_of(collection)
    return path_of(collection)


def _verify_one(doc: _Doc, sig: etree._Element, index: int, location: str, max_references: int) -> SignatureResult:
    layout: list[str] = list(doc.problems)
    wrapping: list[str] = []
    collection_path = location.rsplit("/", 1)[0]
    if collection_path != _COLLECTION_PATH:
        layout.append(f"the signatureCollection is at {collection_path}, not {_COLLECTION_PATH}")

    signature_id = sig.get("ID")
    if not signature_id:
        layout.append("hl7fi:signature has no ID attribute")
    for el in sig.iterchildren(tag=etree.Element):
        if el.tag not in _SIG_CHILDREN:
            layout.append(f"unexpected element {el.tag} in hl7fi:signature")
    description = child(sig, q(FI, "signatureDescription"))
    description_code = None
    if description is None:
        layout.append("hl7fi:signatureDescription is missing")
    else:
        description_code = description.get("code")
        if not description_code:
            layout.append("hl7fi:signatureDescription has no @code")
        if description.get("codeSystem") != SIGNATURE_TYPE_SYSTEM:
            layout.append(f"hl7fi:signatureDescription/@codeSystem is {description.get('codeSystem')!r}, "
                          f"expected {SIGNATURE_TYPE_SYSTEM}")

    parts = read_parts(sig, doc.doc_id, layout, max_references)
    when = signed_at(parts.timestamp, layout)
    _check_wrapping(doc, parts, wrapping)
    certificate, public_key, certificate_error = key_info(parts.signature, layout)

    recovered = _recover(parts, public_key)
    strict = _evaluate(doc, parts, recovered, layout, stripped=False)
    checks, tolerant = strict, False
    if not all(strict) and parts.signed_info is not None:
        relaxed = _evaluate(doc, parts, recovered, [], stripped=True)
        if all(relaxed):
            checks, tolerant = relaxed, True
        elif sum(relaxed) > sum(strict):
            checks = relaxed  # e.g. a vendor signature over a tampered body: only the body digest fails
    return SignatureResult(
        index=index,
        signature_id=signature_id,
        location=location,
        description_code=description_code,
        certificate=certificate,
        certificate_error=certificate_error,
        signed_at=when,
        body_digest_ok=checks[0],
        timestamp_digest_ok=checks[1],
        value_ok=checks[2],
        whitespace_tolerant=tolerant,
        layout_problems=tuple(dict.fromkeys(layout)),
        wrapping_problems=tuple(dict.fromkeys(wrapping)),
    )


def _check_wrapping(doc: _Doc, parts: Parts, wrapping: list[str]) -> None:
    """Each reference must resolve to exactly one element, and to the intended one."""
    body_uri = f"#OID{doc.doc_id}" if doc.doc_id else None
    ts_uri = f"#{parts.timestamp_id}" if parts.timestamp_id else None
    for ref in parts.all_refs:
        uri = ref.uri or ""
        if not uri.startswith("#") or uri.startswith("#xpointer("):
            continue  # a layout problem already; nothing is resolved by a bare ID
        found = doc.ids.get(uri[1:], [])
        if not found:
            wrapping.append(f"Reference {uri!r} resolves to no element")
            continue
        if len(found) > 1:
            where = _places(found)
            wrapping.append(f"the ID {uri[1:]!r} of Reference {uri!r} is carried by {len(found)} elements "
                            f"({where}); it must resolve to exactly one")
        if uri == body_uri:
            expected, name = doc.body, BODY_PATH
        elif uri == ts_uri:
            expected, name = parts.timestamp, "this signature's own hl7fi:signatureTimestamp"
        else:
            continue
        if expected is not None and expected not in found:
            wrapping.append(f"Reference {uri!r} resolves to {_places(found)} instead of {name}")


def _places(found: list[etree._Element]) -> str:
    """The paths of the first few elements (each path costs its siblings: never all of thousands)."""
    named = ", ".join(path_of(el) for el in found[:_NAMED])
    return named + (f" and {len(found) - _NAMED} more" if len(found) > _NAMED else "")


def _evaluate(doc: _Doc, parts: Parts, recovered: bytes | None, layout: list[str], *,
              stripped: bool) -> tuple[bool, bool, bool]:
    """(body digest, timestamp digest, value) over the strict or the whitespace-stripped elements.

    `recovered` is the hash the RSA PKCS#1 v1.5 SignatureValue carries (recovered once per
    signature, DigestInfo checked); the value verifies when it equals the hash of the
    canonical SignedInfo, so the strict and the relaxed check cost one RSA operation."""
    body_ok = bool(parts.body_refs) and doc.body is not None and all(
        _same(doc.body_digest(ref, stripped), ref.digest) for ref in parts.body_refs)
    ts_ok = bool(parts.ts_refs) and parts.timestamp is not None and all(
        _same(_digest(parts.timestamp, ref, stripped), ref.digest) for ref in parts.ts_refs)
    value_ok = False
    if recovered is not None and parts.si_c14n:
        try:
            si = strip_whitespace_copy(parts.signed_info) if stripped else parts.signed_info
            data = c14n(si, parts.si_c14n, parts.si_prefixes)
            value_ok = _same(hashlib.new(parts.hash_name, data).digest(), recovered)
        except (etree.C14NError, ValueError) as exc:
            layout.append(f"SignedInfo could not be canonicalised: {exc}")
    return body_ok, ts_ok, value_ok


def _recover(parts: Parts, public_key) -> bytes | None:
    """The hash inside the SignatureValue, or None when it is not a valid signature of this key."""
    if parts.signed_info is None or not parts.hash_name or not parts.value or public_key is None:
        return None
    try:
        return public_key.recover_data_from_signature(parts.value, padding.PKCS1v15(), _HASHES[parts.hash_name]())
    except (InvalidSignature, ValueError, TypeError):
        return None


def _digest(el: etree._Element | None, ref: Ref, stripped: bool, prefixes: tuple[str, ...] | None = None) -> bytes | None:
    if el is None or ref.c14n is None or ref.digest_alg is None:
        return None
    try:
        return hashlib.new(ref.digest_alg, c14n(strip_whitespace_copy(el) if stripped else el, ref.c14n,
                                                ref.prefixes if prefixes is None else prefixes)).digest()
    except (etree.C14NError, ValueError):
        return None


def _same(computed: bytes | None, stated: bytes | None) -> bool:
    return computed is not None and stated is not None and hmac.compare_digest(computed, stated)
