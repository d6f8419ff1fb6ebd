"""The first run, as a new user meets it: the installed `mock-kanta` entry point, each run in its own empty
directory. Commands that read a sandbox refuse a folder that holds none (and make nothing); a taken port is
reported before any banner; the public URL follows --port into new certificates and the client commands;
no warning at start; the validation clone answers in one language."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from mock_kanta.archive import validation
from mock_kanta.archive.service import Archive
from mock_kanta.core.codes import CodeSystems
from mock_kanta.scenario.sandbox import free_port, start_server, stop_server
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust
from tests.conftest import SAMPLES

MOCK_KANTA = Path(sys.executable).parent / "mock-kanta"
# the caller's settings must not leak into a "fresh" run
CLEAN = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_KANTA_")}


def run(cwd: Path, *args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(MOCK_KANTA), *args], cwd=cwd, env={**CLEAN, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout)


def pair(name: str) -> list[str]:
    return [str(SAMPLES / f"{name}-frame.xml"), str(SAMPLES / f"{name}-document.xml")]


@pytest.fixture
def fresh(tmp_path) -> Path:
    """An empty working directory of its own."""
    where = tmp_path / "work"
    where.mkdir()
    return where


READERS = [
    ("seed", "--clients", "1"),
    ("cards", "list"),
    ("cards", "issue", "--type", "staff", "--name", "Testi Henkilö"),
    ("audit", "verify"),
    ("tenant", "token", "list", "default"),
    ("tenant", "list"),
    ("tls", "client-cert", "--org", "1.2.246.10.32213561.10.0"),
    ("scenario", "run", "minor-prohibition", "--url", "http://127.0.0.1:9"),
]


@pytest.mark.parametrize("command", READERS, ids=[" ".join(c[:2]) for c in READERS])
def test_a_command_that_reads_a_sandbox_refuses_a_folder_that_holds_none(fresh, command):
    misspelt = run(fresh, *command, "--data-dir", "vra")
    assert misspelt.returncode == 1, misspelt.stderr
    assert f"no sandbox in {fresh / 'vra'}" in misspelt.stderr
    assert "mock-kanta init --data-dir vra" in misspelt.stderr and "Traceback" not in misspelt.stderr
    (fresh / "empty").mkdir()
    empty = run(fresh, *command, "--data-dir", "empty")
    assert empty.returncode == 1 and f"no sandbox in {fresh / 'empty'}" in empty.stderr
    assert sorted(p.name for p in fresh.iterdir()) == ["empty"] and not any((fresh / "empty").iterdir())


def test_the_default_data_dir_is_not_made_either(fresh):
    result = run(fresh, "cards", "list")
    assert result.returncode == 1 and f"no sandbox in {fresh / 'var'}" in result.stderr
    assert not (fresh / "var").exists()


def test_serve_refuses_a_file_as_its_data_dir(fresh):
    (fresh / "notes.txt").write_text("mine\n")
    result = run(fresh, "serve", "--port", str(free_port()), "--data-dir", "notes.txt")
    assert result.returncode == 2 and "notes.txt is a file" in result.stderr and "Traceback" not in result.stderr
    assert (fresh / "notes.txt").read_text() == "mine\n"


def test_init_makes_a_sandbox_the_readers_then_open(fresh):
    made = run(fresh, "init", "--data-dir", "box", "--public-url", "http://127.0.0.1:18181", "--no-demo-cards")
    assert made.returncode == 0, made.stderr
    assert "sandbox made in" in made.stdout and "public URL http://127.0.0.1:18181" in made.stdout
    listed = run(fresh, "cards", "list", "--data-dir", "box")
    assert listed.returncode == 0 and "0 card(s)" in listed.stdout
    again = run(fresh, "init", "--data-dir", "box", "--no-demo-cards")
    assert again.returncode == 0 and "sandbox already in" in again.stdout
    assert issued_crl_urls(fresh, "--data-dir", "box") == ["http://127.0.0.1:18181/pki/crl/staff-actor.crl"]


def issued_crl_urls(cwd: Path, *data_dir: str) -> list[str]:
    """Issue a staff card with `cards issue`; the CRL distribution points of its certificate (`cards show`)."""
    issued = run(cwd, "cards", "issue", "--type", "staff", "--name", "Testi Henkilö", "--json", *data_dir)
    assert issued.returncode == 0, issued.stderr
    shown = run(cwd, "cards", "show", json.loads(issued.stdout)["id"], "--json", *data_dir)
    cert = x509.load_pem_x509_certificate(json.loads(shown.stdout)["certificatePem"].encode())
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    return [name.value for point in points for name in point.full_name]


def test_validate_offline_makes_nothing_and_trusts_only_what_it_is_given(fresh, sample_trust):
    untrusted = run(fresh, "validate", *pair("asiakassuunnitelma"))
    assert untrusted.returncode == 1 and "SH-SIG-009" in untrusted.stdout
    trusted = run(fresh, "validate", "--extra-trust", str(sample_trust), *pair("asiakassuunnitelma"))
    assert trusted.returncode == 0, trusted.stdout
    assert "0 error(s)" in trusted.stdout
    assert list(fresh.iterdir()) == []  # no ./var, no CA
    elsewhere = run(fresh, "validate", "--data-dir", "nothing-here", *pair("asiakassuunnitelma"))
    assert elsewhere.returncode == 1 and "no sandbox in" in elsewhere.stderr


def test_a_port_in_use_is_reported_before_any_banner(fresh):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(fresh, "serve", "--port", str(port), "--no-demo-cards")
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is in use" in result.stderr
    assert "listening" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert not (fresh / "var").exists()  # refused before anything was made


def test_the_public_url_follows_the_port_and_the_start_is_quiet(fresh):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(fresh.parent / "serve.log", "w+b")
    proc, http = start_server([str(MOCK_KANTA), "serve", "--port", str(port), "--no-demo-cards"], log=log,
                              env=CLEAN, cwd=fresh, connect=lambda: httpx.Client(base_url=url, timeout=30), timeout=90)
    try:
        shown = run(fresh, "clock", "show")  # no --url: the sandbox's own public URL, kept in ./var
        assert shown.returncode == 0, shown.stderr
        assert "(real, offset +0 s)" in shown.stdout
        assert issued_crl_urls(fresh) == [f"{url}/pki/crl/staff-actor.crl"]
        assert http.get("/healthz").status_code == 200
    finally:
        http.close()
        stop_server(proc)
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    log.close()
    assert f"public URL: {url}" in output
    assert "Warning" not in output and "warning" not in output.lower().replace("--log-level", ""), output


def test_url_is_the_option_everywhere_and_target_a_hidden_alias(fresh):
    helped = run(fresh, "scenario", "run", "--help")
    assert "--url" in helped.stdout and "--target" not in helped.stdout
    clock_help = run(fresh, "clock", "--help")
    assert "--url" in clock_help.stdout
    both = run(fresh, "scenario", "run", "minor-prohibition", "--url", "http://a:1", "--target", "http://b:2")
    assert both.returncode == 2 and "give --url once" in both.stderr
    old = run(fresh, "scenario", "run", "minor-prohibition", "--target", "http://127.0.0.1:9", "--data-dir", "x")
    assert old.returncode == 1 and "no sandbox in" in old.stderr  # the old name still reaches the same checks


@pytest.fixture(scope="module")
def refused_findings(tmp_path_factory):
    """Real findings: the sample checked with a fresh CA and no extra trust (its DVV signatures are refused)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("validation"))
    archive = Archive(settings, store=None, codes=CodeSystems.load(settings.codes_override_dir),
                      trust=Trust(Pki.open(settings.pki_dir), []))
    frame, document = ((SAMPLES / f"asiakassuunnitelma-{part}.xml").read_bytes() for part in ("frame", "document"))
    return archive.check(archive.read_parts(frame, document, "file"))


@pytest.mark.parametrize("header, lang", [(None, "fi"), ("", "fi"), ("sv-FI,sv;q=0.9,en;q=0.8", "sv"),
                                          ("de, en;q=0.5, fi;q=0.4", "en"), ("en;q=0, sv;q=0.2", "sv"),
                                          ("*", "fi"), ("en;q=x", "fi")])
def test_the_validation_clone_answers_in_one_language(refused_findings, header, lang):
    chosen = validation.language(header)
    assert chosen == lang
    payload = validation.failure("m-1", refused_findings, chosen)
    assert payload["language"] == lang and payload["code"] == "SH-SIG-009"
    for f in refused_findings:
        assert f.message[lang].replace(";", ",") in payload["description"]
    others = {other for other in ("fi", "sv", "en") if other != lang}
    assert not any(f.message[o].replace(";", ",") in payload["description"] for f in refused_findings for o in others
                   if f.message[o] != f.message[lang])
