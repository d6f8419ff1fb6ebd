"""The `mock-kanta` command: `serve` and `init`, the rules catalogue, TLS client certificates, and each area's own
commands (validate, clock, cards, audit, seed, scenario, tenant)."""
from __future__ import annotations

import errno
import os
import socket
import ssl
import warnings
from pathlib import Path

import click
import uvicorn

from mock_kanta.access.service import AccessError, ensure_admin_token
from mock_kanta.archive.cli import validate
from mock_kanta.audit.cli import audit
from mock_kanta.cards.cli import cards
from mock_kanta.clock.cli import clock
from mock_kanta.http.tls import client_files, server_files
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.catalogue import markdown
from mock_kanta.scenario.cli import scenario
from mock_kanta.seeding.cli import seed
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.cli import tenant
from mock_kanta.traffic.cli import traffic
from mock_kanta.wiring import Services

# connexion imports starlette.testclient, which warns about httpx on every start; nothing here uses it.
warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient` is deprecated",
                        category=UserWarning)  # starlette.exceptions.StarletteDeprecationWarning

PORT_IN_USE = 2  # serve's exit status when its port is taken


class Commands(click.Group):
    """The command group; a data directory that holds no sandbox is a plain error, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NoSandbox as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=Commands)
@click.version_option(package_name="mock-kanta")
def main() -> None:
    """mock-kanta: a sandbox of the Kanta social welfare client data repository."""


DATA_DIR = click.option("--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var",
                        show_default=True, help="Where the SQLite database, test PKI, cards and tokens live "
                                                "(env MOCK_KANTA_DATA_DIR).")
DEMO = [
    click.option("--demo-cards/--no-demo-cards", default=True, show_default=True,
                 help="Create the demo virtual cards and system signature keys on first start."),
    click.option("--demo-clients", default=40, show_default=True, type=click.IntRange(0, 100000),
                 help="On the first start, seed the default tenant with this many artificial clients (0: none)."),
    click.option("--demo-seed", default=1, show_default=True, type=click.IntRange(0), help="The seed of the demo clients."),
]


def _demo_options(command):
    for option in reversed(DEMO):
        command = option(command)
    return command


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@DATA_DIR
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (one per core for throughput).")
@_demo_options
@click.option("--tls", is_flag=True, help="Mutual TLS: clients need a certificate from the sandbox CA (mock-kanta tls client-cert).")
@click.option("--auth/--no-auth", default=None,
              help="Access control: tokens for everything (env MOCK_KANTA_AUTH). Default: on beyond loopback, off on it.")
@click.option("--public-url", default=None, envvar="MOCK_KANTA_PUBLIC_URL",
              help="The address(es) clients use, comma-separated; the first goes into new certificates' CRL and "
                   "CA-issuer URLs; with auth on, Host and Origin must match one (env MOCK_KANTA_PUBLIC_URL; "
                   "default: MOCK_KANTA_BASE_URL, else this host and port).")
@click.option("--extra-trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="MOCK_KANTA_EXTRA_TRUST",
              default=None, help="A PEM bundle of extra trusted CAs or pinned certificates, e.g. the public samples' "
                                 "DVV TEST certificates (env MOCK_KANTA_EXTRA_TRUST).")
@click.option("--log-level", default="warning", show_default=True)
def serve(host: str, port: int, data_dir: Path, workers: int, demo_cards: bool, demo_clients: int, demo_seed: int,
          tls: bool, auth: bool | None, public_url: str | None, extra_trust: Path | None, log_level: str) -> None:
    """Start the sandbox: archive interface, validation clone, control API (made on the first start)."""
    _refuse_file(data_dir)
    _check_port_free(host, port)
    if extra_trust:
        os.environ["MOCK_KANTA_EXTRA_TRUST"] = str(extra_trust.resolve())
    os.environ["MOCK_KANTA_DATA_DIR"] = str(data_dir)
    os.environ["MOCK_KANTA_TLS"] = "1" if tls else "0"
    scheme = "https" if tls else "http"
    defaults = _default_public_urls(scheme, host, port)
    os.environ["MOCK_KANTA_BASE_URL"] = _base_url(public_url, defaults)
    auth = _auth_choice(host, auth, Settings(data_dir=data_dir).auth)
    os.environ["MOCK_KANTA_AUTH"] = "1" if auth else "0"
    if auth:
        os.environ["MOCK_KANTA_PUBLIC_URL"] = public_url or ",".join(defaults)
    services = _make_sandbox(Settings(data_dir=data_dir), demo_cards, demo_clients, demo_seed)
    if auth:
        _announce_access(services.settings)
    tls_options: dict = {}
    if tls:
        hosts = sorted({"localhost", "127.0.0.1", *([host] if host not in ("0.0.0.0", "::") else [])})
        files = server_files(services.pki, services.settings.tls_dir, hosts)
        tls_options = {"ssl_certfile": str(files.certificate), "ssl_keyfile": str(files.key), "ssl_ca_certs": str(files.trust),
                       "ssl_cert_reqs": ssl.CERT_REQUIRED, "http": "mock_kanta.http.tls:MTLSProtocol"}
        click.echo(f"mock-kanta: mutual TLS; server certificate {files.certificate}, trust {files.trust}")
    _check_port_free(host, port)  # again: the first start takes a while
    click.echo(f"mock-kanta: data in {data_dir.resolve()}; listening on {scheme}://{host}:{port} ({workers} worker(s))")
    click.echo(f"  public URL: {services.settings.base_url}  (in new certificates' CRL and CA-issuer URLs)")
    click.echo("  archive:    POST /kanta/shark/arkisto")
    click.echo("  validation: POST /shark-validointi/validoi/asiakirja/tulos")
    click.echo("  control:    /api/v1/  (Swagger UI at /api/v1/ui/)")
    click.echo(f"  web UI:     {scheme}://{host}:{port}/ui/")
    uvicorn.run("mock_kanta.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, timeout_graceful_shutdown=5, **tls_options)


@main.command()
@DATA_DIR
@click.option("--public-url", default=None, envvar="MOCK_KANTA_PUBLIC_URL",
              help="The address clients will use (the first of a comma-separated list); it goes into the CRL and "
                   "CA-issuer URLs of the certificates made now (default: MOCK_KANTA_BASE_URL, else the one "
                   "kept in the data directory, else http://127.0.0.1:8080).")
@_demo_options
def init(data_dir: Path, public_url: str | None, demo_cards: bool, demo_clients: int, demo_seed: int) -> None:
    """Make a sandbox in the data directory without serving it (what `serve` does on its first start)."""
    _refuse_file(data_dir)
    given = _base_url(public_url, [""]) or None
    settings = Settings(data_dir=data_dir, base_url=given)  # else MOCK_KANTA_BASE_URL, the one kept, the default
    existed = settings.sandbox_problem() is None
    _make_sandbox(settings, demo_cards, demo_clients, demo_seed)
    click.echo(f"mock-kanta: {'sandbox already in' if existed else 'sandbox made in'} {data_dir.resolve()} "
               f"(public URL {settings.base_url}); start it with: mock-kanta serve --data-dir {data_dir}")


def _refuse_file(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise click.BadParameter(f"{data_dir} is a file; give a directory (made if missing)", param_hint="--data-dir")


def _base_url(public_url: str | None, defaults: list[str]) -> str:
    """The sandbox's one public URL: the first --public-url, else MOCK_KANTA_BASE_URL, else the first default."""
    given = (public_url or "").split(",")[0].strip() or os.environ.get("MOCK_KANTA_BASE_URL")
    return (given or defaults[0]).rstrip("/")


def _make_sandbox(settings: Settings, demo_cards: bool, demo_clients: int, demo_seed: int) -> Services:
    """Open the sandbox, making what is missing: schema, default tenant, CA, demo cards and clients."""
    kept = settings.base_url_file.read_text(encoding="utf-8").strip() if settings.base_url_file.is_file() else None
    services = Services.start(settings)  # schema, tenant and demo data once, before the workers
    if kept and kept != settings.base_url:
        click.echo(f"mock-kanta: public URL now {settings.base_url} (was {kept}); certificates issued before keep "
                   f"{kept} in their CRL and CA-issuer URLs")
    settings.remember_base_url()
    if demo_cards:
        click.echo("mock-kanta: preparing demo cards and system signature keys (SoftHSM)...")
        services.demo_cards()
        if demo_clients:
            click.echo(f"mock-kanta: demo clients in the default tenant ({demo_clients}, seed {demo_seed}; first start only)...")
            for line in tenants.seed_demo(services, demo_clients, demo_seed):
                click.echo(f"  {line}")
    return services


def _check_port_free(host: str, port: int) -> None:
    """Exit with status 2 and a plain message when the address is taken (before any banner)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.BadParameter(f"cannot resolve {host}: {exc.strerror}", param_hint="--host") from None
    family, kind, proto, _, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        probe.bind(address)
    except OSError as exc:
        reason = "is in use (another mock-kanta or program listens there)" if exc.errno == errno.EADDRINUSE \
            else f"cannot be bound: {exc.strerror}"
        error = click.ClickException(f"{host}:{port} {reason}; choose another --port or stop that program")
        error.exit_code = PORT_IN_USE
        raise error from None
    finally:
        probe.close()


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _auth_choice(host: str, option: bool | None, setting: bool | None) -> bool:
    """--auth/--no-auth, else MOCK_KANTA_AUTH, else on beyond loopback; off beyond loopback only with a warning."""
    loopback = host in LOOPBACK or host.startswith("127.")
    chosen = option if option is not None else setting if setting is not None else not loopback
    if not chosen and not loopback:
        click.secho(f"WARNING: mock-kanta listens on {host} with access control OFF: anyone who reaches this port "
                    "can read, change, reset and delete every tenant. Use this only on a network you trust.",
                    fg="red", bold=True, err=True)
    return chosen


def _default_public_urls(scheme: str, host: str, port: int) -> list[str]:
    names = [host] if host not in ("0.0.0.0", "::") else [socket.gethostname(), socket.getfqdn(), "127.0.0.1"]
    if host in ("127.0.0.1", "0.0.0.0", "::"):
        names.append("localhost")
    return list(dict.fromkeys(f"{scheme}://{f'[{n}]' if ':' in n else n}:{port}" for n in names))


def _announce_access(settings: Settings) -> None:
    try:
        token, made = ensure_admin_token(settings)
    except AccessError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"mock-kanta: access control ON; public address(es) {', '.join(settings.public_urls)}")
    if made:
        click.secho(f"  admin token (shown once; kept in {settings.data_dir / 'admin-token'}, mode 0600):\n"
                    f"    {token}", bold=True)
    elif settings.admin_token:
        click.echo("  admin token: from MOCK_KANTA_ADMIN_TOKEN")
    else:
        click.echo(f"  admin token: in {settings.data_dir / 'admin-token'}")


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
    services = Services.start(Settings(data_dir=data_dir).require_sandbox())
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
main.add_command(traffic)


if __name__ == "__main__":
    main()
