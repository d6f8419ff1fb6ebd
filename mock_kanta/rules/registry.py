"""The rule registry: the catalogue (`entries`, read from families/*.yaml) joined with the check functions.

A check is a generator over a context yielding `Hit`s, declared with `@check("SH-XXX-NNN")` in a module
under `rules/`: over the archive's `Context` (the default), or with `on=` another context class (the read
side's `rules.read.context.ReadContext`). `evaluate` runs the checks of the context's class and turns their
hits into `Finding`s with the catalogue's texts. Each catalogue entry has exactly one check, except one whose
entry names who raises it (`raised_by`: SH-SYS-001, by `evaluate` itself), which `finding` produces directly.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mock_kanta.core.findings import Basis, Finding
from mock_kanta.rules.context import Checked, Context, Problem, parts
from mock_kanta.rules.entries import CatalogueError, Rule, Stage, load

__all__ = ["REGISTRY", "Basis", "CatalogueError", "Context", "Hit", "Rule", "Stage", "after_write", "check",
           "checks", "complete", "context_of", "evaluate", "finding", "hit", "modelled_hit", "unread"]


@dataclass(frozen=True)
class Hit:
    location: str
    params: dict[str, Any] = field(default_factory=dict)
    modelled: bool = False  # this hit rests on the sandbox's model (e.g. an unverified code): its basis is modelled


def hit(location: str, **params: Any) -> Hit:
    return Hit(location, params)


def modelled_hit(location: str, **params: Any) -> Hit:
    """A hit that rests on modelled data (a code the sandbox has not verified, ...): whatever its rule's basis,
    the finding's basis is modelled, so it never refuses by the basis alone (rules.verdicts)."""
    return Hit(location, params, modelled=True)


REGISTRY: dict[str, Rule] = {rule.id: rule for rule in load()}  # catalogue order; `check` attaches the checks
_ON: dict[str, type] = {}  # rule id -> the context class its check is over


def check(rule_id: str, *, needs: tuple[str, ...] = (), after_write: bool = False, on: type[Checked] = Context) -> Callable:
    """Attach the decorated function as the check of catalogue entry `rule_id`, over contexts of class `on`. It
    runs when every part in `needs` is present; with `after_write` it runs again on the store's answer to a
    refused write."""

    def attach(fn: Callable[[Checked], Iterable[Hit]]) -> Callable:
        rule = REGISTRY.get(rule_id)
        if rule is None:
            raise CatalogueError(f"{_name(fn)}: {rule_id} is not in the catalogue")
        unknown = set(needs) - set(parts(on))
        if unknown:
            raise CatalogueError(f"{_name(fn)}: {rule_id} needs {sorted(unknown)}, not parts of the {on.__name__}")
        if rule.check is not None:
            raise CatalogueError(f"{rule_id} has two checks: {_name(rule.check)} and {_name(fn)}")
        if rule.raised_by:
            raise CatalogueError(f"{rule_id}: the catalogue says {rule.raised_by} raises it, yet {_name(fn)} checks it")
        REGISTRY[rule_id] = dataclasses.replace(rule, needs=tuple(needs), check=fn, after_write=after_write)
        _ON[rule_id] = on
        _CHOSEN.clear()
        return fn

    return attach


def complete(registry: dict[str, Rule] = REGISTRY) -> None:
    """Refuse a registry where a catalogue entry has no check and names no one who raises it."""
    missing = [r.id for r in registry.values() if r.check is None and not r.raised_by]
    if missing:
        raise CatalogueError(f"no check for {', '.join(missing)} (and no raised_by in the catalogue)")


def finding(rule_id: str, location: str, *, modelled: bool = False, **params: Any) -> Finding:
    r = REGISTRY[rule_id]
    basis = Basis.MODELLED if modelled else r.basis
    return Finding(r.id, r.severity, location, r.message.format(params), r.fix.format(params), r.source, basis)


def evaluate(ctx: Checked, rules: Iterable[Rule] | None = None, *, seen: frozenset[str] | None = None) -> list[Finding]:
    """Run every applicable check of the context's class (or those of `rules`); a message breaking several rules
    gets them all. `seen`: the parts an earlier evaluation of this context had, for a context filled in steps
    (the read side): then only the checks that need a part added since run."""
    out: list[Finding] = []
    present = ctx.present()
    if rules is None:
        on = type(ctx)
        chosen = _chosen((on, present, seen), lambda r: _ON[r.id] is on and present.issuperset(r.needs)
                         and (seen is None or not seen.issuperset(r.needs)))
    else:
        chosen = rules
    for r in chosen:
        if not present.issuperset(r.needs):
            continue
        try:
            for h in r.check(ctx):
                out.append(finding(r.id, h.location, modelled=h.modelled, **h.params))
        except Exception as exc:  # a broken rule must not hide the others' findings
            out.append(finding("SH-SYS-001", f"(rule {r.id})", rule=r.id, error=repr(exc)))
    return out


def after_write(ctx: Context) -> list[Finding]:
    """The findings on the store's answer (`ctx.write`) to a document that passed every check."""
    return evaluate(ctx, _chosen("after write", lambda r: r.after_write))


def unread(*problems: Problem) -> list[Finding]:
    """The findings of a submission that could not be read: the transport-stage checks on these problems.
    The way for a face (an endpoint, the validation clone) to answer before the archive reads anything."""
    return evaluate(Context(problems=problems))


def context_of(rule_id: str) -> type[Checked] | None:
    """The context class the rule's check is over (None: the rule has no check)."""
    return _ON.get(rule_id)


def checks() -> Iterator[Rule]:
    return (r for r in REGISTRY.values() if r.check is not None)


_CHOSEN: dict[object, list[Rule]] = {}


def _chosen(key: object, wanted: Callable[[Rule], bool]) -> list[Rule]:
    """The checks `wanted` picks, in catalogue order; worked out once per key (a set of present parts)."""
    found = _CHOSEN.get(key)
    if found is None:
        found = _CHOSEN[key] = [r for r in checks() if wanted(r)]
    return found


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
