"""Organiser profiles as data: which rules an organiser's own guides demand, with the guide's passage
(fixtures/organiser-profiles.yaml, overridable with the other fixtures: docs/configuration.md).

    "1.2.246.10.32213449.10.0":          # the organiser's OID (whose register the profile refuses in)
      name: Keusote                      # a short name for the verdicts' notes
      rules:
        SH-CTX-001: '[K] Keusote, Sosiaalihuollon Kanta - kirjaamisopas, "...": "<the passage>"'

A rule named here must have basis `organiser` in the catalogue (rules/families/*.yaml). Whether a tenant's
verdicts use a profile is the tenant's setting (`rules.verdicts.VerdictProfile`); `load` refuses a file that
breaks any of this, naming the file and the entry, so a broken override stops the sandbox at start.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from mock_kanta.core.findings import Basis
from mock_kanta.core.identity import is_oid
from mock_kanta.core.resources import builtin
from mock_kanta.rules.registry import REGISTRY

FILE = "organiser-profiles.yaml"


class ProfileError(ValueError):
    """The organiser profiles break the rules of this module; the message names the file and the entry."""


@dataclass(frozen=True)
class OrganiserProfile:
    oid: str
    name: str
    rules: Mapping[str, str]  # rule id -> the guide's passage that demands it


@dataclass(frozen=True)
class OrganiserProfiles:
    profiles: Mapping[str, OrganiserProfile]  # by organiser OID, in the file's order
    path: str | None = None

    def get(self, oid: str | None) -> OrganiserProfile | None:
        return self.profiles.get(oid) if oid else None

    def unknown(self, oids) -> str | None:
        """Why these organisers cannot be turned on (some have no profile), or None when all can."""
        missing = [oid for oid in oids if oid not in self.profiles]
        if not missing:
            return None
        known = ", ".join(f"{p.oid} ({p.name})" for p in self.profiles.values()) or "none"
        return f"no organiser profile for {', '.join(missing)}; known: {known}"

    def demanding(self, rule_id: str) -> list[OrganiserProfile]:
        """The profiles that name the rule."""
        return [p for p in self.profiles.values() if rule_id in p.rules]

    @classmethod
    def for_fixtures(cls, fixtures_dir: Path | None) -> OrganiserProfiles:
        """The profiles of a fixtures directory; the built-in ones when it has no profiles file (an override
        made before the file existed)."""
        path = Path(fixtures_dir) / FILE if fixtures_dir else None
        return cls.load(path if path is not None and path.is_file() else builtin("fixtures") / FILE)

    @classmethod
    def load(cls, path: Path) -> OrganiserProfiles:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ProfileError(f"{path}: cannot be read ({exc})") from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ProfileError(f"{path}: must map organiser OIDs to profiles")
        return cls(MappingProxyType({str(oid): _profile(path, str(oid), body) for oid, body in data.items()}), str(path))


def _profile(path: Path, oid: str, body: Any) -> OrganiserProfile:
    where = f"{path}: {oid}"
    if not is_oid(oid):
        raise ProfileError(f"{where}: a profile is keyed by the organiser's OID")
    if not isinstance(body, dict) or set(body) != {"name", "rules"}:
        raise ProfileError(f"{where}: needs exactly name and rules")
    if not isinstance(body["name"], str) or not body["name"].strip():
        raise ProfileError(f"{where}: name must be a text")
    rules = body["rules"]
    if not isinstance(rules, dict) or not rules:
        raise ProfileError(f"{where}: rules must map rule ids to the guide's passage")
    for rule_id, passage in rules.items():
        rule = REGISTRY.get(rule_id)
        if rule is None:
            raise ProfileError(f"{where}: {rule_id} is not in the catalogue")
        if rule.basis is not Basis.ORGANISER:
            raise ProfileError(f"{where}: {rule_id} has basis {rule.basis.value} in the catalogue; a profile names "
                               f"only rules of basis organiser")
        if not isinstance(passage, str) or not passage.strip():
            raise ProfileError(f"{where}: {rule_id} needs the guide's passage that demands it")
    return OrganiserProfile(oid, body["name"].strip(), MappingProxyType(dict(rules)))
