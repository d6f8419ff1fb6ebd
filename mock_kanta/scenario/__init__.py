"""Scenario runner: YAML stories of archive, read and view steps, run against a sandbox.

    from mock_kanta.scenario import load_scenario, ScenarioRun, run_files
    scenario = load_scenario("scenarios/deployment-test.yaml")       # validated; ScenarioError says where
    run = ScenarioRun(scenario, "http://127.0.0.1:8080", "var")
    run.prepare()                                                     # fresh tenant, clock, virtual cards
    case = run.run_all()                                              # a mock_kanta.reports.Case

The file format and every step are described in docs/scenarios.md.
"""
from mock_kanta.scenario.model import Scenario, ScenarioError, Step, builtin_dir, builtin_scenarios, load_scenario
from mock_kanta.scenario.run import ScenarioRun, run_files

__all__ = ["Scenario", "ScenarioError", "ScenarioRun", "Step", "builtin_dir", "builtin_scenarios", "load_scenario",
           "run_files"]
