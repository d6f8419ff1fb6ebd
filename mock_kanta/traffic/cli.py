"""`mock-kanta traffic export|replay`: a running sandbox's traffic log, over its control API."""
from __future__ import annotations

from pathlib import Path

import click
import httpx

from mock_kanta.clock.cli import default_url


@click.group()
@click.option("--url", default=default_url, show_default="MOCK_KANTA_URL, else the sandbox's public URL",
              help="The running sandbox to talk to.")
@click.option("--tenant", default=None, help="Tenant (default: the sandbox's default tenant).")
@click.option("--token", envvar="MOCK_KANTA_TOKEN", default=None, help="Access token (MOCK_KANTA_TOKEN).")
@click.pass_context
def traffic(ctx: click.Context, url: str, tenant: str | None, token: str | None) -> None:
    """The traffic log of a running sandbox: export it as a scenario, send an entry again."""
    headers = {"X-Mock-Kanta-Tenant": tenant} if tenant else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    ctx.obj = {"url": url.rstrip("/") + "/api/v1/traffic", "headers": headers}


def _call(ctx: click.Context, method: str, path: str, params: dict | None = None) -> httpx.Response:
    try:
        r = httpx.request(method, ctx.obj["url"] + path, params=params, headers=ctx.obj["headers"], timeout=180)
    except httpx.TransportError as exc:
        raise click.ClickException(f"cannot reach the sandbox at {ctx.obj['url']}: {exc}") from None
    if r.status_code != 200:
        raise click.ClickException(f"{r.status_code}: {r.text}")
    return r


@traffic.command("export")
@click.option("--after", type=click.IntRange(min=0), default=0, help="Only entries with a greater seq.")
@click.option("--until", type=click.IntRange(min=1), default=None, help="Only entries up to this seq.")
@click.option("--channel", type=click.Choice(["archive", "validate", "query", "retrieve"]), default=None)
@click.option("--verdict", type=click.Choice(["AA", "AE", "AR", "valid", "invalid", "ok", "refused"]), default=None)
@click.option("--limit", type=click.IntRange(1, 500), default=200, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the scenario here (default: standard output).")
@click.pass_context
def export(ctx: click.Context, after: int, until: int | None, channel: str | None, verdict: str | None, limit: int,
           output: Path | None) -> None:
    """Write the tenant's traffic (or a selection) as a scenario file that sends the same messages and expects the
    same verdicts; run it with `mock-kanta scenario run FILE` (a fresh tenant)."""
    params = {k: v for k, v in {"after": after, "until": until, "channel": channel, "verdict": verdict,
                                "limit": limit}.items() if v is not None}
    text = _call(ctx, "GET", "/export", params).text
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@traffic.command("replay")
@click.argument("seq", type=click.IntRange(min=1))
@click.pass_context
def replay(ctx: click.Context, seq: int) -> None:
    """Send entry SEQ again, as a new arrival; print the new entry and its verdict."""
    r = _call(ctx, "POST", f"/{seq}/replay").json()
    if r["seq"] is None:
        click.echo(f"replayed {seq}: no answer" + (f" (HTTP {r['status']})" if r["status"] else ""))
    else:
        click.echo(f"replayed {seq} as {r['seq']}: HTTP {r['status']}, {r['verdict']}")
