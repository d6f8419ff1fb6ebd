"""What the signature checks found, as data: the XMLDSig result of one signature
(`mock_kanta.signing.xmldsig.verify_document`) and a trust problem of its certificate
(`mock_kanta.signing.trust.Trust`). The signature rules read these; they verify nothing themselves."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509


@dataclass(frozen=True)
class SignatureResult:
    """The check of one `hl7fi:signatureCollection/hl7fi:signature` (no PKI decisions).

    The three *_ok flags come from the strict check (whitespace kept). If that fails
    and the whitespace-stripped check passes completely, they are all True and
    `whitespace_tolerant` is set. If neither passes completely, the flags are those of
    the check with more passes (ties: strict), so a tampered body of a .NET-signed
    document reads body False, timestamp True, value True.
    """

    index: int  # 1-based, document order
    signature_id: str | None
    location: str  # XPath of the hl7fi:signature
    description_code: str | None  # signatureDescription/@code: "1" professional, "3" system, "4" Kanta
    certificate: x509.Certificate | None
    certificate_error: str | None
    signed_at: datetime | None  # signatureTimestamp, timezone-aware (UTC)
    body_digest_ok: bool
    timestamp_digest_ok: bool
    value_ok: bool
    whitespace_tolerant: bool  # verified only with whitespace-only text nodes dropped (.NET quirk)
    layout_problems: tuple[str, ...] = ()
    wrapping_problems: tuple[str, ...] = ()

    @property
    def crypto_ok(self) -> bool:
        """Both digests and the value verify, and no reference can be wrapped."""
        return self.body_digest_ok and self.timestamp_digest_ok and self.value_ok and not self.wrapping_problems


@dataclass(frozen=True)
class TrustProblem:
    # "untrusted" | "key-usage" | "policy" | "not-yet-valid" (at arrival: no finding);
    # a signature's certificate (`signing.trust.Trust.problems`): "invalid-at-signing", "revoked" and "lost" at
    # the signing time; "expired" and "revoked-after-signing" between signing and arrival;
    # a reader's card, all at arrival: "expired", "revoked", "lost"
    kind: str
    detail: str
