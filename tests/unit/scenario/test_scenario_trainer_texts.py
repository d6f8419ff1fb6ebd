"""The trainer's state file keeps a step result in fi, sv and en, and a page shows its own language."""
from __future__ import annotations

from flask import Flask

from mock_kanta.reports import Item
from mock_kanta.scenario import pages as trainer
from mock_kanta.scenario.run import Said
from mock_kanta.scenario.texts import LANGS, Msg

APP = Flask(__name__)


def _stored() -> dict:
    said = Said("archive plan1", {"fi": "Suunnitelma", "sv": "Plan", "en": "Plan"},
                Msg("could_not_run", number=2, label="archive plan1", detail="client 040348-900D"),
                [Msg("clients", clients="eino 040348-900D")])
    english = said.texts("en")
    item = Item(english["name"], "error", 0.1, english["why"], evidence=english["evidence"])
    return trainer.item_json(item, {lang: said.texts(lang) for lang in LANGS})


def test_the_state_file_keeps_every_language_and_a_page_shows_its_own():
    stored = _stored()
    assert stored["why"] == "step 2 (archive plan1) could not run: client 040348-900D"
    assert set(stored["texts"]) == set(LANGS)
    with APP.test_request_context("/ui/trainer?lang=sv"):
        shown = trainer._masked(stored)
        assert shown["why"] == "steg 2 (archive plan1) kunde inte köras: client 040348-9**D"  # masked too
        assert shown["evidence"] == ["klienter: eino 040348-9**D"]
        assert trainer._in_lang({"fi": "Otsikko", "sv": "Rubrik", "en": "Title"}, "Title") == "Rubrik"
    with APP.test_request_context("/ui/trainer?lang=fi"):
        assert trainer._masked(stored)["why"].startswith("vaihetta 2 (archive plan1) ei voitu ajaa")
        assert trainer._in_lang(None, "One text") == "One text"  # a state file written before the titles had languages


def test_a_result_of_an_older_state_file_is_shown_as_it_was():
    old = {"status": "passed", "why": "", "seconds": 0.1, "evidence": ["answer AA"], "sent": None, "received": None}
    with APP.test_request_context("/ui/trainer?lang=fi"):
        assert trainer._masked(old)["evidence"] == ["answer AA"]
