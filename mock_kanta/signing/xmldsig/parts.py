"""Reading one `hl7fi:signature` for verification: its pieces, decoded, and every
departure from Kanta's profile as a message. Nothing here raises on hostile input."""
from __future__ import annotations

import binascii
import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from mock_kanta.signing.xmldsig.profile import (
    C14N,
    DIGESTS,
    DS,
    ENVELOPED,
    EXC_C14N,
    FI,
    RSA_SHA256,
    SHA256,
    SIGNATURE_METHODS,
    child,
    q,
)

_B64_WS = re.compile(r"[ \t\r\n]+")
_DATETIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?\Z")
_DSIG_CHILDREN = {q(DS, n) for n in ("SignedInfo", "SignatureValue", "KeyInfo")}
_SIGNATURE = q(DS, "Signature")
_SIGNED_INFO = q(DS, "SignedInfo")
_REFERENCE = q(DS, "Reference")
_TRANSFORMS = q(DS, "Transforms")
_TRANSFORM = q(DS, "Transform")
_INCLUSIVE = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces"
_X509_DATA = q(DS, "X509Data")
_X509_CERT = q(DS, "X509Certificate")
_DIGEST_METHOD = q(DS, "DigestMethod")
_DIGEST_VALUE = q(DS, "DigestValue")
_C14N_METHOD = q(DS, "CanonicalizationMethod")
_SIGNATURE_METHOD = q(DS, "SignatureMethod")
_SIGNATURE_VALUE = q(DS, "SignatureValue")
_KEY_INFO = q(DS, "KeyInfo")
_TIMESTAMP = q(FI, "signatureTimestamp")
_CACHE_LIMIT = 32 * 1024  # characters of Base64: real certificates are 1-3 k


@dataclass
class Ref:
    uri: str | None
    c14n: str | None  # a key of C14N, or None when the transforms cannot be computed
    prefixes: tuple[str, ...]
    digest_alg: str | None  # hashlib name, None if unknown
    digest: bytes | None  # the stated DigestValue


@dataclass
class Parts:
    """The pieces of one signature (elements of the original tree)."""

    timestamp: etree._Element | None = None
    timestamp_id: str | None = None
    signature: etree._Element | None = None  # ds:Signature
    signed_info: etree._Element | None = None
    si_c14n: str | None = None
    si_prefixes: tuple[str, ...] = ()
    hash_name: str | None = None
    value: bytes | None = None
    body_refs: list[Ref] = field(default_factory=list)
    ts_refs: list[Ref] = field(default_factory=list)
    all_refs: list[Ref] = field(default_factory=list)


