"""The sandbox's test PKI, modelled on DVV's social welfare and healthcare hierarchy.

A root and three issuing CAs (professional cards; staff and actor cards; service
certificates) are generated on first use into one directory (normally
`<data-dir>/pki/`). Certificate profiles are data, read from `certs/profiles.yaml`.
Revocations are persisted beside the keys and published as signed CRLs.
"""
from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mock_kanta.core.resources import builtin
from mock_kanta.core.signatures import TrustProblem
from mock_kanta.settings import DEFAULT_BASE_URL  # serve and init choose the real one (docs/configuration.md)

ROOT = "root"
QC_STATEMENTS_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
MAX_CHAIN_DEPTH = 6
_CHAIN_CACHE_LIMIT = 10_000
_STALE = ("stale",)  # a revocations stamp that never matches the file's

# RFC 5280 key usage names -> cryptography's KeyUsage keywords.
_KEY_USAGE = {
    "digitalSignature": "digital_signature",
    "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "cRLSign": "crl_sign",
}
_EXTENDED_KEY_USAGE = {
    "serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "emailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
}


class ProfileError(ValueError):
    """A certificate request the profile does not allow (validity, unknown profile)."""


@dataclass(frozen=True)
class Profile:
    name: str
    ca: str
    key_usage: tuple[str, ...]
    key_usage_critical: bool
    extended_key_usage: tuple[str, ...]
    policies: tuple[str, ...]
    qc_statements: tuple[str, ...]
    max_validity: timedelta
    key_size: int
    verified: bool
    note: str


@dataclass(frozen=True)
class CA:
    name: str
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey
    crl_url: str
    issuer_url: str


# --- files: one lock per directory, atomic writes ---------------------------------

@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (flock) on `path`, across processes and threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def utc(at: datetime) -> datetime:
    """`at` as an aware UTC datetime (naive values are taken as UTC)."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


# --- profiles ---------------------------------------------------------------------

def default_profiles_path() -> Path:
    """`MOCK_KANTA_CERT_PROFILES`, else the package's built-in `certs/profiles.yaml`."""
    if os.environ.get("MOCK_KANTA_CERT_PROFILES"):
        return Path(os.environ["MOCK_KANTA_CERT_PROFILES"])
    return builtin("certs") / "profiles.yaml"


def load_profiles(path: Path | None = None) -> dict:
    """The raw PKI description; `profiles` become `Profile` objects."""
    data = yaml.safe_load((path or default_profiles_path()).read_text(encoding="utf-8"))
    data["profiles"] = {
        name: Profile(
            name=name,
            ca=p["ca"],
            key_usage=tuple(p["key_usage"]),
            key_usage_critical=bool(p.get("key_usage_critical", True)),
            extended_key_usage=tuple(p.get("extended_key_usage", ())),
            policies=tuple(p.get("policies", ())),
            qc_statements=tuple(p.get("qc_statements", ())),
            max_validity=timedelta(days=p["max_validity_days"]),
            key_size=int(p.get("key_size", 2048)),
            verified=bool(p.get("verified", False)),
            note=p.get("note", ""),
        )
        for name, p in data["profiles"].items()
    }
    return data


# --- subjects ---------------------------------------------------------------------

