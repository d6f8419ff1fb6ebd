"""Compare what came back with what a step expects; each mismatch is one sentence (a `Msg`, said in fi, sv or en)."""
from __future__ import annotations

from mock_kanta.scenario.texts import Join, Msg, detail_text

MAX_DETAILS = 6
_TYPES = {"E": "detail.error", "W": "detail.warning"}


def english(text: str) -> str:
    """The English message of an acknowledgementDetail text ("[fi] … [sv] … [en] message Fix: … [source] …")."""
    return detail_text("", text).say("en")


def details_text(details, *, only=None) -> Join:
    """ "SH-REG-004 The unit … ; SH-CTX-001 …" for the details (only those of `only` rule ids, if given)."""
    chosen = [d for d in details if only is None or d.rule in only]
    parts: list = [Join([d.rule, detail_text(d.rule, d.text)], " ") for d in chosen[:MAX_DETAILS]]
    if len(chosen) > MAX_DETAILS:
        parts.append(Msg("and_more", n=len(chosen) - MAX_DETAILS))
    return Join(parts, "; ")


def rule_list(details) -> Join | Msg:
    ids = [Join([d.rule, " (", Msg(_TYPES[d.type_code]) if d.type_code in _TYPES else d.type_code, ")"], "")
           for d in details]
    return Join(ids) if ids else Msg("none")


def answer_problems(answer, expect: dict) -> list[Msg]:
    """ack / status, rules and not_rules against an archive or read answer (`.ack`, `.details`, `.rule_ids`)."""
    problems: list[Msg] = []
    got = answer.ack or Msg("no_ack")
    wanted = expect.get("ack") or {"ok": "AA"}.get(expect.get("status"))
    if wanted and got != wanted:
        problems.append(Msg("expected_ack_details" if answer.details else "expected_ack", wanted=wanted, got=got,
                            details=details_text(answer.details)))
    elif expect.get("status") == "refused" and got == "AA":
        problems.append(Msg("expected_refusal_rules" if answer.details else "expected_refusal",
                            rules=rule_list(answer.details)))
    missing = [r for r in expect.get("rules") or () if r not in answer.rule_ids]
    if missing:
        problems.append(Msg("expected_rules_details" if answer.details else "expected_rules", rules=Join(missing),
                            got=rule_list(answer.details), details=details_text(answer.details)))
    present = [r for r in expect.get("not_rules") or () if r in answer.rule_ids]
    if present:
        problems.append(Msg("expected_no_rules", rules=Join(present),
                            details=details_text(answer.details, only=set(present))))
    return problems


def names(ids: list[str], name_of) -> Join | Msg:
    """The scenario's aliases of `ids`, and a count of the documents the scenario did not send."""
    known: list = [name_of(i) for i in ids if name_of(i) != i]
    others = len(ids) - len(known)
    parts = known + ([Msg("other_documents", n=others)] if others else [])
    return Join(parts) if parts else Msg("none")


def listed_problems(found: list[str], expect: dict, name_of, *, what) -> list[Msg]:
    """documents / not_documents / count against the ids in an answer or view (`name_of(id)` gives the alias)."""
    problems: list[Msg] = []
    wanted = expect.get("documents")
    shown = names(found, name_of)
    if wanted is not None:
        missing = [a for a in wanted if a not in {name_of(i) for i in found}]
        if missing:
            problems.append(Msg("expected_in", documents=Join(missing), what=what, shown=shown))
        if not wanted and found:
            problems.append(Msg("expected_none_in", what=what, shown=shown))
    unwanted = [a for a in expect.get("not_documents") or () if a in {name_of(i) for i in found}]
    if unwanted:
        problems.append(Msg("expected_not_in", documents=Join(unwanted), what=what))
    if "count" in expect and len(found) != expect["count"]:
        problems.append(Msg("expected_count", count=expect["count"], what=what, got=len(found), shown=shown))
    return problems
