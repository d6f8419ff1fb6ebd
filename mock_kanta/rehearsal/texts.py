"""The rehearsal texts (`texts.yaml`) in Finnish, Swedish and English.

    say("grade.found", "fi", looked_for=..., n=3)   # one language
    says("error.no_session", id=..., tenant=...)      # {"fi": ..., "sv": ..., "en": ...}

A text holds `{name}` fields filled from keyword arguments; every key gives all three
languages with the same fields (tests/unit/test_rehearsal_texts.py).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("fi", "sv", "en")
DEFAULT_LANG = "en"  # the API's plain fields
TEXTS_FILE = Path(__file__).parent / "texts.yaml"


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    """Every text by dotted key (`group.name`)."""
    flat: dict[str, dict[str, str]] = {}
    for group, entries in yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8")).items():
        for name, entry in entries.items():
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise ValueError(f"{TEXTS_FILE.name}: {group}.{name} must give exactly fi, sv and en")
            flat[f"{group}.{name}"] = {lang: str(entry[lang]) for lang in LANGS}
    return flat


def say(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text `key` in `lang` (an unknown language: English)."""
    entry = texts()[key]
    text = entry[lang] if lang in entry else entry[DEFAULT_LANG]
    return text.format(**values) if values else text


def says(key: str, **values) -> dict[str, str]:
    return {lang: say(key, lang, **values) for lang in LANGS}


def pick_lang(lang: str | None) -> str:
    """`lang` if it is fi, sv or en, else English."""
    return lang if lang in LANGS else DEFAULT_LANG
