"""Checks of the HL7 V3 archive frame (RCMR_IN200002FI01): SH-FRM."""
from mock_kanta.core.codes.oids import SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import hl7v3
from mock_kanta.wire.paths.hl7v3 import ARCHIVE_INTERACTION, INTERACTION_ID_ROOT, KANTA_SH_DEVICE

TRIGGER = "RCMR_TE000102UV01"
_FRAME = ("frame",)


def _x(ctx: Context, attr: str, at: str | None = None) -> str:
    return hl7v3.xpath(attr, at=at, root=ctx.frame.interaction)


@check("SH-FRM-001", needs=_FRAME)
def interaction(ctx):
    f = ctx.frame
    if f.interaction != ARCHIVE_INTERACTION:
        yield hit(hl7v3.root_path(f.interaction), found=f.interaction, expected=ARCHIVE_INTERACTION)
    iid = f.interaction_id  # the archive interface takes one interaction, whatever the frame's root says
    if iid is None or iid.extension != ARCHIVE_INTERACTION or iid.root != INTERACTION_ID_ROOT:
        found = f"{iid.root}/{iid.extension}" if iid else "-"
        yield hit(_x(ctx, "interaction_id"), found=f"interactionId {found}",
                  expected=f"{INTERACTION_ID_ROOT}/{ARCHIVE_INTERACTION}")


@check("SH-FRM-002", needs=_FRAME)
def message_id(ctx):
    if ctx.frame.message_id is None or not ctx.frame.message_id.root:
        yield hit(_x(ctx, "message_id", "root"))


@check("SH-FRM-003", needs=_FRAME)
def control_fields(ctx):
    for attr, element, at in (
        ("creation_time", "creationTime", "value"),
        ("processing_code", "processingCode", "code"),
        ("processing_mode_code", "processingModeCode", "code"),
        ("accept_ack_code", "acceptAckCode", "code"),
    ):
        if not getattr(ctx.frame, attr):
            yield hit(_x(ctx, attr, at), element=element)


@check("SH-FRM-004", needs=_FRAME)
def receiver(ctx):
    if ctx.frame.receiver != KANTA_SH_DEVICE:
        yield hit(_x(ctx, "receiver"), found=ctx.frame.receiver or "-", expected=KANTA_SH_DEVICE)


@check("SH-FRM-005", needs=_FRAME)
def sender(ctx):
    if not ctx.frame.sender:
        yield hit(_x(ctx, "sender"))


@check("SH-FRM-006", needs=_FRAME)
def trigger(ctx):
    code = ctx.frame.control_act_code
    if code is None or code.code != TRIGGER:
        yield hit(_x(ctx, "control_act_code", "code"), found=(code and code.code) or "-", expected=TRIGGER)


def _reason_missing(system: str):
    def missing(ctx):
        if ctx.frame.reason(system) is None:
            yield hit(hl7v3.reason_xpath(system, ctx.frame.interaction))

    return missing


check("SH-FRM-007", needs=_FRAME)(_reason_missing(SERVICE_REQUESTS))
check("SH-FRM-008", needs=_FRAME)(_reason_missing(USAGE_SITUATIONS))


@check("SH-FRM-009", needs=_FRAME)
def frame_document(ctx):
    if ctx.frame.document is None:
        yield hit(_x(ctx, "document"))


@check("SH-FRM-010", needs=_FRAME)
def frame_author(ctx):
    a = ctx.frame.author
    if a is None or a.person is None or a.person.id is None:
        yield hit(_x(ctx, "author"))
