"""Every rule of the registry is named by some test or built-in scenario: a rule nobody makes fire
is a rule nobody knows to work. A test names a rule by its id (tests/**/*.py, tests/**/*.yaml);
a built-in scenario by the id it expects (scenarios/*.yaml)."""
from __future__ import annotations

import re
from pathlib import Path

from mock_kanta.rules import REGISTRY

ROOT = Path(__file__).resolve().parents[3]
RULE_ID = re.compile(r"\bSH-[A-Z]{2,4}-\d{3}\b")

# Rules no test can make fire through a public face, each with the reason (SH-SYS-001, "a check crashed",
# is made to fire by tests/unit/rules/test_rules.py with a broken check):
NOT_FIREABLE: set[str] = set()


def _places() -> list[Path]:
    own = Path(__file__).resolve()
    found = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("tests/**/*.yaml"), *ROOT.glob("scenarios/*.yaml")]
    return sorted(p for p in found if p.resolve() != own)  # this file names ids only to exclude them


def named_rule_ids() -> set[str]:
    return {rid for path in _places() for rid in RULE_ID.findall(path.read_text(encoding="utf-8", errors="replace"))}


def test_the_scan_finds_the_tests_and_scenarios():
    places = _places()
    assert any(p.parent.name == "scenarios" for p in places)
    assert any(p.name == "test_archive_interface.py" for p in places)
    assert "SH-ARC-001" in named_rule_ids()


def test_every_rule_id_is_named_by_a_test_or_scenario():
    missing = sorted(set(REGISTRY) - named_rule_ids() - NOT_FIREABLE)
    assert not missing, f"{len(missing)} rule ids are named in no test and no built-in scenario: {', '.join(missing)}"


def test_the_exclusions_are_rules_and_still_unnamed():
    assert NOT_FIREABLE <= set(REGISTRY), "an excluded id is no longer a rule: drop it from NOT_FIREABLE"
    assert not NOT_FIREABLE & named_rule_ids(), "an excluded id has a test now: drop it from NOT_FIREABLE"
