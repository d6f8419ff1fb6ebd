"""Scenario step results in three languages: every text has the same placeholders in fi, sv and en, rule texts come
in the asked language, and step titles may be given per language."""
from __future__ import annotations

from types import SimpleNamespace

from mock_kanta.scenario import checks, load_scenario
from mock_kanta.scenario.run import Said
from mock_kanta.scenario.texts import LANGS, Msg, detail_text, in_all, placeholders, texts

DETAIL = ("[fi] Järjestäjä X ei ole nimennyt palveluyksikköä Y. Korjaa: nimeä yksikkö. "
          "[sv] Anordnaren X har inte utsett serviceenheten Y. Åtgärd: utse enheten. "
          "[en] Organiser X has not named service unit Y. Fix: name the unit. [source] kanta-facts 5")


def test_every_text_has_the_same_placeholders_in_every_language():
    assert len(texts()) > 50
    for key, entry in texts().items():
        assert set(entry) == set(LANGS), key
        assert placeholders(entry["fi"]) == placeholders(entry["sv"]) == placeholders(entry["en"]), key
        for lang in LANGS:  # every text can be said with its values
            assert entry[lang].format(**{p: "x" for p in placeholders(entry[lang])}).strip(), (key, lang)


def test_an_unknown_text_is_an_error_at_once():
    try:
        Msg("no-such-text")
    except KeyError as exc:
        assert "no-such-text" in str(exc)
    else:
        raise AssertionError("an unknown key must not pass")


def test_rule_texts_come_in_the_asked_language():
    said = detail_text("SH-REG-004", DETAIL)
    assert said.say("fi") == "Järjestäjä X ei ole nimennyt palveluyksikköä Y."
    assert said.say("sv") == "Anordnaren X har inte utsett serviceenheten Y."
    assert said.say("en") == "Organiser X has not named service unit Y."
    assert checks.english(DETAIL) == "Organiser X has not named service unit Y."
    # without the language parts: the rule registry's own message when it needs no values, else the text as given
    assert detail_text("SH-NOPE-1", "plain words").say("fi") == "plain words"


def test_a_missing_rule_is_explained_in_each_language():
    answer = SimpleNamespace(ack="AE", rule_ids={"SH-REG-004"},
                             details=(SimpleNamespace(type_code="E", rule="SH-REG-004", text=DETAIL),))
    [problem] = checks.answer_problems(answer, {"ack": "AE", "rules": ["SH-REG-005"]})
    said = in_all(problem)
    assert said["en"] == ("expected rule SH-REG-005 in the answer, got SH-REG-004 (error): "
                          "SH-REG-004 Organiser X has not named service unit Y.")
    assert said["fi"].startswith("odotettiin vastaukseen sääntöä SH-REG-005, saatiin SH-REG-004 (virhe): SH-REG-004 Järjestäjä X")
    assert "SH-REG-004 (fel): SH-REG-004 Anordnaren X" in said["sv"]


SCENARIO = """
scenario: titles
title: {fi: Otsikot, sv: Rubriker, en: Titles}
start: 2026-11-02T10:00:00+02:00
steps:
  - title: {fi: Kello siirtyy, sv: Klockan flyttas, en: The clock moves}
    clock: {advance: {days: 1}}
  - title: Only English
    clock: {advance: {hours: 1}}
  - clock: {advance: {hours: 1}}
"""


def test_step_titles_may_be_given_per_language():
    s = load_scenario(SCENARIO, name="titles.yaml")
    first, second, third = s.steps
    assert first.title == {"fi": "Kello siirtyy", "sv": "Klockan flyttas", "en": "The clock moves"}
    assert first.name_in("fi") == "clock advance 1 day: Kello siirtyy" and first.name == "clock advance 1 day: The clock moves"
    assert second.title_in("sv") == "Only English" and third.title_in("fi") is None and third.name == "clock advance 1 hour"
    said = Said(first.label, first.title, Msg("skipped", why=Msg("not_started")), [Msg("answer", ack="AA")])
    assert said.texts("sv") == {"name": "clock advance 1 day: Klockan flyttas", "title": "Klockan flyttas",
                                "why": "överhoppat: scenariot kunde inte starta", "evidence": ["svar AA"]}


def test_a_step_title_in_an_unknown_language_is_refused():
    bad = SCENARIO.replace("sv: Klockan flyttas", "de: Die Uhr")
    try:
        load_scenario(bad, name="titles.yaml")
    except ValueError as exc:
        assert "step 1 (clock, line 6): title.de: unknown language; use fi, sv, en" in str(exc)
    else:
        raise AssertionError("a title in German must not pass")
