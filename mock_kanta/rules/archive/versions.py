"""Checks of versions (korvaaminen), SH-VER, and voids (mitätöinti), SH-VOID: a new version keeps setId,
raises versionNumber, points to the current version with relatedDocument RPLC and states its reason;
nothing is deleted."""
from mock_kanta.core.codes.oids import RECORD_STATUS, VOID
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda

NEEDS = ("document", "world")
RELATED_X = cda.xpath("related", "hl7:parentDocument/hl7:id", at="root")


def replaced(doc):
    """The RPLC relatedDocument, or None."""
    return next((r for r in doc.related if (r.type_code or "RPLC") == "RPLC"), None)


def is_void_document(doc, codes) -> bool:
    """Marked void (mitätöinti) by its recordStatus: the code whose meaning is "void" in the code data."""
    status = doc.local.record_status if doc.local else None
    system = codes.get(RECORD_STATUS)
    entry = system.get(status.code) if system and status else None
    return bool(entry and entry.meaning == VOID)


def is_void(ctx) -> bool:
    return is_void_document(ctx.document, ctx.codes)


@check("SH-VER-001", needs=NEEDS)
def parent_exists(ctx):
    r = replaced(ctx.document)
    parent_id = r.id.root if r and r.id else None
    if r is None:
        return
    parent = ctx.world.document(parent_id)
    register = ctx.document.custodian.id.root if ctx.document.custodian and ctx.document.custodian.id else None
    if parent is None or parent["register_oid"] != register:
        yield hit(RELATED_X, parent=parent_id or "-", register=register or "-")


@check("SH-VER-002", needs=NEEDS)
def continues_the_set(ctx):
    d, r = ctx.document, replaced(ctx.document)
    parent = ctx.world.document(r.id.root) if r and r.id else None
    if parent is None:
        return
    set_id, version = (d.set_id.root if d.set_id else None), int(d.version_number) if (d.version_number or "").isdigit() else 0
    if set_id != parent["set_id"] or version <= parent["version"]:
        yield hit(cda.xpath("version_number", at="value"), set_id=set_id or "-", version=version,
                  parent_set=parent["set_id"], parent_version=parent["version"])


@check("SH-VER-003", needs=NEEDS, after_write=True)
def replaces_current(ctx):
    """Before the write, by the register world; after a refused write, by the store's answer (another version
    replaced the same parent between this document's checks and its write)."""
    if ctx.write is not None:
        stale = ctx.write.stale_parent
        if stale is not None:
            yield hit(RELATED_X, parent=stale.document_id, parent_version=stale.version, current=stale.replaced_by or "-",
                      current_version="?", status=stale.status)
        return
    r = replaced(ctx.document)
    parent = ctx.world.document(r.id.root) if r and r.id else None
    if parent is None:
        return
    current = ctx.world.current_version(parent["set_id"])
    if current is not None and (current["document_id"] != parent["document_id"] or current["status"] != "active"):
        yield hit(RELATED_X, parent=parent["document_id"], parent_version=parent["version"], current=current["document_id"],
                  current_version=current["version"], status=current["status"])


@check("SH-VER-004", needs=NEEDS)
def reason_given(ctx):
    d, r = ctx.document, replaced(ctx.document)
    if r is None:
        return
    lh = d.local
    if not (lh and lh.reason_of_correction and lh.reason_of_correction.code):
        yield hit(cda.local_xpath("reason_of_correction", "code"), parent=r.id.root if r.id else "-")


@check("SH-VER-005", needs=NEEDS)
def version_needs_reference(ctx):
    d = ctx.document
    if not d.version_number:
        return  # no version at all: SH-HDR-003 says so
    if replaced(d) is not None or ctx.world.document(d.document_id) is not None:  # a resend: SH-ARC-001 answers it
        return
    set_id = d.set_id.root if d.set_id else None
    version = d.version_number
    current = ctx.world.current_version(set_id) if set_id else None
    if current is not None and current["document_id"] == d.document_id:
        return  # the same id was stored between the two lookups (a racing resend): SH-ARC-001 answers it
    if version != "1" or current is not None:
        yield hit(cda.xpath("version_number", at="value"), version=version, set_id=set_id or "-")


@check("SH-VOID-001", needs=NEEDS)
def void_points_at_version(ctx):
    if is_void(ctx) and replaced(ctx.document) is None:
        yield hit(cda.local_xpath("record_status", "code"), code=ctx.document.local.record_status.code)


@check("SH-VOID-002", needs=NEEDS)
def void_justified(ctx):
    r = replaced(ctx.document)
    lh = ctx.document.local
    if is_void(ctx) and r is not None and not (lh.authorization_restriction_argument or "").strip():
        yield hit(cda.local_xpath("authorization_restriction_argument"), parent=r.id.root if r.id else "-")
