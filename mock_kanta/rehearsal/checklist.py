"""Checklists of the graded rehearsals as data: load and validate `fixtures/rehearsals/*.yaml`.

A checklist names the test, who takes it (the session organisation, and for the register
usage right test a counterpart: the organiser), and its items. Each item says in `evidence`
what in the tenant's access log and stored documents counts as meeting it, with a small
declarative matcher (see docs/rehearsal.md for every key):

    kind: event            an event matching `match` (at least `min` of them)
    kind: refusal-handled  a refused event (`refusal`) followed by an accepted one (`then`) for
                           the same document or client (`same`); `every: true` asks it of every refusal
    kind: archivist-view   the documents the session archived (`documents`) are in the register's
                           archivist view (`register`); `every: true` asks it of all of them
    kind: every-event      every event matching `events` also meets `require` (at least `min` events)
    kind: right            a register usage right recorded by the organiser naming a unit of the
                           session organisation, for a client of the session's traffic

A matcher (`match`, `refusal`, `then`, `documents`, `events`, `require`) has the keys of
`Match`. Errors name the file, the item and the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

LANGS = ("fi", "sv", "en")
ACTIONS = ("archive", "replace", "void", "search", "read")
OUTCOMES = ("AA", "AE", "AR", "ok", "refused")
PARTIES = ("session", "counterpart", "any")
REGISTERS = ("session", "counterpart", "other", "any")
CLIENTS = ("any", "test-identity")
LINKS = ("document", "client")
KINDS = ("event", "refusal-handled", "archivist-view", "every-event", "right")
ORGANISATION_KINDS = ("organiser", "provider")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TEST = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ChecklistError(ValueError):
    """A checklist file that does not follow the shape; the message names file, item and key."""


@dataclass(frozen=True)
class Match:
    """What one access-log event must be. Empty tuples and "any" match everything."""

    actions: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    sender: str = "session"  # session | counterpart | any: the organisation that sent the message
    register: str = "any"  # session | counterpart | other | any: the custodian of its stored documents
    usage: tuple[str, ...] = ()  # usage situation codes (käyttötilanne)
    document_groups: tuple[str, ...] = ()  # asiakirjaryhmä codes of its stored documents
    service_requests: tuple[str, ...] = ()  # SP codes of its stored documents
    client: str = "any"  # any | test-identity (henkilötunnus individual number 900-999)
    min_documents: int = 0  # a search: at least this many returned documents in the register

    def uses_counterpart(self) -> bool:
        return "counterpart" in (self.sender, self.register)


@dataclass(frozen=True)
class Evidence:
    kind: str
    match: Match | None = None  # event: the event; every-event: the events looked at
    then: Match | None = None  # refusal-handled: the accepted event after the refusal
    require: Match | None = None  # every-event: what each of them must also be
    same: tuple[str, ...] = ()  # refusal-handled: the link between the refusal and its fix
    register: str = "session"  # archivist-view: whose register's view
    organiser: str = "counterpart"  # right: who granted it
    unit_of: str = "session"  # right: whose unit it names
    every: bool = False
    min: int = 1

    def matchers(self) -> list[Match]:
        return [m for m in (self.match, self.then, self.require) if m is not None]


@dataclass(frozen=True)
class Item:
    id: str
    title: dict[str, str]
    evidence: Evidence
    source: str
    verified: bool
    description: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checklist:
    test: str
    title: dict[str, str]
    description: dict[str, str]
    source: str
    verified: bool
    organisation_kinds: tuple[str, ...]  # which kinds of organisation may take the test
    counterpart: str | None  # None, or the kind the counterpart must be ("organiser")
    items: tuple[Item, ...]
    path: Path | None = None

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def to_json(self, *, items: bool = True) -> dict:
        out = {"test": self.test, "title": self.title, "description": self.description, "source": self.source,
               "verified": self.verified, "organisationKinds": list(self.organisation_kinds),
               "counterpart": self.counterpart, "file": self.path.name if self.path else None}
        if items:
            out["items"] = [{"id": i.id, "title": i.title, "description": i.description or None, "source": i.source,
                             "verified": i.verified, "evidence": evidence_json(i.evidence)} for i in self.items]
        return out


# --- loading ---------------------------------------------------------------------------------


def load_checklist(path: Path | str) -> Checklist:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{path.name}: not valid YAML: {exc}") from None
    return parse_checklist(data, name=path.name, path=path)


def load_checklists(directory: Path | str) -> dict[str, Checklist]:
    """Every `*.yaml` under the directory, by test id; a duplicate test id is an error."""
    found: dict[str, Checklist] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        checklist = load_checklist(path)
        if checklist.test in found:
            raise ChecklistError(f"{path.name}: test {checklist.test!r} is also defined in {found[checklist.test].path.name}")
        found[checklist.test] = checklist
    return found


def parse_checklist(data, *, name: str = "<checklist>", path: Path | None = None) -> Checklist:
    at = _Where(name)
    top = at.mapping(data, "", required=("test", "title", "source", "verified", "organisation", "items"),
                     optional=("description", "counterpart"))
    test = at.string(top, "test")
    if not _TEST.match(test):
        raise at.error("test", f"{test!r} is not a test id (lower-case letters, digits and '-')")
    organisation = at.mapping(top["organisation"], "organisation", required=("kinds",), optional=())
    kinds = at.choices(organisation, "kinds", ORGANISATION_KINDS, key="organisation.kinds")
    if not kinds:
        raise at.error("organisation.kinds", "name at least one kind")
    counterpart = None
    if top.get("counterpart") is not None:
        cp = at.mapping(top["counterpart"], "counterpart", required=("kind",), optional=())
        counterpart = at.one_of(cp, "kind", ORGANISATION_KINDS, key="counterpart.kind")
    if not isinstance(top["items"], list) or not top["items"]:
        raise at.error("items", "a non-empty list of items is needed")
    items, seen = [], set()
    for n, raw in enumerate(top["items"]):
        item = _item(at, n, raw)
        if item.id in seen:
            raise at.error(f"items[{n}].id", f"{item.id!r} is used twice")
        seen.add(item.id)
        if counterpart is None and _uses_counterpart(item.evidence):
            raise at.error(f"items[{n}] ({item.id}).evidence",
                           "refers to the counterpart, but the checklist has no `counterpart`")
        items.append(item)
    return Checklist(test, at.texts(top, "title"), at.texts(top, "description", optional=True), at.string(top, "source"),
                     at.boolean(top, "verified"), kinds, counterpart, tuple(items), path)


def _item(at: _Where, n: int, raw) -> Item:
    where = f"items[{n}]"
    item = at.mapping(raw, where, required=("id", "title", "evidence", "source", "verified"), optional=("description",))
    item_id = at.string(item, "id", key=f"{where}.id")
    if not _ID.match(item_id):
        raise at.error(f"{where}.id", f"{item_id!r} is not an item id (letters, digits, '.', '_', '-')")
    where = f"{where} ({item_id})"
    return Item(item_id, at.texts(item, "title", key=f"{where}.title"), _evidence(at, f"{where}.evidence", item["evidence"]),
                at.string(item, "source", key=f"{where}.source"), at.boolean(item, "verified", key=f"{where}.verified"),
                at.texts(item, "description", key=f"{where}.description", optional=True))


_EVIDENCE_KEYS = {
    "event": (("match",), ("min",)),
    "refusal-handled": (("refusal", "then", "same"), ("min", "every")),
    "archivist-view": (("documents", "register"), ("min", "every")),
    "every-event": (("events", "require"), ("min",)),
    "right": ((), ("organiser", "unit_of")),
}


def _evidence(at: _Where, where: str, raw) -> Evidence:
    if not isinstance(raw, dict):
        raise at.error(where, "must be a mapping with a `kind`")
    kind = at.one_of(raw, "kind", KINDS, key=f"{where}.kind")
    required, optional = _EVIDENCE_KEYS[kind]
    ev = at.mapping(raw, where, required=("kind", *required), optional=optional)
    minimum = at.integer(ev, "min", key=f"{where}.min", default=1, low=0)
    every = at.boolean(ev, "every", key=f"{where}.every", default=False)
    if kind == "event":
        return Evidence(kind, match=_match(at, f"{where}.match", ev["match"]), min=max(minimum, 1))
    if kind == "refusal-handled":
        same = at.choices(ev, "same", LINKS, key=f"{where}.same")
        if not same:
            raise at.error(f"{where}.same", f"name at least one of {', '.join(LINKS)}")
        return Evidence(kind, match=_match(at, f"{where}.refusal", ev["refusal"]), then=_match(at, f"{where}.then", ev["then"]),
                        same=same, every=every, min=minimum)
    if kind == "archivist-view":
        register = at.one_of(ev, "register", ("session", "counterpart"), key=f"{where}.register")
        return Evidence(kind, match=_match(at, f"{where}.documents", ev["documents"]), register=register, every=every,
                        min=minimum)
    if kind == "every-event":
        return Evidence(kind, match=_match(at, f"{where}.events", ev["events"]),
                        require=_match(at, f"{where}.require", ev["require"], sender="any"), min=minimum)
    return Evidence(kind, organiser=at.one_of(ev, "organiser", ("counterpart", "session"), key=f"{where}.organiser",
                                              default="counterpart"),
                    unit_of=at.one_of(ev, "unit_of", ("session", "counterpart"), key=f"{where}.unit_of", default="session"))


_MATCH_KEYS = ("action", "outcome", "sender", "register", "usage", "document_group", "service_request", "client",
               "min_documents")


def _match(at: _Where, where: str, raw, *, sender: str = "session") -> Match:
    m = at.mapping(raw, where, required=(), optional=_MATCH_KEYS)
    return Match(
        actions=at.choices(m, "action", ACTIONS, key=f"{where}.action"),
        outcomes=at.choices(m, "outcome", OUTCOMES, key=f"{where}.outcome"),
        sender=at.one_of(m, "sender", PARTIES, key=f"{where}.sender", default=sender),
        register=at.one_of(m, "register", REGISTERS, key=f"{where}.register", default="any"),
        usage=at.codes(m, "usage", key=f"{where}.usage"),
        document_groups=at.codes(m, "document_group", key=f"{where}.document_group"),
        service_requests=at.codes(m, "service_request", key=f"{where}.service_request"),
        client=at.one_of(m, "client", CLIENTS, key=f"{where}.client", default="any"),
        min_documents=at.integer(m, "min_documents", key=f"{where}.min_documents", default=0, low=0),
    )


def _uses_counterpart(ev: Evidence) -> bool:
    return (any(m.uses_counterpart() for m in ev.matchers())
            or (ev.kind == "archivist-view" and ev.register == "counterpart")
            or (ev.kind == "right" and "counterpart" in (ev.organiser, ev.unit_of)))


def evidence_json(ev: Evidence) -> dict:
    """The matcher as data (for the API and the report)."""
    def match(m: Match | None) -> dict | None:
        if m is None:
            return None
        out = {"action": list(m.actions), "outcome": list(m.outcomes), "sender": m.sender, "register": m.register,
               "usage": list(m.usage), "documentGroup": list(m.document_groups),
               "serviceRequest": list(m.service_requests), "client": m.client, "minDocuments": m.min_documents}
        return {k: v for k, v in out.items() if v not in ([], "any", 0)}

    names = {"event": ("match",), "refusal-handled": ("refusal", "then"), "archivist-view": ("documents",),
             "every-event": ("events", "require"), "right": ()}[ev.kind]
    out: dict = {"kind": ev.kind}
    for name, m in zip(names, (ev.match, ev.then if ev.kind == "refusal-handled" else ev.require)):
        out[name] = match(m)
    if ev.kind == "refusal-handled":
        out["same"] = list(ev.same)
    if ev.kind == "archivist-view":
        out["register"] = ev.register
    if ev.kind == "right":
        out.update(organiser=ev.organiser, unitOf=ev.unit_of)
    if ev.kind in ("refusal-handled", "archivist-view"):
        out["every"] = ev.every
    out["min"] = ev.min
    return out


# --- validation helpers -------------------------------------------------------------------------


class _Where:
    """Reads values out of parsed YAML and raises ChecklistError naming the file and the key."""

    def __init__(self, name: str):
        self.name = name

    def error(self, key: str, problem: str) -> ChecklistError:
        return ChecklistError(f"{self.name}: {key}: {problem}" if key else f"{self.name}: {problem}")

    def mapping(self, value, key: str, *, required: tuple, optional: tuple) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, "must be a mapping")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.error(key, f"missing {', '.join(missing)}")
        unknown = sorted(str(k) for k in value if k not in required and k not in optional)
        if unknown:
            known = ", ".join((*required, *optional))
            raise self.error(key, f"unknown key {', '.join(unknown)} (known: {known})")
        return value

    def string(self, d: dict, name: str, *, key: str | None = None) -> str:
        value = d.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key or name, "must be a non-empty string")
        return value.strip()

    def boolean(self, d: dict, name: str, *, key: str | None = None, default: bool | None = None) -> bool:
        if name not in d and default is not None:
            return default
        value = d.get(name)
        if not isinstance(value, bool):
            raise self.error(key or name, f"must be true or false, not {value!r}")
        return value

    def integer(self, d: dict, name: str, *, key: str, default: int, low: int) -> int:
        value = d.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise self.error(key, f"must be a whole number >= {low}, not {value!r}")
        return value

    def texts(self, d: dict, name: str, *, key: str | None = None, optional: bool = False) -> dict[str, str]:
        """fi/sv/en texts: a mapping with all three, or one string used for every language."""
        key = key or name
        value = d.get(name)
        if value is None and optional:
            return {}
        if isinstance(value, str) and value.strip():
            return {lang: value.strip() for lang in LANGS}
        if not isinstance(value, dict):
            raise self.error(key, "must be a string or a mapping of fi, sv and en texts")
        missing = [lang for lang in LANGS if not isinstance(value.get(lang), str) or not value[lang].strip()]
        if missing:
            raise self.error(key, f"missing the {', '.join(missing)} text")
        unknown = sorted(str(k) for k in value if k not in LANGS)
        if unknown:
            raise self.error(key, f"unknown language {', '.join(unknown)} (fi, sv, en)")
        return {lang: value[lang].strip() for lang in LANGS}

    def one_of(self, d: dict, name: str, allowed: tuple, *, key: str, default: str | None = None) -> str:
        value = d.get(name, default)
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def choices(self, d: dict, name: str, allowed: tuple, *, key: str) -> tuple[str, ...]:
        values = _listed(d.get(name))
        for v in values:
            if v not in allowed:
                raise self.error(key, f"{v!r} is not one of {', '.join(allowed)}")
        return values

    def codes(self, d: dict, name: str, *, key: str) -> tuple[str, ...]:
        raw = d.get(name)
        values = _listed(raw)
        if any(isinstance(v, bool) or not isinstance(v, (str, int)) or not str(v).strip() for v in values):
            raise self.error(key, f"must be a code or a list of codes, not {raw!r}")
        return tuple(str(v).strip() for v in values)


def _listed(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)
