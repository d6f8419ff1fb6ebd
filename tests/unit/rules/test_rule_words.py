"""The rules' Finnish and Swedish texts keep Kanta's terms (docs/glossary.md) and stay free of the slips
issue 12 item 7 fixed: old terms, "den är obligatorisk" after a neuter noun, doubled words, another
language's words."""
from __future__ import annotations

import re

import pytest

from mock_kanta.rules import REGISTRY

RULES = list(REGISTRY.values())
FIELDS = ("title", "message", "fix")

# (pattern, the term to use instead); case-insensitive, matched on the text without code
BANNED = {
    "sv": [
        (r"registeranvändningsrätt", "åtkomsträtt till register"),
        (r"klientrelationsdokument", "klientrelationshandling"),
        (r"klientdokument", "klienthandling"),
        (r"yrkesutbildad persons\b", "den yrkesutbildade personens"),
        (r"\byrkesutbildades\b", "den yrkesutbildade personens"),
        (r"yrkesperson", "yrkesutbildad person"),
        (r"\bokänd register\b", "okänt register"),
        (r"namng(ett|ivet|iven)", "angett / angiven"),
        (r"\banordnar(e|na)", "tjänsteanordnare"),
        (r"\bproducent", "tjänsteproducent"),
    ],
    "fi": [
        (r"sulettu", "suljettu"),
        (r"\bjärjestäjä", "palvelunjärjestäjä"),
        (r"\btuottaja", "palveluntuottaja"),
        (r"ammattilai", "ammattihenkilö"),
        (r"asiakassuh", "asiakkuus"),
        (r"\bkehy", "siirtokehys"),
    ],
}
# Swedish neuter nouns the texts use, and the compounds they end (versionsnummer, setId, ...)
NEUTER = ("id", "register", "nummer", "språk", "format", "skede", "dokument", "meddelande", "värde", "datum",
          "ärende", "skäl", "kort", "certifikat", "element", "attribut", "villkor", "fält", "huvud")
# words of one language that do not belong in a text of the other (or in English)
CODE = "§"  # what stands for code in prose(): no word, so the words on either side are not adjacent
FOREIGN = {
    "sv": r"\b(ja|tai|ei|on|että|kuin|the|and|is|not|of|must)\b",
    "fi": r"\b(och|eller|inte|är|för|saknas|the|and|is|not|of|must)\b",
}


def texts() -> list:
    return [pytest.param(lang, getattr(getattr(rule, field), lang), id=f"{rule.id}.{field}.{lang}")
            for rule in RULES for field in FIELDS for lang in ("fi", "sv")]


def prose(text: str) -> str:
    """The text without what is code: {placeholders}, <elements>, quotes, paths, XML and JSON names, commands."""
    text = re.sub(r"\{\{.*?\}\}|\{[^{}]*\}|<[^<>]*>|\"[^\"]*\"|'[^']*'", CODE, text)
    text = re.sub(r"\([^()]*\b(mock-kanta|POST|roles\.yaml)\b[^()]*\)", CODE, text)
    return re.sub(r"\S*[/@_=\[\]#:.]\S*\w\S*|\b\w*[a-z][A-Z]\w*\b", CODE, text)


def neuter_head(phrase: str) -> bool:
    """True when the noun phrase's head is a neuter noun: its last word before a prepositional phrase."""
    phrase = re.sub(r"\([^)]*\)", " ", phrase)
    head = re.split(r" (?:i|för|av|till|på) ", phrase.strip())[0].split()[-1]
    return head.lower() in NEUTER or head.endswith("Id") or any(
        head.lower().endswith(noun) for noun in NEUTER if len(noun) > 2)


@pytest.mark.parametrize("lang, text", texts())
def test_no_banned_term(lang, text):
    for pattern, instead in BANNED[lang]:
        found = re.search(pattern, prose(text), re.IGNORECASE)
        assert found is None, f"{found[0]!r} in {text!r}: use {instead!r} (docs/glossary.md)"


@pytest.mark.parametrize("lang, text", texts())
def test_no_doubled_word(lang, text):
    found = re.search(r"\b(\w+)\s+\1\b", prose(text), re.IGNORECASE)
    assert found is None, f"{found[0]!r} doubled in {text!r}"


@pytest.mark.parametrize("lang, text", texts())
def test_no_other_language(lang, text):
    found = re.search(FOREIGN[lang], prose(text))
    assert found is None, f"{found[0]!r} is not {lang} in {text!r}"


@pytest.mark.parametrize("lang, text", [p for p in texts() if p.values[0] == "sv"])
def test_swedish_obligatory_agrees_with_its_noun(lang, text):
    assert not re.search(r"\bdet är obligatorisk\b|\bden är obligatoriskt\b", text), text
    for missing in re.finditer(r"saknar ([^;]+); den är obligatorisk\b", text):
        assert not neuter_head(missing[1]), f"{missing[1]!r} is neuter: 'det är obligatoriskt' in {text!r}"
    for adjective in re.finditer(r"\b(okänd|ogiltig|felaktig|giltig|obligatorisk) (\w+)", text, re.IGNORECASE):
        assert not neuter_head(adjective[2]), f"{adjective[0]!r}: a neuter noun takes the -t form in {text!r}"


@pytest.mark.parametrize("phrase, neuter", [
    ("dokumentets id (id@root)", True), ("setId", True), ("versionsnummer", True), ("språk", True),
    ("skede i serviceprocessen", True), ("visningsformens format", True), ("register (registryType)", True),
    ("upprättandetid (effectiveTime)", False), ("klientens personbeteckning", False), ("dokumentgrupp", False),
    ("total bevarandetid", False), ("registeransvarig (custodian)", False), ("allmän dokumenttyp (code)", False),
])
def test_neuter_detection(phrase, neuter):
    assert neuter_head(phrase) is neuter


@pytest.mark.parametrize("lang, slip", [
    ("sv", "Dokumentet saknar versionsnummer; den är obligatorisk i alla dokument."),
    ("sv", "Okänd register"),
    ("sv", "Ramens och dokumentets dokumentets id skiljer sig."),
    ("sv", "En producent med registeranvändningsrätt."),
    ("fi", "Varmenne sulettu ennen allekirjoitusta"),
    ("fi", "Siirtokehyksen ja asiakirjan asiakirjan tunniste eroavat."),
])
def test_the_checks_catch_the_old_slips(lang, slip):
    checks = (test_no_banned_term, test_no_doubled_word, test_swedish_obligatory_agrees_with_its_noun)
    caught = 0
    for check in checks:
        try:
            check(lang, slip)
        except AssertionError:
            caught += 1
    assert caught, slip
