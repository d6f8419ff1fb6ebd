"""`mock-kanta audit`: the access log on the data directory's database (the server may be running)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from mock_kanta.audit.service import AuditLog, iso, parse_instant
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.store import SchemaMismatch, Store

data_dir_option = click.option(
    "--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var", show_default=True,
    help="The sandbox's data directory (env MOCK_KANTA_DATA_DIR).")


@click.group()
def audit() -> None:
    """The access log (lokitiedot): verify the chain, purge past the retention, a client's log request."""


@audit.command("verify")
@data_dir_option
@click.option("--tenant", default=None, help="Only this tenant's chain (default: every tenant).")
def audit_verify(data_dir: Path, tenant: str | None) -> None:
    """Check the hash chain; exit 0 when intact, 1 when broken (printing where)."""
    log, _ = _open(data_dir, tenant)
    result = log.verify(tenant)
    if result.ok:
        heads = ", ".join(f"{t} up to seq {h['seq']}" for t, h in result.heads.items()) or "no events"
        click.echo(f"audit log intact: {result.checked} event(s) checked ({heads})")
        return
    click.echo(f"audit log BROKEN in tenant {result.tenant} at seq {result.broken_seq} ({result.problem}): {result.detail}")
    click.echo(f"{result.checked} event(s) before it verified")
    sys.exit(1)


@audit.command("purge")
@data_dir_option
@click.option("--tenant", default=None, help="Tenant (default: the sandbox's default tenant).")
def audit_purge(data_dir: Path, tenant: str | None) -> None:
    """Remove the events older than 12 years by the tenant's sandbox clock (logged as an event)."""
    log, tenant = _open(data_dir, tenant, default=True)
    result = log.purge(tenant)
    click.echo(f"purge event seq {result.event.seq}: {result.event.detail}")


@audit.command("log")
@click.argument("client")
@click.option("--since", default=None, help="Start: ISO date or date-time (default: two years before --until).")
@click.option("--until", default=None, help="End: ISO date (the whole day) or date-time (default: the sandbox clock's now).")
@data_dir_option
@click.option("--tenant", default=None, help="Tenant (default: the sandbox's default tenant).")
def audit_log(client: str, since: str | None, until: str | None, data_dir: Path, tenant: str | None) -> None:
    """A client's log request: who used or received CLIENT's data (the request is recorded too)."""

    log, tenant = _open(data_dir, tenant, default=True)
    try:
        result = log.client_log(tenant, client, since=parse_instant(since) if since else None,
                                until=parse_instant(until, end_of_day=True) if until else None)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"client {client}, {iso(result.since)} .. {iso(result.until)}: {len(result.entries)} entr(y/ies)")
    for e in result.entries:
        who = e.person_id or "-"
        if e.card_subject:
            who += f" ({e.card_subject})"
        click.echo(f"{e.at.isoformat()}  {e.action:<11} {e.outcome:<7} {who}  org {e.organisation_oid or '-'}  "
                   f"unit {e.unit_oid or '-'}  documents {', '.join(e.document_ids) or '-'}")
    click.echo(f"(recorded as event seq {result.request.seq})")


def _open(data_dir: Path, tenant: str | None, *, default: bool = False):
    """The access log of the data directory's database, and the tenant (the default one if asked)."""

    try:
        settings = Settings(data_dir=data_dir).require_sandbox()
    except NoSandbox as exc:
        raise click.ClickException(str(exc)) from None
    store = Store(settings.db_url, settings.sqlite_synchronous)
    try:
        store.create_schema()  # adds the audit tables to a database made before them
    except SchemaMismatch as exc:
        raise click.ClickException(str(exc)) from None
    tenant = tenant or (settings.default_tenant if default else None)
    if tenant is not None and store.tenant(tenant) is None:
        raise click.ClickException(f"no tenant {tenant}")
    return AuditLog(store), tenant
