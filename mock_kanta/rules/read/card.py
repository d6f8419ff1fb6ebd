"""Checks of the reader's card certificate (hl7fi:authenticationCertificate, modelled): it is there and
readable, the sandbox trusts it as a professional's card by its clock, and it is the named reader's: SH-ACC-001..003."""
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths.query import request_xpath

_CARD = ("request", "card")


def _at(ctx: ReadContext) -> str:
    return request_xpath("reader", ctx.request.interaction, reader="certificate_b64")


def _trusted(ctx: ReadContext) -> bool:
    return not ctx.card.trust and not ctx.card.policy


@check("SH-ACC-001", needs=_CARD, on=ReadContext)
def card_present(ctx):
    reader = ctx.request.reader
    if reader is None or not reader.certificate_b64:
        yield hit(_at(ctx), detail="no hl7fi:authenticationCertificate")
    elif ctx.card.unreadable:
        yield hit(_at(ctx), detail=f"not a Base64 DER X.509 certificate ({ctx.card.unreadable})")


@check("SH-ACC-002", needs=_CARD, on=ReadContext)
def card_trusted(ctx):
    card = ctx.card
    if card.read and not _trusted(ctx):
        problems = [f"{p.kind}: {p.detail}" for p in card.trust] + ([f"policy: {card.policy}"] if card.policy else [])
        yield hit(_at(ctx), subject=card.subject, detail="; ".join(problems))


@check("SH-ACC-003", needs=_CARD, on=ReadContext)
def card_holder(ctx):
    card, stated = ctx.card, ctx.request.reader.registration_number if ctx.request.reader else None
    if card.read and _trusted(ctx) and stated and card.registration_number != stated:
        yield hit(request_xpath("reader", ctx.request.interaction, reader="person", at="extension"), stated=stated,
                  card=card.registration_number or "-")
