"""Checks of the archive's own state: what the store answered to the write of a document that passed every
other check (ctx.write): SH-ARC. A stale version (SH-VER-003) is checked with the versions."""
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda


@check("SH-ARC-001", needs=("write",), after_write=True)
def not_archived_before(ctx):
    duplicate = ctx.write.duplicate
    if duplicate is not None:
        yield hit(cda.xpath("id", at="root"), document_id=duplicate.document_id, received_at=duplicate.received_at)
