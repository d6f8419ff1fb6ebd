"""Checks of whose documents may be read (docs/read-side.md, "Who may read what" 4): a retrieve's document
exists for the client and register it names (SH-ACC-017); in the organisation's own register (usage
situation 1) the register is the reader's and the client has a relationship there (SH-ACC-006, 008); as a
provider in an organiser's register (usage situation 2) the usage right names the reader's unit for the
client, in force today by the sandbox clock, in a register open to providers (SH-ACC-007, 009..012, 018).

`readable` gives the registers the reader may read: the read service answers from those, the checks
refuse when there is none."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mock_kanta.core.codes.oids import OWN_USAGE, PROVIDER_USAGE, USAGE_SITUATIONS
from mock_kanta.core.dates import iso_date
from mock_kanta.core.registers import Right, granted_tasks
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths.query import reason_xpath, request_xpath, unit_xpath

_SCOPE = ("request", "target", "world")
Readable = tuple[str, frozenset[str] | None]  # a register, and the service tasks a right limits it to (None: no limit)


def _usage(ctx: ReadContext) -> str | None:
    usage = ctx.request.reason(USAGE_SITUATIONS)
    return usage.code if usage else None


def _usage_code(ctx: ReadContext, meaning: str) -> str:
    system = ctx.codes.get(USAGE_SITUATIONS)
    entry = system.by_meaning(meaning) if system else None
    return entry.code if entry else "?"


def _own_register(ctx: ReadContext) -> bool:
    """The usage situation is not the provider's (so the organisation's own register)."""
    system = ctx.codes.get(USAGE_SITUATIONS)
    entry = system.get(_usage(ctx)) if system else None
    return (entry.meaning if entry else None) != PROVIDER_USAGE


def _usage_x(ctx: ReadContext) -> str:
    return reason_xpath(USAGE_SITUATIONS, ctx.request.interaction)


def _register_x(ctx: ReadContext) -> str:
    """Where the register is named: registerId, else the usage situation that implies it."""
    r = ctx.request
    return request_xpath("register_id", r.interaction, at="root") if _named_in_request(ctx) else _usage_x(ctx)


def _named_in_request(ctx: ReadContext) -> bool:
    return bool(ctx.request.register_id and ctx.request.register_id.root)


def _client_x(ctx: ReadContext) -> str:
    return request_xpath("client_id", ctx.request.interaction, at="extension")


# --- a retrieve's document --------------------------------------------------------------------


@check("SH-ACC-017", needs=("request", "stored"), on=ReadContext)
def document_found(ctx):
    r, row = ctx.request, ctx.stored.document
    named = r.register_id.root if _named_in_request(ctx) else None
    detail = ""
    if row is not None and r.client_id is not None and r.client_id.extension != row["client_id"]:
        detail = " for this client"
    elif row is not None and named and named != row["register_oid"]:
        detail = f" in register {named}"
    if row is None or detail:
        yield hit(request_xpath("document_id", r.interaction, at="root"), document=r.document_id.root, detail=detail)


# --- usage situation 1: the organisation's own register -------------------------------------------


def _relationship(ctx: ReadContext) -> bool:
    """A client relationship in the organisation's own register: a document it stored there itself, a matter
    it opened, or a register usage right it granted (modelled; see docs/read-side.md)."""
    org, client, world = ctx.request.sender, ctx.target.client, ctx.world
    return (world.stored_itself(org, client) or any(m["organiser_oid"] == org for m in world.matters(client))
            or any(x.organiser_oid == org for x in world.rights(client)))


@check("SH-ACC-006", needs=_SCOPE, on=ReadContext)
def own_register(ctx):
    org = ctx.request.sender
    register = ctx.target.register or org
    if _own_register(ctx) and register != org:
        yield hit(_register_x(ctx), organisation=org, register=register, usage=_usage(ctx),
                  provider_code=_usage_code(ctx, PROVIDER_USAGE))


@check("SH-ACC-008", needs=_SCOPE, on=ReadContext)
def client_relationship(ctx):
    org = ctx.request.sender
    if _own_register(ctx) and (ctx.target.register or org) == org and not ctx.once(_relationship):
        yield hit(_client_x(ctx), client=ctx.target.client, organisation=org)


# --- usage situation 2: a provider in an organiser's register --------------------------------------


def _not_a_provider_read(ctx: ReadContext) -> tuple[str, str] | None:
    """(location, why) when the reader's organisation is no provider or the register named no organiser's."""
    org, named, world = ctx.request.sender, ctx.target.register, ctx.world
    if world.kind(org) != "provider":
        return _usage_x(ctx), f"the reader's organisation {org} is {world.kind(org) or 'unknown'}, not a provider"
    if named and world.kind(named) != "organiser":
        return _register_x(ctx), f"register {named} is not an organiser's"
    return None


@check("SH-ACC-007", needs=_SCOPE, on=ReadContext)
def provider_reads_organiser(ctx):
    refusal = None if _own_register(ctx) else _not_a_provider_read(ctx)
    if refusal:
        location, detail = refusal
        yield hit(location, usage=_usage(ctx), own_code=_usage_code(ctx, OWN_USAGE), detail=detail)


def _rights(ctx: ReadContext) -> tuple[Right, ...] | None:
    """The client's rights naming a unit of the reader's organisation (in the register named), when a
    provider reads an organiser's register; None otherwise."""
    if _own_register(ctx) or _not_a_provider_read(ctx):
        return None
    org, named, world = ctx.request.sender, ctx.target.register, ctx.world
    return tuple(x for x in world.rights(ctx.target.client) if (u := world.unit(x.unit_oid)) and u["organisation_oid"] == org
                 and (named is None or x.organiser_oid == named))