def card_subject(given: str, family: str, *, registration_number: str | None = None, title: str | None = None) -> x509.Name:
    """A card holder, in the DVV TEST professional certificate's order: C, title, serialNumber, GN, SN, CN.

    CN is "<family> <given> <registration number>" as in DVV's certificate ("Johansson
    Angelica 25104559650"); without a registration number it is "<family> <given>".
    """
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FI")]
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title))
    if registration_number:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, registration_number))
    attrs += [x509.NameAttribute(NameOID.GIVEN_NAME, given), x509.NameAttribute(NameOID.SURNAME, family)]
    common_name = " ".join(part for part in (family, given, registration_number) if part)
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def system_subject(org_name: str, org_oid: str, system_name: str, *, locality: str | None = None) -> x509.Name:
    """An organisation's system (or server): C, [L], O, serialNumber = organisation OID, CN."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FI")]
    if locality:
        attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    attrs += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, org_oid),
        x509.NameAttribute(NameOID.COMMON_NAME, system_name),
    ]
    return x509.Name(attrs)


_SHORT_NAMES = {NameOID.SURNAME: "SN", NameOID.GIVEN_NAME: "GN", NameOID.SERIAL_NUMBER: "serialNumber",
                NameOID.TITLE: "title"}


def readable_name(name: x509.Name) -> str:
    """RFC 4514 text with short names for SN, GN, serialNumber and title."""
    return name.rfc4514_string(_SHORT_NAMES)


# --- extension helpers --------------------------------------------------------------

class _QcStatement(asn1_core.Sequence):
    _fields = [("statement_id", asn1_core.ObjectIdentifier), ("statement_info", asn1_core.Any, {"optional": True})]


class _QcStatements(asn1_core.SequenceOf):
    _child_spec = _QcStatement


def qc_statements_extension(oids: Iterable[str]) -> x509.UnrecognizedExtension:
    """The qcStatements extension (RFC 3739) with bare statement ids."""
    der = _QcStatements([{"statement_id": oid} for oid in oids]).dump()
    return x509.UnrecognizedExtension(QC_STATEMENTS_OID, der)


def _key_usage(names: Iterable[str]) -> x509.KeyUsage:
    flags = dict.fromkeys(_KEY_USAGE.values(), False) | {"encipher_only": False, "decipher_only": False}
    for name in names:
        flags[_KEY_USAGE[name]] = True
    return x509.KeyUsage(**flags)


def key_usage_names(cert: x509.Certificate) -> set[str] | None:
    """RFC 5280 key usage names of `cert`, None without the extension.

    Falls back to asn1crypto for certificates whose extensions cryptography refuses:
    DVV TEST certificates encode BasicConstraints' default cA FALSE, which is not DER.
    """
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        value = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).key_usage_value
        if value is None:
            return None
        lenient = {"digital_signature": "digitalSignature", "non_repudiation": "nonRepudiation",
                   "key_encipherment": "keyEncipherment", "data_encipherment": "dataEncipherment",
                   "key_agreement": "keyAgreement", "key_cert_sign": "keyCertSign", "crl_sign": "cRLSign"}
        return {lenient[n] for n in value.native if n in lenient}
    return {name for name, attr in _KEY_USAGE.items() if _usage_flag(usage, attr)}


def policy_oids(cert: x509.Certificate) -> set[str]:
    """The certificate policy OIDs of `cert` (asn1crypto fallback as in key_usage_names)."""
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return set()
    except ValueError:
        value = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).certificate_policies_value
        return {p["policy_identifier"].dotted for p in value} if value is not None else set()
    return {p.policy_identifier.dotted_string for p in policies}


def _usage_flag(usage: x509.KeyUsage, attr: str) -> bool:
    try:
        return bool(getattr(usage, attr))
    except ValueError:  # encipher_only/decipher_only without keyAgreement
        return False


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return True  # old roots omit it; only configured anchors and CAs are ever asked
    except ValueError:
        return bool(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).ca)


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject or not _is_ca(parent):
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def _reason_kind(reason: x509.ReasonFlags) -> str:
    return "lost" if reason is x509.ReasonFlags.key_compromise else "revoked"


# --- the PKI --------------------------------------------------------------------------

class Pki:
    """The sandbox's CAs: issue certificates by profile, revoke them, check chains."""

    def __init__(self, directory: Path, config: dict, cas: dict[str, CA], base_url: str):
        self.directory = directory
        self.config = config
        self.profiles: dict[str, Profile] = config["profiles"]
        self.cas = cas
        self.base_url = base_url
        self._hash = getattr(hashes, config.get("signature_hash", "sha256").upper())()
        self._by_subject = {ca.certificate.subject: ca for ca in cas.values()}
        self._lock = threading.RLock()
        self._chains: dict[tuple, tuple[tuple[x509.Certificate, ...] | None, set[str] | None]] = {}
        self._revocations_stamp: tuple | None = _STALE
        self._revocations: dict[str, dict[str, dict]] = {}
        self._crls: dict[str, tuple[tuple | None, datetime, bytes]] = {}

    # --- opening ---

    @classmethod
    def open(cls, directory: Path, *, now: datetime | None = None, base_url: str = DEFAULT_BASE_URL,
             profiles_path: Path | None = None) -> Pki:
        """Load the hierarchy in `directory`, creating what is missing (under a file lock).

        `now` is the creation instant of new CAs (default: the wall clock); `base_url`
        goes into the CRL and CA-issuer URLs of certificates issued by this object.
        """
        directory = Path(directory)
        config = load_profiles(profiles_path)
        base_url = base_url.rstrip("/")
        created = utc(now or datetime.now(timezone.utc))
        with file_lock(directory / ".lock"):
            cas: dict[str, CA] = {}
            root_renewed = False
            for name, spec in config["cas"].items():
                issuer = cas.get(spec.get("issuer", ""))
                loaded = None if root_renewed else _load_ca(directory, name, base_url)
                if loaded is None:
                    loaded = _create_ca(directory, name, spec, issuer, config, created, base_url)
                    root_renewed = root_renewed or name == ROOT
                cas[name] = loaded
        return cls(directory, config, cas, base_url)

    # --- issuing ---

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise ProfileError(f"unknown certificate profile {name!r}; known: {', '.join(self.profiles)}") from None

    def check_window(self, profile: str, not_before: datetime, not_after: datetime) -> None:
        """Raise ProfileError unless the validity fits the profile and its CA."""
        p = self.profile(profile)
        not_before, not_after = utc(not_before), utc(not_after)
        if not_after <= not_before:
            raise ProfileError("not_after must be later than not_before")
        if not_after - not_before > p.max_validity:
            raise ProfileError(f"{profile}: validity {(not_after - not_before).days} days exceeds the "
                               f"profile's maximum of {p.max_validity.days} days")
        ca_cert = self.cas[p.ca].certificate
        if not_before < ca_cert.not_valid_before_utc or not_after > ca_cert.not_valid_after_utc:
            raise ProfileError(f"{profile}: validity must lie within the issuing CA's "
                               f"({ca_cert.not_valid_before_utc:%Y-%m-%d} .. {ca_cert.not_valid_after_utc:%Y-%m-%d})")

    def issue(self, profile: str, public_key, subject: x509.Name, *, not_before: datetime, not_after: datetime,
              dns_names: Sequence[str] = ()) -> x509.Certificate:
        """A certificate for `public_key` by `profile`; `dns_names` become a SubjectAlternativeName."""
        self.check_window(profile, not_before, not_after)
        p = self.profiles[profile]
        ca = self.cas[p.ca]
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(utc(not_before))
            .not_valid_after(utc(not_after))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(p.key_usage), critical=p.key_usage_critical)
            .add_extension(self._policies(p.policies), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(_authority_key_id(ca.certificate), critical=False)
            .add_extension(_crl_points(ca.crl_url), critical=False)
            .add_extension(_issuer_access(ca.issuer_url), critical=False)
        )
        if p.extended_key_usage:
            usages = [_EXTENDED_KEY_USAGE[u] for u in p.extended_key_usage]
            builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        if p.qc_statements:
            builder = builder.add_extension(qc_statements_extension(p.qc_statements), critical=False)
        if dns_names:
            builder = builder.add_extension(x509.SubjectAlternativeName([_general_name(n) for n in dns_names]),
                                            critical=False)
        return builder.sign(ca.key, self._hash)

    def _policies(self, oids: Sequence[str]) -> x509.CertificatePolicies:
        notice = self.config.get("policy_notice")
        qualifiers = [x509.UserNotice(None, notice)] if notice else None
        return x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(o), qualifiers) for o in oids])

    # --- trust ---

    def trust_anchors(self) -> list[x509.Certificate]:
        """The sandbox root."""
        return [self.cas[ROOT].certificate]

    def chain_pem(self) -> bytes:
        """Root and issuing CAs as PEM, for clients and python-xmlsec."""
        return b"".join(ca.certificate.public_bytes(serialization.Encoding.PEM) for ca in self.cas.values())

    def ca_der(self, ca_name: str) -> bytes:
        """One CA certificate as DER (the CA-issuer URL of issued certificates); KeyError if unknown."""
        return self.cas[ca_name].certificate.public_bytes(serialization.Encoding.DER)

    def ca_pem(self, ca_name: str) -> bytes:
        """One CA certificate as PEM; KeyError if unknown."""
        return self.cas[ca_name].certificate.public_bytes(serialization.Encoding.PEM)

    def chain_for(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """The sandbox CAs above `cert`, issuing CA first and the root last; ValueError if not the sandbox's."""
        chain, link = [], cert
        while link is not self.cas[ROOT].certificate:
            ca = self.ca_for(link)
            if ca is None or len(chain) >= MAX_CHAIN_DEPTH:
                raise ValueError(f"not issued by the sandbox PKI: {cert.subject.rfc4514_string()}")
            chain.append(ca.certificate)
            link = ca.certificate
        return chain

    def ca_for(self, cert: x509.Certificate) -> CA | None:
        """The sandbox CA that signed `cert`, if any."""
        ca = self._by_subject.get(cert.issuer)
        return ca if ca is not None and _issued_by(cert, ca.certificate) else None

    def check(self, cert: x509.Certificate, *, at: datetime, extra_trust: Sequence[x509.Certificate] = ()) -> list[TrustProblem]:
        """What is wrong with relying on `cert` at `at`; an empty list when nothing is.

        Trusted: a chain (issuer name + signature) to the sandbox root or to a
        certificate in `extra_trust`; a pinned end-entity certificate there is trusted
        as itself. Validity is checked on the whole chain, revocation on sandbox
        certificates (a revocation counts from its time), key usage on `cert`.
        """
        at = utc(at)
        chain, usage = self._chain(cert, tuple(extra_trust))
        problems = []
        if chain is None:
            problems.append(TrustProblem("untrusted", f"no chain from '{cert.issuer.rfc4514_string()}' to the sandbox root "
                                                      "or to an extra trusted certificate"))
        for link in chain or (cert,):
            what = "certificate" if link is cert else f"CA '{_cn(link)}'"
            if at < link.not_valid_before_utc:
                problems.append(TrustProblem("not-yet-valid", f"{what} is valid from {link.not_valid_before_utc.isoformat()}"))
            elif at > link.not_valid_after_utc:
                problems.append(TrustProblem("expired", f"{what} expired {link.not_valid_after_utc.isoformat()}"))
        for link in (chain or ())[:-1]:
            revoked = self.revocation(link)
            if revoked and revoked[1] <= at:
                reason, when = revoked
                what = "certificate" if link is cert else f"CA '{_cn(link)}'"
                problems.append(TrustProblem(_reason_kind(reason), f"{what} (serial {link.serial_number:x}) revoked "
                                                                  f"{when.isoformat()}, reason {reason.value}"))
        if usage is None or not usage & {"digitalSignature", "nonRepudiation"}:
            shown = ", ".join(sorted(usage)) if usage else "no KeyUsage extension"
            problems.append(TrustProblem("key-usage", f"neither digitalSignature nor nonRepudiation ({shown})"))
        return problems

    def _chain(self, cert: x509.Certificate, extra: tuple[x509.Certificate, ...]):
        key = (fingerprint(cert), *(fingerprint(c) for c in extra))
        with self._lock:
            cached = self._chains.get(key)
        if cached is None:
            cached = (self._build_chain(cert, extra), key_usage_names(cert))
            with self._lock:
                if len(self._chains) >= _CHAIN_CACHE_LIMIT:
                    self._chains.clear()
                self._chains[key] = cached
        return cached

    def _build_chain(self, cert: x509.Certificate, extra: tuple[x509.Certificate, ...]):
        anchors = {fingerprint(c) for c in (*self.trust_anchors(), *extra)}
        if fingerprint(cert) in anchors:
            return (cert,)
        pool = [ca.certificate for ca in self.cas.values()] + list(extra)
        chain = [cert]
        for _ in range(MAX_CHAIN_DEPTH):
            issuer = next((c for c in pool if _issued_by(chain[-1], c)), None)
            if issuer is None or issuer in chain:
                return None
            chain.append(issuer)
            if fingerprint(issuer) in anchors:
                return tuple(chain)
        return None

    # --- revocation ---

    @property
    def _revocations_path(self) -> Path:
        return self.directory / "revocations.json"

    def _current_revocations(self) -> dict[str, dict[str, dict]]:
        """The revocations file, re-read only when it changed on disk."""
        try:
            st = self._revocations_path.stat()
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._revocations_stamp:
                self._revocations = json.loads(self._revocations_path.read_bytes()) if stamp else {}
                self._revocations_stamp = stamp
            return self._revocations

    def revoke(self, cert: x509.Certificate, reason: x509.ReasonFlags, at: datetime) -> None:
        """Record the revocation of a sandbox certificate (the first revocation stands)."""
        ca = self.ca_for(cert)
        if ca is None:
            raise ValueError(f"not issued by the sandbox PKI: {cert.subject.rfc4514_string()}")
        with file_lock(self.directory / ".lock"):
            with self._lock:
                self._revocations_stamp = _STALE  # read afresh under the file lock
            revocations = json.loads(json.dumps(self._current_revocations()))
            entries = revocations.setdefault(ca.name, {})
            serial = f"{cert.serial_number:x}"
            if serial in entries:
                return
            entries[serial] = {"reason": reason.value, "at": utc(at).isoformat(), "subject": cert.subject.rfc4514_string()}
            atomic_write(self._revocations_path, json.dumps(revocations, indent=1, ensure_ascii=False).encode())
            with self._lock:
                self._revocations_stamp = _STALE

    def revocation(self, cert: x509.Certificate) -> tuple[x509.ReasonFlags, datetime] | None:
        """(reason, time) if the sandbox CA named as `cert`'s issuer revoked its serial."""
        ca = self._by_subject.get(cert.issuer)
        if ca is None:
            return None
        entry = self._current_revocations().get(ca.name, {}).get(f"{cert.serial_number:x}")
        if entry is None:
            return None
        return x509.ReasonFlags(entry["reason"]), datetime.fromisoformat(entry["at"])

    def crl_der(self, ca_name: str) -> bytes:
        """The CA's current CRL (DER), re-signed when revocations change or half its life has passed.

        KeyError for an unknown CA name.
        """
        ca = self.cas[ca_name]
        now = datetime.now(timezone.utc)
        period = timedelta(hours=self.config.get("crl_next_update_hours", 24))
        entries = self._current_revocations().get(ca_name, {})
        with self._lock:
            stamp = self._revocations_stamp
            cached = self._crls.get(ca_name)
            if cached and cached[0] == stamp and now < cached[1] + period / 2:
                return cached[2]
            der = self._sign_crl(ca, entries, now, period)
            self._crls[ca_name] = (stamp, now, der)
            return der

    def _sign_crl(self, ca: CA, entries: dict[str, dict], now: datetime, period: timedelta) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.certificate.subject)
            .last_update(now)
            .next_update(now + period)
            .add_extension(_authority_key_id(ca.certificate), critical=False)
            .add_extension(x509.CRLNumber(int(now.timestamp() * 1_000_000)), critical=False)
        )
        for serial, entry in sorted(entries.items()):
            revoked = (x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
                       .revocation_date(datetime.fromisoformat(entry["at"])))
            reason = x509.ReasonFlags(entry["reason"])
            if reason is not x509.ReasonFlags.unspecified:  # RFC 5280 5.3.1: omit rather than unspecified
                revoked = revoked.add_extension(x509.CRLReason(reason), critical=False)
            builder = builder.add_revoked_certificate(revoked.build())
        return builder.sign(ca.key, self._hash).public_bytes(serialization.Encoding.DER)


