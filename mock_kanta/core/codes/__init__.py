"""Code systems as data: loaded from YAML, overridable from the data directory."""
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
    complete: bool
    verified: bool
    source: str
    codes: dict[str, Code]

    def get(self, code: str | None) -> Code | None:
        return self.codes.get(code) if code is not None else None

    def by_meaning(self, meaning: str) -> Code | None:
        return next((c for c in self.codes.values() if c.meaning == meaning), None)


class CodeSystems:
    """All code systems the sandbox knows, keyed by OID."""

    def __init__(self, systems: dict[str, CodeSystem]):
        self.systems = systems

    def __getitem__(self, oid: str) -> CodeSystem:
        return self.systems[oid]

    def get(self, oid: str | None) -> CodeSystem | None:
        return self.systems.get(oid) if oid else None

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
    )
