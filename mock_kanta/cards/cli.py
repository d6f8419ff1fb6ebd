"""`mock-kanta cards`: issue, list, show and revoke virtual cards; export test material and the PKCS#11 route."""
from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from cryptography import x509

from mock_kanta.cards.export import ExportError, card_pkcs11, card_pkcs12, system_pkcs11, system_pkcs12
from mock_kanta.settings import NoSandbox, Settings
from mock_kanta.signing.cards import DEFAULT_SYSTEM_NAME, CardError, CardStore
from mock_kanta.signing.pkcs11_key import TokenError
from mock_kanta.signing.pki import Pki, ProfileError, readable_name

REASONS = [r.name.replace("_", "-") for r in x509.ReasonFlags if r is not x509.ReasonFlags.remove_from_crl]


def _store_options(command):
    """--data-dir and --base-url on every command; the command receives an open CardStore of an existing sandbox."""
    @click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MOCK_KANTA_DATA_DIR",
                  default="var", show_default=True, help="Where tokens, keys and cards.json live (env MOCK_KANTA_DATA_DIR).")
    @click.option("--base-url", envvar="MOCK_KANTA_BASE_URL", default=None,
                  help="The sandbox's public URL in the CRL and CA-issuer URLs of new certificates (env "
                       "MOCK_KANTA_BASE_URL; default: the one `serve` or `init` kept in the data directory).")
    @functools.wraps(command)
    def wrapper(data_dir: Path, base_url: str | None, **kwargs):
        try:
            settings = Settings(data_dir=data_dir, base_url=base_url).require_sandbox()
        except NoSandbox as exc:
            raise click.ClickException(str(exc)) from None
        store = CardStore(data_dir, Pki.open(settings.pki_dir, base_url=settings.base_url))
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
        f"  token:    {card.token_label}" + ("  (exportable test key)" if card.exportable else ""),
    ]
    return "\n".join(lines)


def _fail_on_card_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (CardError, ProfileError, ValueError, ExportError, TokenError) as error:
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
@click.option("--exportable", is_flag=True,
              help="Generate the key extractable, so `cards export` can hand it out as PKCS#12 (test material).")
@click.option("--json", "as_json", is_flag=True)
@_store_options
@_fail_on_card_errors
def issue(store, kind: str, name: str, registration_number: str | None, title: str | None, pin: str, expired: bool,
          exportable: bool, as_json: bool) -> None:
    """Issue a card: a new token, a key generated on it, and its certificate."""
    given, _, family = name.strip().rpartition(" ")
    if not given:
        raise click.BadParameter('give both names: "Given Family"', param_hint="--name")
    dates = {}
    if expired:
        now = datetime.now(timezone.utc)
        dates = {"not_before": now - timedelta(days=3 * 365), "not_after": now - timedelta(days=1)}
    card = store.issue(kind, given, family, registration_number=registration_number, title=title, pin=pin,
                       exportable=exportable, **dates)
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


def _one_target(card_id: str | None, system: str | None) -> None:
    if bool(card_id) == bool(system):
        raise click.UsageError("name a card (CARD_ID) or a system key (--system ORG_OID), one of them")


