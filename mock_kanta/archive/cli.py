"""`mock-kanta validate FRAME DOCUMENT`: the archive's checks offline, nothing stored, nothing made.

Signatures are trusted when they chain to the CA of the sandbox in --data-dir (when it holds one) or to the
extra-trust bundle; without a sandbox the CA is a throw-away one in a temporary directory, so only the bundle
counts and no ./var is ever made."""
from __future__ import annotations

import json
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from mock_kanta.archive.service import Archive
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.findings import Severity
from mock_kanta.rules.verdicts import VerdictProfile
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust


@click.command()
@click.argument("frame", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--organiser", "organisers", multiple=True, metavar="OID",
              help="Turn this organiser's profile on (fixtures/organiser-profiles.yaml); repeatable.")
@click.option("--strict", is_flag=True, help="Make every finding an error.")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var", show_default=True,
              help="Trust the CA of the sandbox here (env MOCK_KANTA_DATA_DIR); the default ./var only when it "
                   "holds one. Nothing is made.")
@click.option("--extra-trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="MOCK_KANTA_EXTRA_TRUST",
              default=None, help="A PEM bundle of extra trusted CAs or pinned certificates, e.g. the samples' DVV "
                                 "TEST certificates (env MOCK_KANTA_EXTRA_TRUST).")
@click.pass_context
def validate(ctx: click.Context, frame: Path, document: Path, lang: str, as_json: bool, organisers: tuple[str, ...],
             strict: bool, data_dir: Path, extra_trust: Path | None) -> None:
    """Check a frame and its document offline, as the archive would (nothing is stored). Only findings of
    basis kanta refuse unless an organiser's profile or --strict says more (docs/verdicts.md)."""
    settings = Settings(data_dir=data_dir, extra_trust_path=extra_trust)
    chosen = ctx.get_parameter_source("data_dir") is not click.core.ParameterSource.DEFAULT
    with _pki(settings, required=chosen) as pki:
        trust = Trust(pki, load_extra_trust(settings.extra_trust_path))
        archive = Archive(settings, store=None, codes=CodeSystems.load(settings.codes_override_dir), trust=trust)
        unknown = archive.verdicts.profiles.unknown(organisers)
        if unknown:
            raise click.BadParameter(unknown, param_hint="--organiser")
        parsed = archive.read_parts(frame.read_bytes(), document.read_bytes(), "file")
        findings = archive.check(parsed, profile=VerdictProfile(strict, frozenset(organisers)))
    if as_json:
        click.echo(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(f"{f.rule_id} {f.severity.value:7} basis {f.basis.value:9} {f.location}\n    {f.message[lang]}\n"
                       f"    fix: {f.fix[lang]}")
        errors = sum(f.severity is Severity.ERROR for f in findings)
        click.echo(f"{len(findings)} finding(s), {errors} error(s)")
    sys.exit(1 if any(f.severity is Severity.ERROR for f in findings) else 0)


@contextmanager
def _pki(settings: Settings, *, required: bool):
    """The sandbox's PKI when its data directory holds one (required: else NoSandbox); else a throw-away one."""
    problem = settings.sandbox_problem()
    if problem and required:
        raise click.ClickException(problem)
    if not problem:
        yield Pki.open(settings.pki_dir, base_url=settings.base_url)
        return
    with tempfile.TemporaryDirectory(prefix="mock-kanta-validate-") as scratch:
        yield Pki.open(Path(scratch), base_url=settings.base_url)
