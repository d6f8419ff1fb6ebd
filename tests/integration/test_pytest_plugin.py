"""The pytest plugin (mock_kanta.testing.plugin) as a vendor's test run meets it: pytest in a subprocess, in a
fresh directory, with the plugin loaded from its entry point. Its tenants are deleted after each test, also a
failing one; its server and the server's workers are gone after the run, also after the run is killed; in-process
mode starts no process; an unused plugin starts and imports nothing; scenario files run as items and say why
they failed."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from xml.etree import ElementTree

from tests.conftest import Sandbox

REPO = Path(__file__).resolve().parents[2]
VENDOR_SCENARIO = REPO / "examples" / "pytest-vendor" / "tests" / "scenario-first-plan.yaml"


def pytest_env(**extra: str) -> dict:
    """The environment of a vendor's pytest run: no pytest or sandbox settings of ours leak into it (but the run's
    mark, MOCK_KANTA_TEST_RUN, does: tests/conftest.py finds any process of it left running)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "MOCK_KANTA_")) or k == "MOCK_KANTA_TEST_RUN"}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def run_pytest(project: Path, *args: str, **extra_env: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """`python -m pytest project args` in `project`'s parent: (the process, {test name: outcome} from its JUnit XML)."""
    junit = project.parent / "junit.xml"
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={project.parent / 'basetemp'}",
               f"--junitxml={junit}", "-o", "junit_family=xunit2", str(project), *args]
    done = subprocess.run(command, cwd=project.parent, env=pytest_env(**extra_env), capture_output=True, text=True,
                          timeout=600)
    return done, outcomes(junit)


def outcomes(junit: Path) -> dict[str, str]:
    results = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        results[case.get("name")] = kinds[0] if kinds else "passed"
    return results


def write_project(tmp_path: Path, files: dict[str, str]) -> Path:
    project = tmp_path / "vendor"
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return project


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def gone_within(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.1)
    return False


def test_each_tests_tenant_is_deleted_afterwards_also_when_it_fails(tmp_path, sandbox):
    record = tmp_path / "tenants.txt"
    project = write_project(tmp_path, {"test_vendor.py": """
        import os

        def test_passes(kanta_tenant, kanta_client):
            open(os.environ["RECORD"], "a").write(kanta_tenant.id + "\\n")
            assert kanta_tenant.exists() and kanta_client.tenant == kanta_tenant.id
            assert kanta_tenant.api("GET", "/api/v1/clock").json()["mode"] == "real"

        def test_fails(kanta_tenant, kanta_clock):
            open(os.environ["RECORD"], "a").write(kanta_tenant.id + "\\n")
            kanta_clock.set("2026-09-01T08:00:00+00:00")
            assert False, "fails on purpose"
    """})
    done, results = run_pytest(project, f"--mock-kanta-url={sandbox.url}", RECORD=str(record))
    assert done.returncode == 1, done.stdout[-3000:]
    assert results == {"test_passes": "passed", "test_fails": "failure"}
    made = record.read_text().split()
    assert len(made) == 2 and all(t.startswith("t-test-") for t in made)
    assert [sandbox.http.get(f"/api/v1/tenants/{t}").status_code for t in made] == [404, 404]


def test_kept_tenants_stay(tmp_path, sandbox):
    record = tmp_path / "tenants.txt"
    project = write_project(tmp_path, {"test_vendor.py": """
        import os

        def test_keeps(kanta_tenant):
            open(os.environ["RECORD"], "w").write(kanta_tenant.id)
    """})
    done, results = run_pytest(project, f"--mock-kanta-url={sandbox.url}", "--mock-kanta-keep-tenants",
                               RECORD=str(record))
    assert (done.returncode, results) == (0, {"test_keeps": "passed"}), done.stdout[-3000:]
    tenant = record.read_text()
    assert sandbox.http.get(f"/api/v1/tenants/{tenant}").status_code == 200
    assert sandbox.http.delete(f"/api/v1/tenants/{tenant}").status_code == 204


