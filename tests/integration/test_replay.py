"""Replay and export against a real `mock-kanta serve`: a traffic entry sent again is a new arrival naming the one
it replays; a tenant's recorded traffic (accepted and refused) exported as a scenario passes in a fresh tenant."""
from __future__ import annotations

import secrets

import pytest
import yaml

from mock_kanta.client import KantaClient
from mock_kanta.scenario import load_scenario, run_files
from tests.integration.test_faults import WHEN, Env

TRAFFIC = "/api/v1/traffic"


@pytest.fixture
def env(sandbox):
    tenant = f"rpl-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": tenant, "name": "Toisto"}).raise_for_status()
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        yield Env(sandbox, tenant, kanta)
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


def test_a_replayed_entry_is_a_new_arrival_that_names_the_one_it_replays(env):
    frame, document = env.pair()
    before = env.last()
    assert env.kanta.archive(frame, document).ack == "AA"
    [first] = env.since(before)
    r = env.http.post(f"{TRAFFIC}/{first['seq']}/replay", headers=env.headers)
    assert r.status_code == 200, r.text
    replay = r.json()
    assert replay["replayOf"] == first["seq"] and replay["seq"] > first["seq"]
    assert (replay["status"], replay["verdict"]) == (200, "AE")  # the same document again: a duplicate
    entry = env.http.get(f"{TRAFFIC}/{replay['seq']}", headers=env.headers).json()
    assert entry["replayOf"] == first["seq"] and "SH-ARC-001" in entry["ruleIds"]
    assert entry["documentXml"].encode() == document and entry["frameXml"].encode() == frame  # the same bytes


def test_a_replay_meets_the_tenants_faults(env):
    frame, document = env.pair()
    before = env.last()
    env.kanta.validate(frame, document)
    [first] = env.since(before)
    env.fault(kind="drop", endpoint="validate", count=1)
    replay = env.http.post(f"{TRAFFIC}/{first['seq']}/replay", headers=env.headers).json()
    assert (replay["status"], replay["seq"]) == (None, None)


def test_replaying_what_is_not_there_is_refused(env):
    assert env.http.post(f"{TRAFFIC}/999999999/replay", headers=env.headers).status_code == 404
    assert env.http.get(f"{TRAFFIC}/export", params={"after": 5, "until": 5}, headers=env.headers).status_code == 400
    assert env.http.get(f"{TRAFFIC}/export", params={"channel": "fax"}, headers=env.headers).status_code == 400


def test_recorded_traffic_exported_as_a_scenario_passes_in_a_fresh_tenant(env, sandbox, tmp_path):
    frame, document = env.pair()
    before = env.last()
    assert env.kanta.archive(frame, document).ack == "AA"
    assert env.kanta.archive(frame, document).ack == "AE"  # refused: a duplicate
    other_frame, other_document = env.pair()
    assert env.kanta.validate(other_frame, other_document).status == 200
    assert env.kanta.validate(other_frame, other_document.replace(b"ClinicalDocument", b"Clinical", 1)).status == 400
    env.fault(kind="refuse", endpoint="archive", code="SH-SYS-900", text="injected", count=1)
    third_frame, third_document = env.pair()
    assert env.kanta.archive(third_frame, third_document).ack == "AE"  # injected: left out of the export

    r = env.http.get(f"{TRAFFIC}/export", params={"after": before}, headers=env.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    exported = yaml.safe_load(r.text)
    assert [s["expect"]["verdict"] for s in exported["steps"]] == ["AA", "AE", "valid", "invalid"]
    assert exported["steps"][1]["expect"]["rules"] == ["SH-ARC-001"]
    assert "1 answered by an injected fault" in exported["description"]
    path = tmp_path / "exported.yaml"
    path.write_text(r.text, encoding="utf-8")
    assert len(load_scenario(path).steps) == 4

    report = run_files([path], sandbox.url, sandbox.data_dir)
    [case] = report.cases
    assert case.status == "passed", "\n".join(f"{i.name}: {i.status}: {i.why}" for i in case.items)
    assert case.properties["tenant"] != env.tenant
    sandbox.http.delete(f"/api/v1/tenants/{case.properties['tenant']}")


def test_the_command_line_exports_and_replays(env, sandbox, tmp_path):
    from click.testing import CliRunner

    from mock_kanta.traffic.cli import traffic

    frame, document = env.pair()
    before = env.last()
    assert env.kanta.archive(frame, document).ack == "AA"
    [row] = env.since(before)
    base = ["--url", sandbox.url, "--tenant", env.tenant]
    out = tmp_path / "t.yaml"
    done = CliRunner().invoke(traffic, [*base, "export", "--after", str(before), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert [s.args["channel"] for s in load_scenario(out).steps] == ["archive"]
    done = CliRunner().invoke(traffic, [*base, "replay", str(row["seq"])])
    assert done.exit_code == 0 and done.output.startswith(f"replayed {row['seq']} as ") and "AE" in done.output
    done = CliRunner().invoke(traffic, [*base, "replay", "999999999"])
    assert done.exit_code == 1 and "404" in done.output
