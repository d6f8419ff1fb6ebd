"""Faults on the wire: what the archive, validation and read endpoints do when a request meets a fault
(mock_kanta.faults.service): wait, answer a bare HTTP status, or close the connection without an answer."""
from __future__ import annotations

import asyncio

from starlette.responses import Response

from mock_kanta.faults.service import Fault


async def pause(fault: Fault) -> None:
    await asyncio.sleep(fault.seconds())


def status_body(fault: Fault) -> bytes:
    return f"{fault.status} (mock-kanta: injected fault {fault.id})\n".encode()


async def send_status(send, fault: Fault) -> None:
    if fault.delay_ms:
        await pause(fault)
    body = status_body(fault)
    await send({"type": "http.response.start", "status": fault.status,
                "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", b"text/plain; charset=utf-8"),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def drop(receive, send) -> None:
    """Close the connection without a byte of answer. Under uvicorn the connection's transport is reached through
    its `receive` (the request cycle's bound method); elsewhere (an in-process test client) the answer is cut
    short instead: a status line whose promised body never comes."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        for _ in range(3):  # let the server see the connection lost (it then sends nothing of its own)
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})


class Dropped(Response):
    """A Starlette route's answer that is no answer: the connection closed (see `drop`)."""

    def __init__(self):
        super().__init__(b"")

    async def __call__(self, scope, receive, send) -> None:
        await drop(receive, send)


def status_response(fault: Fault) -> Response:
    return Response(status_body(fault), status_code=fault.status, media_type="text/plain",
                    headers={"Connection": "close"})
