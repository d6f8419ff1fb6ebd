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
_ALWAYS = ("untrusted", "key-usage")  # the same whenever judged: taken from the check at arrival
_DATES = ("expired", "not-yet-valid")  # outside the validity period
_REVOKED = ("revoked", "lost")  # on a CRL (lost: reason keyCompromise)


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
        """What is wrong with relying on `cert`: chain and key usage, and its validity and revocation (the
        whole chain's). Without `signed_at` (a reader's card) all of it at `arrival`. With it (a signature),
        validity and revocation are judged at the signing time, and what happened to the certificate between
        signing and arrival is told apart ("expired", "revoked-after-signing"): no public source says which
        moment Kanta judges by (docs/cards-and-signatures.md, "When a certificate must be valid"). The
        signing time is taken as the signer claims it, also when it is later than the arrival by the sandbox
        clock (the clock set back to rehearse, a document signed today)."""
        now = [p for p in self.pki.check(cert, at=arrival, extra_trust=self.extra) if p.kind != "not-yet-valid"]
        if signed_at is None:
            return now
        then = self.pki.check(cert, at=signed_at, extra_trust=self.extra)
        seen = {p.detail for p in then}
        out = [p for p in now if p.kind in _ALWAYS]
        out += [TrustProblem("invalid-at-signing", f"{p.detail}; signed at {signed_at.isoformat()}") for p in then if p.kind in _DATES]
        out += [p for p in then if p.kind in _REVOKED]
        out += [p for p in now if p.kind == "expired" and p.detail not in seen]
        out += [TrustProblem("revoked-after-signing", f"{p.detail}; signed at {signed_at.isoformat()}")
                for p in now if p.kind in _REVOKED and p.detail not in seen]
        return out

    def signature_problems(self, sig: SignatureResult, arrival: datetime) -> tuple[TrustProblem, ...]:
        """Every trust problem of one verified signature's certificate: `problems` (a signature without a
        signing time is judged at its arrival), and its policy for the signature's type; () without a
        certificate."""
        if sig.certificate is None:
            return ()
        policy = self.policy_problem(sig.certificate, sig.description_code)
        return (*self.problems(sig.certificate, signed_at=sig.signed_at or arrival, arrival=arrival),
                *([TrustProblem("policy", policy)] if policy else []))
