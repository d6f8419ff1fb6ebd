"""`mock-kanta scenario run | list | check`: run scenario files, list the built-in ones, validate files."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from mock_kanta.reports import html_report, json_text, junit_xml, write_reports
from mock_kanta.scenario.model import ScenarioError, builtin_dir, builtin_scenarios, load_scenario, resolve
from mock_kanta.scenario.run import run_files
from mock_kanta.settings import Settings

DEFAULT_REPORT_DIR = Path("scenario-reports")


def _paths(files: tuple[str, ...], all_builtin: bool) -> list[Path]:
    paths = [resolve(f) for f in files] + (builtin_scenarios() if all_builtin else [])
    if not paths:
        raise click.UsageError("give scenario files (or built-in names, see `mock-kanta scenario list`), or --all")
    return paths


def _say(line: str) -> None:
    click.echo(line, err=True)


@click.group()
def scenario() -> None:
    """Scenario scripts: stories of archive, read and view steps run against a sandbox (docs/scenarios.md)."""


@scenario.command("run")
@click.argument("files", nargs=-1)
@click.option("--all", "all_builtin", is_flag=True, help="Run every built-in scenario too.")
@click.option("--url", default=None, metavar="URL",
              help="A running sandbox to talk to (default: start a throw-away one for this run).")
@click.option("--target", "old_target", default=None, hidden=True, help="The old name of --url.")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="MOCK_KANTA_DATA_DIR", default="var", show_default=True,
              help="The data directory of the sandbox at --url: its CA and virtual cards (env MOCK_KANTA_DATA_DIR).")
@click.option("--tenant", default=None, help="Run in this existing tenant instead of a fresh one per scenario.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Write JUnit XML, JSON and HTML reports here (default {DEFAULT_REPORT_DIR}/ unless a file option is given).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the JUnit XML report here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the JSON report here.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the HTML report here.")
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="en", show_default=True,
              help="Language of the reports: titles, explanations and evidence (fi, sv or en).")
@click.option("--delete-tenants", is_flag=True, help="Delete each scenario's tenant afterwards (default: keep it to look at).")
@click.option("--token", envvar="MOCK_KANTA_TOKEN", default=None, metavar="TOKEN",
              help="For a sandbox with access control on (env MOCK_KANTA_TOKEN): the admin token, or a trainer token "
                   "of the tenant given with --tenant.")
def run_command(files, all_builtin, url, old_target, data_dir, tenant, report_dir, junit, json_path, html, lang,
                delete_tenants, token) -> None:
    """Run scenario FILES (paths or built-in names); exit 0 only if every scenario passed."""

    paths = _paths(files, all_builtin)
    if url and old_target and url != old_target:
        raise click.UsageError("give --url once (--target is its old name)")
    target = url or old_target
    problem = Settings(data_dir=data_dir).sandbox_problem() if target else None
    if problem:
        raise click.ClickException(problem)
    try:
        report = run_files(paths, target, data_dir if target else None, tenant=tenant, lang=lang, progress=_say,
                           delete_tenants=delete_tenants, token=token)
    except ScenarioError as exc:
        _say(str(exc))
        sys.exit(2)
    except RuntimeError as exc:  # the throw-away sandbox did not start
        _say(f"mock-kanta scenario: {exc}")
        sys.exit(3)
    written: list[Path] = []
    if report_dir or not (junit or json_path or html):
        stem = report.cases[0].name if len(report.cases) == 1 else "scenarios"
        written += write_reports(report, report_dir or DEFAULT_REPORT_DIR, stem).values()
    for path, render in ((junit, lambda: junit_xml(report)),
                         (json_path, lambda: json_text(report).encode()),
                         (html, lambda: html_report(report).encode("utf-8"))):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render())
            written.append(path)
    _say("reports: " + ", ".join(str(p) for p in written))
    verdict = "passed" if report.passed else "FAILED"
    _say(f"{verdict}: {sum(c.status == 'passed' for c in report.cases)} of {len(report.cases)} scenario(s) passed")
    sys.exit(0 if report.passed else 1)


@scenario.command("list")
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="en", show_default=True)
def list_command(lang: str) -> None:
    """The built-in scenarios with their titles."""
    paths = builtin_scenarios()
    if not paths:
        click.echo(f"no scenarios in {builtin_dir()}")
        return
    for path in paths:
        try:
            s = load_scenario(path)
            click.echo(f"{s.id:32} {len(s.steps):3} steps  {s.title_in(lang)}")
        except ScenarioError as exc:
            click.echo(f"{path.stem:32}   invalid  ({len(exc.problems)} problem(s): mock-kanta scenario check {path})")
    click.echo(f"\n(in {builtin_dir()}; run one with: mock-kanta scenario run NAME)")


@scenario.command("check")
@click.argument("files", nargs=-1)
@click.option("--all", "all_builtin", is_flag=True, help="Check every built-in scenario too.")
def check_command(files, all_builtin) -> None:
    """Validate scenario FILES without running them; exit 1 if any has problems."""
    bad = 0
    for path in _paths(files, all_builtin):
        try:
            s = load_scenario(path)
            click.echo(f"ok: {path} ({s.id}, {len(s.steps)} steps)")
        except ScenarioError as exc:
            bad += 1
            click.echo(str(exc), err=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":  # python -m mock_kanta.scenario.cli (mock-kanta scenario is the usual way)
    scenario()