@check("SH-ACC-009", needs=_SCOPE, on=ReadContext)
def usage_right(ctx):
    if ctx.once(_rights) == ():
        location = _register_x(ctx) if _named_in_request(ctx) else _client_x(ctx)
        yield hit(location, register=ctx.target.register or "-", organisation=ctx.request.sender, client=ctx.target.client)


@dataclass(frozen=True)
class Reach:
    """One organiser's register as the client's rights reach it for the reader's unit today."""

    register: str
    opens: date | None  # open to providers from (the organiser's timeline; None: always)
    named_units: tuple[str, ...]  # the provider's units its rights name
    mine: tuple[Right, ...]  # those naming the reader's unit
    live: tuple[Right, ...]  # of those, in force today

    def closed(self, today: date) -> bool:
        return self.opens is not None and today < self.opens


def _reaches(ctx: ReadContext) -> list[Reach]:
    rights, unit, world = ctx.once(_rights) or (), ctx.request.reader.unit, ctx.world
    out = []
    for register in sorted({x.organiser_oid for x in rights}):
        mine = tuple(x for x in rights if x.organiser_oid == register and x.unit_oid == unit)
        out.append(Reach(register, iso_date((world.org(register) or {}).get("providers_from")),
                         tuple(sorted({x.unit_oid for x in rights if x.organiser_oid == register})), mine,
                         tuple(x for x in mine if x.in_force(world.today))))
    return out


def _refused(ctx: ReadContext) -> list[Reach]:
    """The registers the rights reach, when none of them may be read (each then says why)."""
    return [] if readable(ctx) else ctx.once(_reaches)


@check("SH-ACC-018", needs=_SCOPE, on=ReadContext)
def register_open(ctx):
    today = ctx.world.today
    for reach in _refused(ctx):
        if reach.closed(today):
            yield hit(_usage_x(ctx), register=reach.register, date=reach.opens.isoformat(), today=today.isoformat())


@check("SH-ACC-012", needs=_SCOPE, on=ReadContext)
def right_names_unit(ctx):
    for reach in _refused(ctx):
        if not reach.closed(ctx.world.today) and not reach.mine:
            yield hit(unit_xpath(ctx.request.interaction), client=ctx.target.client, named=", ".join(reach.named_units),
                      unit=ctx.request.reader.unit)


def _lapsed(ctx: ReadContext) -> list[tuple[Reach, date | None]]:
    """The registers whose rights for the reader's unit are not in force today, each with when they ended
    (None: they have not begun)."""
    today = ctx.world.today
    out = []
    for reach in _refused(ctx):
        if not reach.closed(today) and reach.mine and not reach.live:
            ended = [x.end for x in reach.mine if x.end is not None and x.end < today]
            out.append((reach, max(ended) if ended else None))
    return out


@check("SH-ACC-010", needs=_SCOPE, on=ReadContext)
def right_ended(ctx):
    for _reach, end in _lapsed(ctx):
        if end is not None:
            yield hit(_client_x(ctx), unit=ctx.request.reader.unit, client=ctx.target.client, end=end.isoformat(),
                      today=ctx.world.today.isoformat())


@check("SH-ACC-011", needs=_SCOPE, on=ReadContext)
def right_begun(ctx):
    for reach, end in _lapsed(ctx):
        if end is None:
            yield hit(_client_x(ctx), unit=ctx.request.reader.unit, client=ctx.target.client,
                      start=min(x.start for x in reach.mine).isoformat(), today=ctx.world.today.isoformat())


# --- what may be read ----------------------------------------------------------------------------


def readable(ctx: ReadContext) -> list[Readable]:
    """The registers this reader may read for the target client now (with the target, the world and the
    request's usage situation filled), each with the service tasks a right limits it to (None: no limit)."""
    return ctx.once(_readable)


def _readable(ctx: ReadContext) -> list[Readable]:
    if _own_register(ctx):
        org = ctx.request.sender
        return [(org, None)] if (ctx.target.register or org) == org and ctx.once(_relationship) else []
    today = ctx.world.today
    return [(reach.register, granted_tasks(reach.live)) for reach in ctx.once(_reaches)
            if not reach.closed(today) and reach.live]
