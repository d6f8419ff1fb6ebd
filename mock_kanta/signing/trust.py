"""Trust decisions for one signature: the sandbox PKI plus extra trusted certificates."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cryptography import x509

from mock_kanta.signing.pki import Pki, TrustProblem


def load_extra_trust(path: Path | None) -> list[x509.Certificate]:
    """Certificates from a PEM bundle (CAs, or pinned end-entity certificates); [] without one."""
    if path is None:
        return []
    return x509.load_pem_x509_certificates(path.read_bytes())


class Trust:
    def __init__(self, pki: Pki, extra: list[x509.Certificate]):
        self.pki = pki
        self.extra = extra

    def problems(self, cert: x509.Certificate, *, signed_at: datetime | None, arrival: datetime) -> list[TrustProblem]:
        """Chain, revocation and key usage at arrival (sandbox clock); validity at signing and at arrival."""
        out = [p for p in self.pki.check(cert, at=arrival, extra_trust=self.extra) if p.kind != "not-yet-valid"]
        out += [
            TrustProblem("invalid-at-signing", p.detail)
            for p in self.pki.check(cert, at=signed_at or arrival, extra_trust=self.extra)
            if p.kind in ("expired", "not-yet-valid")
        ]
        return out
