"""The rules catalogue: every rule is complete, and docs/rules.md is up to date."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mock_kanta.core.findings import LANGS, Severity
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.catalogue import COMMAND, markdown
from mock_kanta.rules.registry import Basis, Stage

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
RULES = list(REGISTRY.values())


def test_registry_is_not_empty():
    assert len(RULES) >= 50


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_complete(rule):
    assert re.fullmatch(r"SH-[A-Z]+-\d{3}", rule.id)
    assert isinstance(rule.severity, Severity) and isinstance(rule.stage, Stage)
    for field in ("title", "message", "fix"):
        for lang in LANGS:
            text = getattr(getattr(rule, field), lang)
            assert isinstance(text, str) and text.strip(), f"{rule.id}.{field}.{lang} is empty"
    assert rule.source.strip(), f"{rule.id} has no source"
    assert isinstance(rule.basis, Basis) and isinstance(rule.kanta_verified, bool)


def test_ids_are_unique_and_keys_match():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(key == r.id for key, r in REGISTRY.items())


def test_markdown_is_deterministic_and_complete():
    text = markdown()
    assert text == markdown()
    assert text.startswith("<!-- Generated")
    assert COMMAND in text.splitlines()[0]
    assert text.endswith("\n") and not text.endswith("\n\n")
    for rule in RULES:
        assert f"| [{rule.id}](#{rule.id.lower()}) | {rule.severity.value} | {rule.stage.value} |" in text
        assert f"- **Basis:** {rule.basis.value} (" in text
        assert f'<a id="{rule.id.lower()}"></a>\n\n## {rule.id}: ' in text
    assert text.count("\n## SH-") == len(RULES)


def test_markdown_escapes_markup_in_texts():
    """Texts like `Add <code .../>` must show, not turn into HTML tags or break a table."""
    assert any("<" in r.fix.en for r in RULES)  # the case exists
    for line in markdown().splitlines():
        if line.startswith(("<!--", "<a id=")):
            continue
        assert not re.search(r"(?<!\\)<", line), line
        if line.startswith("| "):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (6, 7), line  # 4 or 5 columns between the outer bars


def test_docs_rules_md_is_current():
    assert DOCS.is_file(), f"docs/rules.md is missing: run `{COMMAND}`"
    assert DOCS.read_text(encoding="utf-8") == markdown(), f"docs/rules.md is stale: run `{COMMAND}`"
