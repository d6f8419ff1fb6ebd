"""UI texts in Finnish, Swedish and English (`texts.yaml`) and the language of a request.

The language comes from `?lang=fi|sv|en` (remembered in the cookie `mk_lang`), else the
cookie, else Finnish. `t("nav.registers")` gives the text in that language; a text may
hold `{name}` fields filled from keyword arguments.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from flask import g, request

from mock_kanta.core.texts import LANGS, fill, in_lang, load_texts

DEFAULT_LANG = "fi"
COOKIE = "mk_lang"
TEXTS_FILE = Path(__file__).parent / "texts.yaml"
COOKIE_SECONDS = 365 * 86_400

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    """Every UI text by dotted key (nested YAML groups are joined with dots)."""
    return load_texts(TEXTS_FILE)


def current_lang() -> str:
    if "lang" not in g:
        asked = request.args.get("lang")
        g.lang_changed = asked in LANGS and asked != request.cookies.get(COOKIE)
        g.lang = asked if asked in LANGS else request.cookies.get(COOKIE) if request.cookies.get(COOKIE) in LANGS else DEFAULT_LANG
    return g.lang


def t(key: str, **values) -> str:
    """The text `key` in the request's language."""
    return text_in(current_lang(), key, **values)


def text_in(lang: str, key: str, **values) -> str:
    """The text `key` in `lang`; needs no Flask request (the events stream has none)."""
    entry = texts().get(key)
    if entry is None:
        log.warning("UI text %s is missing from texts.yaml", key)
        return key
    return fill(entry[lang], **values)


def pick(by_lang: dict | None, fallback: str = "") -> str:
    """One language's text out of a {fi, sv, en} dict (rule messages, OmaKanta reasons), Finnish if missing."""
    if not isinstance(by_lang, dict):
        return fallback if by_lang is None else str(by_lang)
    given = {lang: text for lang, text in by_lang.items() if text}
    return str(in_lang(given, current_lang(), DEFAULT_LANG) or fallback)


def configure(bp) -> None:
    @bp.after_app_request
    def remember_language(response):
        if g.get("lang_changed") and request.path.startswith("/ui"):
            response.set_cookie(COOKIE, g.lang, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True)
        return response
