"""The container and CI recipes (Dockerfile, compose.yaml, examples/ci/): they parse, and everything they name exists.
Every `mock-kanta` command they run is a real command with real options, every MOCK_KANTA_* setting they pass is
one the package reads, every file they run is there, and the reports they keep are the ones the run writes. The
image's HEALTHCHECK command and the CI's wait script are run against a real sandbox."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from mock_kanta.cli import main
from mock_kanta.scenario.model import builtin_scenarios
from mock_kanta.scenario.sandbox import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
TEST_TOOLS = ("pytest", "xmlsec", "playwright", "schemathesis")
SEPARATORS = {";", "&", "&&", "|", "||", ">", "<", "(", ")", ">>"}


def _env_names_read() -> set[str]:
    """Every MOCK_KANTA_* name the package's code mentions (settings, click envvars, the runner)."""
    names = set()
    for source in (ROOT / "mock_kanta").rglob("*.py"):
        names |= set(re.findall(r"MOCK_KANTA_[A-Z0-9_]+", source.read_text(encoding="utf-8")))
    return names


READ = _env_names_read()


def _ours(names) -> set[str]:
    return {n for n in names if n.startswith("MOCK_KANTA_")}


def _tokens(command: str) -> list[str]:
    lexer = shlex.shlex(command.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _mock_kanta_calls(command: str) -> list[tuple[click.Command, list[str], dict[str, str]]]:
    """Each `mock-kanta <command> ...` in a shell text: (the click command, its path, its --options with values).
    A command or option the CLI does not have fails here."""
    tokens, calls = _tokens(command), []
    for i, token in enumerate(tokens):
        if token != "mock-kanta" or i + 1 >= len(tokens) or tokens[i + 1] not in main.commands:
            continue  # e.g. the container's name
        cmd, path, j = main, [], i + 1
        while isinstance(cmd, click.Group) and j < len(tokens) and tokens[j] in cmd.commands:
            cmd = cmd.commands[tokens[j]]
            path.append(tokens[j])
            j += 1
        assert not isinstance(cmd, click.Group), f"`mock-kanta {' '.join(path)}` needs a subcommand: {command!r}"
        known = {opt for param in cmd.params for opt in (*param.opts, *param.secondary_opts)}
        options: dict[str, str] = {}
        while j < len(tokens) and tokens[j] not in SEPARATORS:
            if tokens[j].startswith("--"):
                name, _, value = tokens[j].partition("=")
                assert name in known, f"`mock-kanta {' '.join(path)}` has no option {name} (it has {sorted(known)})"
                flag = next(p for p in cmd.params if name in (*p.opts, *p.secondary_opts))
                if not value and not getattr(flag, "is_flag", False) and j + 1 < len(tokens):
                    value = tokens[j + 1]
                    j += 1
                options[name] = value
            j += 1
        calls.append((cmd, path, options))
    return calls


def _python_files(command: str) -> list[str]:
    tokens = _tokens(command)
    return [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t == "python" and tokens[i + 1].endswith(".py")]


def _github_jobs() -> dict[str, dict]:
    """GitHub Actions jobs: {name: {"env", "commands", "artifacts"}}."""
    flow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    jobs = {}
    for name, job in flow["jobs"].items():
        steps = job["steps"]
        jobs[name] = {
            "env": {**(flow.get("env") or {}), **(job.get("env") or {})},
            "commands": [s["run"] for s in steps if "run" in s],
            "artifacts": [line.strip() for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")
                          for line in s["with"]["path"].splitlines() if line.strip()],
        }
    return jobs


def _gitlab_jobs() -> dict[str, dict]:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    jobs = {}
    for name, job in pipeline.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        jobs[name] = {
            "env": {**(pipeline.get("variables") or {}), **(job.get("variables") or {})},
            "commands": list(job["script"]) + list(job.get("after_script") or []),
            "artifacts": list(job["artifacts"]["paths"]),
            "junit": job["artifacts"]["reports"]["junit"],
            "stage": job["stage"],
        }
    assert set(pipeline["stages"]) >= {j["stage"] for j in jobs.values()}
    return jobs


CI = {**{f"github:{k}": v for k, v in _github_jobs().items()}, **{f"gitlab:{k}": v for k, v in _gitlab_jobs().items()}}


def _scenario_run(job: dict) -> dict[str, str]:
    runs = [options for command in job["commands"] for cmd, path, options in _mock_kanta_calls(command)
            if path == ["scenario", "run"]]
    assert len(runs) == 1, f"expected one `mock-kanta scenario run`, found {len(runs)}"
    return runs[0]


# --- the image ---

def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of the final stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    parsed = [tuple(line.split(None, 1)) for line in lines]
    last_from = max(i for i, (instruction, _) in enumerate(parsed) if instruction.upper() == "FROM")
    return [(i.upper(), a) for i, a in parsed[last_from:]]


def _healthcheck() -> list[str]:
    (args,) = [a for i, a in _dockerfile() if i == "HEALTHCHECK"]
    return json.loads(args[args.index("CMD") + 3:].strip())


def test_the_runtime_image_has_no_test_tools_runs_unprivileged_and_checks_its_health():
    final = _dockerfile()
    installs = [a for i, a in final if i == "RUN" and "pip install -r" in a]
    assert installs and all("requirements-lock.txt" in a and "test" not in a for a in installs)
    lock = [line.split("==")[0].lower() for line in (ROOT / "requirements-lock.txt").read_text().splitlines()]
    assert not set(TEST_TOOLS) & set(lock), "a test tool among the runtime pins"
    (user,) = [a for i, a in final if i == "USER"]
    assert user not in ("root", "0")
    command = _healthcheck()
    assert command[0] == "python" and "http://127.0.0.1:8080/healthz" in command[-1]  # no curl in the slim image
    served = json.loads(next(a for i, a in final if i == "CMD"))
    assert served[:2] == ["mock-kanta", "serve"] and served[served.index("--port") + 1] == "8080"
    assert _mock_kanta_calls(" ".join(served))  # a real command with real options
    assert ("ENV", "MOCK_KANTA_DATA_DIR=/data") in final and ("VOLUME", "/data") in final


def test_the_health_check_command_passes_on_a_sandbox_and_fails_without_one(sandbox):
    command = _healthcheck()
    asks = command[-1]
    live = subprocess.run([sys.executable, "-c", asks.replace("http://127.0.0.1:8080", sandbox.url)], timeout=60)
    assert live.returncode == 0
    gone = subprocess.run([sys.executable, "-c", asks.replace("127.0.0.1:8080", f"127.0.0.1:{free_port()}")],
                          capture_output=True, timeout=60)
    assert gone.returncode != 0


def test_the_wait_script_the_ci_uses_waits_for_a_sandbox(sandbox):
    script = ROOT / "examples" / "ci" / "wait-for-healthz.py"
    assert subprocess.run([sys.executable, script, sandbox.url, "30"], capture_output=True, timeout=60).returncode == 0
    nobody = subprocess.run([sys.executable, script, f"http://127.0.0.1:{free_port()}", "1"], capture_output=True,
                            timeout=60)
    assert nobody.returncode == 1 and b"no answer" in nobody.stderr


# --- compose ---

def test_compose_runs_the_sandbox_on_a_volume_and_postgresql_in_its_own_profile():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services, volumes = compose["services"], set(compose["volumes"])
    sandboxes = {name: s for name, s in services.items() if s.get("image") == "mock-kanta:local"}
    assert set(sandboxes) == {"mock-kanta", "mock-kanta-pg"}
    assert "profiles" not in sandboxes["mock-kanta"]  # `docker compose up` starts it
    for name, service in sandboxes.items():
        assert (ROOT / service["build"] / "Dockerfile").is_file()
        mounts = dict(v.split(":", 1) for v in service["volumes"])
        assert mounts.get(next(iter(mounts))) == "/data" and set(mounts) <= volumes, name
        assert all(port.endswith(":8080") for port in service["ports"])
        env = service["environment"]
        assert _ours(env) <= READ, _ours(env) - READ
        assert env["MOCK_KANTA_ADMIN_TOKEN"] and "MOCK_KANTA_TOKEN" in env
        host = service["ports"][0].rsplit(":", 1)[0].split(":", 1)[1]
        assert env["MOCK_KANTA_BASE_URL"] == f"http://localhost:{host}"
        assert env["MOCK_KANTA_BASE_URL"] in env["MOCK_KANTA_PUBLIC_URL"].split(",")
    pg, database = services["postgres"], sandboxes["mock-kanta-pg"]
    assert pg["image"] == "postgres:16" and pg["profiles"] == ["postgresql"] == database["profiles"]
    assert database["depends_on"]["postgres"]["condition"] == "service_healthy" and pg["healthcheck"]["test"]
    url = database["environment"]["MOCK_KANTA_DATABASE_URL"]
    user, password, db = pg["environment"]["POSTGRES_USER"], pg["environment"]["POSTGRES_PASSWORD"], pg["environment"]["POSTGRES_DB"]
    assert url == f"postgresql://{user}:{password}@postgres:5432/{db}"
    assert "MOCK_KANTA_DATABASE_URL" not in sandboxes["mock-kanta"]["environment"]  # SQLite on its volume
    assert set(m.split(":")[0] for m in pg["volumes"]) <= volumes


# --- CI ---

def test_both_ci_files_have_a_container_job_and_a_pip_job():
    assert set(CI) == {"github:container", "github:pip", "gitlab:scenarios-container", "gitlab:scenarios-pip"}


@pytest.mark.parametrize("name", sorted(CI))
def test_each_ci_job_runs_every_built_in_scenario_against_its_sandbox_and_keeps_the_reports(name):
    job = CI[name]
    run = _scenario_run(job)
    assert "--all" in run and run["--url"].startswith("http://127.0.0.1:") and run["--data-dir"]
    assert len(builtin_scenarios()) > 1  # so the reports are written as scenarios.{xml,json,html}
    report_dir = Path(run["--report-dir"])
    kept = {a.rstrip("/") for a in job["artifacts"]}
    assert report_dir.name in kept, (report_dir, kept)
    if "junit" in job:
        assert job["junit"] == f"{report_dir.name}/scenarios.xml"
    text = "\n".join(job["commands"])
    if "container" in name:  # the run happens in the container; its reports are copied out
        assert "docker build -t mock-kanta:ci ." in text and (ROOT / "Dockerfile").is_file()
        assert f"docker cp mock-kanta:{report_dir} ./{report_dir.name}" in text
        assert "{{.State.Health.Status}}" in text  # waits on the image's HEALTHCHECK
        assert run["--data-dir"] == "/data"
        passed = set(re.findall(r"-e (MOCK_KANTA_[A-Z_]+)", text))
        assert {"MOCK_KANTA_ADMIN_TOKEN", "MOCK_KANTA_TOKEN"} <= passed
    else:
        serve = [options for c in job["commands"] for _, path, options in _mock_kanta_calls(c) if path == ["serve"]]
        assert serve and serve[0]["--data-dir"] == run["--data-dir"]
        assert f"http://127.0.0.1:{serve[0]['--port']}" == run["--url"]
        assert "requirements-lock.txt" in text and (ROOT / "requirements-lock.txt").is_file()
    for command in job["commands"]:
        for script in _python_files(command):
            assert (ROOT / script).is_file(), script
    env = job["env"]
    assert _ours(env) <= READ, _ours(env) - READ
    assert env["MOCK_KANTA_TOKEN"] == env["MOCK_KANTA_ADMIN_TOKEN"] and len(env["MOCK_KANTA_TOKEN"]) >= 16
