"""examples/pytest-vendor run the way a vendor runs it: its own pytest project (its pyproject.toml, no conftest.py,
the plugin from mock-kanta's entry point), from a fresh working directory, in both sandbox modes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytest-vendor"
EXPECTED = {
    "tests.test_archiving::test_a_signed_client_plan_is_archived",
    "tests.test_archiving::test_the_same_document_twice_is_refused_with_its_rule",
    "tests.test_archiving::test_a_register_usage_right_ends_on_the_sandbox_clock",
    "tests.scenario-first-plan.yaml::vendor-first-plan",
}


def ran(junit: Path) -> dict[str, str]:
    """{classname::name: outcome} of every test case in a JUnit XML report."""
    results = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        results[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return results


@pytest.mark.parametrize("mode", [[], ["--mock-kanta-inprocess"]], ids=["process", "inprocess"])
def test_the_vendor_example_passes_as_its_own_project(tmp_path, mode):
    junit = tmp_path / "junit.xml"
    env = {k: v for k, v in os.environ.items()  # none of our settings, but the run's mark (tests/conftest.py)
           if not k.startswith(("PYTEST_", "MOCK_KANTA_")) or k == "MOCK_KANTA_TEST_RUN"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'basetemp'}",
         f"--junitxml={junit}", "-rA", str(EXAMPLE), *mode],
        cwd=tmp_path, env={**env, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert f"rootdir: {EXAMPLE}" in done.stdout and "configfile: pyproject.toml" in done.stdout  # its own project
    assert ran(junit) == dict.fromkeys(EXPECTED, "passed")