def read_parts(sig: etree._Element, doc_id: str | None, layout: list[str], max_references: int = 4) -> Parts:
    """Find and decode the signature's pieces, noting everything outside Kanta's profile; only the first
    `max_references` references are read (the rest are counted: `verify.excess`)."""
    parts = Parts()
    timestamps = [el for el in sig if el.tag == _TIMESTAMP]
    dsigs = [el for el in sig if el.tag == _SIGNATURE]
    if len(timestamps) != 1:
        layout.append(f"hl7fi:signature has {len(timestamps)} signatureTimestamp elements, expected 1")
    if timestamps:
        parts.timestamp = timestamps[0]
        parts.timestamp_id = parts.timestamp.get("ID")
        if not parts.timestamp_id:
            layout.append("hl7fi:signatureTimestamp has no ID attribute")
    if len(dsigs) != 1:
        layout.append(f"hl7fi:signature has {len(dsigs)} ds:Signature elements, expected 1")
    if not dsigs:
        return parts
    dsig = parts.signature = dsigs[0]
    si = value_el = None
    for el in dsig:
        tag = el.tag
        if tag in (_SIGNED_INFO, _SIGNATURE_VALUE):
            if (si if tag == _SIGNED_INFO else value_el) is not None:
                layout.append(f"ds:Signature has more than one {_name(tag)}")
            elif tag == _SIGNED_INFO:
                si = el
            else:
                value_el = el
        elif isinstance(tag, str) and tag not in _DSIG_CHILDREN:
            layout.append(f"{_name(tag)} in ds:Signature is not in Kanta's profile")
    if value_el is None:
        layout.append("ds:SignatureValue is missing")
    else:
        parts.value = b64(value_el.text)
        if parts.value is None:
            layout.append("ds:SignatureValue is not valid Base64")
    if si is None:
        layout.append("ds:SignedInfo is missing")
        return parts
    parts.signed_info = si

    c14n_method = signature_method = None
    refs = []
    for el in si:
        tag = el.tag
        if tag == _REFERENCE:
            refs.append(el)
        elif tag == _C14N_METHOD:
            c14n_method = el
        elif tag == _SIGNATURE_METHOD:
            signature_method = el
    algorithm = c14n_method.get("Algorithm") if c14n_method is not None else None
    if algorithm != EXC_C14N:
        layout.append(f"CanonicalizationMethod is {algorithm!r}, Kanta's profile uses {EXC_C14N}")
    parts.si_c14n = algorithm if algorithm in C14N else None
    parts.si_prefixes = _prefixes(c14n_method, layout) if c14n_method is not None else ()

    algorithm = signature_method.get("Algorithm") if signature_method is not None else None
    if algorithm != RSA_SHA256:
        layout.append(f"SignatureMethod is {algorithm!r}, Kanta's profile uses {RSA_SHA256}")
    parts.hash_name = SIGNATURE_METHODS.get(algorithm)

    body_uri = f"#OID{doc_id}" if doc_id else None
    ts_uri = f"#{parts.timestamp_id}" if parts.timestamp_id else None
    if len(refs) != 2:
        layout.append(f"SignedInfo has {len(refs)} References; Kanta's profile has exactly two "
                      "(#OID<document id> and #<signatureTimestamp ID>)")
    for ref_el in refs[:max_references]:
        ref = _reference(ref_el, layout)
        parts.all_refs.append(ref)
        if body_uri and ref.uri == body_uri:
            parts.body_refs.append(ref)
        elif ts_uri and ref.uri == ts_uri:
            parts.ts_refs.append(ref)
        else:
            layout.append(f"Reference URI {ref.uri!r} is neither {body_uri or '#OID<document id>'} "
                          f"nor {ts_uri or '#<signatureTimestamp ID>'}")
    for name, found in (("the body (#OID<document id>)", parts.body_refs), ("the signatureTimestamp", parts.ts_refs)):
        if len(found) != 1:
            layout.append(f"SignedInfo has {len(found)} References to {name}, expected 1")
    return parts


def _name(tag: str) -> str:
    qn = etree.QName(tag)
    return f"ds:{qn.localname}" if qn.namespace == DS else tag


def _reference(ref_el: etree._Element, layout: list[str]) -> Ref:
    uri = ref_el.get("URI")
    steps: list[etree._Element] = []
    digest_method = digest_value = None
    for el in ref_el:
        tag = el.tag
        if tag == _TRANSFORMS:
            steps = [t for t in el if t.tag == _TRANSFORM]
        elif tag == _DIGEST_METHOD:
            digest_method = el
        elif tag == _DIGEST_VALUE:
            digest_value = el
    algos = [t.get("Algorithm") for t in steps]
    prefixes: tuple[str, ...] = ()
    if algos in ([EXC_C14N], [ENVELOPED, EXC_C14N]):
        canon = EXC_C14N
        prefixes = _prefixes(steps[-1], layout)
    else:
        layout.append(f"Reference {uri!r} has transforms {algos}; Kanta's profile has exc-c14n "
                      "(optionally after enveloped-signature)")
        rest = [a for a in algos if a != ENVELOPED]
        if not rest:
            canon = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"  # XMLDSig's default for node-sets
        elif len(rest) == 1 and rest[0] in C14N:
            canon = rest[0]
            if canon.startswith(EXC_C14N):
                prefixes = _prefixes(steps[-1], layout)
        else:
            canon = None  # XPath, XSLT, base64 ...: not computed
    algorithm = digest_method.get("Algorithm") if digest_method is not None else None
    if algorithm != SHA256:
        layout.append(f"Reference {uri!r} DigestMethod is {algorithm!r}, Kanta's profile uses {SHA256}")
    digest = b64(digest_value.text) if digest_value is not None else None
    if digest is None:
        layout.append(f"Reference {uri!r} has no valid Base64 DigestValue")
    return Ref(uri, canon, prefixes, DIGESTS.get(algorithm), digest)


