"""Checks of who reads: a role in the sending organisation (fixtures/roles.yaml), for one of its own service
units or the organisation itself: SH-ACC-004, SH-ACC-005."""
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths.query import request_xpath, unit_xpath

_WHO = ("request", "who")


@check("SH-ACC-004", needs=_WHO, on=ReadContext)
def has_role(ctx):
    r = ctx.request
    if ctx.who.assignment is None:
        yield hit(request_xpath("reader", r.interaction, reader="person", at="extension"),
                  person=r.reader.registration_number, organisation=r.sender)


@check("SH-ACC-005", needs=_WHO, on=ReadContext)
def own_unit(ctx):
    r = ctx.request
    unit, organisation, row = r.reader.unit, r.sender, ctx.who.unit
    if ctx.who.assignment is None or unit == organisation:  # without a role SH-ACC-004 refuses; the organisation may read itself
        return
    if row is None:
        yield hit(unit_xpath(r.interaction), unit=unit, organisation=organisation,
                  detail="not in the sandbox's SOTE organisation register")
    elif row["organisation_oid"] != organisation:
        yield hit(unit_xpath(r.interaction), unit=unit, organisation=organisation,
                  detail=f"it is a unit of {row['organisation_oid']}")
