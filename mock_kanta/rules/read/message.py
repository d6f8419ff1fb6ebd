"""Checks of a read message's shape and parameters (modelled, docs/read-side.md): SH-QRY. A parameter's
finding is located in queryByParameter, which makes the answer's queryResponseCode QE."""
from mock_kanta.core.codes.oids import HETU_ROOT, REGISTRATION_ROOT, SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.rules.context import ProblemKind
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import Hit, check, hit
from mock_kanta.wire.paths.hl7v3 import KANTA_SH_DEVICE
from mock_kanta.wire.paths.query import hl7_instant, reason_xpath, request_xpath

_REQUEST = ("request",)
_BOOLEANS = ("true", "false")


def _x(ctx: ReadContext, attr: str, **kw) -> str:
    return request_xpath(attr, ctx.request.interaction, **kw)


def _paths(ctx: ReadContext) -> dict[str, str]:
    return {"query_path": ctx.interactions["query"].path, "retrieve_path": ctx.interactions["retrieve"].path}


@check("SH-QRY-001", needs=("problems",), on=ReadContext)
def unpacked(ctx):
    for problem in ctx.problems:
        if problem.kind is ProblemKind.TRANSPORT:
            yield hit("/", detail=problem.detail)


@check("SH-QRY-002", on=ReadContext)  # the first step's: the root as read, or the parsed request's interactionId
def interaction(ctx):
    expected = ctx.interaction.request
    for problem in ctx.problems:
        if problem.kind is ProblemKind.WRONG_ROOT:
            yield hit("/", found=problem.found, expected=expected, interaction="-", **_paths(ctx))
    r = ctx.request
    if r is not None and (not r.interaction_id or r.interaction_id.extension != r.interaction):
        yield hit(_x(ctx, "interaction_id", at="extension"), found=r.interaction, expected=expected,
                  interaction=r.interaction_id.extension if r.interaction_id else "-", **_paths(ctx))


@check("SH-QRY-003", needs=_REQUEST, on=ReadContext)
def service_request(ctx):
    sp, expected = ctx.request.reason(SERVICE_REQUESTS), ctx.interaction.service_request
    if sp is None or sp.code != expected.code:
        yield hit(reason_xpath(SERVICE_REQUESTS, ctx.request.interaction), system=SERVICE_REQUESTS,
                  found=sp.code if sp else "-", expected=expected.code)


@check("SH-QRY-004", needs=("request", "codes"), on=ReadContext)
def usage_situation(ctx):
    usage, system = ctx.request.reason(USAGE_SITUATIONS), ctx.codes.get(USAGE_SITUATIONS)
    if usage is None or system is None or system.get(usage.code) is None:
        known = ", ".join(f"{c.code} ({c.display})" for c in system.codes.values()) if system else "-"
        yield hit(reason_xpath(USAGE_SITUATIONS, ctx.request.interaction), system=USAGE_SITUATIONS,
                  found=usage.code if usage else "-", known=known)


def _missing(location: str, parameter: str) -> Hit:
    return hit(location, parameter=parameter, where=location)


@check("SH-QRY-005", needs=_REQUEST, on=ReadContext)
def required(ctx):
    r = ctx.request
    if r.reader is None or not r.reader.registration_number:
        yield _missing(_x(ctx, "reader", reader="person"), "the reader's registration number")
    if r.reader is None or not r.reader.unit:
        yield _missing(_x(ctx, "reader", reader="organisation"), "the reader's service unit (representedOrganization/id)")
    if ctx.kind == "query" and (r.client_id is None or not r.client_id.extension):
        yield _missing(_x(ctx, "client_id"), "clientId")
    if ctx.kind == "retrieve" and (r.document_id is None or not r.document_id.root):
        yield _missing(_x(ctx, "document_id"), "documentId")


@check("SH-QRY-006", needs=_REQUEST, on=ReadContext)
def parameters(ctx):
    r = ctx.request
    bad = _invalid(ctx)
    reader = r.reader
    if reader is not None and reader.registration_number and reader.person.id.root != REGISTRATION_ROOT:
        yield bad(_x(ctx, "reader", reader="person", at="root"), "authorOrPerformer/assignedPerson/id",
                  f"root {reader.person.id.root}: a read names the professional by the registration number"
                  f" (root {REGISTRATION_ROOT})")
    if r.client_id is not None and (ctx.kind == "retrieve" or r.client_id.extension):
        yield from _client(ctx, bad)
    if ctx.kind == "query":
        yield from _times(ctx, bad)
        yield from _boolean(bad, r.current_only, "currentOnly", _x(ctx, "current_only", at="value"))
        yield from _boolean(bad, r.include_voided, "includeVoided", _x(ctx, "include_voided", at="value"))
        limit = ctx.interactions["query"].max_results
        if r.initial_quantity is not None and not (r.initial_quantity.isdigit() and 1 <= int(r.initial_quantity) <= limit):
            yield bad(_x(ctx, "initial_quantity", at="value"), "initialQuantity", f"{r.initial_quantity!r} is not 1-{limit}")
    else:
        yield from _boolean(bad, r.include_history, "includeHistory", _x(ctx, "include_history", at="value"))


def _invalid(ctx: ReadContext):
    top = ctx.interactions["query"].max_results

    def bad(location: str, parameter: str, detail: str) -> Hit:
        return hit(location, parameter=parameter, detail=detail, max=top)

    return bad


def _client(ctx: ReadContext, bad):
    client = ctx.request.client_id
    if client.root != HETU_ROOT:
        yield bad(_x(ctx, "client_id", at="root"), "clientId", f"root {client.root}, expected {HETU_ROOT} (henkilötunnus)")
        return
    try:
        parse_hetu(client.extension or "")
    except HetuError as exc:
        yield bad(_x(ctx, "client_id", at="extension"), "clientId", str(exc))


def _times(ctx: ReadContext, bad):
    r = ctx.request
    low, high = hl7_instant(r.time_low), hl7_instant(r.time_high, end=True)
    for value, parsed, attr in ((r.time_low, low, "time_low"), (r.time_high, high, "time_high")):
        if value is not None and parsed is None:
            yield bad(_x(ctx, attr, at="value"), "documentEffectiveTime",
                      f"{value!r} is not an HL7 time (YYYYMMDD[hhmm[ss]][+zzzz])")
    if low and high and low >= high:
        yield bad(_x(ctx, "time_low", at="value"), "documentEffectiveTime", f"low {r.time_low} is after high {r.time_high}")


def _boolean(bad, value: str | None, name: str, location: str):
    if value is not None and value not in _BOOLEANS:
        yield bad(location, name, f"{value!r} is not true or false")


@check("SH-QRY-007", needs=_REQUEST, on=ReadContext)
def addressed(ctx):
    r = ctx.request
    if r.receiver != KANTA_SH_DEVICE:
        yield hit(_x(ctx, "receiver"), field="receiver/device/id@root", found=r.receiver or "-",
                  detail=f"expected {KANTA_SH_DEVICE}")
    if not r.sender:
        yield hit(_x(ctx, "sender"), field="sender/device/id@root", found="-", detail="the reading organisation is missing")
