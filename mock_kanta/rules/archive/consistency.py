"""Checks that the frame and the document agree with each other: SH-CON."""
from mock_kanta.core.codes.oids import CLIENT_RELATIONSHIP_GROUP, SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda, hl7v3

__all__ = ["CLIENT_RELATIONSHIP_GROUP"]
_BOTH = ("frame", "document")


def _ii(v):
    return v.root if v else None


def _ext(v):
    return v.id.extension if v and v.id else None


# (rule id, frame getter, document getter, frame xpath, document xpath, whether the frame may leave it out:
# then only a value the frame states is compared).
_PAIRS = (
    ("SH-CON-001", lambda f: _ii(f.id), lambda d: _ii(d.id), ("id", "root"), ("id", "root"), False),
    ("SH-CON-002", lambda f: _ii(f.set_id), lambda d: _ii(d.set_id), ("set_id", "root"), ("set_id", "root"), False),
    ("SH-CON-003", lambda f: f.version_number, lambda d: d.version_number, ("version_number", "value"),
     ("version_number", "value"), False),
    ("SH-CON-004", lambda f: _ext(f.client), lambda d: _ext(d.client), ("client", "extension"), ("client", "extension"),
     False),
    ("SH-CON-005", lambda f: _ii(f.custodian.id) if f.custodian else None,
     lambda d: _ii(d.custodian.id) if d.custodian else None, ("custodian", "root"), ("custodian", "root"), False),
    ("SH-CON-006", lambda f: f.register_code.code if f.register_code else None,
     lambda d: d.local.registry_type.code if d.local and d.local.registry_type else None, ("register_code", "code"), None,
     False),
    ("SH-CON-007", lambda f: f.confidentiality.code if f.confidentiality else None,
     lambda d: d.confidentiality.code if d.confidentiality else None, ("confidentiality", "code"), ("confidentiality", "code"),
     True),
    ("SH-CON-008", lambda f: f.language.lower() if f.language else None, lambda d: d.language.lower() if d.language else None,
     ("language", "code"), ("language", "code"), True),
)

_SUB = {"client": "hl7:id", "custodian": "hl7:id"}


def _frame_x(ctx: Context, attr: str, at: str) -> str:
    return hl7v3.doc_xpath(attr, _SUB.get(attr), at=at, root=ctx.frame.interaction)


def _doc_x(attr: str, at: str) -> str:
    return cda.xpath(attr, _SUB.get(attr), at=at)


def _pair_check(get_f, get_d, fx, dx, optional_in_frame):
    def agree(ctx: Context):
        fd, doc = ctx.frame.document, ctx.document
        if fd is None:
            return
        a, b = get_f(fd), get_d(doc)
        if (a is None and b is None) or (optional_in_frame and a is None):
            return
        if a != b:
            doc_loc = _doc_x(*dx) if dx else cda.local_xpath("registry_type", "code")
            yield hit(f"{_frame_x(ctx, *fx)} | {doc_loc}", frame=a or "-", document=b or "-")

    return agree


for rid, get_f, get_d, fx, dx, frame_may_omit in _PAIRS:
    check(rid, needs=_BOTH)(_pair_check(get_f, get_d, fx, dx, frame_may_omit))


@check("SH-CON-009", needs=_BOTH)
def service_request_fits_group(ctx: Context):
    sp = ctx.frame.reason(SERVICE_REQUESTS)
    group = ctx.document.local.document_group if ctx.document.local else None
    if sp is None or group is None or not sp.code or not group.code:
        return
    is_relationship = group.code == CLIENT_RELATIONSHIP_GROUP
    if (sp.code == "SP1") != is_relationship and sp.code in ("SP1", "SP17"):
        expected = "SP1" if is_relationship else "SP17"
        yield hit(
            f"{hl7v3.reason_xpath(SERVICE_REQUESTS, ctx.frame.interaction)}/@code | {cda.local_xpath('document_group', 'code')}",
            request=sp.code,
            group=group.code,
            expected=expected,
        )


@check("SH-CON-010", needs=_BOTH)
def sender_is_custodian(ctx: Context):
    usage = ctx.frame.reason(USAGE_SITUATIONS)
    custodian = ctx.document.custodian.id.root if ctx.document.custodian and ctx.document.custodian.id else None
    if usage is None or usage.code != "1" or not ctx.frame.sender or not custodian:
        return
    if ctx.frame.sender != custodian:
        yield hit(hl7v3.xpath("sender", root=ctx.frame.interaction), sender=ctx.frame.sender, custodian=custodian)
