"""The rules catalogue as data: one YAML file per rule family in `families/`, in the order `families/index.yaml`
lists them, each file's rules in ascending id order. That order is the catalogue's (docs/rules.md, the
control API, a message's findings), whatever order the check modules are imported in.

An entry:

    - id: SH-FRM-001            # SH-<FAMILY>-<NNN>, the family of its file
      severity: error           # error (refused) | warning (accepted, worth fixing) | info
      stage: frame              # mock_kanta.rules.entries.Stage
      basis: kanta              # kanta: public material shows Kanta enforces it (the source shows it);
                                # organiser: an organiser's guide demands it (which organisers, with the guide's
                                # passage: fixtures/organiser-profiles.yaml); modelled: the sandbox's own model
      title: {fi: ..., sv: ..., en: ...}
      message: {fi: ..., sv: ..., en: ...}   # {placeholders} filled from the check's hit
      fix: {fi: ..., sv: ..., en: ...}
      source: ...               # where the rule comes from
      raised_by: ...            # only for a rule with no check function: the module that raises it
      sandbox_limit: ...        # only for what the sandbox may not take whatever the basis (why): refused
                                # in every tenant, not softened by report-only (docs/verdicts.md)

`load` refuses a catalogue that breaks any of this, naming the file and the rule.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from mock_kanta.core.findings import LANGS, Basis, Severity, Text
from mock_kanta.core.resources import package_file
from mock_kanta.core.texts import check_entry

FAMILIES_DIR = package_file("rules", "families")
INDEX = "index.yaml"
_ID = re.compile(r"SH-([A-Z]+)-(\d{3})")
_KEYS = ("id", "severity", "stage", "basis", "title", "message", "fix", "source")
_OPTIONAL = ("raised_by", "sandbox_limit")


class Stage(str, Enum):
    TRANSPORT = "transport"
    SYNTAX = "syntax"
    FRAME = "frame"
    DOCUMENT = "document"
    CONSISTENCY = "consistency"
    CODES = "codes"
    BODY = "body"
    ARCHIVE = "archive"
    ACCESS = "access"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    stage: Stage
    basis: Basis
    title: Text
    message: Text
    fix: Text
    source: str
    raised_by: str | None = None  # a rule without a check function: who raises it with `finding`
    sandbox_limit: str | None = None  # why the sandbox refuses it whatever the basis and the tenant's profile
    needs: tuple[str, ...] = ()  # the context parts the check needs (mock_kanta.rules.context.PARTS)
    check: Callable | None = None
    after_write: bool = False  # the check also runs on the store's answer to the write

    @property
    def kanta_verified(self) -> bool:
        """True when public material shows Kanta enforces this (basis kanta)."""
        return self.basis is Basis.KANTA


class CatalogueError(ValueError):
    """The catalogue or the checks break the rules of this module; the message names where."""


def load(directory: Path = FAMILIES_DIR) -> list[Rule]:
    """Every entry of the catalogue in `directory`, in catalogue order, validated (no checks attached)."""
    order = _read(directory / INDEX)
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        raise CatalogueError(f"{directory / INDEX}: must list the family file names")
    files = {p.stem for p in directory.glob("*.yaml")} - {Path(INDEX).stem}
    if len(set(order)) != len(order) or set(order) != files:
        raise CatalogueError(f"{directory / INDEX}: lists {sorted(order)}, the folder has {sorted(files)}")
    # ids are unique: a family has one file, listed once, and its ids ascend
    return [rule for name in order for rule in _family(directory / f"{name}.yaml", name.upper())]


def _family(path: Path, family: str) -> Iterable[Rule]:
    entries = _read(path)
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path}: must be a list of rules")
    previous = 0
    for entry in entries:
        rule = _rule(path, entry)
        match = _ID.fullmatch(rule.id)
        if match is None or match[1] != family:
            raise CatalogueError(f"{path}: {rule.id} is not an id of family SH-{family}")
        if int(match[2]) <= previous:
            raise CatalogueError(f"{path}: {rule.id} is out of order (ids ascend within a family)")
        previous = int(match[2])
        yield rule


def _rule(path: Path, entry: Any) -> Rule:
    where = f"{path}: {entry.get('id', '?') if isinstance(entry, dict) else '?'}"
    if not isinstance(entry, dict) or not set(_KEYS) <= set(entry) <= {*_KEYS, *_OPTIONAL}:
        raise CatalogueError(f"{where}: needs exactly {', '.join(_KEYS)} (optional: {', '.join(_OPTIONAL)})")
    if not all(isinstance(entry[key], str) and entry[key].strip() for key in ("id", "source")):
        raise CatalogueError(f"{where}: id and source must be texts")
    try:
        severity, stage, basis = Severity(entry["severity"]), Stage(entry["stage"]), Basis(entry["basis"])
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc}") from None
    raised_by = entry.get("raised_by")
    if raised_by is not None and not (isinstance(raised_by, str) and raised_by.startswith("mock_kanta.")):
        raise CatalogueError(f"{where}: raised_by names a module of mock_kanta")
    limit = entry.get("sandbox_limit")
    if limit is not None and not (isinstance(limit, str) and limit.strip() and severity is Severity.ERROR):
        raise CatalogueError(f"{where}: sandbox_limit says why an error is always refused")
    texts = [_text(where, key, entry[key]) for key in ("title", "message", "fix")]
    return Rule(entry["id"], severity, stage, basis, *texts, entry["source"], raised_by, limit)


def _text(where: str, key: str, value: Any) -> Text:
    """A text in fi, sv and en, each non-empty and naming the same {placeholders} (core.texts.check_entry)."""
    try:
        entry = check_entry(f"{where}: {key}", value)
    except ValueError as exc:
        raise CatalogueError(str(exc)) from None
    if not all(text.strip() for text in entry.values()):
        raise CatalogueError(f"{where}: {key} must be a non-empty text in each language")
    return Text(*(entry[lang] for lang in LANGS))


class _UniqueKeys(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (PyYAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise CatalogueError(f"line {node.start_mark.line + 1}: {', '.join(repeated)} given twice")
        return super().construct_mapping(node, deep=deep)


def _read(path: Path) -> Any:
    if not path.is_file():
        raise CatalogueError(f"{path}: missing")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeys)  # noqa: S506 (a SafeLoader)
    except CatalogueError as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not YAML ({exc})") from None
