"""Access rights as data: role profiles and who holds them (fixtures/roles.yaml, modelled on
STM regulation 825/2022), overridable from `<data-dir>/roles.yaml`.

A reader is a professional identified by a card (registration number = the certificate's
serialNumber); the assignment for the organisation that sends the read gives their roles.
A role says which service tasks, document groups and types it may read and whether it may
retrieve content or only see metadata. `Roles.judge` answers for one document; the client
relationship and the register usage right are judged in `mock_kanta.read.service`.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

OVERRIDE_FILE = "roles.yaml"  # in the data directory
ANY = None  # an unrestricted list ("*")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoleProfile:
    id: str
    name: dict[str, str]
    service_tasks: frozenset[str] | None  # None = any
    document_groups: frozenset[str] | None
    document_types: frozenset[str] | None
    content: bool
    note: str = ""

    def allows_task(self, task: str | None, narrowed: frozenset[str] | None = None) -> bool:
        """A document without a service task is judged by its group and type alone."""
        if task is None:
            return True
        return (self.service_tasks is None or task in self.service_tasks) and (narrowed is None or task in narrowed)

    def allows_type(self, group: str | None, types: tuple[str | None, ...]) -> bool:
        if self.document_groups is not None and group not in self.document_groups:
            return False
        return self.document_types is None or any(t in self.document_types for t in types if t)


@dataclass(frozen=True)
class Assignment:
    registration_number: str
    organisation: str
    roles: tuple[RoleProfile, ...]
    service_tasks: frozenset[str] | None = None  # narrows the roles to the tasks the person works in
    name: str | None = None

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles)


@dataclass(frozen=True)
class Verdict:
    """A role decision for one document: allowed, or the rule that refuses it and its parameters."""

    allowed: bool
    rule: str | None = None
    params: dict | None = None
    content: bool = False  # some allowing role may retrieve the content


class Roles:
    """The role profiles and the professionals' assignments in force."""

    def __init__(self, roles: dict[str, RoleProfile], assignments: dict[str, tuple[Assignment, ...]], sources: tuple[str, ...]):
        self.roles, self.assignments, self.sources = roles, assignments, sources

    def assignment(self, registration_number: str | None, organisation: str | None) -> Assignment | None:
        return next((a for a in self.assignments.get(registration_number or "", ()) if a.organisation == organisation), None)

    @staticmethod
    def judge(assignment: Assignment, *, task: str | None, group: str | None, types: tuple[str | None, ...]) -> Verdict:
        """May the assignment's roles read a document of this service task, group and types?"""
        roles = assignment.roles
        names = ", ".join(assignment.role_ids)
        task_ok = [r for r in roles if r.allows_task(task, assignment.service_tasks)]
        if not task_ok:
            return Verdict(False, "SH-ACC-013", {"roles": names, "task": task})
        both = [r for r in task_ok if r.allows_type(group, types)]
        if not both:
            shown = next((t for t in types if t), None) or "-"
            return Verdict(False, "SH-ACC-014", {"roles": names, "group": group or "-", "type": shown})
        return Verdict(True, content=any(r.content for r in both))

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
