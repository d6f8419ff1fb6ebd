"""Reports of scenario runs and graded rehearsal sessions: JUnit XML, JSON and one self-contained HTML file.

A `Report` holds `Case`s (a scenario, or a rehearsal session); a case holds `Item`s (a step,
or a checklist item). An item is passed, failed (it ran and did not match: `why` says how),
error (it could not run) or skipped. `sent` and `received` keep what crossed the wire.
The HTML comes from templates (`templates/`, `rendering`), labelled in the report's `lang`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from mock_kanta.reports.junit import junit_xml
from mock_kanta.reports.model import STATUSES, Case, Item, Report, report_from_dict, report_to_dict
from mock_kanta.reports.rendering import html_report

__all__ = ["STATUSES", "Case", "Item", "Report", "html_report", "json_text", "junit_xml", "report_from_dict",
           "report_to_dict", "write_reports"]

_SURROGATES = re.compile("[\ud800-\udfff]")


def json_text(report: Report) -> str:
    """The JSON report; a lone surrogate (which UTF-8 cannot encode) as its \\u escape, which reads back the same."""
    text = json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)
    return _SURROGATES.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def write_reports(report: Report, out_dir: Path | str, stem: str = "report", html_page: str | None = None) -> dict[str, Path]:
    """Write `<stem>.xml` (JUnit), `<stem>.json` and `<stem>.html` (`html_page` when given, else `html_report`)
    into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"junit": out_dir / f"{stem}.xml", "json": out_dir / f"{stem}.json", "html": out_dir / f"{stem}.html"}
    paths["junit"].write_bytes(junit_xml(report))
    paths["json"].write_text(json_text(report), encoding="utf-8")
    paths["html"].write_text(html_page if html_page is not None else html_report(report), encoding="utf-8")
    return paths
