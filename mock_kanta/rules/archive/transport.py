"""Checks of what the archive met while reading a submission, before any of its content: the XML of each
part, the transport, the roots, the request (SH-XML, SH-TRN); and of what came with the message besides it:
the TLS client organisation (SH-TRN-005) and the validation clone's service request (SH-VAL-001)."""
from mock_kanta.core.codes.oids import SERVICE_REQUESTS
from mock_kanta.rules.context import ProblemKind
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import hl7v3

# rule id: the kinds of reading problem (ctx.problems) it reports, each at the root with the problem's values
_REPORTS = {
    "SH-XML-001": (ProblemKind.MALFORMED, ProblemKind.EMPTY),
    "SH-XML-002": (ProblemKind.DTD,),
    "SH-XML-003": (ProblemKind.TOO_LARGE,),
    "SH-XML-004": (ProblemKind.TOO_DEEP,),
    "SH-TRN-001": (ProblemKind.TRANSPORT,),
    "SH-TRN-002": (ProblemKind.NO_DOCUMENT,),
    "SH-TRN-003": (ProblemKind.WRONG_ROOT,),
    "SH-TRN-004": (ProblemKind.BAD_REQUEST,),
    "SH-TRN-006": (ProblemKind.CLIENT_CERTIFICATE,),
}


def _reporting(kinds: tuple[ProblemKind, ...]):
    def report(ctx):
        for problem in ctx.problems:
            if problem.kind in kinds:
                yield hit("/", **problem.params)

    return report


for _rid, _kinds in _REPORTS.items():
    check(_rid, needs=("problems",))(_reporting(_kinds))


@check("SH-TRN-005", needs=("frame", "client_org"))
def sender_is_tls_client(ctx):
    if ctx.frame.sender != ctx.client_org:
        yield hit(hl7v3.xpath("sender", root=ctx.frame.interaction), sender=ctx.frame.sender or "-", client=ctx.client_org)


@check("SH-VAL-001", needs=("frame", "requested_service"))
def service_request_as_requested(ctx):
    sp = ctx.frame.reason(SERVICE_REQUESTS)
    if sp is not None and sp.code != ctx.requested_service:
        yield hit(hl7v3.reason_xpath(SERVICE_REQUESTS, ctx.frame.interaction) + "/@code", request=ctx.requested_service,
                  frame=sp.code)