def _prefixes(method: etree._Element, layout: list[str]) -> tuple[str, ...]:
    if not len(method):
        return ()
    inclusive = child(method, _INCLUSIVE)
    if inclusive is None:
        return ()
    layout.append("InclusiveNamespaces (PrefixList) is not in Kanta's profile")
    return tuple(p for p in (inclusive.get("PrefixList") or "").split() if p != "#default")


def b64(text: str | None) -> bytes | None:
    """Strict Base64 (XML whitespace allowed, as in XMLDSig), None when empty or invalid."""
    if not text:
        return None
    try:
        return binascii.a2b_base64(text, strict_mode=True) or None
    except (binascii.Error, ValueError):
        pass
    try:
        return binascii.a2b_base64(_B64_WS.sub("", text), strict_mode=True) or None
    except (binascii.Error, ValueError):
        return None


def signed_at(ts: etree._Element | None, layout: list[str]) -> datetime | None:
    """signatureTimestamp as an aware UTC datetime (fractions past microseconds are cut)."""
    if ts is None:
        return None
    text = (ts.text or "").strip()
    m = _DATETIME.match(text)
    if not m:
        layout.append(f"signatureTimestamp {text[:40]!r} is not an ISO dateTime")
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    if zone is None:
        layout.append(f"signatureTimestamp {text!r} has no time zone (Kanta writes UTC with Z); read as UTC")
    elif zone != "Z":
        layout.append(f"signatureTimestamp {text!r} is not in UTC (Z)")
    try:
        tz = timezone.utc
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        micro = int((frac or "0")[:6].ljust(6, "0"))
        when = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz)
    except ValueError:
        layout.append(f"signatureTimestamp {text!r} is not a valid date and time")
        return None
    return when.astimezone(timezone.utc)


def key_info(dsig: etree._Element | None, layout: list[str]):
    """(certificate, RSA public key, certificate_error) from ds:KeyInfo/ds:X509Data/ds:X509Certificate."""
    if dsig is None:
        return None, None, "no ds:Signature"
    info = child(dsig, _KEY_INFO)
    if info is None:
        layout.append("ds:KeyInfo is missing")
        return None, None, "no ds:KeyInfo"
    certs = [c for data in info.iterchildren(_X509_DATA) for c in data.iterchildren(_X509_CERT)]
    if not certs:
        layout.append("ds:KeyInfo/ds:X509Data/ds:X509Certificate is missing")
        return None, None, "no ds:X509Certificate in ds:KeyInfo"
    if len(certs) > 1:
        layout.append(f"ds:KeyInfo holds {len(certs)} X509Certificate elements; Kanta's profile has one "
                      "(the first is used)")
    text = certs[0].text or ""
    # Cached by text; an oversized (hostile) value is parsed without filling the cache.
    loader = load_certificate if len(text) <= _CACHE_LIMIT else load_certificate.__wrapped__
    certificate, public_key, error = loader(text)
    if certificate is not None and public_key is None:
        layout.append(f"the certificate's key is {error}, not RSA: Kanta's profile signs with rsa-sha256")
        return certificate, None, None
    return certificate, public_key, error


@functools.lru_cache(maxsize=1024)
def load_certificate(text: str):
    """Parsed once per distinct X509Certificate text: (certificate, RSA key or None, error or key type)."""
    der = b64(text)
    if der is None:
        return None, None, "X509Certificate is empty or not valid Base64"
    try:
        certificate = x509.load_der_x509_certificate(der)
    except Exception as exc:
        return None, None, f"X509Certificate is not a valid DER certificate: {exc}"
    try:
        key = certificate.public_key()
    except Exception as exc:
        return certificate, None, f"unreadable ({exc})"
    if not isinstance(key, rsa.RSAPublicKey):
        return certificate, None, type(key).__name__
    return certificate, key, None
