"""What a read's transmission wrapper shares with the archive frame: the TLS client's organisation is the
sender's (SH-TRN-005). Its one check is the archive's (`rules.archive.transport`, over a `Context`'s frame), so
it runs here on the request's wrapper seen as a frame: the HL7 V3 transmission fields the two have in common."""
from __future__ import annotations

from dataclasses import fields

from mock_kanta.core.findings import Finding
from mock_kanta.core.model import Frame
from mock_kanta.rules.context import Context
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import REGISTRY, evaluate
from mock_kanta.wire.paths.query import ReadRequest

SHARED = ("SH-TRN-005",)
_WRAPPER = tuple(f.name for f in fields(Frame) if f.name in {g.name for g in fields(ReadRequest)})


def frame_of(request: ReadRequest) -> Frame:
    """The request's transmission wrapper as an archive frame (no author, no document)."""
    return Frame(**{name: getattr(request, name) for name in _WRAPPER})


def shared_findings(ctx: ReadContext) -> list[Finding]:
    """The findings of the checks the request shares with the archive frame, which need the TLS client's
    organisation (a missing sender is SH-QRY-007's)."""
    if ctx.request is None or not ctx.request.sender or ctx.client_org is None:
        return []
    return evaluate(Context(frame=frame_of(ctx.request), client_org=ctx.client_org), [REGISTRY[rule] for rule in SHARED])
