"""Checks of OmaKanta visibility (restriction and delay), SH-VIS, and of a minor's disclosure to guardians,
SH-MIN."""
from mock_kanta.core.codes.oids import GUARDIAN_DISCLOSURE
from mock_kanta.core.dates import ts_date
from mock_kanta.core.identity import age_on
from mock_kanta.rules.registry import check, hit, modelled_hit
from mock_kanta.wire.paths import cda

JUSTIFICATION_X = cda.local_xpath("authorization_restriction_argument")
_DOCUMENT = ("document",)


def _justified(doc) -> bool:
    return bool(doc.local and (doc.local.authorization_restriction_argument or "").strip())


@check("SH-VIS-001", needs=_DOCUMENT)
def restriction_justified(ctx):
    """A coded reason alone restricts (the text may refine it): said, never refused."""
    lh = ctx.document.local
    if lh and lh.inaccessible_argument and lh.inaccessible_argument.code and not _justified(ctx.document):
        yield hit(JUSTIFICATION_X, code=lh.inaccessible_argument.code)


@check("SH-VIS-002", needs=_DOCUMENT)
def delay_has_reason(ctx):
    lh = ctx.document.local
    if lh and lh.inaccessible_until and not (lh.inaccessible_argument and lh.inaccessible_argument.code):
        yield hit(cda.local_xpath("inaccessible_until", "value"), until=lh.inaccessible_until)


@check("SH-VIS-003", needs=_DOCUMENT)
def delay_period(ctx):
    d = ctx.document
    lh = d.local
    if not lh or not lh.inaccessible_until:
        return
    until, on = ts_date(lh.inaccessible_until), ts_date(d.effective_time)
    if until is None or (on is not None and until < on):
        yield hit(cda.local_xpath("inaccessible_until", "value"), until=lh.inaccessible_until, date=on.isoformat() if on else "-")


@check("SH-MIN-001", needs=_DOCUMENT)
def minor_consent_present(ctx):
    d = ctx.document
    hetu = d.client.id.extension if d.client and d.client.id else None
    age = age_on(hetu, ts_date(d.effective_time))
    if age is not None and age < 18 and not (d.consent and d.consent.code):
        yield hit(cda.xpath("consent"), client=hetu, age=age)


@check("SH-MIN-002", needs=_DOCUMENT)
def prohibition_justified(ctx):
    d = ctx.document
    system = ctx.codes.get(GUARDIAN_DISCLOSURE)
    entry = system.get(d.consent.code) if system and d.consent else None
    if entry and entry.meaning in ("prohibited", "prohibition-refused") and not _justified(d):
        known = hit if entry.verified else modelled_hit  # the meaning of an unverified code is the sandbox's model
        yield known(JUSTIFICATION_X, code=entry.code, display=entry.display)
