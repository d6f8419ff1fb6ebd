"""The rules catalogue as Markdown (docs/rules.md), generated from the registry (the catalogue's data in
rules/families/*.yaml).

`markdown()` is deterministic: the same registry gives the same bytes, so a test
can compare it with the committed file.
"""
from __future__ import annotations

import re
from collections import Counter

from mock_kanta.core.findings import LANGS, Severity
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.registry import Basis, Rule

COMMAND = "mock-kanta rules docs -o docs/rules.md"
_LANG_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
_BASIS = {Basis.KANTA: "kanta (public material shows Kanta enforces it)",
          Basis.MODELLED: "modelled (the sandbox's own check or its model of the specifications)"}

# Markdown-active characters in the rule texts: an underscore only at a word edge,
# a bracket only where it would close a link text ("](").
_ACTIVE = re.compile(r"[\\`*<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\](?=\()")


def markdown() -> str:
    rules = list(REGISTRY.values())
    parts = [_header(rules), _index(rules)] + [_section(r) for r in rules]
    return "\n".join(parts)


def _header(rules: list[Rule]) -> str:
    counts = Counter(r.severity for r in rules)
    bases = Counter(r.basis for r in rules)
    return "\n".join(
        [
            f"<!-- Generated from mock_kanta/rules by `{COMMAND}`. Do not edit. -->",
            "# Rules catalogue",
            "",
            f"> **Generated file, do not edit.** Regenerate it with `{COMMAND}`.",
            "",
            f"{len(rules)} rules: {counts[Severity.ERROR]} errors (the message is refused), "
            f"{counts[Severity.WARNING]} warnings (accepted, worth fixing), {counts[Severity.INFO]} info.",
            f"Basis: {bases[Basis.KANTA]} are known from public material to be enforced by Kanta (kanta); "
            f"{bases[Basis.MODELLED]} are the sandbox's own checks or modelled on the specifications (modelled).",
            "Every finding in an acknowledgement carries the rule id as its code.",
            "",
        ]
    )


def _index(rules: list[Rule]) -> str:
    lines = ["## Index", "", "| Id | Severity | Stage | Title | Basis |", "|---|---|---|---|---|"]
    for r in rules:
        lines.append(f"| [{r.id}](#{_anchor(r)}) | {r.severity.value} | {r.stage.value} | {_md(r.title.en)} | {r.basis.value} |")
    return "\n".join(lines) + "\n"


def _section(r: Rule) -> str:
    lines = [
        f'<a id="{_anchor(r)}"></a>',
        "",
        f"## {r.id}: {_md(r.title.en)}",
        "",
        f"- **Severity:** {r.severity.value}",
        f"- **Stage:** {r.stage.value}",
        f"- **Basis:** {_BASIS[r.basis]}",
        f"- **Source:** {_md(r.source)}",
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
