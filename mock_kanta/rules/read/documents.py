"""Checks of one document the read would return (docs/read-side.md, "Who may read what" 5): a role allows its
service task (SH-ACC-013) and its document group and type (SH-ACC-014), the register usage right covers its
service task (SH-ACC-015), and a retrieve's reader has a role that may see content (SH-ACC-016). A query
leaves a refused document out (`mock_kanta.read` counts it in a warning); a retrieve of it is refused."""
from __future__ import annotations

from mock_kanta.rules.read.context import ReadContext, RoleProfile
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda
from mock_kanta.wire.paths.query import request_xpath

_DOCUMENT = ("who", "document")
_TASK_X = cda.local_xpath("function_code", at="code")
_GROUP_X = cda.local_xpath("document_group", at="code")
_ID_X = cda.xpath("id", at="root")


def _at(ctx: ReadContext, location: str) -> str:
    """A withheld document's finding is located in the document; the retrieve's own at its documentId."""
    return request_xpath("document_id", ctx.request.interaction, at="root") if ctx.document.asked else location


def _types(ctx: ReadContext) -> tuple[str | None, ...]:
    """The document's types as its roles judge them: the general type (read from the CDA) only when a role
    restricts types."""
    stored, roles = ctx.document.stored, ctx.who.assignment.roles
    return stored.types() if any(role.document_types is not None for role in roles) else (stored.document_type,)


def _by_task(ctx: ReadContext) -> list[RoleProfile]:
    assignment = ctx.who.assignment
    return [r for r in assignment.roles if r.allows_task(ctx.document.stored.function_code, assignment.service_tasks)]


def _allowing(ctx: ReadContext) -> list[RoleProfile]:
    """The reader's roles that allow the document's service task, group and type."""
    return [r for r in ctx.once(_by_task) if r.allows_type(ctx.document.stored.document_group, ctx.once(_types))]


def _roles(ctx: ReadContext) -> str:
    return ", ".join(ctx.who.assignment.role_ids)


@check("SH-ACC-013", needs=_DOCUMENT, on=ReadContext)
def role_task(ctx):
    if not ctx.once(_by_task):
        yield hit(_at(ctx, _TASK_X), roles=_roles(ctx), task=ctx.document.stored.function_code)


@check("SH-ACC-014", needs=_DOCUMENT, on=ReadContext)
def role_type(ctx):
    if ctx.once(_by_task) and not ctx.once(_allowing):
        shown = next((t for t in ctx.once(_types) if t), None) or "-"
        yield hit(_at(ctx, _GROUP_X), roles=_roles(ctx), group=ctx.document.stored.document_group or "-", type=shown)


def _outside_right(ctx: ReadContext) -> bool:
    granted, task = ctx.document.right_tasks, ctx.document.stored.function_code
    return granted is not None and task is not None and task not in granted


@check("SH-ACC-015", needs=_DOCUMENT, on=ReadContext)
def right_task(ctx):
    if ctx.once(_allowing) and _outside_right(ctx):
        yield hit(_at(ctx, _TASK_X), granted=", ".join(sorted(ctx.document.right_tasks)), task=ctx.document.stored.function_code)


@check("SH-ACC-016", needs=_DOCUMENT, on=ReadContext)
def role_content(ctx):
    allowing = ctx.once(_allowing)
    if ctx.document.content and allowing and not _outside_right(ctx) and not any(r.content for r in allowing):
        yield hit(_at(ctx, _ID_X), roles=_roles(ctx))
