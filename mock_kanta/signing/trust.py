"""Trust decisions for one signature: the sandbox PKI plus extra trusted certificates."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cryptography import x509

from mock_kanta.core.signatures import SignatureResult, TrustProblem
from mock_kanta.signing.pki import Pki, policy_oids

# Which certificate profiles may make which signature type (signatureDescription code).
SIGNING_PROFILES = {"1": ("professional", "staff", "actor"), "3": ("system-signature",)}
DVV_POLICY_ARC = "1.2.246.517."


def load_extra_trust(path: Path | None) -> list[x509.Certificate]:
    """Certificates from a PEM bundle (CAs, or pinned end-entity certificates); [] without one."""
    if path is None:
        return []
    return x509.load_pem_x509_certificates(path.read_bytes())


class Trust:
    def __init__(self, pki: Pki, extra: list[x509.Certificate]):
        self.pki = pki
        self.extra = extra

    def policy_problem(self, cert: x509.Certificate, description_code: str | None) -> str | None:
        """Why `cert` may not make a signature of this type (its DVV policy is for another use), or None."""
        names = SIGNING_PROFILES.get(description_code or "")
        if not names:
            return None
        allowed = {o for n in names for o in self.pki.profile(n).policies if o.startswith(DVV_POLICY_ARC)}
        found = policy_oids(cert)
        if found & allowed:
            return None
        return f"policies {', '.join(sorted(found)) or 'none'}; a type {description_code} signature needs one of {', '.join(sorted(allowed))}"

    def problems(self, cert: x509.Certificate, *, signed_at: datetime | None, arrival: datetime) -> list[TrustProblem]:
        """Chain, revocation and key usage at arrival (sandbox clock); validity at signing and at arrival."""
        out = [p for p in self.pki.check(cert, at=arrival, extra_trust=self.extra) if p.kind != "not-yet-valid"]
        when = signed_at or arrival
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        if not start <= when <= end:  # validity at signing: dates only, the chain was checked above
            out.append(TrustProblem("invalid-at-signing", f"valid from {start.isoformat()} to {end.isoformat()}, signed at {when.isoformat()}"))
        return out

    def signature_problems(self, sig: SignatureResult, arrival: datetime) -> tuple[TrustProblem, ...]:
        """Every trust problem of one verified signature's certificate: `problems`, and its policy for the
        signature's type; () without a certificate."""
        if sig.certificate is None:
            return ()
        policy = self.policy_problem(sig.certificate, sig.description_code)
        return (*self.problems(sig.certificate, signed_at=sig.signed_at, arrival=arrival),
                *([TrustProblem("policy", policy)] if policy else []))
