"""A report: `Case`s (a scenario, or a rehearsal session) of `Item`s (a step, or a checklist item), and its JSON form."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from mock_kanta.core.texts import LANGS

STATUSES = ("passed", "failed", "error", "skipped")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Item:
    name: str
    status: str
    seconds: float = 0.0
    why: str = ""
    sent: str | None = None
    received: str | None = None
    evidence: list[str] = field(default_factory=list)
    number: int | None = None  # the step's number as the console says it (a scenario's preparation is 0)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"item status must be one of {STATUSES}, not {self.status!r}")


@dataclass
class Case:
    name: str
    title: str
    items: list[Item]
    source: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def status(self) -> str:
        for worst in ("error", "failed"):
            if self.count(worst):
                return worst
        return "passed" if self.count("passed") or not self.items else "skipped"

    @property
    def seconds(self) -> float:
        return sum(i.seconds for i in self.items)

    def numbered(self) -> list[tuple[int, Item]]:
        """(number, item): the item's own number, else its place counted from 1; the same in JUnit, HTML and console."""
        return [(item.number if item.number is not None else n, item) for n, item in enumerate(self.items, 1)]


@dataclass
class Report:
    """`lang` is the language its texts are in: the HTML's labels follow it, and the JSON says it."""

    title: str
    cases: list[Case]
    target: str = ""
    started_at: str = field(default_factory=_now)
    lang: str = "en"

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"report language must be one of {LANGS}, not {self.lang!r}")

    @property
    def passed(self) -> bool:
        return all(c.status in ("passed", "skipped") for c in self.cases) and any(c.status == "passed" for c in self.cases)

    def count(self, status: str) -> int:
        return sum(c.count(status) for c in self.cases)


def report_to_dict(report: Report) -> dict:
    data = asdict(report)
    data["passed"] = report.passed
    for case, out in zip(report.cases, data["cases"]):
        out["status"] = case.status
    return data


def report_from_dict(data: dict) -> Report:
    cases = [
        Case(c["name"], c["title"], [Item(**i) for i in c["items"]], c.get("source"), dict(c.get("properties") or {}))
        for c in data["cases"]
    ]
    lang = data.get("lang") if data.get("lang") in LANGS else "en"  # a report written before it said its language
    return Report(data["title"], cases, data.get("target", ""), data.get("started_at", _now()), lang)
