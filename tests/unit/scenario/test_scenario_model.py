"""Scenario files: what a valid file becomes, and the precise errors of invalid ones (file, step, line, key)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from mock_kanta.core.identity import check_char, parse_hetu
from mock_kanta.scenario.model import DEFAULT_EXPECT, ScenarioError, builtin_scenarios, load_scenario

HEAD = """\
scenario: small
title: {fi: Pieni, en: Small}
start: 2026-11-02T10:00:00+02:00
people:
  clients:
    aino: {born: 2012-05-03, given: Aino, family: Testinen, guardians: [maija]}
    maija: {born: 1984-02-01, given: Maija, family: Testinen}
  professionals:
    nurse: {registration: "25100000902", given: Liisa, family: Lähihoitaja, title: lähihoitaja}
units:
  keusote: {organisation: 1.2.246.10.32213449.10.0, unit: 1.2.246.10.32213449.10.1001}
  kielo: {organisation: 1.2.246.10.29876516.10.0, unit: 1.2.246.10.29876516.10.2}
steps:
"""
GRANT = """\
  - grant: {organiser: keusote, client: aino, provider: kielo, service_task: "24", services: ["45"], from: 2026-11-01, id: rel1}
"""


def problems(steps: str, head: str = HEAD) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(head + steps, name="small.yaml")
    return caught.value.problems


def only(steps: str, head: str = HEAD) -> str:
    found = problems(steps, head)
    assert len(found) == 1, found
    return found[0]


def test_a_valid_file_becomes_a_scenario():
    s = load_scenario(HEAD + GRANT + """\
  - matter: {organiser: keusote, client: aino, id: m1}
  - archive: {id: plan1, as: nurse, unit: kielo, register: keusote, client: aino, matter: m1, usage: 2,
              document: {service_task: 24, phase: ["4", "Palvelun toteutus"], consent: null,
                         restriction: {code: "1", text: Syy, until: 2026-12-31}}}
    expect: {ack: AE, rules: [SH-REG-003]}
  - clock: {advance: {days: 1, hours: 2}}
  - title: The guardian's view
    omakanta: {client: aino, viewer: "guardian:maija"}
    expect: {visible: [], hidden: [plan1], reasons: {plan1: minor-prohibited}}
  - query: {as: nurse, unit: kielo, client: aino, register: keusote}
""", name="small.yaml")
    assert (s.id, s.title_in("fi"), s.title_in("sv"), s.source) == ("small", "Pieni", "Pieni", "small.yaml")
    aino = s.clients["aino"]
    assert parse_hetu(aino.hetu).birth_date == date(2012, 5, 3) and parse_hetu(aino.hetu).individual_number == 900
    assert parse_hetu(s.clients["maija"].hetu).individual_number == 901  # distinct test identities, 900-999
    assert aino.guardians == ("maija",)
    grant, _, archive, clock, view, query = s.steps
    assert grant.args["from"] == date(2026, 11, 1) and grant.expect == DEFAULT_EXPECT["grant"] == {"ack": "AA"}
    assert archive.args["usage"] == "2"  # a bare number is taken as the code's digits
    assert archive.args["document"]["service_task"] == "24" and archive.args["document"]["phase"] == ("4", "Palvelun toteutus")
    assert archive.args["document"]["consent"] is None and archive.expect == {"ack": "AE", "rules": ["SH-REG-003"]}
    assert (grant.label, archive.label, clock.label) == ("grant rel1", "archive plan1", "clock advance 1 day 2 hours")
    assert view.name == "omakanta aino as guardian:maija: The guardian's view" and view.expect["reasons"] == {"plan1": ["minor-prohibited"]}
    assert query.expect == {"status": "ok"}
    low, high = s.time_span(datetime.now(timezone.utc))
    assert (low, high - low) == (s.start, timedelta(days=1, hours=2))


def test_a_time_without_offset_is_helsinki_time_and_a_title_may_be_one_text():
    s = load_scenario(HEAD.replace("title: {fi: Pieni, en: Small}", "title: Small").replace("+02:00", "") + GRANT)
    assert s.title == {"en": "Small"} and s.start.utcoffset() == timedelta(hours=2)


def test_unknown_action_names_the_step_line_and_a_suggestion():
    found = only(GRANT + "  - archve: {id: plan1}\n")
    assert found.startswith("small.yaml: step 2 (line 15): unknown key 'archve' (did you mean 'archive'?)")


def test_unknown_alias_names_the_key_and_the_known_names():
    found = only(GRANT.replace("client: aino", "client: aimo"))
    assert found == ("small.yaml: step 1 (grant, line 14): grant.client: 'aimo' is not in people.clients "
                     "(did you mean 'aino'?)")


def test_documents_and_matters_must_be_defined_by_an_earlier_step():
    found = problems("""\
  - archive: {id: plan2, as: nurse, unit: kielo, register: keusote, client: aino, matter: m1, replaces: plan3}
  - archive: {id: plan3, as: nurse, unit: kielo, register: keusote, client: aino}
  - matter: {organiser: keusote, client: aino, id: plan2}
