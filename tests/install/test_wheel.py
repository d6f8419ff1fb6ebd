"""What users install: the wheel, installed (not editable) into a fresh virtual environment outside the checkout,
started as `mock-kanta serve` in an empty directory. A file the package reads but the wheel lacks fails here,
although every other test (which runs from the source tree) would pass."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from mock_kanta.scenario.sandbox import free_port, start_server, stop_server
from tests.conftest import SAMPLE_TIME, sample
from tests.helpers import ack_of, codes, post_archive

ROOT = Path(__file__).resolve().parents[2]
# Package data is everything under these folders but Python sources (the top-level ones ship as mock_kanta/builtin/).
SHIPPED = {"mock_kanta": "mock_kanta", "fixtures": "mock_kanta/builtin/fixtures", "certs": "mock_kanta/builtin/certs",
           "scenarios": "mock_kanta/builtin/scenarios"}


def _run(*args, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    done = subprocess.run(list(map(str, args)), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _source_copy(dest: Path) -> Path:
    """The checkout's own files (tracked or new, not ignored; links kept as links) copied to `dest`: a build there
    cannot pick up a stale build/ folder or a file that only exists in this working tree's ignored corners."""
    done = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    for name in filter(None, done.stdout.decode().split("\0")):
        source, target = ROOT / name, dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, source)
    (built,) = out.glob("mock_kanta-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv (outside the checkout) with the runtime lock and the wheel: its bin/ directory."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    _run(base, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    _run(pip, "install", "--quiet", "--disable-pip-version-check", "-r", ROOT / "requirements-lock.txt")
    _run(pip, "install", "--quiet", "--disable-pip-version-check", "--no-deps", wheel)
    return venv / "bin"


def _clean_env(**extra: str) -> dict:
    """The environment without this checkout's traces: no PYTHONPATH, no MOCK_KANTA_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_KANTA_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def _git_files(folder: str) -> list[str]:
    done = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout: the wheel's contents cannot be compared with the tracked files")
    return [line for line in done.stdout.splitlines() if not line.endswith(".py") and not line.endswith("/.gitkeep")]


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, inside in SHIPPED.items():
        for tracked in _git_files(folder):
            if Path(tracked).parts[:2] == ("mock_kanta", "builtin"):
                continue  # the links themselves; their targets are checked under their own folder
            shipped = inside + tracked[len(folder):]
            if shipped not in names:
                missing.append(tracked)
    assert not missing, f"files the package reads but the wheel lacks (pyproject.toml package-data): {missing}"


@pytest.fixture(scope="module")
def served(installed, tmp_path_factory, sample_trust):
    """`mock-kanta serve` from the installed venv, started in an empty directory (data in its ./var)."""
    home = tmp_path_factory.mktemp("empty")
    port = free_port()
    env = _clean_env(MOCK_KANTA_EXTRA_TRUST=str(sample_trust))
    log = open(home.parent / "installed-server.log", "ab")
    command = [str(installed / "mock-kanta"), "serve", "--host", "127.0.0.1", "--port", str(port), "--demo-clients", "3"]
    proc, http = start_server(command, log=log, env=env, cwd=home,
                              connect=lambda: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
    try:
        yield http, home
    finally:
        http.close()
        stop_server(proc)
        log.close()


def test_installed_server_answers_health_and_archives_a_sample(served):
    http, home = served
    assert http.get("/healthz").status_code == 200
    assert (home / "var" / "mock-kanta.sqlite3").is_file()  # the default data directory, under the working directory
    http.put("/api/v1/clock", json={"time": SAMPLE_TIME}).raise_for_status()
    try:
        response = post_archive(http, sample("asiakkuusasiakirja", "frame"), sample("asiakkuusasiakirja", "document"))
    finally:
        http.delete("/api/v1/clock").raise_for_status()
    assert response.status_code == 200, response.text
    ack = ack_of(response)
    assert ack["type_code"] == "AA" and codes(ack, "E") == [], ack


def test_installed_server_serves_the_ui_and_the_api_spec(served):
    http, _ = served
    page = http.get("/ui/", headers={"Accept-Language": "fi"})
    assert page.status_code == 200 and "<html" in page.text
    assert http.get("/ui/static/ui.css").status_code == 200
    assert http.get("/api/v1/openapi.json").json()["info"]["title"]
    organisations = http.get("/api/v1/organisations").json()
    assert organisations, "the built-in fixtures were not loaded"


def test_installed_scenarios_list_and_run(installed, served, tmp_path):
    http, home = served
    env = _clean_env()
    listed = _run(installed / "mock-kanta", "scenario", "list", cwd=tmp_path, env=env).stdout
    for name in ("deployment-test", "register-usage-right-test", "omakanta-visibility", "minor-prohibition",
                 "keusote-timeline"):
        assert name in listed
    ran = _run(installed / "mock-kanta", "scenario", "run", "deployment-test", "--target", str(http.base_url),
               "--data-dir", home / "var", "--report-dir", tmp_path / "reports", cwd=tmp_path, env=env)
    assert "1 of 1 scenario(s) passed" in ran.stdout + ran.stderr, ran.stdout + ran.stderr
    assert list((tmp_path / "reports").glob("*.xml"))
