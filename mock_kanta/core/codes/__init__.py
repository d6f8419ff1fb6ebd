"""Code systems as data: loaded from YAML, overridable from the data directory.

A code system is one edition of a classification: its OID carries the edition (1.2.246.537.6.1221.201601 is
edition 201601 of Sosiaalihuolto - Palvelutehtävä, 1.2.246.537.6.1221). Each edition has its own code list.
Where a coded element expects the current edition, `accepts` names the other editions Kanta also takes there;
a value in one of those is judged against that edition's list (`CodeSystems.accepted`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

_BUILTIN = Path(__file__).with_name("codesystems.yaml")


@dataclass(frozen=True)
class Code:
    code: str
    display: str
    verified: bool
    source: str | None = None
    meaning: str | None = None  # what the sandbox does with it (e.g. provider-in-organiser-register)


@dataclass(frozen=True)
class CodeSystem:
    oid: str
    name: str
    en: str
    complete: bool  # the whole list is here: an unknown code is refused
    verified: bool
    source: str
    codes: dict[str, Code]
    classification: str | None = None  # the classification's OID, without the edition
    edition: str | None = None  # the edition: the OID's version suffix, and the version date where known
    link: str | None = None  # the classification in the national code service, where known
    accepts: tuple[str, ...] = ()  # other editions accepted where this one is expected

    def get(self, code: str | None) -> Code | None:
        return self.codes.get(code) if code is not None else None

    def by_meaning(self, meaning: str) -> Code | None:
        return next((c for c in self.codes.values() if c.meaning == meaning), None)


class CodeSystemError(ValueError):
    """The code data (built-in or an override) is inconsistent; the message says where."""


class CodeSystems:
    """All code systems the sandbox knows, keyed by OID (edition included)."""

    def __init__(self, systems: dict[str, CodeSystem]):
        self.systems = systems
        for system in systems.values():
            unknown = [oid for oid in system.accepts if oid not in systems]
            if unknown:
                raise CodeSystemError(f"code system {system.oid} accepts editions that are not code systems: {unknown}")
            if system.complete and not system.source.strip():
                raise CodeSystemError(f"code system {system.oid} is marked complete without a source")
        self._accepted = {oid: (oid, *s.accepts) for oid, s in systems.items()}

    def __getitem__(self, oid: str) -> CodeSystem:
        return self.systems[oid]

    def get(self, oid: str | None) -> CodeSystem | None:
        return self.systems.get(oid) if oid else None

    def accepted(self, oid: str) -> tuple[str, ...]:
        """The editions a value may name where edition `oid` is expected: `oid` first, then the ones it accepts."""
        return self._accepted.get(oid, (oid,))

    def display(self, oid: str, code: str) -> str | None:
        system = self.get(oid)
        entry = system.get(code) if system else None
        return entry.display if entry else None

    @classmethod
    def load(cls, override_dir: Path | None = None) -> "CodeSystems":
        raw = yaml.safe_load(_BUILTIN.read_text(encoding="utf-8"))
        if override_dir and override_dir.is_dir():
            for path in sorted(override_dir.glob("*.yaml")):
                if path.name == "interactions.yaml":  # interaction ids, not a code system (see query_messages)
                    continue
                _merge(raw, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        return cls({oid: _system(oid, body) for oid, body in raw.items()})


def _merge(base: dict, extra: dict) -> None:
    for oid, body in extra.items():
        oid = str(oid)
        if oid not in base:
            base[oid] = body
            continue
        codes = {**(base[oid].get("codes") or {}), **(body.get("codes") or {})}
        base[oid] = {**base[oid], **body, "codes": codes}


def _system(oid: str, body: dict) -> CodeSystem:
    default_source = body.get("source", "")
    codes = {
        str(code): Code(
            str(code),
            str(entry.get("display", "")),
            bool(entry.get("verified", False)),
            entry.get("source") or default_source,
            entry.get("meaning"),
        )
        for code, entry in (body.get("codes") or {}).items()
    }
    return CodeSystem(
        oid,
        body.get("name", oid),
        body.get("en", body.get("name", oid)),
        bool(body.get("complete", False)),
        bool(body.get("verified", False)),
        default_source,
        codes,
        _text(body.get("classification")),
        _text(body.get("edition")),
        body.get("link"),
        tuple(str(o) for o in body.get("accepts") or ()),
    )


def _text(value) -> str | None:
    return None if value is None else str(value)
