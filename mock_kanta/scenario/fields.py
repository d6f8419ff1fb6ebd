"""Value checks for scenario files: each takes (value, where, ctx) and returns the normalised value or INVALID.

A check that fails records one problem naming the place (`where`: "step 4 (archive, line 31): document.phase")
and what was expected, and returns INVALID; the loader collects every problem before it gives up.
"""
from __future__ import annotations

import difflib
import re
import reprlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from mock_kanta.core.identity import is_oid
from mock_kanta.omakanta.service import REASONS
from mock_kanta.rules import REGISTRY

HELSINKI = ZoneInfo("Europe/Helsinki")
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()
ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DELTA_KEYS = ("days", "hours", "minutes", "seconds")
REF_KINDS = {"client": "people.clients", "professional": "people.professionals", "unit": "units",
             "document": "the id of an earlier grant or archive step", "matter": "the id of an earlier matter step",
             "grant": "the id of an earlier grant step"}


@dataclass
class Ctx:
    """Problems found so far, and the aliases a reference may name (documents and matters as the steps define them)."""

    source: str
    problems: list[str] = field(default_factory=list)
    known: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in REF_KINDS})

    def problem(self, where: str, message: str) -> Any:
        self.problems.append(f"{self.source}: {where}: {message}")
        return INVALID


Check = Callable[[Any, str, Ctx], Any]


