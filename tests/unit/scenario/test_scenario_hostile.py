"""Hostile or broken scenario files: every one gives the validator's precise ScenarioError, quickly,
never a traceback (and `mock-kanta scenario check` exits 1 with it)."""
from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from mock_kanta.scenario.cli import scenario
from mock_kanta.scenario.model import MAX_BYTES, ScenarioError, load_scenario

LAUGHS = "\n".join(
    [f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]" if i else 'a: &a ["lol","lol","lol"]'
     for i in range(10)])
# a top-level key only: the bomb must be refused before any check walks (or quotes) it


def problems(text: str) -> list[str]:
    started = time.monotonic()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text, name="hostile.yaml")
    assert time.monotonic() - started < 10
    return caught.value.problems


def test_an_alias_bomb_is_refused_without_expanding_it():
    for text in (LAUGHS + "\nsteps: *j\n", LAUGHS.replace("a: ", "scenario_x: ", 1) + "\nscenario: *j\nsteps: [{clock: {set: *j}}]\n"):
        assert any("once its aliases (*name) are expanded" in p for p in problems(text)), problems(text)


def test_an_alias_to_its_own_container_is_refused():
    assert problems("a: &a [*a]\nsteps: *a\n") == ["hostile.yaml: line 1: an alias refers to a node that contains it"]
    assert "an alias refers to a node that contains it" in problems("steps: &s\n  - *s\n")[0]


def test_a_few_aliases_still_work():
    text = """
people:
  clients:
    aino: &person {born: 2015-03-04, given: Aino, family: Virtanen}
    eino: {<<: *person, given: Eino, number: 901}
steps:
  - clock: {set: 2026-11-02T10:00:00}
"""
    s = load_scenario(text, name="ok.yaml")
    assert {c.given for c in s.clients.values()} == {"Aino", "Eino"}


@pytest.mark.parametrize("text", ["steps: " + "[" * 5000 + "]" * 5000, "steps: " + "{a: " * 3000 + "1" + "}" * 3000])
def test_nesting_too_deep_is_refused(text):
    assert problems(text) == ["hostile.yaml: nested too deeply (lists or mappings within each other)"]


def test_a_huge_text_is_refused_before_parsing():
    assert problems("steps:\n" + "  - clock: {advance: {days: 1}}\n" * (MAX_BYTES // 20)) == \
        [f"hostile.yaml: larger than {MAX_BYTES // 1024} KiB"]


def test_a_huge_file_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("steps:\n" + "  - clock: {advance: {days: 1}}\n" * (MAX_BYTES // 20), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems == [f"{path}: larger than {MAX_BYTES // 1024} KiB"]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("scenario: x\ntitle: Pälvi\nsteps: []\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems == [f"{path}: not UTF-8 text"]


def test_a_control_character_names_its_line():
    assert problems("steps:\n  - clock: {set: 2026-01-01T10:00:00}\n  - x\x01\n") == [
        "hostile.yaml: line 3: not valid YAML: character 0x0001 is not allowed (control characters other than tab and newline)"]


def test_python_tags_are_not_constructed():
    assert "could not determine a constructor" in problems("steps: !!python/object/apply:os.system [echo hi]\n")[0]


def test_wrong_types_everywhere_give_one_problem_each():
    text = """
scenario: 12
title: [1, 2]
description: {a: 1}
start: yes
people: {clients: [1, 2], professionals: 5, extra: 1}
units: "x"
steps:
  - 5
  - []
  - clock: 7
  - clock: {set: 12, advance: "x"}
  - archive: {id: [1], as: 1, unit: 2, register: 3, client: {}, document: 5}
  - grant: null
  - query: {as: x}
    expect: 5
  - {1: 2}
"""
    found = problems(text)
    for expected in ("scenario: 12 is not a usable name", "title: expected a text", "description: expected a text",
                     "start: expected a date and time", "people.extra: unknown key", "people.clients: expected a mapping",
                     "units: expected a mapping", "step 1 (line 9): expected a mapping with one action",
                     "step 3 (clock, line 11): clock: expected a mapping", "step 4 (clock, line 12): clock.set: expected a date",
                     "step 5 (archive, line 13): archive.id: [1] is not a usable name",
                     "step 6 (grant, line 14): grant: expected a mapping", "step 7 (query, line 15): expect: expected a mapping",
                     "step 8 (line 17): unknown key 1"):
        assert any(expected in p for p in found), (expected, found)


def test_an_unknown_step_kind_is_named_with_a_suggestion():
    found = problems("steps:\n  - archve: {}\n")
    assert found == ["hostile.yaml: step 1 (line 2): unknown key 'archve' (did you mean 'archive'?); a step has one "
                     "action (clock, grant, matter, archive, query, retrieve, guardian, omakanta, archivist, fault, send), and "
                     "optionally title and expect"]


def test_replaces_cannot_form_a_cycle_and_ids_are_unique():
    text = """
people:
  clients: {aino: {born: 2015-03-04, given: Aino, family: Virtanen}}
  professionals: {maija: {registration: "12345", given: Maija, family: M}}
units: {u: {organisation: 1.2.246.10.32213449.10.0, unit: 1.2.246.10.32213449.10.1001}}
steps:
  - grant: {id: g1, organiser: u, client: aino, service_task: "24", services: ["45"], from: 2026-01-01, replaces: g2}
  - grant: {id: g2, organiser: u, client: aino, service_task: "24", services: ["45"], from: 2026-01-01, replaces: g1}
  - grant: {id: g3, organiser: u, client: aino, service_task: "24", services: ["45"], from: 2026-01-01, replaces: g3}
  - archive: {id: g1, as: maija, unit: u, register: u, client: aino}
"""
    found = problems(text)
    assert any("step 1 (grant, line 7): grant.replaces: 'g2' is not the id of an earlier grant step" in p for p in found)
    assert any("step 3 (grant, line 9): grant.replaces: 'g3' is not the id of an earlier grant step" in p for p in found)
    assert any("step 4 (archive, line 10): archive.id: 'g1' is already the id of another step" in p for p in found)


def test_a_long_value_is_quoted_short():
    found = problems("scenario: " + "x" * 5000 + "\nsteps: [{clock: {set: 2026-01-01T10:00:00}}]\n")
    assert len(found[0]) < 300 and "..." in found[0]


def test_check_prints_the_problems_and_exits_1(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(LAUGHS + "\nsteps: *j\n", encoding="utf-8")
    result = CliRunner().invoke(scenario, ["check", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "once its aliases (*name) are expanded" in result.output
