"""`mock-kanta cards`: issue, list, show and revoke virtual cards."""
from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from cryptography import x509

from mock_kanta.signing.cards import CardError, CardStore
from mock_kanta.signing.pki import DEFAULT_BASE_URL, Pki, ProfileError, readable_name

REASONS = [r.name.replace("_", "-") for r in x509.ReasonFlags if r is not x509.ReasonFlags.remove_from_crl]


def _store_options(command):
    """--data-dir and --base-url on every command; the command receives an open CardStore."""
    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MOCK_KANTA_DATA_DIR",
                  default="var", show_default=True, help="Where tokens, keys and cards.json live (env MOCK_KANTA_DATA_DIR).")
    @click.option("--base-url", envvar="MOCK_KANTA_BASE_URL", default=DEFAULT_BASE_URL, show_default=True,
                  help="The sandbox's public URL, used in CRL and CA URLs of new certificates (env MOCK_KANTA_BASE_URL).")
    @functools.wraps(command)
    def wrapper(data_dir: Path, base_url: str, **kwargs):
        data_dir.mkdir(parents=True, exist_ok=True)
        store = CardStore(data_dir, Pki.open(data_dir / "pki", base_url=base_url))
        return command(store, **kwargs)
    return wrapper


def _describe(card) -> str:
    lines = [
        f"card {card.id}  {card.kind}  {card.status}",
        f"  holder:   {card.family} {card.given}" + (f"  ({card.registration_number})" if card.registration_number else ""),
    ]
    if card.title:
        lines.append(f"  title:    {card.title}")
    lines += [
        f"  subject:  {readable_name(card.certificate.subject)}",
        f"  issuer:   {readable_name(card.certificate.issuer)}",
        f"  serial:   {card.serial}",
        f"  valid:    {card.not_before:%Y-%m-%d %H:%M} .. {card.not_after:%Y-%m-%d %H:%M} UTC",
        f"  token:    {card.token_label}",
    ]
    return "\n".join(lines)


def _fail_on_card_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (CardError, ProfileError, ValueError) as error:
            raise click.ClickException(str(error)) from None
    return wrapper


@click.group()
def cards() -> None:
    """Virtual cards (varmennekortti) on SoftHSM tokens, with certificates from the test PKI."""


@cards.command()
@click.option("--type", "kind", type=click.Choice(["professional", "staff", "actor"]), required=True)
@click.option("--name", required=True, help='"Given Family"; the last word is the family name.')
@click.option("--registration-number", help="Registration number (Terhikki/Suosikki), required for professional cards.")
@click.option("--title", help='Professional title, e.g. "251 sosionomi, socionom".')
@click.option("--pin", default="1234", show_default=True)
@click.option("--expired", is_flag=True, help="Issue a card that expired yesterday (valid from three years ago).")
@click.option("--json", "as_json", is_flag=True)
@_store_options
@_fail_on_card_errors
def issue(store, kind: str, name: str, registration_number: str | None, title: str | None, pin: str, expired: bool,
          as_json: bool) -> None:
    """Issue a card: a new token, a key generated on it, and its certificate."""
    given, _, family = name.strip().rpartition(" ")
    if not given:
        raise click.BadParameter('give both names: "Given Family"', param_hint="--name")
    dates = {}
    if expired:
        now = datetime.now(timezone.utc)
        dates = {"not_before": now - timedelta(days=3 * 365), "not_after": now - timedelta(days=1)}
    card = store.issue(kind, given, family, registration_number=registration_number, title=title, pin=pin, **dates)
    click.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2) if as_json else "issued " + _describe(card))


@cards.command("list")
@click.option("--json", "as_json", is_flag=True)
@_store_options
def list_cards(store, as_json: bool) -> None:
    """List the cards and their status."""
    listed = store.list()
    if as_json:
        click.echo(json.dumps([c.to_json() for c in listed], ensure_ascii=False, indent=2))
        return
    for c in listed:
        holder = f"{c.family} {c.given}" + (f" ({c.registration_number})" if c.registration_number else "")
        click.echo(f"{c.id}  {c.kind:12} {c.status:8} {c.not_after:%Y-%m-%d}  {holder}")
    click.echo(f"{len(listed)} card(s)")


@cards.command()
@click.argument("card_id")
@click.option("--json", "as_json", is_flag=True)
@click.option("--pem", is_flag=True, help="Print the certificate as PEM as well.")
@_store_options
@_fail_on_card_errors
def show(store, card_id: str, as_json: bool, pem: bool) -> None:
    """Show one card, its certificate and status."""
    card = store.get(card_id)
    if as_json:
        click.echo(json.dumps(card.to_json(with_certificate=True), ensure_ascii=False, indent=2))
        return
    click.echo(_describe(card))
    revoked = store.pki.revocation(card.certificate)
    if revoked:
        click.echo(f"  revoked:  {revoked[1]:%Y-%m-%d %H:%M:%S} UTC, reason {revoked[0].value}")
    if pem:
        click.echo(card.to_json(with_certificate=True)["certificatePem"], nl=False)


@cards.command()
@click.argument("card_id")
@click.option("--reason", type=click.Choice(REASONS), default="unspecified", show_default=True)
@_store_options
@_fail_on_card_errors
def revoke(store, card_id: str, reason: str) -> None:
    """Revoke a card's certificate (it appears in its CA's CRL)."""
    card = store.revoke(card_id, reason)
    click.echo(f"card {card.id} revoked ({reason}); status {card.status}")


@cards.command("report-lost")
@click.argument("card_id")
@_store_options
@_fail_on_card_errors
def report_lost(store, card_id: str) -> None:
    """Report a card lost: revoked at once with reason keyCompromise."""
    card = store.report_lost(card_id)
    click.echo(f"card {card.id} reported lost; status {card.status}")


if __name__ == "__main__":
    cards()
