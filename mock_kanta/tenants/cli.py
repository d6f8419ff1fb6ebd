"""`mock-kanta tenant create|list|reset|delete`: tenants of a sandbox's data directory, in-process.

The server may be running on the same data directory (SQLite takes both): its workers notice a
reset through the tenant's generation, and a deleted tenant on first use. The control API does
the same over HTTP (/api/v1/tenants, docs/tenants-and-traffic.md).
"""
from __future__ import annotations

from pathlib import Path

import click

from mock_kanta.access import cli as access_cli
from mock_kanta.access.service import Access
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.store import UnknownTenant
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.service import TenantConflict
from mock_kanta.wiring import Services

DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MOCK_KANTA_DATA_DIR",
                        default="var", show_default=True, help="The sandbox's data directory (env MOCK_KANTA_DATA_DIR).")


@click.group()
def tenant() -> None:
    """Tenants: separate sandboxes in one server (header X-Mock-Kanta-Tenant)."""


@tenant.command("create")
@click.argument("tenant_id")
@click.option("--name", default=None, help="A readable name (default: the id).")
@click.option("--clients", type=click.IntRange(1, 5000), default=None,
              help="Seed this many artificial clients (mock-kanta seed); a reset seeds them again.")
@click.option("--seed", "seed_value", type=click.IntRange(0), default=1, show_default=True, help="The seed's value.")
@DATA_DIR
def create(tenant_id: str, name: str | None, clients: int | None, seed_value: int, data_dir: Path) -> None:
    """Make a tenant with the fixture organisations, units and matters (nothing changes if it exists)."""
    services = _services(data_dir)
    seed = {"clients": clients, "seed": seed_value} if clients else None
    try:  # the seed job runs here, in this process (a command is not a request)
        row, created, job = tenants.create(services, tenant_id, name, seed, here=True)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{row['id']}: {'created' if created else 'exists already, left as it is'}")
    _job_lines(job)


@tenant.command("list")
@DATA_DIR
def list_(data_dir: Path) -> None:
    """Every tenant: id, name, created, seed."""
    services = _services(data_dir)
    for row in services.store.tenants():
        seed = f"seed {row['seed_value']}, {row['seed_clients']} clients" if row["seed_clients"] is not None else "no seed"
        mark = " (default)" if row["id"] == services.settings.default_tenant else ""
        click.echo(f"{row['id']:24} {row['name']}{mark}  created {row['created_at']}  {seed}")


@tenant.command("reset")
@click.argument("tenant_id")
@DATA_DIR
def reset(tenant_id: str, data_dir: Path) -> None:
    """Wipe everything of the tenant, load the fixtures again, and its seed if it was made with one."""
    try:
        deleted, job = tenants.reset(_services(data_dir), tenant_id, here=True)
    except UnknownTenant as exc:
        raise click.ClickException(str(exc)) from None
    counts = ", ".join(f"{table} {n}" for table, n in sorted(deleted.items()) if n)
    click.echo(f"{tenant_id}: reset (deleted {counts or 'nothing'})")
    _job_lines(job)


@tenant.command("delete")
@click.argument("tenant_id")
@click.option("--yes", is_flag=True, help="Do not ask.")
@DATA_DIR
def delete(tenant_id: str, yes: bool, data_dir: Path) -> None:
    """Delete a tenant and everything it has (not the default tenant)."""
    if not yes:
        click.confirm(f"Delete tenant {tenant_id} and all its documents, logs and settings?", abort=True)
    try:
        services = _services(data_dir)
        tenants.delete(services, tenant_id)
    except (UnknownTenant, TenantConflict) as exc:
        raise click.ClickException(str(exc)) from None
    Access(services.store, services.settings).revoke(tenant_id)  # its tokens die with it
    click.echo(f"{tenant_id}: deleted")


tenant.add_command(access_cli.token)


def _job_lines(job: dict | None) -> None:
    """What a seed job run here did: its summary, or its error (the command then fails)."""
    if job is None:
        return
    if job["state"] != "done":
        raise click.ClickException(f"seeding {job['state']}: {job['error'] or 'stopped (the tenant was reset or deleted)'}")
    for line in job["lines"]:
        click.echo(f"  {line}")


def _services(data_dir: Path):
    """The sandbox in data_dir; a folder that holds none is refused (only serve and init make one)."""
    try:
        return Services.start(Settings(data_dir=data_dir).require_sandbox())
    except NoSandbox as exc:
        raise click.ClickException(str(exc)) from None