def suggest(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 80, 80


def show(value) -> str:
    """A value as a problem line quotes it: repr, cut short (a value may be a huge aliased structure)."""
    return _SHORT.repr(value)


def _type(value) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing (null)"}.get(type(value), type(value).__name__)


def text(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    return ctx.problem(where, f"expected a non-empty text, got {_type(value)}")


def alias_name(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, str) and ALIAS.match(value):
        return value
    return ctx.problem(where, f"{show(value)} is not a usable name (letters, digits, '-', '_' and '.', at most 64)")


def code(value, where: str, ctx: Ctx) -> Any:
    """A code: "24" (a bare number is taken as its digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and CODE.match(value):
        return value
    return ctx.problem(where, f"expected a code such as \"24\", got {show(value)}")


def coded(value, where: str, ctx: Ctx) -> Any:
    """A code, or [code, display name] for a code the sandbox's code lists may not name."""
    if isinstance(value, list):
        if len(value) == 2 and isinstance(value[1], str):
            c = code(value[0], where, ctx)
            return INVALID if c is INVALID else (c, value[1])
        return ctx.problem(where, f"expected a code or [code, display name], got a list of {len(value)}")
    return code(value, where, ctx)


def list_of(check: Check, *, allow_empty: bool = True) -> Check:
    def checked(value, where: str, ctx: Ctx) -> Any:
        if not isinstance(value, list):
            return ctx.problem(where, f"expected a list, got {_type(value)}")
        if not value and not allow_empty:
            return ctx.problem(where, "expected at least one item")
        out = [check(v, f"{where}[{i}]", ctx) for i, v in enumerate(value)]
        return INVALID if INVALID in out else out
    return checked


codes = list_of(coded)


def day(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, datetime):
        return ctx.problem(where, f"expected a date (2026-11-01), got a date and time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return ctx.problem(where, f"expected a date such as 2026-11-01, got {show(value)}")


def moment(value, where: str, ctx: Ctx) -> Any:
    """A date and time; without a UTC offset it is Helsinki time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ctx.problem(where, f"expected a date and time such as 2026-11-02T10:00:00+02:00, got {show(value)}")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=HELSINKI)
    if isinstance(value, date):
        return ctx.problem(where, f"expected a date and time (2026-11-02T10:00:00+02:00), got only a date {value}")
    return ctx.problem(where, f"expected a date and time such as 2026-11-02T10:00:00+02:00, got {_type(value)}")


def day_or_moment(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        return day(value, where, ctx)
    return moment(value, where, ctx)


def delta(value, where: str, ctx: Ctx) -> Any:
    """{days: 1, hours: 2} (negative values move back)."""
    if not isinstance(value, dict) or not value:
        return ctx.problem(where, f"expected a mapping of {', '.join(DELTA_KEYS)}, got {_type(value)}")
    out = {}
    for key, amount in value.items():
        if key not in DELTA_KEYS:
            ctx.problem(f"{where}.{key}", f"unknown unit; use {', '.join(DELTA_KEYS)}{suggest(key, DELTA_KEYS)}")
        elif isinstance(amount, bool) or not isinstance(amount, (int, float)):
            ctx.problem(f"{where}.{key}", f"expected a number, got {show(amount)}")
        else:
            out[key] = amount
    return out if len(out) == len(value) else INVALID


def as_timedelta(amounts: dict) -> timedelta:
    return timedelta(**{k: float(v) for k, v in amounts.items()})


def boolean(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, bool):
        return value
    return ctx.problem(where, f"expected true or false, got {show(value)}")


def count(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return ctx.problem(where, f"expected a whole number (0 or more), got {show(value)}")


def choice(*options: str) -> Check:
    def checked(value, where: str, ctx: Ctx) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value in options:
            return value
        return ctx.problem(where, f"expected one of {', '.join(options)}, got {show(value)}{suggest(value, options)}")
    return checked


def oid(value, where: str, ctx: Ctx) -> Any:
    if isinstance(value, str) and is_oid(value):
        return value
    return ctx.problem(where, f"{show(value)} is not an OID (digits separated by dots)")


def ref(kind: str) -> Check:
    """A name defined elsewhere in the file: a client, professional, unit, document or matter."""
    def checked(value, where: str, ctx: Ctx) -> Any:
        known = ctx.known[kind]
        if isinstance(value, str) and value in known:
            return value
        if kind == "grant" and value in ctx.known["document"]:
            return ctx.problem(where, f"{show(value)} is an archive step's document; give the id of an earlier grant step")
        hint = suggest(value, known) or (f"; known: {', '.join(sorted(known))}" if known else "")
        what = REF_KINDS[kind] if kind in ("document", "matter", "grant") else "in " + REF_KINDS[kind]
        return ctx.problem(where, f"{show(value)} is not {what}{hint}")
    return checked


def register(value, where: str, ctx: Ctx) -> Any:
    """Whose register: a unit alias (its organisation's register) or a register OID."""
    if isinstance(value, str) and value in ctx.known["unit"]:
        return value
    if isinstance(value, str) and is_oid(value):
        return value
    known = ctx.known["unit"]
    return ctx.problem(where, f"{show(value)} is neither a unit alias nor an OID{suggest(value, known)}")


def viewer(value, where: str, ctx: Ctx) -> Any:
    """client | professional | guardian:<client alias>."""
    if value in ("client", "professional"):
        return value
    if isinstance(value, str) and value.startswith("guardian:"):
        who = ref("client")(value.split(":", 1)[1], where, ctx)
        return INVALID if who is INVALID else value
    return ctx.problem(where, f"expected client, professional or guardian:<client alias>, got {show(value)}")


def signer(value, where: str, ctx: Ctx) -> Any:
    """Who signs: a professional alias (their virtual card), system (the sender's system key), none; or a list."""
    values = value if isinstance(value, list) else [value]
    out = []
    for i, v in enumerate(values):
        here = f"{where}[{i}]" if isinstance(value, list) else where
        if v in ("system", "none"):
            out.append(v)
        else:
            out.append(ref("professional")(v, here, ctx))
    if "none" in out and len(out) > 1:
        return ctx.problem(where, "'none' cannot be combined with other signers")
    return INVALID if INVALID in out else out


def rule_ids(value, where: str, ctx: Ctx) -> Any:
    def one(v, here, c):
        if isinstance(v, str) and v in REGISTRY:
            return v
        m = re.match(r"^([A-Za-z]+-[A-Za-z]+)-?(\d+)$", str(v).strip())
        padded = f"{m.group(1).upper()}-{int(m.group(2)):03d}" if m else None  # sh-reg-3, SH-REG-03 -> SH-REG-003
        hint = f" (did you mean {padded!r}?)" if padded in REGISTRY else suggest(v, REGISTRY)
        return c.problem(here, f"{show(v)} is not a rule id of this sandbox{hint} (see mock-kanta rules list)")
    return list_of(one)(value, where, ctx)


def reason_codes(value, where: str, ctx: Ctx) -> Any:
    """{document alias: reason code or [codes]} for OmaKanta's hidden documents."""

    if not isinstance(value, dict):
        return ctx.problem(where, f"expected a mapping of document alias to reason code, got {_type(value)}")
    out = {}
    for alias, reasons in value.items():
        here = f"{where}.{alias}"
        doc = ref("document")(alias, here, ctx)
        listed = reasons if isinstance(reasons, list) else [reasons]
        good = []
        for r in listed:
            if r in REASONS:
                good.append(r)
            else:
                ctx.problem(here, f"{show(r)} is not an OmaKanta reason{suggest(r, REASONS)}; reasons: {', '.join(REASONS)}")
        if doc is not INVALID and len(good) == len(listed):
            out[doc] = good
    return out if len(out) == len(value) else INVALID


def mapping(spec: dict[str, tuple[Check, bool]]) -> Check:
    """A nested mapping with its own keys (e.g. an archive step's document)."""
    def checked(value, where: str, ctx: Ctx) -> Any:
        if not isinstance(value, dict):
            return ctx.problem(where, f"expected a mapping, got {_type(value)}")
        return check_keys(value, spec, where, ctx)
    return checked


def check_keys(value: dict, spec: dict[str, tuple[Check, bool]], where: str, ctx: Ctx) -> Any:
    """Every key known, every required key present, every value checked."""
    before = len(ctx.problems)
    out = {}
    for key, v in value.items():
        if key not in spec:
            ctx.problem(f"{where}.{key}" if where else key,
                        f"unknown key{suggest(key, spec)}; expected one of {', '.join(spec)}")
            continue
        check, _ = spec[key]
        out[key] = None if v is None and key in NULLABLE else check(v, f"{where}.{key}" if where else key, ctx)
    for key, (_, required) in spec.items():
        if required and key not in value:
            ctx.problem(where or "(top level)", f"missing key {key!r}")
    return out if len(ctx.problems) == before else INVALID


NULLABLE = {"consent"}  # keys where null means something (consent: null = no consent element)
