"""Scenario files: YAML parsed and validated into a `Scenario` (docs/scenarios.md has the full reference).

`load_scenario(path_or_text)` checks everything it can without a sandbox: every key known,
every value of the right kind, every name (client, professional, unit, document, matter)
defined before it is used, every rule id known to this sandbox, henkilötunnus values test
identities (900-999). All problems are reported at once in a `ScenarioError`, each naming
the file, the step number, its line and the key.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from mock_kanta.client.parties import artificial_hetu
from mock_kanta.core.identity import HetuError, parse_hetu
from mock_kanta.core.resources import builtin
from mock_kanta.faults.service import parse as parse_fault
from mock_kanta.scenario import fields as f
from mock_kanta.scenario.fields import INVALID, Ctx, check_keys

TOP_KEYS = ("scenario", "title", "description", "start", "verdicts", "people", "units", "steps")
LANGS = ("fi", "sv", "en")
MAX_BYTES = 1024 * 1024
MAX_NODES = 500_000  # values once aliases are expanded: more than a file of MAX_BYTES can hold without them

DOCUMENT = {
    "service_task": (f.coded, False), "services": (f.codes, False), "phase": (f.coded, False),
    "restriction": (f.mapping({"code": (f.code, False), "display": (f.text, False), "text": (f.text, False),
                               "until": (f.day, False)}), False),
    "consent": (f.coded, False), "type": (f.coded, False), "specific_type": (f.coded, False),
    "organiser": (f.ref("unit"), False), "effective": (f.day_or_moment, False), "display_format": (f.choice("xhtml", "pdf"), False),
    "content": (lambda v, w, c: v if isinstance(v, dict) else c.problem(w, "expected a mapping"), False),
    "language": (f.choice("fi", "sv"), False), "special_content": (f.boolean, False),
}
ACK = {"ack": (f.choice("AA", "AE", "AR"), False), "rules": (f.rule_ids, False), "not_rules": (f.rule_ids, False)}
READ = {"status": (f.choice("ok", "refused"), False), **ACK}
NO_ANSWER = {"no_answer": (f.choice("timeout", "dropped"), False)}
CHANNELS = ("archive", "validate", "query", "retrieve")
VERDICTS = ("AA", "AE", "AR", "valid", "invalid", "ok", "refused")


def seconds(value, where: str, ctx: Ctx) -> Any:
    """A client-side timeout in seconds: a number above 0, at most 600."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 600:
        return float(value)
    return ctx.problem(where, f"expected seconds (a number above 0, at most 600), got {f.show(value)}")


def base64_bytes(value, where: str, ctx: Ctx) -> Any:
    """Bytes written as base64 (a recorded message's bytes, exactly)."""
    if isinstance(value, str):
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            pass
    return ctx.problem(where, "expected base64 text")


