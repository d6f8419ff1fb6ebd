"""Keyed texts in Finnish, Swedish and English, read from a YAML file.

    texts = load_texts(path)                    # {"group.key": {"fi": ..., "sv": ..., "en": ...}}
    fill(texts["group.key"]["fi"], n=3)         # "{n} riviä" -> "3 riviä"; a missing value stays "{n}"
    in_lang(texts["group.key"], "de", "en")     # the English text: German is not given

In the file, a group is a mapping that holds mappings (groups nest); any other value is an entry and must
give exactly fi, sv and en, each a text with the same {placeholders}. `load_texts` refuses any other entry
and names its key; `check_entry` checks one such entry from elsewhere (a rule's title).
"""
from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

import yaml

LANGS = ("fi", "sv", "en")


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def load_texts(path: Path) -> dict[str, dict[str, str]]:
    """Every entry of the YAML file at `path` by dotted key (nested groups joined with dots)."""
    found: dict[str, dict[str, str]] = {}
    _walk(path, "", yaml.safe_load(path.read_text(encoding="utf-8")), found)
    return found


def placeholders(text: str) -> set[str]:
    """The names of the {placeholders} in `text`."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def fill(text: str, /, **values) -> str:
    """`text` with its placeholders filled; a placeholder without a value is kept as written."""
    return text.format_map(_KeepMissing(values))


def in_lang(by_lang: Mapping[str, str], lang: str | None, default: str) -> str | None:
    """The text of `by_lang` in `lang`, else in `default`, else None."""
    for choice in (lang, default):
        if choice in by_lang:
            return by_lang[choice]
    return None


def check_entry(where: str, entry) -> dict[str, str]:
    """`entry` if it gives exactly fi, sv and en, each a text with the same {placeholders}; else a ValueError
    that begins with `where`."""
    if not isinstance(entry, dict) or set(entry) != set(LANGS) or not all(isinstance(v, str) for v in entry.values()):
        raise ValueError(f"{where} must give exactly fi, sv and en, each a text")
    try:
        named = {lang: placeholders(entry[lang]) for lang in LANGS}
    except ValueError as exc:  # a lone brace
        raise ValueError(f"{where}: {exc}") from None
    if not named["fi"] == named["sv"] == named["en"]:
        said = "; ".join(f"{lang}: {', '.join(sorted(names)) or 'none'}" for lang, names in named.items())
        raise ValueError(f"{where} must have the same placeholders in fi, sv and en ({said})")
    return dict(entry)


def _walk(path: Path, key: str, node, found: dict[str, dict[str, str]]) -> None:
    if isinstance(node, dict) and any(isinstance(value, dict) for value in node.values()):  # a group
        for name, value in node.items():
            _walk(path, f"{key}.{name}" if key else str(name), value, found)
    else:
        found[key] = check_entry(f"{path}: {key or 'the file'}", node)
