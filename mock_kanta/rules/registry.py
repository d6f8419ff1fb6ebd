"""The rule registry: every check has a stable id, a severity, texts in Finnish,
Swedish and English, its source, and reports the XPath it looked at.

A rule's check is a generator over a `Context` yielding `Hit`s; the registry turns
hits into `Finding`s. Rules raised by the transport or parser (no check of their
own) are registered with `define` and produced with `finding`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from mock_kanta.core.findings import Finding, Severity, Text


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
class Hit:
    location: str
    params: dict[str, Any] = field(default_factory=dict)


def hit(location: str, **params: Any) -> Hit:
    return Hit(location, params)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    stage: Stage
    title: Text
    message: Text
    fix: Text
    source: str
    kanta_verified: bool  # True when public material shows Kanta enforces this
    needs: tuple[str, ...] = ()
    check: Callable[["Context"], Iterable[Hit]] | None = None


@dataclass
class Context:
    """What the checks look at. Missing parts are None; a rule runs only when
    every part it `needs` is present."""

    frame: Any = None
    document: Any = None
    codes: Any = None
    world: Any = None  # mock_kanta.registers.service.World: organisations, units, rights, matters (archive path only)
    extras: dict[str, Any] = field(default_factory=dict)

    def has(self, need: str) -> bool:
        return getattr(self, need, None) is not None


REGISTRY: dict[str, Rule] = {}


def _register(r: Rule) -> Rule:
    if r.id in REGISTRY:
        raise ValueError(f"duplicate rule id {r.id}")
    REGISTRY[r.id] = r
    return r


def _text(value: Text | tuple[str, str, str]) -> Text:
    return value if isinstance(value, Text) else Text(*value)


def define(
    id: str,
    severity: Severity,
    stage: Stage,
    *,
    title,
    message,
    fix,
    source: str,
    kanta_verified: bool = False,
    needs: tuple[str, ...] = (),
    check: Callable | None = None,
) -> Rule:
    return _register(
        Rule(id, severity, stage, _text(title), _text(message), _text(fix), source, kanta_verified, needs, check)
    )


def rule(id: str, severity: Severity, stage: Stage, **kwargs) -> Callable:
    """Decorator form of `define` for a check function."""

    def wrap(fn: Callable[[Context], Iterable[Hit]]) -> Callable:
        define(id, severity, stage, check=fn, **kwargs)
        return fn

    return wrap


def finding(rule_id: str, location: str, **params: Any) -> Finding:
    r = REGISTRY[rule_id]
    return Finding(r.id, r.severity, location, r.message.format(params), r.fix.format(params), r.source)


def evaluate(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Run every applicable rule; a document breaking several rules gets them all."""
    out: list[Finding] = []
    present = frozenset(n for n in ("frame", "document", "codes", "world") if ctx.has(n))
    for r in _applicable(present) if rules is None else (r for r in rules if present.issuperset(r.needs)):
        try:
            for h in r.check(ctx):
                out.append(finding(r.id, h.location, **h.params))
        except Exception as exc:  # a broken rule must not hide the others' findings
            out.append(finding("SH-SYS-001", f"(rule {r.id})", rule=r.id, error=repr(exc)))
    return out


def checks() -> Iterator[Rule]:
    return (r for r in REGISTRY.values() if r.check is not None)


_APPLICABLE: dict[tuple[frozenset, int], list[Rule]] = {}


def _applicable(present: frozenset) -> list[Rule]:
    """The registered checks whose needs `present` meets, in order; computed once per set of parts
    (and again when a rule is registered later: the key holds the registry's size)."""
    key = (present, len(REGISTRY))
    found = _APPLICABLE.get(key)
    if found is None:
        found = _APPLICABLE[key] = [r for r in checks() if present.issuperset(r.needs)]
    return found


define(
    "SH-SYS-001",
    Severity.ERROR,
    Stage.ARCHIVE,
    title=("Sisäinen tarkistusvirhe", "Internt kontrollfel", "Internal check error"),
    message=(
        "Tarkistus {rule} kaatui: {error}. Tämä on hiekkalaatikon virhe, ei sanoman.",
        "Kontrollen {rule} kraschade: {error}. Detta är ett fel i sandlådan, inte i meddelandet.",
        "Check {rule} crashed: {error}. This is a sandbox defect, not a fault of the message.",
    ),
    fix=(
        "Ilmoita virheestä mock-kantan kehittäjille ja liitä sanoma mukaan.",
        "Rapportera felet till utvecklarna av mock-kanta och bifoga meddelandet.",
        "Report it to the mock-kanta developers with the message attached.",
    ),
    source="mock-kanta",
)


def iter_findings(findings: Iterable[Finding], *severities: Severity) -> Iterator[Finding]:
    wanted = set(severities)
    return (f for f in findings if f.severity in wanted)