def probability(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    return ctx.problem(where, f"expected a number above 0, at most 1, got {f.show(value)}")


# a fault step's keys (snake_case) -> the faults API's (camelCase)
FAULT_KEYS = {"kind": "kind", "endpoint": "endpoint", "message_type": "messageType", "when": "when", "delay_ms": "delayMs",
              "jitter_ms": "jitterMs", "status": "status", "ack": "ack", "code": "code", "text": "text", "count": "count",
              "probability": "probability"}
FAULT = {"kind": (f.choice("delay", "status", "drop", "refuse", "clear"), True),
         "endpoint": (f.choice("archive", "validate", "query", "retrieve", "any"), False),
         "message_type": (f.text, False), "when": (f.choice("before", "after"), False), "delay_ms": (f.count, False),
         "jitter_ms": (f.count, False), "status": (f.count, False), "ack": (f.choice("AE", "AR"), False),
         "code": (f.text, False), "text": (f.text, False), "count": (f.count, False), "probability": (probability, False)}
SEND = {"channel": (f.choice(*CHANNELS), True), "content_type": (f.text, False), "body": (base64_bytes, False),
        "frame": (base64_bytes, False), "document": (base64_bytes, False), "transport": (f.choice("multipart", "soap"), False),
        "resend": (f.ref("document"), False), "service_request": (f.code, False), "replays": (f.count, False),
        "timeout": (seconds, False)}
DOCUMENTS = {"documents": (f.list_of(f.ref("document")), False), "not_documents": (f.list_of(f.ref("document")), False),
             "count": (f.count, False)}

# kind -> (action keys, expect keys or None when the step has nothing to expect)
STEPS: dict[str, tuple[dict, dict | None]] = {
    "clock": ({"set": (f.moment, False), "advance": (f.delta, False)}, None),
    "grant": ({"organiser": (f.ref("unit"), True), "client": (f.ref("client"), True), "provider": (f.ref("unit"), False),
               "service_task": (f.coded, True), "services": (f.codes, True), "from": (f.day, True), "to": (f.day, False),
               "id": (f.alias_name, False), "replaces": (f.ref("grant"), False), "as": (f.ref("professional"), False),
               "signer": (f.signer, False), "transport": (f.choice("multipart", "soap"), False)}, ACK),
    "matter": ({"organiser": (f.ref("unit"), True), "client": (f.ref("client"), True), "id": (f.alias_name, True)}, None),
    "archive": ({"id": (f.alias_name, False), "as": (f.ref("professional"), True), "unit": (f.ref("unit"), True),
                 "register": (f.register, True), "client": (f.ref("client"), True), "matter": (f.ref("matter"), False),
                 "usage": (f.code, False), "document": (f.mapping(DOCUMENT), False), "replaces": (f.ref("document"), False),
                 "signer": (f.signer, False), "sender": (f.ref("unit"), False),
                 "transport": (f.choice("multipart", "soap"), False), "timeout": (seconds, False)}, {**ACK, **NO_ANSWER}),
    "query": ({"as": (f.ref("professional"), True), "unit": (f.ref("unit"), True), "client": (f.ref("client"), True),
               "register": (f.register, False), "usage": (f.code, False), "matter": (f.ref("matter"), False),
               "service_tasks": (f.codes, False), "document_groups": (f.codes, False), "document_types": (f.codes, False),
               "since": (f.day_or_moment, False), "until": (f.day_or_moment, False), "current_only": (f.boolean, False),
               "include_voided": (f.boolean, False), "limit": (f.count, False)}, {**READ, **DOCUMENTS}),
    "retrieve": ({"as": (f.ref("professional"), True), "unit": (f.ref("unit"), True), "document": (f.ref("document"), True),
                  "usage": (f.code, False), "client": (f.ref("client"), False), "register": (f.register, False),
                  "history": (f.boolean, False)},
                 {**READ, **DOCUMENTS, "same_as_sent": (f.boolean, False)}),
    "guardian": ({"client": (f.ref("client"), True), "guardian": (f.ref("client"), True), "since": (f.day, False),
                  "until": (f.day, False)}, None),
    "omakanta": ({"client": (f.ref("client"), True), "viewer": (f.viewer, True), "register": (f.register, False)},
                 {"visible": (f.list_of(f.ref("document")), False), "hidden": (f.list_of(f.ref("document")), False),
                  "reasons": (f.reason_codes, False)}),
    "archivist": ({"register": (f.register, True), "client": (f.ref("client"), False)},
                  {**DOCUMENTS, "same_as_sent": (f.boolean, False)}),
    "fault": (FAULT, None),
    "send": (SEND, {"verdict": (f.choice(*VERDICTS), False), "rules": (f.rule_ids, False),
                    "not_rules": (f.rule_ids, False), **NO_ANSWER}),
}
# What a step without `expect:` must do (docs/scenarios.md): act successfully.
DEFAULT_EXPECT = {"grant": {"ack": "AA"}, "archive": {"ack": "AA"}, "query": {"status": "ok"}, "retrieve": {"status": "ok"}}
CLIENT = {"born": (f.day, False), "given": (f.text, True), "family": (f.text, True), "hetu": (f.text, False),
          "number": (f.count, False), "gender": (f.choice("1", "2"), False), "guardians": (f.list_of(f.text), False)}
PROFESSIONAL = {"registration": (f.code, True), "given": (f.text, True), "family": (f.text, True), "title": (f.text, False),
                "hetu": (f.text, False), "pin": (f.code, False)}
UNIT = {"organisation": (f.oid, True), "unit": (f.oid, True)}


class _Loader(yaml.SafeLoader):
    """Safe YAML where a timestamp that is not a real date (2026-13-01) stays text, for a precise error later."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class ScenarioError(ValueError):
    """A scenario file that cannot be run; `problems` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class ClientSpec:
    alias: str
    hetu: str
    given: str
    family: str
    gender: str | None = None
    guardians: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfessionalSpec:
    alias: str
    registration: str
    given: str
    family: str
    title: str | None = None
    hetu: str | None = None
    pin: str = "1234"


@dataclass(frozen=True)
class UnitSpec:
    alias: str
    organisation: str
    unit: str


@dataclass(frozen=True)
class Step:
    """One step: `kind` is the action key, `args` its checked values, `expect` what must come back."""

    number: int
    kind: str
    args: dict
    expect: dict
    title: dict[str, str] | None = None  # {fi, sv, en} (a plain text in the file is English)
    line: int | None = None

    @property
    def label(self) -> str:
        """A short name: "archive plan1", "clock set 2026-11-02 10:00", "omakanta aino as guardian:maija"."""
        a = self.args
        if self.kind == "clock":
            if "set" in a:
                return f"clock set {a['set'].isoformat(timespec='minutes')}"
            return "clock advance " + " ".join(f"{v:g} {k[:-1] if v in (1, -1) else k}" for k, v in a["advance"].items())
        if self.kind in ("grant", "archive", "matter"):
            return f"{self.kind} {a.get('id') or a['client']}"
        if self.kind == "query":
            return f"query {a['client']} by {a['as']}"
        if self.kind == "retrieve":
            return f"retrieve {a['document']} by {a['as']}"
        if self.kind == "guardian":
            return f"guardian {a['guardian']} of {a['client']}"
        if self.kind == "omakanta":
            return f"omakanta {a['client']} as {a['viewer']}"
        if self.kind == "fault":
            return f"fault {a['kind']}" + (f" on {a['endpoint']}" if a.get("endpoint") else "")
        if self.kind == "send":
            return f"send {a['channel']}" + (f" {a['resend']} again" if a.get("resend") else "") + (
                f" (replays {a['replays']})" if a.get("replays") else "")
        return f"archivist {a['register']}"

    def title_in(self, lang: str = "en") -> str | None:
        """The step title in `lang`, else in English, else in any language given."""
        if not self.title:
            return None
        return self.title.get(lang) or self.title.get("en") or next(iter(self.title.values()))

    def name_in(self, lang: str = "en") -> str:
        title = self.title_in(lang)
        return f"{self.label}: {title}" if title else self.label

    @property
    def name(self) -> str:
        return self.name_in("en")


@dataclass(frozen=True)
class VerdictsSpec:
    """`verdicts: {organisers: [unit alias or organiser OID, ...], strict: false}`: the organiser profiles turned on in
    the scenario's tenant (each refuses its own rules in its register) and strict (every finding refuses)."""

    organisers: tuple[str, ...] = ()
    strict: bool = False


@dataclass(frozen=True)
class Scenario:
    id: str
    title: dict[str, str]
    description: str
    start: datetime | None
    clients: dict[str, ClientSpec]
    professionals: dict[str, ProfessionalSpec]
    units: dict[str, UnitSpec]
    steps: tuple[Step, ...]
    source: str = "<text>"
    path: Path | None = None
    verdicts: VerdictsSpec | None = None  # the fresh tenant's verdict profile (docs/verdicts.md)

    def title_in(self, lang: str = "en") -> str:
        return self.title.get(lang) or next(iter(self.title.values()), self.id)

    def time_span(self, now: datetime) -> tuple[datetime, datetime]:
        """The earliest and latest sandbox time the steps reach (the clock stands still between clock steps)."""
        t = self.start or now
        low = high = t
        for step in self.steps:
            if step.kind == "clock":
                t = step.args["set"] if "set" in step.args else t + f.as_timedelta(step.args["advance"])
                low, high = min(low, t), max(high, t)
            effective = step.args.get("document", {}).get("effective") if step.kind == "archive" else None
            if isinstance(effective, datetime):
                low, high = min(low, effective), max(high, effective)
            elif isinstance(effective, date):
                moment = datetime.combine(effective, datetime.min.time(), f.HELSINKI)
                low, high = min(low, moment), max(high, moment + timedelta(days=1))
        return low, high


def _lines(root) -> list[int]:
    """Line numbers (1-based) of each step, from the YAML node tree."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _expanded_size(root) -> int:
    """How many nodes the document has once every alias is expanded; ValueError for an alias
    inside what it names (a recursive structure). Counted on the node graph, so a "billion
    laughs" file is measured without being expanded."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:  # iterative: a deeply nested file must not exhaust Python's stack here
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                    else node.value if isinstance(node, yaml.SequenceNode) else [])
        if children_done:
            open_nodes.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_NODES + 1)
            continue
        if key in open_nodes:
            raise ValueError(f"line {node.start_mark.line + 1}: an alias refers to a node that contains it")
        open_nodes.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise ValueError(f"line {child.start_mark.line + 1}: an alias refers to a node that contains it")
            stack.append((child, False))
    return sizes[id(root)]


