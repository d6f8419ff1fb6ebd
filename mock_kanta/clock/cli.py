"""`mock-kanta clock show|set|advance|reset`: the sandbox clock of a running sandbox, over its control API."""
from __future__ import annotations

import os

import click
import httpx

from mock_kanta.settings import Settings


def default_url() -> str:
    """MOCK_KANTA_URL, else the sandbox's public URL (MOCK_KANTA_BASE_URL, or the one `serve` kept in the data
    directory of MOCK_KANTA_DATA_DIR or ./var), else http://127.0.0.1:8080."""
    return os.environ.get("MOCK_KANTA_URL") or Settings().base_url


@click.group()
@click.option("--url", default=default_url, show_default="MOCK_KANTA_URL, else the sandbox's public URL",
              help="The running sandbox to talk to.")
@click.option("--tenant", default=None, help="Tenant (default: the sandbox's default tenant).")
@click.pass_context
def clock(ctx: click.Context, url: str, tenant: str | None) -> None:
    """The sandbox clock of a running sandbox (every date-dependent rule reads it)."""
    ctx.obj = {"url": url.rstrip("/") + "/api/v1/clock", "headers": {"X-Mock-Kanta-Tenant": tenant} if tenant else {}}


def _clock_call(ctx: click.Context, method: str, path: str = "", body: dict | None = None) -> None:
    try:
        r = httpx.request(method, ctx.obj["url"] + path, json=body, headers=ctx.obj["headers"], timeout=10)
    except httpx.TransportError as exc:
        raise click.ClickException(f"cannot reach the sandbox at {ctx.obj['url']}: {exc}") from None
    if r.status_code != 200:
        raise click.ClickException(f"{r.status_code}: {r.text}")
    state = r.json()
    click.echo(f"{state['now']}  ({state['mode']}, offset {state['offsetSeconds']:+.0f} s)")


@clock.command("show")
@click.pass_context
def clock_show(ctx: click.Context) -> None:
    """Print the sandbox time."""
    _clock_call(ctx, "GET")


@clock.command("set")
@click.argument("time")
@click.option("--frozen", is_flag=True, help="Stand still at TIME instead of running on.")
@click.pass_context
def clock_set(ctx: click.Context, time: str, frozen: bool) -> None:
    """Set the sandbox time, e.g. 2026-09-01T08:00:00+03:00 or 2026-11-01."""
    _clock_call(ctx, "PUT", body={"time": time if "T" in time else f"{time}T00:00:00+02:00", "frozen": frozen})


@clock.command("advance")
@click.option("--days", type=float, default=0)
@click.option("--hours", type=float, default=0)
@click.option("--minutes", type=float, default=0)
@click.pass_context
def clock_advance(ctx: click.Context, days: float, hours: float, minutes: float) -> None:
    """Move the sandbox time (negative values move it back)."""
    _clock_call(ctx, "POST", "/advance", {"days": days, "hours": hours, "minutes": minutes})


@clock.command("reset")
@click.pass_context
def clock_reset(ctx: click.Context) -> None:
    """Back to real time."""
    _clock_call(ctx, "DELETE")
