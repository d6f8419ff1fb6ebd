"""A trainer run's stored step result keeps fi, sv and en, and a page shows its own language."""
from __future__ import annotations

from flask import Flask

from mock_kanta.reports import Item
from mock_kanta.scenario import pages
from mock_kanta.scenario.run import Said
from mock_kanta.scenario.texts import LANGS, Msg
from mock_kanta.scenario.trainer import item_json

APP = Flask(__name__)


def _stored() -> dict:
    said = Said("archive plan1", {"fi": "Suunnitelma", "sv": "Plan", "en": "Plan"},
                Msg("could_not_run", number=2, label="archive plan1", detail="client 040348-900D"),
                [Msg("clients", clients="eino 040348-900D")])
    english = said.texts("en")
    item = Item(english["name"], "error", 0.1, english["why"], evidence=english["evidence"])
    return item_json(item, {lang: said.texts(lang) for lang in LANGS})


def test_a_stored_result_keeps_every_language_and_a_page_shows_its_own():
    stored = _stored()
    assert stored["why"] == "step 2 (archive plan1) could not run: client 040348-900D"
    assert set(stored["texts"]) == set(LANGS)
    with APP.test_request_context("/ui/trainer?lang=sv"):
        shown = pages._masked(stored)
        assert shown["why"] == "steg 2 (archive plan1) kunde inte köras: client 040348-9**D"  # masked too
        assert shown["evidence"] == ["klienter: eino 040348-9**D"]
        assert pages._in_lang({"fi": "Otsikko", "sv": "Rubrik", "en": "Title"}, "Title") == "Rubrik"
    with APP.test_request_context("/ui/trainer?lang=fi"):
        assert pages._masked(stored)["why"].startswith("vaihetta 2 (archive plan1) ei voitu ajaa")
        assert pages._in_lang(None, "One text") == "One text"  # a run stored before the titles had languages


def test_an_older_stored_result_is_shown_as_it_was():
    old = {"status": "passed", "why": "", "seconds": 0.1, "evidence": ["answer AA"], "sent": None, "received": None}
    with APP.test_request_context("/ui/trainer?lang=fi"):
        assert pages._masked(old)["evidence"] == ["answer AA"]
