"""Reports of scenario runs and graded rehearsal sessions: JUnit XML, JSON and one self-contained HTML file.

A `Report` holds `Case`s (a scenario, or a rehearsal session); a case holds `Item`s (a step,
or a checklist item). An item is passed, failed (it ran and did not match: `why` says how),
error (it could not run) or skipped. `sent` and `received` keep what crossed the wire.
"""
from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

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


@dataclass
class Report:
    title: str
    cases: list[Case]
    target: str = ""
    started_at: str = field(default_factory=_now)

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
    return Report(data["title"], cases, data.get("target", ""), data.get("started_at", _now()))


def junit_xml(report: Report) -> bytes:
    """JUnit XML as CI servers read it: a testsuite per case, a testcase per item."""
    suites = etree.Element("testsuites", name=report.title, tests=str(sum(len(c.items) for c in report.cases)),
                           failures=str(report.count("failed")), errors=str(report.count("error")),
                           skipped=str(report.count("skipped")), time=f"{sum(c.seconds for c in report.cases):.3f}")
    for case in report.cases:
        suite = etree.SubElement(suites, "testsuite", name=case.name, tests=str(len(case.items)),
                                 failures=str(case.count("failed")), errors=str(case.count("error")),
                                 skipped=str(case.count("skipped")), time=f"{case.seconds:.3f}", timestamp=report.started_at)
        if case.properties or case.source:
            props = etree.SubElement(suite, "properties")
            for key, value in {**({"source": case.source} if case.source else {}), **case.properties}.items():
                etree.SubElement(props, "property", name=str(key), value=str(value))
        for n, item in enumerate(case.items, 1):
            test = etree.SubElement(suite, "testcase", classname=case.name, name=f"{n:02d} {item.name}", time=f"{item.seconds:.3f}")
            if item.status in ("failed", "error"):
                tag = "failure" if item.status == "failed" else "error"
                etree.SubElement(test, tag, message=item.why.splitlines()[0] if item.why else item.status).text = _item_text(item)
            elif item.status == "skipped":
                etree.SubElement(test, "skipped", message=item.why or "skipped")
            elif item.evidence:
                etree.SubElement(test, "system-out").text = "\n".join(item.evidence)
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _item_text(item: Item) -> str:
    parts = [item.why]
    if item.evidence:
        parts.append("Evidence:\n" + "\n".join(item.evidence))
    if item.sent:
        parts.append("Sent:\n" + item.sent)
    if item.received:
        parts.append("Received:\n" + item.received)
    return "\n\n".join(p for p in parts if p)


_CSS = """
body{font:16px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:1100px}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
.summary{display:flex;gap:1rem;flex-wrap:wrap}.summary span{padding:.2rem .6rem;border-radius:4px;background:#eee}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
.passed{color:#0b6b2b}.failed,.error{color:#a4000f}.skipped{color:#666}
.badge{font-weight:700;text-transform:uppercase;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem;max-height:24rem;overflow:auto;font-size:.85rem}
details summary{cursor:pointer}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
"""


def html_report(report: Report) -> str:
    """One HTML file with everything inline (no scripts, no external assets)."""
    e = html.escape
    out = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(report.title)}</title>',
           f"<style>{_CSS}</style></head><body>",
           f"<h1>{e(report.title)}</h1>",
           f'<p class="summary"><span class="badge {"passed" if report.passed else "failed"}">'
           f'{"passed" if report.passed else "failed"}</span>'
           + "".join(f"<span>{s}: {report.count(s)}</span>" for s in STATUSES)
           + f"<span>target: {e(report.target or '-')}</span><span>started: {e(report.started_at)}</span></p>"]
    for case in report.cases:
        out.append(f'<section><h2><span class="badge {case.status}">{case.status}</span> {e(case.title)}'
                   f' <small>({e(case.name)})</small></h2>')
        meta = {**({"source": case.source} if case.source else {}), **case.properties}
        if meta:
            out.append("<dl>" + "".join(f"<dt>{e(str(k))}</dt><dd>{e(str(v))}</dd>" for k, v in meta.items()) + "</dl>")
        out.append('<table><thead><tr><th>#</th><th>step</th><th>result</th><th>details</th></tr></thead><tbody>')
        for n, item in enumerate(case.items, 1):
            out.append(f'<tr><td>{n}</td><td>{e(item.name)}</td><td class="badge {item.status}">{item.status}</td><td>')
            if item.why:
                out.append(f"<p>{e(item.why)}</p>")
            if item.evidence:
                out.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in item.evidence) + "</ul>")
            shown = " open" if item.status in ("failed", "error") else ""  # what went wrong is shown unfolded
            for label, text in (("sent", item.sent), ("received", item.received)):
                if text:
                    out.append(f"<details{shown}><summary>{label}</summary><pre>{e(text)}</pre></details>")
            out.append(f"<small>{item.seconds * 1000:.0f} ms</small></td></tr>")
        out.append("</tbody></table></section>")
    out.append("</body></html>")
    return "".join(out)


def write_reports(report: Report, out_dir: Path | str, stem: str = "report", html_page: str | None = None) -> dict[str, Path]:
    """Write `<stem>.xml` (JUnit), `<stem>.json` and `<stem>.html` (`html_page` when given, else `html_report`)
    into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"junit": out_dir / f"{stem}.xml", "json": out_dir / f"{stem}.json", "html": out_dir / f"{stem}.html"}
    paths["junit"].write_bytes(junit_xml(report))
    paths["json"].write_text(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    paths["html"].write_text(html_page if html_page is not None else html_report(report), encoding="utf-8")
    return paths