""")
    assert found == [
        "small.yaml: step 1 (archive, line 14): archive.matter: 'm1' is not the id of an earlier matter step",
        "small.yaml: step 1 (archive, line 14): archive.replaces: 'plan3' is not the id of an earlier grant or archive step",
        "small.yaml: step 3 (matter, line 16): matter.id: 'plan2' is already the id of another step",
    ]


def test_a_grant_replaces_only_a_grant():
    found = only(GRANT + """\
  - archive: {id: plan1, as: nurse, unit: kielo, register: keusote, client: aino}
  - grant: {organiser: keusote, client: aino, service_task: "24", services: ["45"], from: 2026-11-01, replaces: plan1}
""")
    assert "step 3 (grant, line 16): grant.replaces: 'plan1' is an archive step's document" in found


def test_unknown_rule_ids_and_omakanta_reasons_get_suggestions():
    found = problems(GRANT + """\
  - archive: {id: plan1, as: nurse, unit: kielo, register: keusote, client: aino}
    expect: {ack: AE, rules: [SH-REG-03]}
  - omakanta: {client: aino, viewer: client}
    expect: {hidden: [plan1], reasons: {plan1: minor-prohibition}}
""")
    assert found[0] == ("small.yaml: step 2 (archive, line 15): expect.rules[0]: 'SH-REG-03' is not a rule id of this "
                        "sandbox (did you mean 'SH-REG-003'?) (see mock-kanta rules list)")
    assert found[1].startswith("small.yaml: step 3 (omakanta, line 17): expect.reasons.plan1: 'minor-prohibition' is not "
                               "an OmaKanta reason (did you mean 'minor-prohibited'?)")
    assert len(found) == 2


def test_values_of_the_wrong_kind():
    found = problems("""\
  - grant: {organiser: keusote, client: aino, service_task: "24", services: "45", from: 2026-13-01, to: 2026-10-01}
  - clock: {set: 2026-11-03}
  - clock: {set: 2026-11-03T10:00:00+02:00, advance: {days: 1}}
  - clock: {advance: {weeks: 1}}
  - archive: {as: nurse, unit: kielo, register: "not an oid", client: aino, usage: [2]}
  - omakanta: {client: aino, viewer: "guardian:ville"}
  - query: {as: nurse, unit: kielo, client: aino, limit: -1, current_only: "yes"}
""")
    assert found == [
        "small.yaml: step 1 (grant, line 14): grant.services: expected a list, got a string",
        "small.yaml: step 1 (grant, line 14): grant.from: expected a date such as 2026-11-01, got '2026-13-01'",
        "small.yaml: step 2 (clock, line 15): clock.set: expected a date and time (2026-11-02T10:00:00+02:00), got only a date 2026-11-03",
        "small.yaml: step 3 (clock, line 16): clock: give exactly one of set: or advance:",
        "small.yaml: step 4 (clock, line 17): clock.advance.weeks: unknown unit; use days, hours, minutes, seconds",
        "small.yaml: step 5 (archive, line 18): archive.register: 'not an oid' is neither a unit alias nor an OID",
        "small.yaml: step 5 (archive, line 18): archive.usage: expected a code such as \"24\", got [2]",
        "small.yaml: step 6 (omakanta, line 19): omakanta.viewer: 'ville' is not in people.clients; known: aino, maija",
        "small.yaml: step 7 (query, line 20): query.limit: expected a whole number (0 or more), got -1",
        "small.yaml: step 7 (query, line 20): query.current_only: expected true or false, got 'yes'",
    ]


def test_missing_keys_and_expectations_a_step_cannot_have():
    found = problems("""\
  - archive: {as: nurse, unit: kielo, register: keusote}
  - clock: {advance: {hours: 1}}
    expect: {ack: AA}
  - query: {as: nurse, unit: kielo, client: aino}
    expect: {status: ok, ack: AE, documents: [], count: 1, colour: red}
""")
    assert found == [
        "small.yaml: step 1 (archive, line 14): archive: missing key 'client'",
        "small.yaml: step 2 (clock, line 15): expect: a clock step has nothing to expect (it fails when the sandbox refuses it)",
        "small.yaml: step 3 (query, line 17): expect.colour: unknown key; expected one of status, ack, rules, not_rules, "
        "documents, not_documents, count",
    ]
    assert only("""\
  - query: {as: nurse, unit: kielo, client: aino}
    expect: {status: ok, ack: AE}
