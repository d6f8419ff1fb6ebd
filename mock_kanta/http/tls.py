"""Mutual TLS as an option (`mock-kanta serve --tls`), modelled on Kanta's transport.

The sandbox's server certificate and the organisations' client certificates come
from the sandbox PKI's service CA. The TLS handshake requires a client certificate
chaining to the sandbox root; revocation is checked per request (so a certificate
revoked while the server runs is refused at once), and the client's organisation is
taken from the certificate's serialNumber (the organisation OID, as in DVV's
palvelinvarmenne) and must be the frame's sender.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_kanta.signing.pki import Pki, system_subject

PEER_CERT = "peer_cert_der"


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path
    key: Path
    trust: Path  # the sandbox chain, for the server's client verification and for clients


def _write_key_and_cert(directory: Path, stem: str, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.pem"
    key_path.write_bytes(b"")
    key_path.chmod(0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_files(pki: Pki, tls_dir: Path, hosts: list[str]) -> TlsFiles:
    """The sandbox's server certificate (reissued when missing, expiring within a week, or for other hosts)."""
    cert_path = tls_dir / "server.pem"
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        current = {str(n.value) for n in names}
        if set(hosts) <= current and cert.not_valid_after_utc > datetime.now(timezone.utc) + timedelta(days=7):
            return TlsFiles(cert_path, tls_dir / "server.key", _trust_file(pki, tls_dir))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(timezone.utc)
    subject = system_subject("mock-kanta", "1.2.246.556.18007.2", hosts[0])
    cert = pki.issue("tls-server", key.public_key(), subject, not_before=now - timedelta(minutes=5),
                     not_after=now + timedelta(days=365), dns_names=hosts)
    cert_path, key_path = _write_key_and_cert(tls_dir, "server", key, cert)
    return TlsFiles(cert_path, key_path, _trust_file(pki, tls_dir))


def client_files(pki: Pki, out_dir: Path, org_oid: str, org_name: str, *, days: int = 365) -> TlsFiles:
    """A TLS client certificate for an organisation's system (key and certificate as PEM files)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(timezone.utc)
    cert = pki.issue("tls-client", key.public_key(), system_subject(org_name, org_oid, f"{org_name} TLS client"),
                     not_before=now - timedelta(minutes=5), not_after=now + timedelta(days=days))
    cert_path, key_path = _write_key_and_cert(out_dir, f"client-{org_oid}", key, cert)
    return TlsFiles(cert_path, key_path, _trust_file(pki, out_dir))


def _trust_file(pki: Pki, directory: Path) -> Path:
    path = directory / "sandbox-ca.pem"
    path.write_bytes(pki.chain_pem())
    return path


class MTLSProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, exposing the client certificate to the app as scope["state"][PEER_CERT]."""

    def connection_made(self, transport):  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        self.app_state = {**self.app_state, PEER_CERT: der}


@lru_cache(maxsize=1024)
def _load(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def client_organisation(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return attrs[0].value if attrs else None


class ClientCertificateGate:
    """ASGI middleware: refuse requests whose TLS client certificate is untrusted, revoked or expired."""

    def __init__(self, app, pki: Pki, refuse):
        self.app, self.pki, self.refuse = app, pki, refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            der = scope.get("state", {}).get(PEER_CERT)
            if der is None:
                return await self.refuse(scope, send, "no client certificate was presented")
            cert = _load(der)
            problems = self.pki.check(cert, at=datetime.now(timezone.utc))
            if problems:
                return await self.refuse(scope, send, "; ".join(f"{p.kind}: {p.detail}" for p in problems))
            scope["state"]["client_org"] = client_organisation(cert)
        await self.app(scope, receive, send)
