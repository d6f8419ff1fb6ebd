"""The `mock-kanta` command: `serve`, the rules catalogue, TLS client certificates, and each area's own
commands (validate, clock, cards, audit, seed, scenario, tenant)."""
from __future__ import annotations

import os
import ssl
from pathlib import Path

import click
import uvicorn

from mock_kanta.archive.cli import validate
from mock_kanta.audit.cli import audit
from mock_kanta.cards.cli import cards
from mock_kanta.clock.cli import clock
from mock_kanta.http.tls import client_files, server_files
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.catalogue import markdown
from mock_kanta.scenario.cli import scenario
from mock_kanta.seeding.cli import seed
from mock_kanta.settings import Settings
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.cli import tenant
from mock_kanta.wiring import Services


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
    os.environ["MOCK_KANTA_DATA_DIR"] = str(data_dir)
    os.environ["MOCK_KANTA_TLS"] = "1" if tls else "0"
    services = Services.start(Settings(data_dir=data_dir))  # schema, tenant and demo data once, before the workers
    if demo_cards:
        click.echo("mock-kanta: preparing demo cards and system signature keys (SoftHSM)...")
        services.demo_cards()
        if demo_clients:
            click.echo(f"mock-kanta: demo clients in the default tenant ({demo_clients}, seed {demo_seed}; first start only)...")
            for line in tenants.seed_demo(services, demo_clients, demo_seed):
                click.echo(f"  {line}")
    tls_options: dict = {}
    if tls:
        hosts = sorted({"localhost", "127.0.0.1", *([host] if host not in ("0.0.0.0", "::") else [])})
        files = server_files(services.pki, services.settings.tls_dir, hosts)
        tls_options = {"ssl_certfile": str(files.certificate), "ssl_keyfile": str(files.key), "ssl_ca_certs": str(files.trust),
                       "ssl_cert_reqs": ssl.CERT_REQUIRED, "http": "mock_kanta.http.tls:MTLSProtocol"}
        click.echo(f"mock-kanta: mutual TLS; server certificate {files.certificate}, trust {files.trust}")
    scheme = "https" if tls else "http"
    click.echo(f"mock-kanta: data in {data_dir.resolve()}; listening on {scheme}://{host}:{port} ({workers} worker(s))")
    click.echo("  archive:    POST /kanta/shark/arkisto")
    click.echo("  validation: POST /shark-validointi/validoi/asiakirja/tulos")
    click.echo("  control:    /api/v1/  (Swagger UI at /api/v1/ui/)")
    click.echo(f"  web UI:     {scheme}://{host}:{port}/ui/")
    uvicorn.run("mock_kanta.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, timeout_graceful_shutdown=5, **tls_options)


@main.group()
def rules() -> None:
    """The rules catalogue."""


@rules.command("list")
def rules_list() -> None:
    """List every rule: id, severity, title."""
    for r in REGISTRY.values():
        click.echo(f"{r.id:12} {r.severity.value:8} {r.title.en}")


@rules.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def rules_docs(output: Path | None) -> None:
    """Generate docs/rules.md from the registry."""
    text = markdown()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


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
    services = Services.start(Settings(data_dir=data_dir))
    org = services.store.organisation(services.settings.default_tenant, org_oid)
    if org_name is None and org is None:
        raise click.ClickException(f"unknown organisation {org_oid}; give --name")
    files = client_files(services.pki, out_dir, org_oid, org_name or org["name"])
    click.echo(f"certificate {files.certificate}\nkey         {files.key}\ntrust       {files.trust}")


main.add_command(validate)
main.add_command(clock)
main.add_command(cards)
main.add_command(audit)
main.add_command(seed)
main.add_command(scenario)
main.add_command(tenant)


if __name__ == "__main__":
    main()
