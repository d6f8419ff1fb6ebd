"""Step results in Finnish, Swedish and English: `Msg("key", name=value)` is said in any language from texts.yaml.

A step handler builds its problems and evidence from `Msg`s (values may be `Msg`s, `Join`s,
`RuleText`s or plain values, said in the same language), and the runner says them in every
language: `say(Msg("answer", ack="AA"), "fi")`. Every text in texts.yaml has the same
{placeholders} in fi, sv and en (mock_kanta.core.texts checks the file).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from mock_kanta.core.texts import LANGS, fill, in_lang, load_texts, placeholders
from mock_kanta.rules import REGISTRY

__all__ = ["LANGS", "ByLang", "Join", "Msg", "detail_text", "in_all", "placeholders", "say", "texts"]

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
_FIX_LABELS = {"fi": "Korjaa", "sv": "Åtgärd", "en": "Fix"}  # mock_kanta.archive.service.ack_text's labels
_PART = re.compile(r"\[(fi|sv|en|source)\] ")


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    """Every text by key: {fi, sv, en}."""
    return load_texts(TEXTS_FILE)


class Msg:
    """A text of texts.yaml with its values."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values):
        if key not in texts():
            raise KeyError(f"no text {key!r} in {TEXTS_FILE.name}")
        self.key, self.values = key, values

    def say(self, lang: str = "en") -> str:
        return fill(texts()[self.key][lang], **{k: say(v, lang) for k, v in self.values.items()})

    def __str__(self) -> str:
        return self.say("en")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.values!r})"


class Join:
    """Parts said one after another with `sep` between them."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts, sep: str = ", "):
        self.parts, self.sep = list(parts), sep

    def say(self, lang: str = "en") -> str:
        return self.sep.join(say(p, lang) for p in self.parts)

    def __str__(self) -> str:
        return self.say("en")


class ByLang:
    """A text given in several languages ({fi, sv, en}, e.g. an OmaKanta reason); English, else any, when one is missing."""

    __slots__ = ("texts",)

    def __init__(self, texts: dict | None, fallback: str = ""):
        self.texts = {k: str(v) for k, v in (texts or {}).items() if v} or {"en": fallback}

    def say(self, lang: str = "en") -> str:
        return in_lang(self.texts, lang, "en") or next(iter(self.texts.values()))

    def __str__(self) -> str:
        return self.say("en")


def detail_text(rule: str, text: str) -> ByLang:
    """An acknowledgementDetail's message per language ("[fi] … Korjaa: … [sv] … [en] … Fix: … [source] …");
    when the text has no language parts, the rule registry's message (if it needs no values), else the text."""
    pieces = _PART.split(text or "")
    by_lang = {}
    for lang, body in zip(pieces[1::2], pieces[2::2]):
        if lang in _FIX_LABELS:
            by_lang[lang] = body.partition(f" {_FIX_LABELS[lang]}: ")[0].strip() or body.strip()
    if by_lang:
        return ByLang(by_lang)

    known = REGISTRY.get(rule)
    if known and "{" not in known.message.en:
        return ByLang({lang: getattr(known.message, lang) for lang in LANGS})
    return ByLang(None, (text or "").strip())


def say(value, lang: str = "en") -> str:
    """`value` in `lang`: a Msg, Join or ByLang said; anything else as text."""
    if isinstance(value, (Msg, Join, ByLang)):
        return value.say(lang)
    return "" if value is None else str(value)


def in_all(value) -> dict[str, str]:
    return {lang: say(value, lang) for lang in LANGS}
