"""The rehearsal texts (mock_kanta/rehearsal/texts.yaml): every key in Finnish, Swedish and English with
the same placeholders, every key the code names is there, and the dynamic keys cover their codes."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from mock_kanta.rehearsal import texts as rtexts
from mock_kanta.rehearsal.checklist import ACTIONS, LINKS, ORGANISATION_KINDS
from mock_kanta.rehearsal.sessions import RehearsalError, SessionNotFound

SOURCES = sorted((Path(rtexts.__file__).parent).glob("*.py"))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_text_gives_fi_sv_and_en_with_the_same_placeholders():
    raw = yaml.safe_load(rtexts.TEXTS_FILE.read_text(encoding="utf-8"))
    flat = rtexts.texts()
    assert len(flat) == sum(len(group) for group in raw.values()) > 100
    for key, entry in flat.items():
        assert set(entry) == {"fi", "sv", "en"}, key
        assert fields(entry["fi"]) == fields(entry["sv"]) == fields(entry["en"]), key
        # every placeholder is a plain name (filled from keyword arguments)
        assert all(re.fullmatch(r"[a-z_]+", name) for name in fields(entry["en"])), key


def test_finnish_and_swedish_are_translations_not_copies():
    same = {key for key, entry in rtexts.texts().items() if entry["en"].strip() and entry["fi"] == entry["en"]}
    # only texts made of codes and punctuation may read the same in every language
    assert same <= {"grade.refusal_seq", "grade.event_problems", "grade.end"}, same
    assert rtexts.say("grade.right", "fi", organiser="X", holder="Y").startswith("rekisterinkäyttöoikeus")
    assert "åtkomsträtt till register" in rtexts.say("grade.right", "sv", organiser="X", holder="Y")
    assert "asiakkuusasiakirja" in rtexts.say("record.right", "fi", client="c", unit="u", services="s", start="a", end="b",
                                             document="d", version=1, organiser="o", state="")
    assert "klientrelationshandling" in rtexts.say("record.right", "sv", client="c", unit="u", services="s", start="a",
                                                  end="b", document="d", version=1, organiser="o", state="")
    assert "käyttöönottokokeen" in rtexts.say("report.modelled", "fi") and "ibruktagningsprov" in rtexts.say("report.modelled", "sv")
    assert "arkistonhoitajan" in rtexts.say("grade.view_a", "fi", what="w", who="x")


def test_a_text_file_without_a_language_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "texts.yaml"
    bad.write_text("grade:\n  found: {fi: a, en: b}\n", encoding="utf-8")
    monkeypatch.setattr(rtexts, "TEXTS_FILE", bad)
    rtexts.texts.cache_clear()
    try:
        with pytest.raises(ValueError, match="grade.found must give exactly fi, sv and en"):
            rtexts.texts()
    finally:
        monkeypatch.undo()
        rtexts.texts.cache_clear()


def test_every_key_the_code_names_is_in_the_file():
    named = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'say[s]?\(\s*"([a-z_]+\.[a-z_]+)"', source))
        named |= {f"error.{code}" for code in re.findall(r'(?:RehearsalError|SessionNotFound|SessionClosed)\(\s*"([a-z_]+)"', source)}
        named |= {f"grade.{key}" for pair in re.findall(r'say\(\s*"grade\.([a-z_]+)" if [^"]+ else "grade\.([a-z_]+)"', source)
                  for key in pair}
    assert len(named) > 80
    assert sorted(named - set(rtexts.texts())) == []


@pytest.mark.parametrize("key", [*(f"action.{a}" for a in ACTIONS), *(f"kind.{k}" for k in (*ORGANISATION_KINDS, "vendor")),
                                 *(f"grade.same_{link}" for link in LINKS),
                                 *(f"who.{r}" for r in ("session", "counterpart", "other", "any")),
                                 *(f"report.{w}" for w in ("passed", "failed", "open", "closed", "item_met", "item_missing")),
                                 *(f"report.row_{r}" for r in ("organisation", "organiser", "system", "test", "date", "result"))])
def test_the_keys_made_from_codes_are_there(key):
    assert key in rtexts.texts()


def test_say_fills_placeholders_and_falls_back_to_english():
    assert rtexts.say("grade.found", "sv", looked_for="X", n=2) == "Sökte X: hittade 2."
    assert rtexts.say("grade.found", "de", looked_for="X", n=2) == "Looked for X: found 2."
    assert rtexts.says("report.item_met") == {"fi": "täyttyi", "sv": "uppfylld", "en": "met"}
    assert rtexts.pick_lang("sv") == "sv" and rtexts.pick_lang("xx") == rtexts.pick_lang(None) == "en"


def test_an_error_has_a_code_and_says_itself_in_each_language():
    exc = SessionNotFound("no_session", id="reh-1", tenant="t1")
    assert (exc.code, exc.status, str(exc)) == ("no_session", 404, "No rehearsal session 'reh-1' in tenant 't1'.")
    assert exc.text("fi") == "Ympäristössä t1 ei ole harjoitusta reh-1."
    assert exc.text("sv") == "Miljön t1 har ingen övning reh-1."
    kinds = RehearsalError("organiser_kind", oid="1.2", name="N", kind=rtexts.says("kind.provider"),
                           wanted=rtexts.says("kind.organiser"))
    assert str(kinds) == "organiserOid 1.2 (N) is a provider, not an organiser."
    assert kinds.text("fi") == "organiserOid 1.2 (N) on palveluntuottaja, ei palvelunjärjestäjä."
