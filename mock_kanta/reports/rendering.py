"""Reports as HTML: Jinja2 templates (`templates/`) with the labels of `texts.yaml` in the report's language.

One environment renders every report page; it escapes every value, and what UTF-8 cannot encode (a lone
surrogate) comes out as U+FFFD, so a hostile title or finding is shown as text and never breaks the page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mock_kanta.core.texts import load_texts
from mock_kanta.reports.model import STATUSES, Case, Report

HERE = Path(__file__).parent
TEXTS_FILE = HERE / "texts.yaml"
_ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_SURROGATES = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """The report labels by dotted key (`status.passed`)."""
    return load_texts(TEXTS_FILE)


def html_report(report: Report) -> str:
    """One HTML file with everything inline (no scripts, no external assets), labelled in the report's language."""
    return render("report.html", report.lang, report=report)


def render(template: str, lang: str, **values) -> str:
    """The page `template` filled with `values`; `label(key)` in it says a label in `lang`. `item_label` names
    what an item is (`step`, the default, or `item`): the items' column, and whether a failure shows its number."""
    values.setdefault("item_label", "step")
    page = _ENV.get_template(template).render(lang=lang, label=partial(label, lang), statuses=STATUSES,
                                              named_properties=partial(named_properties, lang=lang), contents=contents,
                                              case_anchor=case_anchor, item_anchor=item_anchor, **values)
    return _SURROGATES.sub("\ufffd", page)


def label(lang: str, key: str) -> str:
    return labels()[key][lang]


def named_properties(case: Case, lang: str) -> list[tuple[str, str]]:
    """The case's source and properties as (label, value), a name a scenario run gives said in `lang`."""
    given = {**({"source": case.source} if case.source else {}), **case.properties}
    return [(label(lang, f"property.{name}") if f"property.{name}" in labels() else str(name), str(value))
            for name, value in given.items()]


@dataclass(frozen=True)
class Entry:
    """A line of the summary at the top: what it links to (`anchor`), its status and its words."""

    anchor: str
    status: str
    title: str
    name: str = ""
    number: int | None = None
    why: str = ""


def case_anchor(case_index: int) -> str:
    return f"case-{case_index}"


def item_anchor(case_index: int, item_index: int) -> str:
    return f"case-{case_index}-item-{item_index}"


def contents(report: Report) -> tuple[list[Entry], list[Entry]]:
    """(every failed or errored item, every case): each linked to its place in the page, failures first."""
    failures, cases = [], []
    for c, case in enumerate(report.cases, 1):
        cases.append(Entry(case_anchor(c), case.status, case.title, case.name))
        failures += [Entry(item_anchor(c, i), item.status, case.title, item.name, number, _first_line(item.why))
                     for i, (number, item) in enumerate(case.numbered(), 1) if item.status in ("failed", "error")]
    return failures, sorted(cases, key=lambda entry: entry.status not in ("failed", "error"))


def _first_line(text: str, limit: int = 240) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"
