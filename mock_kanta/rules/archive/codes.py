"""Checks that coded values come from their code systems (data in mock_kanta/core/codes): SH-COD."""
from mock_kanta.core.codes.oids import (
    DOCUMENT_GROUPS,
    DOCUMENT_TYPES,
    RECORD_STATUS,
    SERVICE_REQUESTS,
    USAGE_SITUATIONS,
)
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda, hl7v3


def _lh(attr):
    return lambda d: getattr(d.local, attr, None) if d.local else None


# (element label, getter on the document, xpath, expected code system)
DOCUMENT_CODES = (
    ("code", lambda d: d.code, cda.xpath("code"), DOCUMENT_TYPES),
    ("confidentialityCode", lambda d: d.confidentiality, cda.xpath("confidentiality"), "1.2.246.777.5.99902.2006"),
    ("administrativeGenderCode", lambda d: d.client.gender if d.client else None,
     cda.xpath("client", "hl7:patient/hl7:administrativeGenderCode"), "1.2.246.537.5.1.1997"),
    ("authorization/consent/code", lambda d: d.consent, cda.xpath("consent"), "1.2.246.537.6.1286.201901"),
    ("specificDocumentType", _lh("specific_document_type"), cda.local_xpath("specific_document_type"), DOCUMENT_TYPES),
    ("documentGroup", _lh("document_group"), cda.local_xpath("document_group"), DOCUMENT_GROUPS),
    ("fileFormat", _lh("file_format"), cda.local_xpath("file_format"), "1.2.246.537.6.1502.201601"),
    ("structuredFileFormat", _lh("structured_file_format"), cda.local_xpath("structured_file_format"), "1.2.246.537.5.40179.2008"),
    ("functionCode", _lh("function_code"), cda.local_xpath("function_code"), "1.2.246.537.6.1221.201601"),
    ("recordStatus", _lh("record_status"), cda.local_xpath("record_status"), RECORD_STATUS),
    ("registryType", _lh("registry_type"), cda.local_xpath("registry_type"), "1.2.246.537.6.1264.201701"),
    ("totalRetentionPeriodClass", _lh("total_retention_period_class"), cda.local_xpath("total_retention_period_class"),
     "1.2.246.537.6.1258.201601"),
    ("specialContent", _lh("special_content"), cda.local_xpath("special_content"), "1.2.246.537.6.112.2007"),
    ("serviceProcess/code", lambda d: d.local.service_process.code if d.local and d.local.service_process else None,
     cda.local_xpath("service_process") + "/hl7fi:code", "1.2.246.537.6.1277.201701"),
    ("inaccessibleArgument", _lh("inaccessible_argument"), cda.local_xpath("inaccessible_argument"), "1.2.246.537.6.1288.201901"),
    ("reasonOfCorrection", _lh("reason_of_correction"), cda.local_xpath("reason_of_correction"), "1.2.246.537.5.40178.2008"),
    ("signature/authenticationMethod",
     lambda d: d.local.signature.authentication_method if d.local and d.local.signature else None,
     cda.local_xpath("signature") + "/hl7fi:authenticationMethod", "1.2.246.537.5.40128.2006"),
)


def _frame_codes(frame):
    fd = frame.document
    root = frame.interaction
    yield "reasonCode (palvelupyyntö)", frame.reason(SERVICE_REQUESTS), hl7v3.reason_xpath(SERVICE_REQUESTS, root), SERVICE_REQUESTS
    yield "reasonCode (käyttötilanne)", frame.reason(USAGE_SITUATIONS), hl7v3.reason_xpath(USAGE_SITUATIONS, root), USAGE_SITUATIONS
    if fd is not None:
        yield "clinicalDocument/code", fd.register_code, hl7v3.doc_xpath("register_code", root=root), "1.2.246.537.6.1264.201701"
        yield "completionCode", fd.completion_code, hl7v3.doc_xpath("completion_code", root=root), "1.2.246.537.5.40115.2006"
        yield "storageCode", fd.storage_code, hl7v3.doc_xpath("storage_code", root=root), "1.2.246.537.5.40116.2006"


def coded_values(ctx: Context) -> list:
    """Every (label, Coded, xpath, expected system) present in the message (listed once per message:
    several rules walk it)."""
    return ctx.once(_coded_values)


def _coded_values(ctx: Context) -> list:
    found = [(label, get(ctx.document), loc, system) for label, get, loc, system in DOCUMENT_CODES] if ctx.document else []
    if ctx.frame is not None:
        found.extend(_frame_codes(ctx.frame))
    return found


def _present(coded) -> bool:
    return coded is not None and coded.code is not None


def _accepted(ctx: Context, expected: str) -> tuple[str, ...]:
    return ctx.codes.accepted(expected) if ctx.codes is not None else (expected,)


ALLOWED_SHOWN = 20  # a finding names at most this many codes of the list


def _allowed(system) -> str:
    codes = list(system.codes)
    if not codes:
        return "-"
    more = len(codes) - ALLOWED_SHOWN
    return ", ".join(codes[:ALLOWED_SHOWN]) + (f", … (+{more})" if more > 0 else "")


@check("SH-COD-001")
def code_system(ctx):
    for label, coded, loc, expected in coded_values(ctx):
        accepted = _accepted(ctx, expected)
        if _present(coded) and coded.code_system not in accepted:
            system = ctx.codes.get(expected) if ctx.codes is not None else None
            yield hit(f"{loc}/@codeSystem", element=label, found=coded.code_system or "-", expected=expected,
                      accepted=", ".join(accepted), name=system.name if system else expected)


@check("SH-COD-002")
def unknown_code_complete(ctx):
    yield from _unknown(ctx, complete=True)


@check("SH-COD-003")
def unknown_code_partial(ctx):
    yield from _unknown(ctx, complete=False)


def _unknown(ctx, complete: bool):
    """Codes missing from the list of the edition they name (one the element accepts), in complete or partial lists."""
    if ctx.codes is None:
        return
    for label, coded, loc, expected in coded_values(ctx):
        if not _present(coded) or coded.code_system not in _accepted(ctx, expected):
            continue
        system = ctx.codes.get(coded.code_system)
        if system is None or system.complete != complete or system.get(coded.code) is not None:
            continue
        yield hit(f"{loc}/@code", element=label, code=coded.code, system=system.oid, name=system.name,
                  edition=system.edition or "-", allowed=_allowed(system), source=system.source or "-")