def test_a_running_sandbox_with_access_control_takes_a_token(tmp_path):
    token = "mk-admin-" + secrets.token_hex(16)
    box = Sandbox(tmp_path / "var", env={"MOCK_KANTA_ADMIN_TOKEN": token}, args=["--auth", "--no-demo-cards"])
    project = write_project(tmp_path, {
        "test_vendor.py": """
            def test_signs(kanta_tenant, kanta_professional_signer, kanta_system_signer):
                assert kanta_tenant.exists()
                assert kanta_professional_signer.card.status == "active"
        """,
        "scenario-first-plan.yaml": VENDOR_SCENARIO.read_text(encoding="utf-8"),
    })
    box.start()
    try:
        where = (f"--mock-kanta-url={box.url}", f"--mock-kanta-data-dir={box.data_dir}")
        refused, results = run_pytest(project, *where)
        assert (refused.returncode, results) == (1, {"test_signs": "error", "vendor-first-plan": "failure"})
        assert "HTTP 401" in refused.stdout and "give --mock-kanta-token or env MOCK_KANTA_TOKEN" in refused.stdout
        done, results = run_pytest(project, *where, MOCK_KANTA_TOKEN=token)
        assert (done.returncode, results) == (0, {"test_signs": "passed", "vendor-first-plan": "passed"}), done.stdout
        tenants = box.http.get("/api/v1/tenants/", headers={"Authorization": f"Bearer {token}"}).json()
        assert [t["id"] for t in tenants if t["id"] != "default"] == []  # each run's tenants deleted
    finally:
        box.stop()


def test_signers_without_the_sandboxs_data_directory_say_what_is_missing(tmp_path, sandbox):
    project = write_project(tmp_path, {"test_vendor.py": """
        def test_signs(kanta_professional_signer):
            pass
    """})
    done, results = run_pytest(project, f"--mock-kanta-url={sandbox.url}")
    assert (done.returncode, results) == (1, {"test_signs": "error"})
    assert "give --mock-kanta-data-dir" in done.stdout


def test_a_running_sandbox_that_does_not_answer_is_named(tmp_path):
    project = write_project(tmp_path, {"test_vendor.py": """
        def test_one(kanta_tenant):
            pass

        def test_two(kanta_tenant):
            pass
    """})
    done, results = run_pytest(project, "--mock-kanta-url=http://127.0.0.1:9")
    assert (done.returncode, results) == (1, {"test_one": "error", "test_two": "error"})
    assert "no sandbox answers at http://127.0.0.1:9" in done.stdout


def test_the_server_and_its_workers_are_gone_after_the_run(tmp_path):
    record = tmp_path / "server.txt"
    project = write_project(tmp_path, {"test_vendor.py": """
        import os

        def test_uses_the_server(kanta_sandbox, kanta_tenant):
            assert kanta_sandbox.mode == "process"
            open(os.environ["RECORD"], "w").write(str(kanta_sandbox.pid))
            assert kanta_sandbox.http.get("/healthz").status_code == 200

        def test_fails(kanta_sandbox):
            assert False, "fails on purpose: the server is stopped all the same"
    """})
    done, results = run_pytest(project, RECORD=str(record))
    assert (done.returncode, results) == (1, {"test_uses_the_server": "passed", "test_fails": "failure"}), done.stdout
    server = int(record.read_text())
    assert not group_alive(server)


