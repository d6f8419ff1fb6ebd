"""The scenario runner against a real sandbox: every built-in scenario passes in its own tenant, failures explain
themselves, reports parse, and the command starts its own sandbox when given no target."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from mock_kanta.reports import report_from_dict, report_to_dict, write_reports
from mock_kanta.scenario import ScenarioRun, builtin_scenarios, load_scenario, run_files

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken-scenario.yaml"
BUILT_IN = builtin_scenarios()


@pytest.fixture(scope="module")
def built_in(sandbox, tmp_path_factory):
    """Every scenarios/*.yaml, run once against the session sandbox; the report and its three files."""
    lines: list[str] = []
    report = run_files(BUILT_IN, sandbox.url, sandbox.data_dir, progress=lines.append)
    files = write_reports(report, tmp_path_factory.mktemp("reports"), "built-in")
    return report, files, lines


def _failures(case) -> str:
    return "\n".join(f"{i.name}: {i.status}: {i.why}" for i in case.items if i.status != "passed")


@pytest.mark.parametrize("path", BUILT_IN, ids=[p.stem for p in BUILT_IN])
def test_each_built_in_scenario_passes_in_its_own_tenant(built_in, sandbox, path):
    report, _, _ = built_in
    case = next(c for c in report.cases if c.source == str(path))
    assert case.status == "passed", _failures(case)
    assert case.items[0].name == "prepare" and len(case.items) == len(load_scenario(path).steps) + 1
    tenant = case.properties["tenant"]
    assert tenant.startswith(f"scn-{case.name}-")
    clock = sandbox.http.get("/api/v1/clock", headers={"X-Mock-Kanta-Tenant": tenant}).json()
    assert clock["mode"] == "frozen"  # the scenario's own clock, left where the story ended


def test_scenarios_leave_the_default_tenant_alone(built_in, sandbox):
    report, _, _ = built_in
    assert len({c.properties["tenant"] for c in report.cases}) == len(report.cases)
    assert sandbox.http.get("/api/v1/clock").json()["mode"] == "real"


def test_progress_is_one_line_per_step(built_in):
    _, _, lines = built_in
    assert "[0/7] prepare (tenant scn-deployment-test-" in "\n".join(lines)
    assert any(line.startswith("[1/7] Helsinki archives the test client's client-relationship document (system signature) ... ok (") for line in lines)


def test_the_reports_parse(built_in):
    report, files, _ = built_in
    suites = etree.parse(str(files["junit"])).getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "0" and suites.get("errors") == "0"
    assert [s.get("name") for s in suites.findall("testsuite")] == [c.name for c in report.cases]
    deployment = suites.find("testsuite[@name='deployment-test']")
    assert len(deployment.findall("testcase")) == 8
    assert deployment.find("properties/property[@name='tenant']").get("value").startswith("scn-deployment-test-")
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["passed"] is True and report_to_dict(report_from_dict(data)) == data
    archive = next(i for i in data["cases"][0]["items"] if i["name"].startswith("archive test-plan-v2"))
    assert "--- archive frame ---" in archive["sent"] and "RCMR_IN200002FI01" in archive["sent"]
    assert "Base64 not shown" in archive["sent"] and '"lapsiperheiden_palvelujen_asiakassuunnitelma"' in archive["sent"]
    assert '<acknowledgement typeCode="AA">' in archive["received"]
    page = files["html"].read_text(encoding="utf-8")
    assert "Deployment test (rehearsal)" in page and "<script" not in page and "src=" not in page


def test_a_broken_scenario_explains_its_failure(sandbox, tmp_path):
    report = run_files([BROKEN], sandbox.url, sandbox.data_dir)
    case = report.cases[0]
    assert (case.status, report.passed) == ("failed", False)
    assert [i.status for i in case.items] == ["passed", "passed", "passed", "passed", "failed", "skipped"]
    failed, skipped = case.items[4], case.items[5]
    assert failed.why.startswith("step 4 (archive note-wrong-unit): expected rule SH-REG-005 in the answer, "
                                 "got SH-REG-004 (error): SH-REG-004 Organiser 1.2.246.10.32213449.10.0 has not named "
                                 "service unit 1.2.246.10.29876516.10.1")
    assert '<acknowledgement typeCode="AE">' in failed.received and 'code="SH-REG-004"' in failed.received
    assert "1.2.246.10.29876516.10.1" in failed.sent and "RCMR_IN200002FI01" in failed.sent
    assert skipped.why == "skipped: step 4 (archive note-wrong-unit) did not pass"
    junit = etree.fromstring(write_reports(report, tmp_path, "broken")["junit"].read_bytes())
    failure = junit.find(".//testcase/failure")
    assert "SH-REG-005" in failure.get("message") and "SH-REG-004" in failure.get("message")


def test_step_by_step_and_deleting_the_tenant(sandbox):
    run = ScenarioRun(load_scenario(BROKEN), sandbox.url, sandbox.data_dir)
    assert run.prepare().status == "passed"
    tenant = run.tenant
    headers = {"X-Mock-Kanta-Tenant": tenant}
    assert sandbox.http.get("/api/v1/clock", headers=headers).json()["now"].startswith("2026-11-02T08:00:00")
    first = run.run_step(0)
    assert first.status == "passed" and first.evidence[1].startswith("answer AA")
    rights = sandbox.http.get(f"/api/v1/clients/{run.clients['eino'].hetu}/rights", headers=headers).json()["rights"]
    assert [r["unitOid"] for r in rights if r["unitOid"].startswith("1.2.246.10.29876516")] == ["1.2.246.10.29876516.10.2"]
    assert sandbox.http.get(f"/api/v1/clients/{run.clients['eino'].hetu}/rights").json()["rights"] == []  # not in default
    case = run.run_all()
    assert [i.status for i in case.items] == ["passed", "passed", "passed", "passed", "failed", "skipped"]
    finnish, swedish = run.case("fi"), run.case("sv")  # the same results, said in Finnish and Swedish
    assert [i.status for i in finnish.items] == [i.status for i in case.items]
    assert finnish.items[0].evidence[:2] == [f"ympäristö {tenant} luotu", "hiekkalaatikon kello pysäytetty hetkeen 2026-11-02 10:00 EET"]
    assert run.localized(0)["fi"]["evidence"][1].startswith("vastaus AA")
    why = finnish.items[4].why
    assert why.startswith("vaihe 4 (archive note-wrong-unit): odotettiin vastaukseen sääntöä SH-REG-005, "
                          "saatiin SH-REG-004 (virhe): SH-REG-004 ")
    finnish_rule = why.split("SH-REG-004 ", 2)[2]
    assert finnish_rule and finnish_rule not in case.items[4].why  # the rule's own Finnish text, not the English one
    assert swedish.items[5].why == "överhoppat: steg 4 (archive note-wrong-unit) gick inte igenom"
    run.close(delete_tenant=True)
    assert sandbox.http.get("/api/v1/clock", headers=headers).status_code == 404


def test_cards_are_valid_at_the_scenario_time_and_reused(sandbox):
    first = ScenarioRun(load_scenario(BROKEN), sandbox.url, sandbox.data_dir)
    second = ScenarioRun(load_scenario(BROKEN), sandbox.url, sandbox.data_dir)
    try:
        assert first.prepare().status == second.prepare().status == "passed"
        card, again = first.cards["nurse"][0], second.cards["nurse"][0]
        assert card.id == again.id and card.not_before.isoformat() < "2026-11-02"
        assert any(line.startswith("nurse: reused virtual card") for line in second.preparation.evidence)
    finally:
        first.close(delete_tenant=True)
        second.close(delete_tenant=True)


def test_a_wrong_data_directory_stops_the_run_before_anything_is_sent(sandbox, tmp_path):
    from mock_kanta.signing.pki import Pki

    tenants_before = sandbox.http.get("/api/v1/tenants").json()
    empty = run_files([BROKEN], sandbox.url, tmp_path / "nothing").cases[0]
    assert empty.items[0].status == "error" and "holds no sandbox PKI" in empty.items[0].why
    assert {i.status for i in empty.items[1:]} == {"skipped"}
    Pki.open(tmp_path / "other" / "pki")  # another sandbox's CA
    other = run_files([BROKEN], sandbox.url, tmp_path / "other").cases[0]
    assert "belongs to another sandbox" in other.items[0].why
    assert sandbox.http.get("/api/v1/tenants").json() == tenants_before


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MOCK_KANTA_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "mock_kanta.cli", "scenario", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_command_starts_its_own_sandbox(tmp_path):
    done = _cli("run", "scenarios/deployment-test.yaml", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "starting a throw-away sandbox" in done.stderr and "[7/7] The archivist: none of them went to another organiser's register ... ok (" in done.stderr
    suites = etree.parse(str(tmp_path / "deployment-test.xml")).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("8", "0", "0")
    assert json.loads((tmp_path / "deployment-test.json").read_text(encoding="utf-8"))["passed"] is True
    assert "(a throw-away sandbox)" in (tmp_path / "deployment-test.html").read_text(encoding="utf-8")


def test_the_command_fails_on_a_failing_scenario_and_on_invalid_files(sandbox, tmp_path):
    junit = tmp_path / "out" / "broken.xml"
    done = _cli("run", str(BROKEN), "--target", sandbox.url, "--data-dir", str(sandbox.data_dir), "--junit", str(junit),
                "--delete-tenants")
    assert done.returncode == 1 and "[4/5] Wrong expectation: the unit was not named (SH-REG-004), not a relationship yet to begin ... FAILED" in done.stderr
    assert junit.exists() and not (tmp_path / "scenario-reports").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN.read_text(encoding="utf-8").replace("client: eino, matter", "client: eeno, matter", 1),
                   encoding="utf-8")
    checked = _cli("check", str(bad), "scenarios/deployment-test.yaml")
    assert checked.returncode == 1 and "ok: scenarios/deployment-test.yaml (deployment-test, 7 steps)" in checked.stdout
    assert f"{bad}: step 3 (archive, line 28): archive.client: 'eeno' is not in people.clients (did you mean 'eino'?)" \
        in checked.stderr
    refused = _cli("run", str(bad), "--target", sandbox.url, "--data-dir", str(sandbox.data_dir))
    assert refused.returncode == 2 and "'eeno' is not in people.clients" in refused.stderr
    finnish = _cli("run", str(BROKEN), "--target", sandbox.url, "--data-dir", str(sandbox.data_dir), "--lang", "fi",
                   "--json", str(tmp_path / "fi.json"), "--delete-tenants")
    assert finnish.returncode == 1 and "odotettiin vastaukseen sääntöä SH-REG-005" in finnish.stderr
    items = json.loads((tmp_path / "fi.json").read_text(encoding="utf-8"))["cases"][0]["items"]
    assert items[5]["why"] == "ohitettu: vaihe 4 (archive note-wrong-unit) ei mennyt läpi"
    listed = _cli("list")
    assert listed.returncode == 0 and "deployment-test" in listed.stdout and "Deployment test (rehearsal)" in listed.stdout
