"""`mock-kanta seed`: load deterministic artificial test data into a sandbox's data directory."""
from __future__ import annotations

from pathlib import Path

import click

from mock_kanta.seeding.service import seed as load
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.wiring import Services


@click.command()
@click.option("--clients", "n", type=click.IntRange(1), default=200, show_default=True, help="How many clients.")
@click.option("--seed", "seed_value", type=click.IntRange(0), default=1, show_default=True,
              help="The same seed gives the same people, matters and rights.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var",
              show_default=True, help="The sandbox's data directory (env MOCK_KANTA_DATA_DIR).")
@click.option("--tenant", default="default", show_default=True)
def seed(n: int, seed_value: int, data_dir: Path, tenant: str) -> None:
    """Artificial clients (henkilötunnus 900-999, every century sign), guardians of minors, matters,
    register usage rights from archived client-relationship documents, and cards for the providers.

    Runs in-process on the data directory (the server may be running: SQLite takes both);
    running again with the same seed skips what exists."""

    try:
        services = Services.start(Settings(data_dir=data_dir).require_sandbox())
    except NoSandbox as exc:
        raise click.ClickException(str(exc)) from None
    with click.progressbar(length=n, label=f"seeding {n} clients (seed {seed_value})") as bar:
        summary = load(services, n, seed_value, tenant=tenant, progress=bar.update)
    for line in summary.lines():
        click.echo(line)
