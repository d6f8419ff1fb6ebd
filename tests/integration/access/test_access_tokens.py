"""Tokens' life: the admin token made at the first start (mode 0600, printed once) or given by
MOCK_KANTA_ADMIN_TOKEN; tenant tokens made and revoked through the API and the CLI (seen at once by the
server); a deleted tenant's tokens die with it, also when a tenant of the same id is made again; and access
control on by default beyond loopback."""
from __future__ import annotations

import re
import secrets
import stat
import subprocess
import sys

import httpx
import pytest

from tests.conftest import Sandbox

ADMIN_LINE = re.compile(r"admin token \(shown once.*\n\s+(mkt_\S+)")


def cli(data_dir, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_kanta.cli", "tenant", "token", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120)


def log_of(box) -> str:
    box.log.flush()
    return (box.data_dir.parent / f"server-{box.port}.log").read_text(encoding="utf-8", errors="replace")


def test_the_admin_token_is_made_once_kept_0600_and_printed_once(tmp_path):
    box = Sandbox(tmp_path / "var", args=["--auth", "--no-demo-cards"])
    box.start()
    try:
        path = box.data_dir / "admin-token"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        token = path.read_text().strip()
        assert ADMIN_LINE.findall(log_of(box)) == [token]
        box.restart()
        assert ADMIN_LINE.findall(log_of(box)) == [token]  # not printed again
        assert path.read_text().strip() == token
        with httpx.Client(base_url=box.url, headers={"Authorization": f"Bearer {token}"}) as http:
            assert http.get("/api/v1/tenants/").status_code == 200
    finally:
        box.stop()


def test_the_admin_token_from_the_environment(tmp_path):
    token = "mk-admin-" + secrets.token_hex(16)
    box = Sandbox(tmp_path / "var", env={"MOCK_KANTA_ADMIN_TOKEN": token}, args=["--auth", "--no-demo-cards"])
    box.start()
    try:
        assert not (box.data_dir / "admin-token").exists() and token not in log_of(box)
        with httpx.Client(base_url=box.url) as http:
            assert http.get("/api/v1/tenants/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            assert http.get("/api/v1/tenants/", headers={"Authorization": "Bearer mk-admin-wrong"}).status_code == 401
    finally:
        box.stop()
    short = subprocess.run([sys.executable, "-m", "mock_kanta.cli", "serve", "--auth", "--data-dir", str(tmp_path / "v2"),
                            "--no-demo-cards", "--port", "1"], env={**box.env, "MOCK_KANTA_ADMIN_TOKEN": "short",
                                                                     "PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=120)
    assert short.returncode != 0 and "too short" in short.stderr


@pytest.mark.parametrize("extra, protected", [([], True), (["--no-auth"], False)])
def test_beyond_loopback_access_control_is_on_unless_turned_off_loudly(tmp_path, extra, protected):
    box = Sandbox(tmp_path / "var", args=["--host", "0.0.0.0", "--no-demo-cards", *extra])
    box.start()
    try:
        with httpx.Client(base_url=box.url) as http:
            assert http.get("/api/v1/tenants/").status_code == (401 if protected else 200)
        assert ("access control OFF" in log_of(box)) is not protected
    finally:
        box.stop()


def test_revoked_through_the_api_refused_at_once(world):
    with world.client(world.a.trainer) as trainer:
        made = trainer.post(f"/api/v1/tenants/{world.a.id}/tokens", json={"label": "short-lived"}).json()
        with world.client(made["token"]) as viewer:
            assert viewer.get("/api/v1/clock").status_code == 200
            assert trainer.delete(f"/api/v1/tenants/{world.a.id}/tokens/{made['id']}").status_code == 204
            assert viewer.get("/api/v1/clock").status_code == 401
        listed = {t["id"]: t for t in trainer.get(f"/api/v1/tenants/{world.a.id}/tokens").json()}
        assert listed[made["id"]]["revokedAt"] and "token" not in listed[made["id"]]
        assert trainer.delete(f"/api/v1/tenants/{world.a.id}/tokens/tok-nothere").status_code == 404


def test_made_and_revoked_by_the_cli_seen_by_the_running_server(world, auth_box):
    made = cli(auth_box.data_dir, "create", world.a.id, "--role", "trainer", "--label", "cli")
    assert made.returncode == 0, made.stderr
    token, token_id = made.stdout.strip(), made.stderr.split()[0]
    with world.client(token) as http:
        assert http.post("/api/v1/clock/advance", json={"days": 1}).status_code == 200
        listed = cli(auth_box.data_dir, "list", world.a.id)
        assert token_id in listed.stdout and token not in listed.stdout
        assert cli(auth_box.data_dir, "revoke", world.a.id, token_id).returncode == 0
        assert http.get("/api/v1/clock").status_code == 401
    assert "no tenant" in cli(auth_box.data_dir, "create", "acc-none").stderr.lower()


def test_a_deleted_tenant_s_tokens_die_with_it(world):
    tenant = "acc-del-" + secrets.token_hex(3)
    with world.client(world.admin) as admin:
        old = admin.post("/api/v1/tenants/", json={"id": tenant}).json()["tokens"]["trainer"]
        with world.client(old) as http:
            assert http.get("/api/v1/clock").status_code == 200
            assert admin.delete(f"/api/v1/tenants/{tenant}").status_code == 204
            assert http.get("/api/v1/clock").status_code == 401
            new = admin.post("/api/v1/tenants/", json={"id": tenant}).json()["tokens"]["trainer"]
            assert http.get("/api/v1/clock").status_code == 401  # the same id made again: the old token stays dead
        with world.client(new) as http:
            assert http.get("/api/v1/clock").status_code == 200
        admin.delete(f"/api/v1/tenants/{tenant}")


def test_a_reset_keeps_the_tenant_s_tokens(world):
    with world.client(world.a.trainer) as http:
        assert http.post(f"/api/v1/tenants/{world.a.id}/reset").status_code == 200
        assert http.get("/api/v1/clock").status_code == 200
