"""The rehearsal texts (`texts.yaml`) in Finnish, Swedish and English.

    say("grade.found", "fi", looked_for=..., n=3)   # one language
    says("error.no_session", id=..., tenant=...)      # {"fi": ..., "sv": ..., "en": ...}

A text holds `{name}` fields filled from keyword arguments; every key gives all three
languages with the same fields (mock_kanta.core.texts checks the file).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from mock_kanta.core.texts import LANGS, fill, in_lang, load_texts

DEFAULT_LANG = "en"  # the API's plain fields
TEXTS_FILE = Path(__file__).parent / "texts.yaml"


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    """Every text by dotted key (`group.name`)."""
    return load_texts(TEXTS_FILE)


def say(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text `key` in `lang` (an unknown language: English)."""
    return fill(in_lang(texts()[key], lang, DEFAULT_LANG), **values)


def says(key: str, **values) -> dict[str, str]:
    return {lang: say(key, lang, **values) for lang in LANGS}


def pick_lang(lang: str | None) -> str:
    """`lang` if it is fi, sv or en, else English."""
    return lang if lang in LANGS else DEFAULT_LANG
