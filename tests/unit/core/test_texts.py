"""The one text loader (mock_kanta.core.texts): nested groups become dotted keys, a broken entry is refused
naming its key, a missing value keeps its placeholder, a language falls back to the default."""
from __future__ import annotations

import pytest

from mock_kanta.core.texts import check_entry, fill, in_lang, load_texts, placeholders

GOOD = """
nav:
  home: {fi: Etusivu, sv: Startsida, en: Home}
  deep:
    count: {fi: "{n} riviä", sv: "{n} rader", en: "{n} rows"}
flat: {fi: "", sv: "", en: ""}
"""


def _file(tmp_path, text: str):
    path = tmp_path / "texts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_groups_nest_into_dotted_keys(tmp_path):
    texts = load_texts(_file(tmp_path, GOOD))
    assert texts == {"nav.home": {"fi": "Etusivu", "sv": "Startsida", "en": "Home"},
                     "nav.deep.count": {"fi": "{n} riviä", "sv": "{n} rader", "en": "{n} rows"},
                     "flat": {"fi": "", "sv": "", "en": ""}}


@pytest.mark.parametrize("entry, says", [
    ("{fi: a, en: b}", "nav.broken must give exactly fi, sv and en"),
    ("{fi: a, sv: b, en: c, de: d}", "nav.broken must give exactly fi, sv and en"),
    ("{fi: a, sv: no, en: c}", "nav.broken must give exactly fi, sv and en, each a text"),  # YAML's `no` is False
    ("just text", "nav.broken must give exactly fi, sv and en"),
    ('{fi: "{n} riviä", sv: "{n} rader", en: "{count} rows"}',
     r"nav.broken must have the same placeholders in fi, sv and en \(fi: n; sv: n; en: count\)"),
    ('{fi: "{n} riviä", sv: "rader", en: "{n} rows"}', r"\(fi: n; sv: none; en: n\)"),
    ('{fi: "{n riviä", sv: "{n} rader", en: "{n} rows"}', "nav.broken: .*'}'"),
])
def test_a_broken_entry_is_refused_naming_its_key(tmp_path, entry, says):
    path = _file(tmp_path, f"nav:\n  home: {{fi: Etusivu, sv: Startsida, en: Home}}\n  broken: {entry}\n")
    with pytest.raises(ValueError, match=says) as caught:
        load_texts(path)
    assert str(caught.value).startswith(str(path))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="the file must give exactly fi, sv and en"):
        load_texts(_file(tmp_path, ""))


def test_one_entry_is_checked_naming_where_it_is():
    assert check_entry("SH-X title", {"fi": "{n} a", "sv": "{n} b", "en": "{n} c"}) == {"fi": "{n} a", "sv": "{n} b",
                                                                                          "en": "{n} c"}
    with pytest.raises(ValueError, match=r"^SH-X title must have the same placeholders in fi, sv and en \(fi: n; sv: n; en: m\)"):
        check_entry("SH-X title", {"fi": "{n} a", "sv": "{n} b", "en": "{m} c"})


def test_fill_keeps_a_placeholder_it_has_no_value_for():
    assert fill("{n} of {total} steps", n=3) == "3 of {total} steps"
    assert fill("{text} ja {n}", text="<b>", n=1) == "<b> ja 1"  # a value is never read as a template
    assert fill("no fields") == "no fields"
    assert placeholders("{n} of {total}, {n}") == {"n", "total"}


def test_in_lang_falls_back_to_the_default_and_keeps_empty_texts():
    by_lang = {"fi": "", "sv": "en ", "en": "a "}
    assert in_lang(by_lang, "fi", "en") == ""  # given, though empty
    assert in_lang(by_lang, "de", "en") == "a "
    assert in_lang(by_lang, None, "sv") == "en "
    assert in_lang({"sv": "x"}, "fi", "en") is None
