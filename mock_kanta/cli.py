"""The `mock-kanta` command."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mock_kanta.audit_cli import audit
from mock_kanta.cards_cli import cards
from mock_kanta.scenario.cli import scenario
from mock_kanta.seed_cli import seed
from mock_kanta.settings import Settings
from mock_kanta.tenant_cli import tenant


@click.group()
@click.version_option(package_name="mock-kanta")
def main() -> None:
    """mock-kanta: a sandbox of the Kanta social welfare client data repository."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var", show_default=True,
              help="Where the SQLite database, codes overrides and tokens live (env MOCK_KANTA_DATA_DIR).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (one per core for throughput).")
@click.option("--demo-cards/--no-demo-cards", default=True, show_default=True,
              help="Create the demo virtual cards and system signature keys on first start.")
@click.option("--demo-clients", default=40, show_default=True, type=click.IntRange(0, 100000),
              help="On the first start, seed the default tenant with this many artificial clients (0: none).")
@click.option("--demo-seed", default=1, show_default=True, type=click.IntRange(0), help="The seed of the demo clients.")
@click.option("--tls", is_flag=True, help="Mutual TLS: clients need a certificate from the sandbox CA (mock-kanta tls client-cert).")
@click.option("--log-level", default="warning", show_default=True)
def serve(host: str, port: int, data_dir: Path, workers: int, demo_cards: bool, demo_clients: int, demo_seed: int,
          tls: bool, log_level: str) -> None:
    """Start the sandbox: archive interface, validation clone, control API."""
    import os
    import ssl

    import uvicorn

    from mock_kanta.services import Services

    os.environ["MOCK_KANTA_DATA_DIR"] = str(data_dir)
    os.environ["MOCK_KANTA_TLS"] = "1" if tls else "0"
    services = Services.start(Settings(data_dir=data_dir))  # schema, tenant and demo data once, before the workers
    if demo_cards:
        click.echo("mock-kanta: preparing demo cards and system signature keys (SoftHSM)...")
        services.demo_cards()
        if demo_clients:
            click.echo(f"mock-kanta: demo clients in the default tenant ({demo_clients}, seed {demo_seed}; first start only)...")
            for line in services.demo_data(demo_clients, demo_seed):
                click.echo(f"  {line}")
    tls_options: dict = {}
    if tls:
        from mock_kanta.tls import server_files

        hosts = sorted({"localhost", "127.0.0.1", *([host] if host not in ("0.0.0.0", "::") else [])})
        files = server_files(services.pki, services.settings.tls_dir, hosts)
        tls_options = {"ssl_certfile": str(files.certificate), "ssl_keyfile": str(files.key), "ssl_ca_certs": str(files.trust),
                       "ssl_cert_reqs": ssl.CERT_REQUIRED, "http": "mock_kanta.tls:MTLSProtocol"}
        click.echo(f"mock-kanta: mutual TLS; server certificate {files.certificate}, trust {files.trust}")
    scheme = "https" if tls else "http"
    click.echo(f"mock-kanta: data in {data_dir.resolve()}; listening on {scheme}://{host}:{port} ({workers} worker(s))")
    click.echo("  archive:    POST /kanta/shark/arkisto")
    click.echo("  validation: POST /shark-validointi/validoi/asiakirja/tulos")
    click.echo("  control:    /api/v1/  (Swagger UI at /api/v1/ui/)")
    click.echo(f"  web UI:     {scheme}://{host}:{port}/ui/")
    uvicorn.run("mock_kanta.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, timeout_graceful_shutdown=5, **tls_options)


@main.command()
@click.argument("frame", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def validate(frame: Path, document: Path, lang: str, as_json: bool) -> None:
    """Check a frame and its document offline, as the archive would (nothing is stored)."""
    from mock_kanta.archive import Archive
    from mock_kanta.codes import CodeSystems
    from mock_kanta.rules import Severity
    from mock_kanta.signing.pki import Pki
    from mock_kanta.signing.trust import Trust, load_extra_trust

    settings = Settings()
    trust = Trust(Pki.open(settings.pki_dir, base_url=settings.base_url), load_extra_trust(settings.extra_trust_path))
    archive = Archive(settings, store=None, codes=CodeSystems.load(settings.codes_override_dir), trust=trust)
    parsed = archive.read_parts(frame.read_bytes(), document.read_bytes(), "file")
    findings = archive.check(parsed)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(f"{f.rule_id} {f.severity.value:7} {f.location}\n    {f.message[lang]}\n    fix: {f.fix[lang]}")
        errors = sum(f.severity is Severity.ERROR for f in findings)
        click.echo(f"{len(findings)} finding(s), {errors} error(s)")
    sys.exit(1 if any(f.severity is Severity.ERROR for f in findings) else 0)


@main.group()
def rules() -> None:
    """The rules catalogue."""


@rules.command("list")
def rules_list() -> None:
    """List every rule: id, severity, title."""
    from mock_kanta.rules import REGISTRY

    for r in REGISTRY.values():
        click.echo(f"{r.id:12} {r.severity.value:8} {r.title.en}")


@rules.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def rules_docs(output: Path | None) -> None:
    """Generate docs/rules.md from the registry."""
    from mock_kanta.rules.catalogue import markdown

    text = markdown()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.group()
@click.option("--url", default="http://127.0.0.1:8080", show_default=True, envvar="MOCK_KANTA_URL", help="The running sandbox.")
@click.option("--tenant", default=None, help="Tenant (default: the sandbox's default tenant).")
@click.pass_context
def clock(ctx: click.Context, url: str, tenant: str | None) -> None:
    """The sandbox clock of a running sandbox (every date-dependent rule reads it)."""
    ctx.obj = {"url": url.rstrip("/") + "/api/v1/clock", "headers": {"X-Mock-Kanta-Tenant": tenant} if tenant else {}}


def _clock_call(ctx: click.Context, method: str, path: str = "", body: dict | None = None) -> None:
    import httpx

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


@main.group()
def tls() -> None:
    """Certificates for mutual TLS (serve --tls)."""


@tls.command("client-cert")
@click.option("--org", "org_oid", required=True, help="The organisation's OID (it goes into the certificate's serialNumber).")
@click.option("--name", "org_name", default=None, help="Organisation name (default: from the fixtures).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var", show_default=True)
def tls_client_cert(org_oid: str, org_name: str | None, out_dir: Path, data_dir: Path) -> None:
    """Issue a TLS client certificate for an organisation's system (key, certificate and the sandbox CA chain)."""
    from mock_kanta.services import Services
    from mock_kanta.tls import client_files

    services = Services.start(Settings(data_dir=data_dir))
    org = services.store.organisation(services.settings.default_tenant, org_oid)
    if org_name is None and org is None:
        raise click.ClickException(f"unknown organisation {org_oid}; give --name")
    files = client_files(services.pki, out_dir, org_oid, org_name or org["name"])
    click.echo(f"certificate {files.certificate}\nkey         {files.key}\ntrust       {files.trust}")


main.add_command(cards)
main.add_command(audit)
main.add_command(seed)
main.add_command(scenario)
main.add_command(tenant)


if __name__ == "__main__":
    main()
