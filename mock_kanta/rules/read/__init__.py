"""The read side's checks (SH-QRY, SH-ACC), one module per concern: `message` (the message's shape and
parameters), `card` (the reader's card), `reader` (role and unit), `scope` (whose documents: the document
asked for, the register and the client relationship or register usage right), `documents` (one document the
read would return), and `transmission` (what the request shares with the archive frame: SH-TRN-005). They look
at a `ReadContext` (`rules.read.context`), which the read service fills step by step, calling `evaluate` after
each step and stopping at a refusal; `judge` runs the document checks on one candidate."""
from __future__ import annotations

import dataclasses

from mock_kanta.core.findings import Finding
from mock_kanta.rules import registry
from mock_kanta.rules.read.context import Candidate, ReadContext
from mock_kanta.rules.read.transmission import shared_findings


def evaluate(ctx: ReadContext) -> list[Finding]:
    """The findings of the read checks that the parts filled since the last call make runnable (each check runs
    once per read), in catalogue order; once the request is there, with the checks it shares with the archive."""
    seen, present = ctx._seen, ctx.present()
    shared = shared_findings(ctx) if "request" in present and (seen is None or "request" not in seen) else []
    ctx._seen = present
    return shared + registry.evaluate(ctx, seen=seen)


def judge(ctx: ReadContext, candidate: Candidate) -> list[Finding]:
    """The document checks' findings on one candidate document (empty: the reader may have it)."""
    return registry.evaluate(dataclasses.replace(ctx, document=candidate), seen=ctx.present())
