"""Checks of the context data every client document states (kontekstitiedot): matter, social service,
service process phase; and that the matter belongs to the organiser and the client: SH-CTX."""
from mock_kanta.core.codes.oids import PROVIDER_PHASE, SERVICE_PROCESS_PHASES, SOCIAL_SERVICES
from mock_kanta.core.structured import social_services
from mock_kanta.rules.archive.header import is_client_document
from mock_kanta.rules.archive.register import situation
from mock_kanta.rules.context import Context
from mock_kanta.rules.registry import check, hit, modelled_hit
from mock_kanta.wire.paths import cda

MATTER_X = cda.xpath("matter", "hl7:id", at="root")
JSON_X = cda.body_xpath("json_b64")
_DOCUMENT, _DECODED, _REGISTER = ("document",), ("document", "body"), ("frame", "document", "world")


def _matter_id(doc):
    return doc.matter.id.root if doc.matter and doc.matter.id and doc.matter.id.root else None


def _social_services(ctx: Context) -> list[str]:
    """The structured form's sosiaalipalvelu codes (two checks ask: `ctx.once` walks it once)."""
    return social_services(ctx.body.structured)


@check("SH-CTX-001", needs=_DOCUMENT)
def matter_present(ctx):
    if is_client_document(ctx.document) and not _matter_id(ctx.document):
        yield hit(MATTER_X)


@check("SH-CTX-002", needs=_DECODED)
def social_service_present(ctx):
    if ctx.body.structured is not None and is_client_document(ctx.document) and not ctx.once(_social_services):
        yield hit(JSON_X, system=SOCIAL_SERVICES)


@check("SH-CTX-003", needs=_DECODED)
def social_service_codes(ctx):
    system = ctx.codes.get(SOCIAL_SERVICES)
    if ctx.body.structured is None or system is None:
        return
    for code in sorted(set(ctx.once(_social_services))):
        if system.get(code) is None:
            yield hit(JSON_X, code=code, system=SOCIAL_SERVICES)


@check("SH-CTX-004", needs=_REGISTER)
def provider_phase(ctx):
    """Only a phase known to be another may refuse: while the code data does not know (verified) the code of
    the providers' phase, a document in another phase gets a modelled finding."""
    s = situation(ctx)
    system = ctx.codes.get(SERVICE_PROCESS_PHASES)
    expected = system.by_meaning(PROVIDER_PHASE) if system else None
    sp = ctx.document.local.service_process if ctx.document.local else None
    found = sp.code.code if sp and sp.code else None
    if s.into_organiser and expected and found and found != expected.code:
        known = hit if expected.verified else modelled_hit
        yield known(cda.local_xpath("service_process") + "/hl7fi:code/@code", found=found, expected=expected.code,
                    name=expected.display)


@check("SH-CTX-005", needs=_REGISTER)
def matter_known(ctx):
    s = situation(ctx)
    matter_id = _matter_id(ctx.document)
    if matter_id and s.into_organiser and is_client_document(ctx.document) and ctx.world.matter(matter_id) is None:
        yield hit(MATTER_X, custodian=s.custodian, matter=matter_id)


@check("SH-CTX-006", needs=_REGISTER)
def matter_belongs(ctx):
    s = situation(ctx)
    matter = ctx.world.matter(_matter_id(ctx.document)) if is_client_document(ctx.document) else None
    if matter and (matter["organiser_oid"] != s.custodian or matter["client_id"] != s.client):
        yield hit(MATTER_X, matter=matter["matter_id"], owner=matter["organiser_oid"], owner_client=matter["client_id"],
                  custodian=s.custodian, client=s.client)