# --- CA creation and loading ---------------------------------------------------------

def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _crl_points(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)])


def _issuer_access(url: str) -> x509.AuthorityInformationAccess:
    return x509.AuthorityInformationAccess(
        [x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(url))])


def _urls(base_url: str, name: str) -> tuple[str, str]:
    return f"{base_url}/pki/crl/{name}.crl", f"{base_url}/pki/ca/{name}.crt"


def _ca_paths(directory: Path, name: str) -> tuple[Path, Path]:
    return directory / f"{name}.key.pem", directory / f"{name}.crt.pem"


def _load_ca(directory: Path, name: str, base_url: str) -> CA | None:
    key_path, cert_path = _ca_paths(directory, name)
    if not (key_path.is_file() and cert_path.is_file()):
        return None
    # Our own files: skip cryptography's slow RSA consistency check (~0.1 s a key).
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return None
    return CA(name, cert, key, *_urls(base_url, name))


def _create_ca(directory: Path, name: str, spec: dict, issuer: CA | None, config: dict, now: datetime,
               base_url: str) -> CA:
    key = rsa.generate_private_key(public_exponent=65537, key_size=int(spec["key_size"]))
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, config["country"]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, config["organisation"]),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, spec["organizational_unit"]),
        x509.NameAttribute(NameOID.COMMON_NAME, spec["common_name"]),
    ])
    not_before = now - timedelta(days=config.get("ca_backdate_days", 0))
    not_after = now + timedelta(days=spec["validity_days"])
    if issuer is not None:
        not_after = min(not_after, issuer.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0 if issuer else None), critical=True)
        .add_extension(_key_usage(["keyCertSign", "cRLSign"]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        policies = sorted({o for p in config["profiles"].values() if p.ca == name for o in p.policies})
        builder = (builder
                   .add_extension(_authority_key_id(issuer.certificate), critical=False)
                   .add_extension(_crl_points(issuer.crl_url), critical=False)
                   .add_extension(_issuer_access(issuer.issuer_url), critical=False))
        if policies:
            builder = builder.add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(o), None) for o in policies]),
                critical=False)
    signature_hash = getattr(hashes, config.get("signature_hash", "sha256").upper())()
    cert = builder.sign(issuer.key if issuer else key, signature_hash)
    key_path, cert_path = _ca_paths(directory, name)
    atomic_write(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()), mode=0o600)
    atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return CA(name, cert, key, *_urls(base_url, name))


def _general_name(name: str) -> x509.GeneralName:
    """A SubjectAlternativeName entry: an IP address when `name` is one, else a DNS name."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