@cards.command("system-key")
@click.option("--org", "org_oid", required=True, help="The organisation's OID (the certificate's serialNumber).")
@click.option("--org-name", required=True, help="The organisation's name (the certificate's O).")
@click.option("--system-name", default=DEFAULT_SYSTEM_NAME, show_default=True, help="The system's name (CN).")
@click.option("--exportable", is_flag=True, help="Generate the key extractable, so `cards export --system` can hand it out.")
@click.option("--replace", is_flag=True, help="Give an organisation that has a key a new one (the old stays valid).")
@click.option("--json", "as_json", is_flag=True)
@_store_options
@_fail_on_card_errors
def system_key(store, org_oid: str, org_name: str, system_name: str, exportable: bool, replace: bool,
               as_json: bool) -> None:
    """Make an organisation's system signature key (järjestelmäallekirjoitus) on a token of its own."""
    key = store.issue_system_key(org_oid, org_name, system_name, exportable=exportable, replace=replace)
    if as_json:
        click.echo(json.dumps(key.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"system key of {key.org_oid} ({key.org_name}) on token {key.token_label}"
               + (", exportable" if key.exportable else "") + f"\n  subject:  {readable_name(key.certificate.subject)}")


@cards.command("systems")
@click.option("--json", "as_json", is_flag=True)
@_store_options
def list_systems(store, as_json: bool) -> None:
    """List the organisations' system signature keys."""
    keys = store.system_keys()
    if as_json:
        click.echo(json.dumps([k.to_json() for k in keys], ensure_ascii=False, indent=2))
        return
    for k in keys:
        click.echo(f"{k.org_oid:32} {'exportable' if k.exportable else 'token-only':10} {k.org_name}")
    click.echo(f"{len(keys)} system key(s)")


@cards.command("export")
@click.argument("card_id", required=False)
@click.option("--system", "org_oid", help="Export the system signature key of this organisation OID instead.")
@click.option("--pin", help="The card's PIN (a wrong one counts towards the lock). Not for --system.")
@click.option("--password", envvar="MOCK_KANTA_P12_PASSWORD", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The PKCS#12 password, at least 4 characters (env MOCK_KANTA_P12_PASSWORD; asked if not given).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .p12 file to write (mode 0600; an existing file is not overwritten).")
@_store_options
@_fail_on_card_errors
def export(store, card_id: str | None, org_oid: str | None, pin: str | None, password: str, output: Path) -> None:
    """Export an exportable card or system key as PKCS#12 with its CA chain: TEST MATERIAL, NOT FOR PRODUCTION."""
    _one_target(card_id, org_oid)
    if card_id and not pin:
        raise click.UsageError("a card's export needs its --pin")
    if output.exists():
        raise click.ClickException(f"{output} exists; choose another file or remove it first")
    data = card_pkcs12(store, card_id, pin, password) if card_id else system_pkcs12(store, org_oid, password)
    with open(output, "xb") as handle:
        output.chmod(0o600)
        handle.write(data)
    what = f"card {card_id}" if card_id else f"system key of {org_oid}"
    click.echo(f"wrote {output}: {what}, key, certificate and CA chain (MOCK-KANTA TEST MATERIAL - NOT FOR PRODUCTION)")


@cards.command("pkcs11-info")
@click.argument("card_id", required=False)
@click.option("--system", "org_oid", help="The system signature key of this organisation OID instead.")
@click.option("--json", "as_json", is_flag=True)
@_store_options
@_fail_on_card_errors
def pkcs11_info(store, card_id: str | None, org_oid: str | None, as_json: bool) -> None:
    """How a program on this host (or sharing the data directory's volume) signs with a token via PKCS#11."""
    _one_target(card_id, org_oid)
    info = card_pkcs11(store, card_id) if card_id else system_pkcs11(store, org_oid)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    pin = info["pin"] or "<the card's PIN>"
    click.echo("\n".join([
        f"module:       {info['module']}",
        f"SOFTHSM2_CONF={info['softhsm2Conf']}",
        f"token dir:    {info['tokenDir']}",
        f"token label:  {info['tokenLabel']}   (slot ids are random: choose the token by label)",
        f"key:          label {info['keyLabel']!r}, CKA_ID {info['keyId']}, RSA 2048, {info['mechanism']}",
        f"certificate:  label {info['keyLabel']!r}, CKA_ID {info['keyId']}",
        f"PIN:          {info['pin'] or info['pinNote']}",
        "try:",
        f"  SOFTHSM2_CONF={info['softhsm2Conf']} pkcs11-tool --module {info['module']} \\",
        f"    --token-label {info['tokenLabel']} --login --pin {pin} --list-objects",
    ]))


if __name__ == "__main__":
    cards()