def _parse(text: str, label: str):
    """(data, root node) of the YAML text; ScenarioError for YAML that is invalid, nested too deeply,
    or that aliases would make too large."""
    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            return None, None
        size = _expanded_size(root)
        if size > MAX_NODES:
            raise ScenarioError(label, [f"{label}: more than {MAX_NODES} values once its aliases (*name) are expanded"])
        return loader.construct_document(root), root
    except yaml.reader.ReaderError as exc:  # a control character, which YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError(label, [f"{label}: line {line}: not valid YAML: character {exc.character:#06x} "
                                    "is not allowed (control characters other than tab and newline)"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ScenarioError(label, [f"{label}: {at}not valid YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    except ScenarioError:
        raise
    except ValueError as exc:  # from _expanded_size
        raise ScenarioError(label, [f"{label}: {exc}"]) from None
    except RecursionError:
        raise ScenarioError(label, [f"{label}: nested too deeply (lists or mappings within each other)"]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _title(value, ctx: Ctx, where: str = "title") -> dict[str, str]:
    """A title: one text (English) or {fi: ..., sv: ..., en: ...} (the scenario's and each step's)."""
    if isinstance(value, str) and value.strip():
        return {"en": value}
    if isinstance(value, dict) and value:
        out = {}
        for lang, text in value.items():
            if lang not in LANGS:
                ctx.problem(f"{where}.{lang}", f"unknown language; use {', '.join(LANGS)}")
            elif f.text(text, f"{where}.{lang}", ctx) is not INVALID:
                out[lang] = text
        return out
    ctx.problem(where, "expected a text or {fi: ..., sv: ..., en: ...}")
    return {}


def _clients(value, ctx: Ctx) -> dict[str, ClientSpec]:
    out: dict[str, ClientSpec] = {}
    for n, (alias, where, checked) in enumerate(_entries(value, "people.clients", "client", CLIENT, "{born, given, family}", ctx)):
        hetu = checked.get("hetu")
        if hetu:
            parsed = _test_hetu(hetu, f"{where}.hetu", ctx)
            if parsed is None:
                continue
            if checked.get("born") and checked["born"] != parsed.birth_date:
                ctx.problem(f"{where}.born", f"{checked['born']} differs from the henkilötunnus's birth date {parsed.birth_date}")
                continue
        elif not checked.get("born"):
            ctx.problem(where, "give born: (the henkilötunnus is made from it) or hetu:")
            continue
        else:
            number = checked.get("number", 900 + n % 100)
            try:
                hetu = artificial_hetu(checked["born"], number)
            except ValueError as exc:
                ctx.problem(f"{where}.number" if "number" in checked else f"{where}.born", str(exc))
                continue
        out[alias] = ClientSpec(alias, hetu, checked["given"], checked["family"], checked.get("gender"),
                                tuple(checked.get("guardians") or ()))
    seen: dict[str, str] = {}
    for alias, c in out.items():
        if c.hetu in seen:
            ctx.problem(f"people.clients.{alias}", f"same henkilötunnus {c.hetu} as {seen[c.hetu]}; give number: (900-999)")
        seen[c.hetu] = alias
        for i, g in enumerate(c.guardians):
            if g == alias:
                ctx.problem(f"people.clients.{alias}.guardians[{i}]", "a person cannot be their own guardian")
            else:
                f.ref("client")(g, f"people.clients.{alias}.guardians[{i}]", ctx)
    return out


def _professionals(value, ctx: Ctx) -> dict[str, ProfessionalSpec]:
    out: dict[str, ProfessionalSpec] = {}
    for alias, where, checked in _entries(value, "people.professionals", "professional", PROFESSIONAL,
                                          "{registration, given, family, title}", ctx):
        if not re.fullmatch(r"\d{4,20}", checked["registration"]):
            ctx.problem(f"{where}.registration", f"expected the registration number's digits, got {checked['registration']!r}")
            continue
        if checked.get("pin") and not re.fullmatch(r"\d{4,8}", checked["pin"]):
            ctx.problem(f"{where}.pin", "the PIN must be 4 to 8 digits")
            continue
        hetu = checked.get("hetu")
        if hetu and _test_hetu(hetu, f"{where}.hetu", ctx) is None:
            continue
        out[alias] = ProfessionalSpec(alias, checked["registration"], checked["given"], checked["family"],
                                      checked.get("title"), hetu, checked.get("pin") or "1234")
    return out


VERDICTS = {"organisers": (f.list_of(f.register), False), "strict": (f.boolean, False)}


def _verdicts(value, ctx: Ctx) -> VerdictsSpec | None:
    """The tenant's verdict profile; unit aliases are read after `units` (they name their organisation)."""
    checked = f.mapping(VERDICTS)(value, "verdicts", ctx)
    if checked is INVALID:
        return None
    return VerdictsSpec(tuple(checked.get("organisers") or ()), bool(checked.get("strict")))


def _units(value, ctx: Ctx) -> dict[str, UnitSpec]:
    return {alias: UnitSpec(alias, checked["organisation"], checked["unit"])
            for alias, _where, checked in _entries(value, "units", "unit", UNIT, "{organisation: OID, unit: OID}", ctx)}


def _entries(value, section: str, kind: str, schema, fields: str, ctx: Ctx):
    """(alias, where, checked fields) of each valid entry of an alias mapping; every alias is made known as `kind`."""
    if not isinstance(value, dict):
        ctx.problem(section, f"expected a mapping of alias to {fields}")
        return
    for alias, spec in value.items():
        where = f"{section}.{alias}"
        if f.alias_name(alias, where, ctx) is INVALID:
            continue
        ctx.known[kind][alias] = 0
        checked = f.mapping(schema)(spec, where, ctx)
        if checked is not INVALID:
            yield alias, where, checked


def _test_hetu(hetu: str, where: str, ctx: Ctx):
    """The parsed henkilötunnus if it is valid and a test identity (individual number 900-999); else None, said."""
    try:
        parsed = parse_hetu(hetu)
    except HetuError as exc:
        ctx.problem(where, f"{hetu} is not a valid henkilötunnus: {exc}")
        return None
    if not 900 <= parsed.individual_number <= 999:
        ctx.problem(where, f"{hetu} is not a test identity: the individual number must be 900-999")
        return None
    return parsed


def _step(n: int, raw, line: int | None, ctx: Ctx) -> Step | None:
    where = f"step {n}" + (f" (line {line})" if line else "")
    if not isinstance(raw, dict):
        ctx.problem(where, f"expected a mapping with one action ({', '.join(STEPS)}), got {f._type(raw)}")
        return None
    actions = [k for k in raw if k in STEPS]
    others = [k for k in raw if k not in STEPS and k not in ("title", "expect")]
    for k in others:
        ctx.problem(where, f"unknown key {k!r}{f.suggest(k, [*STEPS, 'title', 'expect'])}; a step has one action "
                           f"({', '.join(STEPS)}), and optionally title and expect")
    if len(actions) != 1:
        if not others:
            ctx.problem(where, f"expected exactly one action ({', '.join(STEPS)}), got "
                               f"{', '.join(actions) if actions else 'none'}")
        return None
    kind = actions[0]
    where = f"step {n} ({kind}" + (f", line {line})" if line else ")")
    spec, expect_spec = STEPS[kind]
    title = _title(raw["title"], ctx, f"{where}: title") or None if raw.get("title") is not None else None
    body = raw[kind]
    if not isinstance(body, dict):
        ctx.problem(f"{where}: {kind}", f"expected a mapping of {', '.join(spec)}, got {f._type(body)}")
        return None
    args = check_keys(body, spec, f"{where}: {kind}", ctx)
    if kind == "clock" and isinstance(args, dict) and len(body) != 1:
        ctx.problem(f"{where}: clock", "give exactly one of set: or advance:")
    expect: Any = {}
    if "expect" in raw:
        if expect_spec is None:
            ctx.problem(f"{where}: expect", f"a {kind} step has nothing to expect (it fails when the sandbox refuses it)")
        elif not isinstance(raw["expect"], dict):
            ctx.problem(f"{where}: expect", f"expected a mapping of {', '.join(expect_spec)}")
        else:
            expect = check_keys(raw["expect"], expect_spec, f"{where}: expect", ctx)
    else:
        expect = dict(DEFAULT_EXPECT.get(kind, {}))
    _define(kind, body.get("id"), n, where, ctx)  # even when the step has problems: no knock-on errors later
    if args is INVALID or expect is INVALID:
        return None
    _cross_checks(kind, args, expect, where, ctx)
    return Step(n, kind, args, expect, title, line)


def _define(kind: str, new_id, n: int, where: str, ctx: Ctx) -> None:
    if kind not in ("grant", "archive", "matter") or not isinstance(new_id, str) or not f.ALIAS.match(new_id):
        return
    if any(new_id in ctx.known[k] for k in ("document", "matter")):
        ctx.problem(f"{where}: {kind}.id", f"{new_id!r} is already the id of another step")
        return
    ctx.known["matter" if kind == "matter" else "document"][new_id] = n
    if kind == "grant":
        ctx.known["grant"][new_id] = n


def _cross_checks(kind: str, args: dict, expect: dict, where: str, ctx: Ctx) -> None:
    if kind == "fault" and args["kind"] != "clear":
        try:
            parse_fault({FAULT_KEYS[k]: v for k, v in args.items()})
        except ValueError as exc:
            ctx.problem(f"{where}: fault", str(exc))
    if kind == "fault" and args["kind"] == "clear" and len(args) != 1:
        ctx.problem(f"{where}: fault", "kind: clear takes nothing else (it clears every fault of the tenant)")
    if kind == "send":
        parts, raw = "frame" in args or "document" in args, "body" in args
        if parts + raw + ("resend" in args) != 1:
            ctx.problem(f"{where}: send", "give one of body (the raw HTTP body), frame (and document), or resend "
                                          "(a document an earlier step sent)")
        if "resend" in args and args["channel"] not in ("archive", "validate"):
            ctx.problem(f"{where}: send", "resend is for archive and validate")
        if parts and "frame" not in args:
            ctx.problem(f"{where}: send", "a document goes with its frame")
        if parts and args["channel"] not in ("archive", "validate"):
            ctx.problem(f"{where}: send", "frame and document are for archive and validate; a read sends its body")
        if raw and "content_type" not in args:
            ctx.problem(f"{where}: send", "a raw body needs its content_type")
    if kind == "grant" and args.get("to") and args["to"] < args["from"]:
        ctx.problem(f"{where}: grant.to", f"{args['to']} is before from: {args['from']}")
    if kind == "guardian" and args["client"] == args["guardian"]:
        ctx.problem(f"{where}: guardian", "a person cannot be their own guardian")
    if "status" in expect and "ack" in expect and (expect["status"] == "ok") != (expect["ack"] == "AA"):
        ctx.problem(f"{where}: expect", f"status {expect['status']} contradicts ack {expect['ack']}")
    both = set(expect.get("rules") or ()) & set(expect.get("not_rules") or ())
    if both:
        ctx.problem(f"{where}: expect", f"{', '.join(sorted(both))} both in rules and not_rules")
    both = set(expect.get("documents") or ()) & set(expect.get("not_documents") or ())
    if both:
        ctx.problem(f"{where}: expect", f"{', '.join(sorted(both))} both in documents and not_documents")
    both = set(expect.get("visible") or ()) & set(expect.get("hidden") or ())
    if both:
        ctx.problem(f"{where}: expect", f"{', '.join(sorted(both))} both visible and hidden")
    for alias in expect.get("reasons") or {}:
        if alias in (expect.get("visible") or ()):
            ctx.problem(f"{where}: expect.reasons.{alias}", "a visible document has no reasons to be hidden")


def load_scenario(source: str | Path, *, name: str | None = None) -> Scenario:
    """A validated scenario from a file path or from YAML text (`name` names the text in errors)."""
    path = None
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        label = str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ScenarioError(label, [f"{label}: larger than {MAX_BYTES // 1024} KiB"])
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(label, [f"{label}: cannot read: {exc.strerror or exc}"]) from None
        except UnicodeDecodeError:
            raise ScenarioError(label, [f"{label}: not UTF-8 text"]) from None
    else:
        text, label = str(source), name or "<text>"
    if len(text) > MAX_BYTES:
        raise ScenarioError(label, [f"{label}: larger than {MAX_BYTES // 1024} KiB"])
    data, root = _parse(text, label)
    if not isinstance(data, dict):
        raise ScenarioError(label, [f"{label}: expected a mapping with {', '.join(TOP_KEYS)}"])
    ctx = Ctx(label)
    step_lines = _lines(root)
    for key in data:
        if key not in TOP_KEYS:
            ctx.problem(str(key), f"unknown top-level key{f.suggest(key, TOP_KEYS)}; expected {', '.join(TOP_KEYS)}")
    default_id = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") if path else "scenario"
    scenario_id = data.get("scenario", default_id)
    if f.alias_name(scenario_id, "scenario", ctx) is INVALID:
        scenario_id = default_id
    title = _title(data["title"], ctx) if "title" in data else {"en": scenario_id}
    description = data.get("description") or ""
    if not isinstance(description, str):
        ctx.problem("description", "expected a text")
        description = ""
    start = f.moment(data["start"], "start", ctx) if data.get("start") is not None else None
    people = data.get("people") or {}
    if not isinstance(people, dict):
        ctx.problem("people", "expected a mapping with clients and professionals")
        people = {}
    for key in people:
        if key not in ("clients", "professionals"):
            ctx.problem(f"people.{key}", f"unknown key{f.suggest(key, ('clients', 'professionals'))}; expected clients, professionals")
    clients = _clients(people.get("clients") or {}, ctx)
    professionals = _professionals(people.get("professionals") or {}, ctx)
    units = _units(data.get("units") or {}, ctx)
    verdicts = _verdicts(data["verdicts"], ctx) if data.get("verdicts") is not None else None
    raw_steps = data.get("steps")
    steps: list[Step] = []
    if not isinstance(raw_steps, list) or not raw_steps:
        ctx.problem("steps", "expected a list of at least one step")
    else:
        for n, raw in enumerate(raw_steps, 1):
            step = _step(n, raw, step_lines[n - 1] if n - 1 < len(step_lines) else None, ctx)
            if step is not None:
                steps.append(step)
    if ctx.problems:
        raise ScenarioError(label, ctx.problems)
    return Scenario(scenario_id, title, description.strip(), start if start is not INVALID else None, clients,
                    professionals, units, tuple(steps), label, path, verdicts)


def builtin_dir() -> Path:
    """Where the built-in scenarios live: $MOCK_KANTA_SCENARIOS, else the package's own."""
    if os.environ.get("MOCK_KANTA_SCENARIOS"):
        return Path(os.environ["MOCK_KANTA_SCENARIOS"])
    return builtin("scenarios")


def builtin_scenarios() -> list[Path]:
    return sorted(builtin_dir().glob("*.yaml"))


def resolve(name: str) -> Path:
    """A scenario file: a path, or the name of a built-in scenario (its file stem)."""
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    return builtin_dir() / f"{name}.yaml"


__all__ = ["ClientSpec", "ProfessionalSpec", "Scenario", "ScenarioError", "Step", "UnitSpec", "builtin_dir",
           "builtin_scenarios", "load_scenario", "resolve"]
