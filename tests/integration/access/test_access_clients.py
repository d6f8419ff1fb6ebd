"""The client library and the scenario runner against a sandbox with access control on: they send the token
given (or MOCK_KANTA_TOKEN) as a bearer token."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mock_kanta.client import KantaClient, KantaClientError


def test_the_client_library_sends_its_token(world):
    with KantaClient(world.url, token=world.a.trainer) as kanta:
        assert kanta.clock()["mode"] in ("real", "frozen", "running")
    with KantaClient(world.url) as anonymous, pytest.raises(KantaClientError) as refused:
        anonymous.clock()
    assert refused.value.status == 401


def test_the_client_library_takes_the_token_from_the_environment(world, monkeypatch):
    monkeypatch.setenv("MOCK_KANTA_TOKEN", world.a.viewer)
    with KantaClient(world.url) as kanta:
        assert kanta.clock()
        with pytest.raises(KantaClientError) as refused:
            kanta.clock_advance(days=1)
    assert refused.value.status == 403  # a viewer reads only


def run_scenario(world, auth_box, tmp_path, *extra, env_token: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "MOCK_KANTA_TOKEN"}
    if env_token:
        env["MOCK_KANTA_TOKEN"] = env_token
    return subprocess.run([sys.executable, "-m", "mock_kanta.cli", "scenario", "run", "deployment-test", "--target",
                           world.url, "--data-dir", str(auth_box.data_dir), "--report-dir", str(tmp_path),
                           "--delete-tenants", *extra], capture_output=True, text=True, timeout=600, env=env)


def test_the_scenario_runner_runs_against_a_sandbox_with_tokens(world, auth_box, tmp_path):
    assert run_scenario(world, auth_box, tmp_path, "--token", world.admin).returncode == 0
    refused = run_scenario(world, auth_box, tmp_path)
    assert refused.returncode != 0
    assert run_scenario(world, auth_box, tmp_path, env_token=world.admin).returncode == 0
