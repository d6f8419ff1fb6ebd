"""schemathesis over every control API spec (api/openapi.yaml at /api/v1, api/<area>.yaml at /api/v1/<area>),
as a bounded run: a few generated requests per operation, a fixed seed, against a real server of its own (the
generated requests reset, delete and move the clock of whatever they name). No answer may be a 5xx."""
from __future__ import annotations

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings

from mock_kanta.core.resources import package_file
from tests.conftest import Sandbox

MAX_EXAMPLES = 4  # per operation: a bounded run (CI); raise it locally for a deeper one
SPECS = sorted(package_file("api", "openapi.yaml").parent.glob("*.yaml"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("schemathesis") / "var")
    box.start()
    yield box
    box.stop()


def _base_path(spec) -> str:
    return "/api/v1" if spec.stem == "openapi" else f"/api/v1/{spec.stem}"


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_no_generated_request_gets_a_5xx(server, spec):
    schema = schemathesis.openapi.from_dict(yaml.safe_load(spec.read_text(encoding="utf-8")))
    base_url = server.url + _base_path(spec)
    failures: list[str] = []
    operations, calls = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @seed(13)
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(base_url=base_url, timeout=60)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")

        call()
    assert operations > 0 and len(calls) >= operations
    assert not failures, "\n".join(failures)
    assert server.http.get("/healthz").status_code == 200
