"""GET /ui/events: the live flow's new messages as server-sent events (text/event-stream).

An async Starlette route on the wire side of the server (`routes(services)`, mounted in
`mock_kanta/app.py`), so a viewer holds no server thread. It polls the traffic log every
POLL_SECONDS (one indexed query, run in the thread pool so a busy database never stalls the
event loop), sends each new message as one event (`id:` its seq, `data:` the row as
`flow.row_view` lays it out, in JSON), a comment when nothing came for KEEPALIVE_SECONDS, and
ends the stream after LIFETIME_SECONDS. The browser then reconnects by itself (after `retry:`)
sending `Last-Event-ID`, so no message is lost or shown twice.

Query: `after=SEQ` (start after this seq; `Last-Event-ID` wins when sent), `lang=fi|sv|en`
(else the cookie mk_lang), `tenant` (else the header X-Mock-Kanta-Tenant, the cookie mk_tenant,
the default tenant: as the UI pages choose it).
"""
from __future__ import annotations

import asyncio
import json
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from mock_kanta.traffic import service as traffic
from mock_kanta.traffic.pages import flow
from mock_kanta.ui import i18n
from mock_kanta.ui.context import TENANT_COOKIE, TENANT_HEADER, TENANT_ID, Names

PATH = "/ui/events"
POLL_SECONDS = 0.3
KEEPALIVE_SECONDS = 15.0
LIFETIME_SECONDS = 60.0
RETRY_MS = 1000
BATCH = 100
MAX_SEQ = 2**63 - 1


def routes(services) -> list[Route]:
    async def events(request: Request) -> Response:
        tenant = _tenant(request, services)
        if not TENANT_ID.match(tenant) or await run_in_threadpool(services.store.tenant, tenant) is None:
            return _plain(404, f"There is no tenant {tenant[:80]!r}.")
        after = _after(request)
        if after is None:
            return _plain(400, "after (and Last-Event-ID) must be a whole number >= 0, the seq of the last message seen.")
        lang = _lang(request)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"}
        return StreamingResponse(stream(services, tenant, after, lang), media_type="text/event-stream", headers=headers)

    return [Route(PATH, events, methods=["GET"])]


async def stream(services, tenant: str, after: int, lang: str, *, lifetime: float = LIFETIME_SECONDS):
    """The event stream: `retry:`, then each new message after `after`, keep-alive comments, until `lifetime`."""
    yield f"retry: {RETRY_MS}\n\n"
    names = await run_in_threadpool(Names.of, services.store, tenant)
    started = quiet_since = time.monotonic()
    while time.monotonic() - started < lifetime:
        rows, more = await run_in_threadpool(traffic.page, services.store, tenant, after=after, limit=BATCH)
        if rows and not all(names.knows(r) for r in rows):  # a unit or organisation added since the stream began
            names = await run_in_threadpool(Names.of, services.store, tenant)
        for row in rows:
            after = row["seq"]
            yield event(after, flow.row_view(row, names, lang))
        now = time.monotonic()
        if rows:
            quiet_since = now
        elif now - quiet_since >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            quiet_since = now
        if not more:
            await asyncio.sleep(POLL_SECONDS)


def event(seq: int, data: dict) -> str:
    return f"id: {seq}\nevent: message\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _tenant(request: Request, services) -> str:
    return (request.query_params.get("tenant") or request.headers.get(TENANT_HEADER)
            or request.cookies.get(TENANT_COOKIE) or services.settings.default_tenant)


def _after(request: Request) -> int | None:
    value = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > MAX_SEQ:
        return None
    return int(value)


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(i18n.COOKIE)
    return asked if asked in i18n.LANGS else i18n.DEFAULT_LANG


def _plain(status: int, detail: str) -> Response:
    return PlainTextResponse(detail, status_code=status, headers={"X-Content-Type-Options": "nosniff"})