""") == "small.yaml: step 1 (query, line 14): expect: status ok contradicts ack AE"


def test_steps_with_several_actions_or_none():
    found = problems(GRANT + """\
  - clock: {advance: {hours: 1}}
    matter: {organiser: keusote, client: aino, id: m1}
  - title: nothing to do
""")
    assert found == ["small.yaml: step 2 (line 15): expected exactly one action (clock, grant, matter, archive, query, "
                     "retrieve, guardian, omakanta, archivist, fault, send), got clock, matter",
                     "small.yaml: step 3 (line 17): expected exactly one action (clock, grant, matter, archive, query, "
                     "retrieve, guardian, omakanta, archivist, fault, send), got none"]


def test_people_must_be_test_identities_and_well_formed():
    real = f"030512A123{check_char('030512', '123')}"  # individual number below 900: built here, never sent anywhere
    head = HEAD.replace("aino: {born: 2012-05-03,", f"aino: {{hetu: {real},").replace(
        "maija: {born: 1984-02-01,", "maija: {hetu: 010284-900X,").replace('"25100000902"', "ABC")
    assert problems(GRANT, head) == [  # and no knock-on errors where the step names aino
        f"small.yaml: people.clients.aino.hetu: {real} is not a test identity: the individual number must be 900-999",
        "small.yaml: people.clients.maija.hetu: 010284-900X is not a valid henkilötunnus: check character is X, expected "
        f"{check_char('010284', '900')}",
        "small.yaml: people.professionals.nurse.registration: expected the registration number's digits, got 'ABC'",
    ]


def test_top_level_and_yaml_errors():
    assert problems(GRANT, HEAD.replace("units:", "unit:"))[0] == (
        "small.yaml: unit: unknown top-level key (did you mean 'units'?); expected scenario, title, description, start, verdicts, "
        "people, units, steps")
    with pytest.raises(ScenarioError) as caught:
        load_scenario("scenario: x\nsteps: [\n", name="bad.yaml")
    assert caught.value.problems[0].startswith("bad.yaml: line 3, column 1: not valid YAML")
    with pytest.raises(ScenarioError) as caught:
        load_scenario("scenario: x\n", name="empty.yaml")
    assert caught.value.problems == ["empty.yaml: steps: expected a list of at least one step"]


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"nothing\.yaml: cannot read: No such file"):
        load_scenario(tmp_path / "nothing.yaml")


def test_every_problem_is_reported_at_once():
    found = problems("""\
  - grant: {organiser: keusot, client: aino, service_task: "24", services: ["45"], from: 2026-11-01, id: rel1}
  - archive: {id: plan1, as: nurze, unit: kielo, register: keusote, client: aino, replaces: rel1}
    expect: {ack: AA, rules: [SH-NOPE-001], not_rules: [SH-NOPE-001]}
""")
    assert [p.split(": ", 2)[1] for p in found] == ["step 1 (grant, line 14)", "step 2 (archive, line 15)",
                                                     "step 2 (archive, line 15)", "step 2 (archive, line 15)"]
    assert "grant.organiser: 'keusot' is not in units (did you mean 'keusote'?)" in found[0]
    assert "archive.as: 'nurze' is not in people.professionals (did you mean 'nurse'?)" in found[1]


def test_the_built_in_scenarios_are_valid():
    paths = builtin_scenarios()
    assert "deployment-test" in [p.stem for p in paths]
    for path in paths:
        scenario = load_scenario(path)
        assert scenario.id == path.stem and scenario.steps and scenario.description
        for client in scenario.clients.values():
            assert 900 <= parse_hetu(client.hetu).individual_number <= 999


def test_a_verdict_profile_names_organisers_by_unit_alias_or_oid():
    head = HEAD.replace("units:\n", "verdicts: {organisers: [keusote, 1.2.246.10.2012566.10.40], strict: true}\nunits:\n")
    scenario = load_scenario(head + GRANT, name="small.yaml")
    assert scenario.verdicts.organisers == ("keusote", "1.2.246.10.2012566.10.40") and scenario.verdicts.strict is True
    assert load_scenario(HEAD + GRANT, name="small.yaml").verdicts is None  # none asked: the tenant's default


@pytest.mark.parametrize("verdicts, problem", [
    ("{organisers: [kela]}", "verdicts.organisers[0]: 'kela' is neither a unit alias nor an OID"),
    ("{strict: maybe}", "verdicts.strict"),
    ("{stric: true}", "verdicts.stric: unknown key (did you mean 'strict'?)"),
    ("[keusote]", "verdicts: expected a mapping"),
])
def test_a_wrong_verdict_profile_is_named(verdicts, problem):
    head = HEAD.replace("units:\n", f"verdicts: {verdicts}\nunits:\n")
    assert problem in only(GRANT, head)
