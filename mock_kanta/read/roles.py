"""Access rights as data: role profiles and who holds them (fixtures/roles.yaml, modelled on
STM regulation 825/2022), overridable from `<data-dir>/roles.yaml`.

A reader is a professional identified by a card (registration number = the certificate's
serialNumber); the assignment for the organisation that sends the read gives their roles.
A role says which service tasks, document groups and types it may read and whether it may
retrieve content or only see metadata. The types are `rules.read.context`'s, whose checks judge
by them (`rules.read.reader`, `rules.read.documents`); this module loads them.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import yaml

from mock_kanta.rules.read.context import Assignment, RoleProfile

__all__ = ["ANY", "OVERRIDE_FILE", "Assignment", "RoleProfile", "RoleSource", "Roles"]

OVERRIDE_FILE = "roles.yaml"  # in the data directory
ANY = None  # an unrestricted list ("*")
log = logging.getLogger(__name__)


class Roles:
    """The role profiles and the professionals' assignments in force."""

    def __init__(self, roles: dict[str, RoleProfile], assignments: dict[str, tuple[Assignment, ...]], sources: tuple[str, ...]):
        self.roles, self.assignments, self.sources = roles, assignments, sources

    def assignment(self, registration_number: str | None, organisation: str | None) -> Assignment | None:
        return next((a for a in self.assignments.get(registration_number or "", ()) if a.organisation == organisation), None)

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, *paths: Path) -> "Roles":
        """Merge the YAML files in order (later ones override by key) and build the profiles."""
        merged: dict = {"roles": {}, "professionals": {}, "service_tasks": {}}
        used = []
        for path in paths:
            if path is None or not Path(path).is_file():
                continue
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping with roles and professionals")
            for key in merged:
                section = data.get(key) or {}
                if not isinstance(section, dict):
                    raise ValueError(f"{path}: {key} must be a mapping")
                merged[key].update({str(k): v for k, v in section.items()})
            used.append(str(path))
        roles = {rid: _role(rid, body) for rid, body in merged["roles"].items()}
        assignments = {}
        for number, body in merged["professionals"].items():
            body = body or {}
            items = []
            for item in body.get("assignments") or []:
                unknown = [r for r in item.get("roles") or [] if str(r) not in roles]
                if unknown:
                    raise ValueError(f"professional {number}: unknown role(s) {', '.join(map(str, unknown))}; "
                                     f"known: {', '.join(sorted(roles))}")
                items.append(Assignment(number, str(item["organisation"]), tuple(roles[str(r)] for r in item.get("roles") or []),
                                        _codes(item.get("service_tasks", "*")), body.get("name")))
            assignments[number] = tuple(items)
        return cls(roles, assignments, tuple(used))


def _codes(value) -> frozenset[str] | None:
    if value is None or value == "*":
        return ANY
    if isinstance(value, (str, int)):
        return frozenset({str(value)})
    return frozenset(str(v) for v in value)


def _role(rid: str, body: dict) -> RoleProfile:
    body = body or {}
    name = body.get("name") or {}
    if isinstance(name, str):
        name = {"fi": name, "sv": name, "en": name}
    return RoleProfile(
        id=rid, name={lang: str(name.get(lang) or name.get("fi") or rid) for lang in ("fi", "sv", "en")},
        service_tasks=_codes(body.get("service_tasks", "*")), document_groups=_codes(body.get("document_groups", "*")),
        document_types=_codes(body.get("document_types", "*")), content=bool(body.get("content", True)),
        note=str(body.get("note", "")),
    )


class RoleSource:
    """The roles in force: fixtures/roles.yaml merged with <data-dir>/roles.yaml, re-read when either changes
    (one stat per file per read). A broken override keeps the previous roles and logs why."""

    def __init__(self, fixture: Path, override: Path | None):
        self.paths = (Path(fixture), Path(override) if override else None)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._roles: Roles | None = None

    @classmethod
    def for_settings(cls, settings) -> "RoleSource":
        return cls(Path(settings.fixtures_dir) / "roles.yaml", Path(settings.data_dir) / OVERRIDE_FILE)

    def _stamps(self) -> tuple:
        out = []
        for p in self.paths:
            try:
                st = os.stat(p) if p else None
            except FileNotFoundError:
                st = None
            out.append((st.st_mtime_ns, st.st_size) if st else None)
        return tuple(out)

    def current(self) -> Roles:
        stamp = self._stamps()
        with self._lock:
            if self._roles is None or stamp != self._stamp:
                try:
                    self._roles = Roles.load(*self.paths)
                except Exception as exc:
                    if self._roles is None:
                        raise
                    log.error("roles not reloaded, the previous ones stay in force: %s", exc)
                self._stamp = stamp
            return self._roles
