"""The rules catalogue as Markdown (docs/rules.md), generated from the registry (the catalogue's data in
rules/families/*.yaml) and the built-in organiser profiles (fixtures/organiser-profiles.yaml).

`markdown()` is deterministic: the same registry gives the same bytes, so a test
can compare it with the committed file.
"""
from __future__ import annotations

import re
from collections import Counter

from mock_kanta.core.findings import LANGS, Basis, Severity
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.profiles import OrganiserProfiles
from mock_kanta.rules.registry import Rule

COMMAND = "mock-kanta rules docs -o docs/rules.md"
_LANG_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
_BASIS = {Basis.KANTA: "kanta (public material shows Kanta enforces it)",
          Basis.ORGANISER: "organiser (an organiser's own guide demands it; it refuses in that organiser's register "
                           "when the tenant turns the organiser's profile on)",
          Basis.MODELLED: "modelled (the sandbox's own check or its model of the specifications)"}

# Markdown-active characters in the rule texts: an underscore only at a word edge,
# a bracket only where it would close a link text ("](").
_ACTIVE = re.compile(r"[\\`*<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\](?=\()")


def markdown() -> str:
    rules = list(REGISTRY.values())
    profiles = OrganiserProfiles.for_fixtures(None)
    parts = [_header(rules), _index(rules)] + [_section(r, profiles) for r in rules]
    return "\n".join(parts)


def _header(rules: list[Rule]) -> str:
    counts = Counter(r.severity for r in rules)
    bases = Counter(r.basis for r in rules)
    refusing = Counter(r.basis for r in rules if r.severity is Severity.ERROR)
    limits = sum(1 for r in rules if r.sandbox_limit)
    return "\n".join(
        [
            f"<!-- Generated from mock_kanta/rules by `{COMMAND}`. Do not edit. -->",
            "# Rules catalogue",
            "",
            f"> **Generated file, do not edit.** Regenerate it with `{COMMAND}`.",
            "",
            f"{len(rules)} rules: {counts[Severity.ERROR]} errors (they refuse by their basis, below), "
            f"{counts[Severity.WARNING]} warnings (accepted, worth fixing), {counts[Severity.INFO]} info.",
            f"Basis: {bases[Basis.KANTA]} are known from public material to be enforced by Kanta (kanta); "
            f"{bases[Basis.ORGANISER]} are demanded by an organiser's own guide (organiser); "
            f"{bases[Basis.MODELLED]} are the sandbox's own checks or modelled on the specifications (modelled).",
            f"Of the {counts[Severity.ERROR]} errors, {refusing[Basis.KANTA]} refuse by default (kanta), "
            f"{refusing[Basis.ORGANISER]} refuse only in the register of an organiser whose profile the tenant turned on "
            f"(organiser) and {refusing[Basis.MODELLED]} warn (modelled), except {limits} the sandbox refuses as limits of "
            "its own (sandbox limit); `strict` makes every finding an error. The read side (SH-QRY, SH-ACC) refuses at "
            "the catalogue's severity. See [verdicts.md](verdicts.md).",
            "Every finding in an acknowledgement carries the rule id as its code and its rule's basis.",
            "",
        ]
    )


def _index(rules: list[Rule]) -> str:
    lines = ["## Index", "", "| Id | Severity | Stage | Title | Basis |", "|---|---|---|---|---|"]
    for r in rules:
        lines.append(f"| [{r.id}](#{_anchor(r)}) | {r.severity.value} | {r.stage.value} | {_md(r.title.en)} | {r.basis.value} |")
    return "\n".join(lines) + "\n"


def _section(r: Rule, profiles: OrganiserProfiles) -> str:
    demanding = [f"- **Demanded by** {_md(p.name)} (`{p.oid}`): {_md(p.rules[r.id])}" for p in profiles.demanding(r.id)]
    lines = [
        f'<a id="{_anchor(r)}"></a>',
        "",
        f"## {r.id}: {_md(r.title.en)}",
        "",
        f"- **Severity:** {r.severity.value}",
        f"- **Stage:** {r.stage.value}",
        f"- **Basis:** {_BASIS[r.basis]}",
        f"- **Source:** {_md(r.source)}",
        *demanding,
        *([f"- **Sandbox limit:** {_md(r.sandbox_limit)} (refused whatever the basis)"] if r.sandbox_limit else []),
        "",
        "| Language | Title | Message | Fix |",
        "|---|---|---|---|",
    ]
    for lang in LANGS:
        texts = (getattr(t, lang) for t in (r.title, r.message, r.fix))
        lines.append(f"| {_LANG_NAMES[lang]} | " + " | ".join(_md(t) for t in texts) + " |")
    return "\n".join(lines) + "\n"


def _anchor(r: Rule) -> str:
    return r.id.lower()


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: active characters escaped, one line."""
    return _ACTIVE.sub(lambda m: "\\" + m.group(0), " ".join(text.split()))
