"""Compare what came back with what a step expects; each mismatch is one sentence in plain words."""
from __future__ import annotations

import re

MAX_DETAILS = 6
_EN = re.compile(r"\[en\] (.*?)(?: Fix: .*?)?(?: \[source\] .*)?$", re.S)


def english(text: str) -> str:
    """The English message of an acknowledgementDetail text ("[fi] … [sv] … [en] message Fix: … [source] …")."""
    m = _EN.search(text or "")
    return (m.group(1) if m else text or "").strip()


def details_text(details, *, only=None) -> str:
    """ "SH-REG-004 The unit … ; SH-CTX-001 …" for the details (only those of `only` rule ids, if given)."""
    chosen = [d for d in details if only is None or d.rule in only]
    parts = [f"{d.rule} {english(d.text)}".strip() for d in chosen[:MAX_DETAILS]]
    if len(chosen) > MAX_DETAILS:
        parts.append(f"and {len(chosen) - MAX_DETAILS} more")
    return "; ".join(parts)


def rule_list(details) -> str:
    ids = [f"{d.rule} ({'error' if d.type_code == 'E' else 'warning' if d.type_code == 'W' else d.type_code})"
           for d in details]
    return ", ".join(ids) or "none"


def answer_problems(answer, expect: dict) -> list[str]:
    """ack / status, rules and not_rules against an archive or read answer (`.ack`, `.details`, `.rule_ids`)."""
    problems = []
    got = answer.ack or "no acknowledgement"
    wanted = expect.get("ack") or {"ok": "AA"}.get(expect.get("status"))
    if wanted and got != wanted:
        said = details_text(answer.details)
        problems.append(f"expected ack {wanted}, got {got}" + (f": {said}" if said else ""))
    elif expect.get("status") == "refused" and got == "AA":
        problems.append("expected the sandbox to refuse (AE), but it answered AA"
                        + (f" with {rule_list(answer.details)}" if answer.details else ""))
    missing = [r for r in expect.get("rules") or () if r not in answer.rule_ids]
    if missing:
        said = details_text(answer.details)
        problems.append(f"expected rule{'s' if len(missing) > 1 else ''} {', '.join(missing)} in the answer, "
                        f"got {rule_list(answer.details)}" + (f": {said}" if said else ""))
    present = [r for r in expect.get("not_rules") or () if r in answer.rule_ids]
    if present:
        problems.append(f"expected no {', '.join(present)}, but the answer has "
                        f"{details_text(answer.details, only=set(present))}")
    return problems


def names(ids: list[str], name_of) -> str:
    """The scenario's aliases of `ids`, and a count of the documents the scenario did not send."""
    known = [name_of(i) for i in ids if name_of(i) != i]
    others = len(ids) - len(known)
    parts = known + ([f"{others} other document{'s' if others > 1 else ''} (not sent by this scenario)"] if others else [])
    return ", ".join(parts) or "none"


def listed_problems(found: list[str], expect: dict, name_of, *, what: str) -> list[str]:
    """documents / not_documents / count against the ids in an answer or view (`name_of(id)` gives the alias)."""
    problems = []
    wanted = expect.get("documents")
    shown = names(found, name_of)
    if wanted is not None:
        missing = [a for a in wanted if a not in {name_of(i) for i in found}]
        if missing:
            problems.append(f"expected {', '.join(missing)} in {what}, which has {shown}")
        if not wanted and found:
            problems.append(f"expected no documents in {what}, which has {shown}")
    unwanted = [a for a in expect.get("not_documents") or () if a in {name_of(i) for i in found}]
    if unwanted:
        problems.append(f"expected {', '.join(unwanted)} not in {what}, but {'it is' if len(unwanted) == 1 else 'they are'}")
    if "count" in expect and len(found) != expect["count"]:
        problems.append(f"expected {expect['count']} document(s) in {what}, got {len(found)}: {shown}")
    return problems
