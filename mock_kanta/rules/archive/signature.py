"""Checks of the signatures: the XMLDSig checks of each hl7fi:signature, the signer's certificate, and who
signed: SH-SIG.

The archive verifies the document once (`mock_kanta.signing.xmldsig.verify_document`) and checks each
certificate against the trust store before the checks run; they read the results from `ctx.signatures`
and `ctx.trust`. Which moment a certificate is judged at is `mock_kanta.signing.trust.Trust.problems`'s.
"""
from cryptography.x509.oid import NameOID

from mock_kanta.core.codes.oids import CLIENT_RELATIONSHIP_GROUP, REGISTRATION_ROOT
from mock_kanta.rules.archive.header import group_code
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda

PROFESSIONAL, SYSTEM = "1", "3"
_NEEDS = ("document",)
COLLECTION = cda.local_xpath("signature").rsplit("/", 1)[0] + "/hl7fi:signatureCollection"


def problems(ctx: Context, sig, kind: str):
    """Trust problems of one signature's certificate, filtered by kind."""
    return [p for p in ctx.trust.get(sig.index, ()) if p.kind == kind]


@check("SH-SIG-001", needs=_NEEDS)
def signature_present(ctx):
    if ctx.signatures is not None and not ctx.signatures:
        yield hit(COLLECTION)


@check("SH-SIG-002", needs=_NEEDS)
def layout(ctx):
    for sig in ctx.signatures or ():
        for problem in sig.layout_problems:
            yield hit(sig.location, n=sig.index, problem=problem)


def _digest_matches(attr: str):
    def digest(ctx):
        for sig in ctx.signatures or ():
            if getattr(sig, attr) is False:
                yield hit(sig.location + "/ds:Signature/ds:SignedInfo", n=sig.index)

    return digest


check("SH-SIG-003", needs=_NEEDS)(_digest_matches("body_digest_ok"))
check("SH-SIG-004", needs=_NEEDS)(_digest_matches("timestamp_digest_ok"))


@check("SH-SIG-005", needs=_NEEDS)
def signature_value(ctx):
    for sig in ctx.signatures or ():
        if sig.value_ok is False:
            yield hit(sig.location + "/ds:Signature/ds:SignatureValue", n=sig.index)


@check("SH-SIG-006", needs=_NEEDS)
def wrapping(ctx):
    for sig in ctx.signatures or ():
        for problem in sig.wrapping_problems:
            yield hit(sig.location, n=sig.index, problem=problem)


@check("SH-SIG-007", needs=_NEEDS)
def whitespace(ctx):
    for sig in ctx.signatures or ():
        if sig.whitespace_tolerant:
            yield hit(sig.location, n=sig.index)


@check("SH-SIG-008", needs=_NEEDS)
def certificate_present(ctx):
    for sig in ctx.signatures or ():
        if sig.certificate is None:
            yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, detail=sig.certificate_error or "missing")


def _trusted(kind: str):
    """The check of one kind of trust problem (mock_kanta.core.signatures.TrustProblem.kind)."""

    def trusted(ctx):
        for sig in ctx.signatures or ():
            for p in problems(ctx, sig, kind):
                yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, detail=p.detail, subject=_subject(sig))

    return trusted


def _subject(sig) -> str:
    return sig.certificate.subject.rfc4514_string() if sig.certificate is not None else "-"


for _rid, _kind in (("SH-SIG-009", "untrusted"), ("SH-SIG-010", "invalid-at-signing"), ("SH-SIG-011", "expired"),
                    ("SH-SIG-012", "revoked"), ("SH-SIG-013", "lost"), ("SH-SIG-014", "key-usage"), ("SH-SIG-019", "policy"),
                    ("SH-SIG-020", "revoked-after-signing")):
    check(_rid, needs=_NEEDS)(_trusted(_kind))


def _cert_serial_number(sig) -> str | None:
    attrs = sig.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER) if sig.certificate is not None else []
    return attrs[0].value if attrs else None


def _signed_as(ctx: Context, code: str):
    """The signatures of type `code` (professional or system) that carry a certificate."""
    return (sig for sig in ctx.signatures or () if sig.description_code == code and sig.certificate is not None)


class Named:
    """Whom the document names as its signers: the author (`author/assignedAuthor/id`, a registration number)
    and the signer in the header's `hl7fi:signature` block (`assignedAuthorSigner`), which the client-plan
    sample fills with the last professional who signed; and the registration numbers of the cards that made
    its professional signatures. Several professionals may sign (the sample has two signatures)."""

    def __init__(self, ctx: Context):
        d = ctx.document
        author = d.author.id if d.author and d.author.id else None
        self.author = author.extension if author and author.root == REGISTRATION_ROOT and author.extension else None
        lh = d.local
        self.header = lh.signature.assigned_author_signer if lh and lh.signature else None
        self.cards = [(sig, _cert_serial_number(sig)) for sig in _signed_as(ctx, PROFESSIONAL)]

    @property
    def people(self) -> set[str]:
        return {n for n in (self.author, self.header) if n}


def named(ctx: Context) -> Named:
    return ctx.once(Named)


@check("SH-SIG-015", needs=_NEEDS)
def signer_is_named(ctx):
    n = named(ctx)
    for sig, serial in n.cards if n.people else ():
        if serial not in n.people:
            yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, serial=serial or "-", author=n.author or "-",
                      header=n.header or "-")


@check("SH-SIG-016", needs=_NEEDS)
def system_signer_is_sender(ctx):
    sender = ctx.frame.sender if ctx.frame is not None else None
    for sig in _signed_as(ctx, SYSTEM) if sender else ():
        serial = _cert_serial_number(sig)
        if serial != sender:
            yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, serial=serial or "-", sender=sender)


@check("SH-SIG-017", needs=_NEEDS)
def signature_type(ctx):
    for sig in ctx.signatures or ():
        code, group = sig.description_code, group_code(ctx.document)
        wrong_type = code not in (PROFESSIONAL, SYSTEM)
        if wrong_type or (code == PROFESSIONAL and group == CLIENT_RELATIONSHIP_GROUP):
            yield hit(sig.location + "/hl7fi:signatureDescription/@code", n=sig.index, code=code or "-", group=group or "-")


@check("SH-SIG-018", needs=_NEEDS)
def header_names_signer(ctx):
    n = named(ctx)
    if n.header and n.cards and n.header not in {serial for _, serial in n.cards}:
        yield hit(cda.local_xpath("signature") + "/hl7fi:assignedAuthorSigner", header=n.header,
                  serials=", ".join(sorted({serial or "-" for _, serial in n.cards})))