def test_a_killed_run_takes_its_server_down(tmp_path):
    record, release = tmp_path / "server.txt", tmp_path / "release"
    project = write_project(tmp_path, {"test_vendor.py": """
        import os, time
        from pathlib import Path

        def test_waits(kanta_sandbox):
            Path(os.environ["RECORD"]).write_text(f"{kanta_sandbox.pid} {kanta_sandbox.box.root}")
            while not Path(os.environ["RELEASE"]).exists():
                time.sleep(0.1)
    """})
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'basetemp'}",
               str(project)]
    run = subprocess.Popen(command, cwd=tmp_path, env=pytest_env(RECORD=str(record), RELEASE=str(release)),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        deadline = time.monotonic() + 120
        while not record.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        pid, root = record.read_text().split(" ", 1)
        server = int(pid)
        assert group_alive(server)
    finally:
        run.send_signal(signal.SIGKILL)  # no teardown, no session end: only the kernel's parent-death signal is left
        run.wait(timeout=10)
        release.touch()
    try:
        assert gone_within(server, 30), "the server outlived the killed test run"
    finally:
        if group_alive(server):
            os.killpg(server, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)  # the killed run could not remove its sandbox's data directory


def test_in_process_mode_starts_no_process(tmp_path):
    project = write_project(tmp_path, {"test_vendor.py": """
        import os
        from pathlib import Path

        def children():
            me = str(os.getpid())
            return [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and (p / "stat").exists()
                    and (p / "stat").read_text().rsplit(")", 1)[1].split()[1] == me]

        def test_in_process(kanta_sandbox, kanta_client, kanta_clock):
            assert (kanta_sandbox.mode, kanta_sandbox.url) == ("inprocess", "http://testserver")
            assert kanta_clock.advance(days=1) > kanta_clock.set("2026-09-01T08:00:00+00:00")
            assert kanta_client.clock()["mode"] == "frozen"
            assert children() == []
    """})
    done, results = run_pytest(project, "--mock-kanta-inprocess")
    assert (done.returncode, results) == (0, {"test_in_process": "passed"}), done.stdout[-3000:]


def test_an_unused_plugin_starts_and_imports_nothing(tmp_path):
    project = write_project(tmp_path, {"test_plain.py": """
        import sys

        def test_plain():
            loaded = [m for m in sys.modules if m.startswith("mock_kanta")]
            assert sorted(loaded) == ["mock_kanta", "mock_kanta.testing", "mock_kanta.testing.plugin"]
            assert "lxml" not in sys.modules and "httpx" not in sys.modules
    """})
    done, results = run_pytest(project)
    assert (done.returncode, results) == (0, {"test_plain": "passed"}), done.stdout[-3000:]
    assert "mock_kanta" in subprocess.run([sys.executable, "-m", "pytest", "--trace-config", "--co", "-q", str(project)],
                                          cwd=tmp_path, env=pytest_env(), capture_output=True, text=True).stdout


def test_scenario_files_run_as_items_and_say_why_they_failed(tmp_path):
    failing = VENDOR_SCENARIO.read_text(encoding="utf-8").replace("scenario: vendor-first-plan", "scenario: wrong-ack")
    failing = failing.replace("    expect: {ack: AA}\n  - title: The social", "    expect: {ack: AE}\n  - title: The social", 1)
    project = write_project(tmp_path, {
        "scenario-good.yaml": VENDOR_SCENARIO.read_text(encoding="utf-8"),
        "wrong.scenario.yaml": failing,
        "other.yaml": "not: a scenario\n",  # not collected: its name matches no glob
    })
    done, results = run_pytest(project, "--mock-kanta-inprocess")
    assert (done.returncode, results) == (1, {"vendor-first-plan": "passed", "wrong-ack": "failure"}), done.stdout
    out = done.stdout
    assert "[1/2] Vantaa archives the client's client-relationship document (system signature) ... FAILED" in out
    assert "step 1 (grant relationship): expected ack AE, got AA" in out
    assert "[2/2] The social counsellor archives a client plan signed with her card ... skipped" in out
    assert "evidence: answer AA" in out and "received:" in out and "<MCCI_IN000002UV01" in out

    chosen = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "-q", "-o",
                             "mock_kanta_scenarios=scenario-*.yaml", str(project)], cwd=tmp_path, env=pytest_env(),
                            capture_output=True, text=True, timeout=600)
    assert chosen.stdout.splitlines()[0] == "vendor/scenario-good.yaml::vendor-first-plan", chosen.stdout
    assert "1 test collected" in chosen.stdout


def test_a_file_that_is_not_a_valid_scenario_is_a_collection_error(tmp_path):
    project = write_project(tmp_path, {"scenario-broken.yaml": "scenario: broken\nsteps: [{nope: 1}]\n"})
    done, results = run_pytest(project)
    assert done.returncode == 2 and results == {"vendor.scenario-broken.yaml": "error"}  # the collection error's name
    assert "step 1 (line 2): unknown key 'nope'" in done.stdout
