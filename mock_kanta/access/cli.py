"""`mock-kanta tenant token create|list|revoke`: a tenant's access tokens, on the sandbox's data directory.

Whoever can read the data directory is the sandbox's admin (the admin token lives there too), so these work
in-process like the other `mock-kanta tenant` commands; a running server sees a new token at once and stops
accepting a revoked one within a second (MOCK_KANTA_AUTH_RECHECK)."""
from __future__ import annotations

from pathlib import Path

import click

from mock_kanta.access.service import Access, AccessError
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.wiring import Services

DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MOCK_KANTA_DATA_DIR",
                        default="var", show_default=True, help="The sandbox's data directory (env MOCK_KANTA_DATA_DIR).")


@click.group()
def token() -> None:
    """A tenant's access tokens (serve --auth): made, listed, revoked."""


def _access(data_dir: Path) -> Access:
    try:
        services = Services.start(Settings(data_dir=data_dir).require_sandbox())
    except NoSandbox as exc:
        raise click.ClickException(str(exc)) from None
    return Access(services.store, services.settings)


@token.command("create")
@click.argument("tenant_id")
@click.option("--role", type=click.Choice(["trainer", "viewer"]), default="viewer", show_default=True)
@click.option("--label", default="", help="Whose it is (shown in lists).")
@DATA_DIR
def create(tenant_id: str, role: str, label: str, data_dir: Path) -> None:
    """Make a token; its secret is printed once (stdout) and kept only as a hash."""
    try:
        row = _access(data_dir).create_token(tenant_id, role, label)
    except (AccessError, LookupError) as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    click.echo(f"{row['id']} ({row['role']} of {tenant_id}); the token, shown once:", err=True)
    click.echo(row["token"])


@token.command("list")
@click.argument("tenant_id")
@DATA_DIR
def list_(tenant_id: str, data_dir: Path) -> None:
    """The tenant's tokens: id, role, label, made, revoked (never a secret)."""
    for row in _access(data_dir).tokens(tenant_id):
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['id']:18} {row['role']:8} {state:40} made {row['created_at']}  {row['label']}")


@token.command("revoke")
@click.argument("tenant_id")
@click.argument("token_id", required=False)
@click.option("--all", "every", is_flag=True, help="Revoke every token of the tenant.")
@DATA_DIR
def revoke(tenant_id: str, token_id: str | None, every: bool, data_dir: Path) -> None:
    """Revoke TOKEN_ID of the tenant (or --all)."""
    if not token_id and not every:
        raise click.UsageError("give a TOKEN_ID or --all")
    count = _access(data_dir).revoke(tenant_id, None if every else token_id)
    if not count and token_id:
        raise click.ClickException(f"tenant {tenant_id} has no active token {token_id}")
    click.echo(f"{tenant_id}: {count} token(s) revoked")
