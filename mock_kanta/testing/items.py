"""Scenario files collected as pytest items: one item per file, run through `mock_kanta.scenario.run` in a fresh
tenant of the session's sandbox; a failure lists every step and says why the failing one failed."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mock_kanta.reports import Case
from mock_kanta.scenario.model import Scenario, ScenarioError, load_scenario
from mock_kanta.scenario.run import TENANTS_PATH, ScenarioRun
from mock_kanta.testing.sandbox import Sandbox

EXCERPT_LINES = 40  # of what came back
SENT_LINES = 20  # of what was sent (the frame comes first)


class ScenarioFailed(Exception):
    """A scenario whose case did not pass."""

    def __init__(self, case: Case, progress: list[str]):
        super().__init__(f"scenario {case.name}: {case.status}")
        self.case, self.progress = case, progress


def _excerpt(label: str, text: str | None, limit: int) -> list[str]:
    if not text:
        return []
    lines = text.splitlines()
    cut = [f"      ... ({len(lines) - limit} more lines)"] if len(lines) > limit else []
    return [f"    {label}:", *(f"      {line}" for line in lines[:limit]), *cut]


def explain(case: Case, progress: list[str]) -> str:
    """Every step's line as the runner printed it, then each failed step's evidence and what was sent and received."""
    out = [f"scenario {case.name}: {case.title} ({case.source}) {case.status}", *progress]
    for item in case.items:
        if item.status in ("failed", "error"):
            out += ["", f"  {item.name}: {item.status}", f"    why: {item.why}"]
            out += [f"    evidence: {e}" for e in item.evidence]
            out += _excerpt("sent", item.sent, SENT_LINES) + _excerpt("received", item.received, EXCERPT_LINES)
    return "\n".join(out)


class ScenarioFile(pytest.File):
    """A scenario YAML file; a file that is not a valid scenario is a collection error listing its problems."""

    def __init__(self, *, sandbox: Callable[[], Sandbox], keep_tenant: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.sandbox, self.keep_tenant = sandbox, keep_tenant

    def collect(self) -> Iterator["ScenarioItem"]:
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from None
        yield ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs):
        super().__init__(**kwargs)
        self.scenario = scenario
        self.add_marker("mock_kanta_scenario")

    def runtest(self) -> None:
        sandbox: Sandbox = self.parent.sandbox()
        progress: list[str] = []
        run = ScenarioRun(self.scenario, sandbox.url, sandbox.keys.data_dir, progress=progress.append)
        run.http.close()
        run.http = sandbox.http  # the session's client (in-process: the app's test client)
        try:
            case = run.run_all()
        finally:
            if run.created_tenant and not self.parent.keep_tenant:
                sandbox.http.delete(f"{TENANTS_PATH}/{run.tenant}")
        self.add_report_section("call", "scenario", "\n".join(progress))
        if case.status != "passed":
            raise ScenarioFailed(case, progress)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return explain(excinfo.value.case, excinfo.value.progress)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"scenario {self.scenario.id}: {self.scenario.title_in('en')}"
