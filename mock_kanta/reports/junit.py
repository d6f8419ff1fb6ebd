"""A report as JUnit XML, as CI servers read it: a testsuite per case, a testcase per item."""
from __future__ import annotations

import re

from lxml import etree

from mock_kanta.reports.model import Item, Report

# What XML 1.0 cannot hold (control characters, lone surrogates) is written as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def junit_xml(report: Report) -> bytes:
    suites = etree.Element("testsuites", name=_xml(report.title), tests=str(sum(len(c.items) for c in report.cases)),
                           failures=str(report.count("failed")), errors=str(report.count("error")),
                           skipped=str(report.count("skipped")), time=f"{sum(c.seconds for c in report.cases):.3f}")
    for case in report.cases:
        suite = etree.SubElement(suites, "testsuite", name=_xml(case.name), tests=str(len(case.items)),
                                 failures=str(case.count("failed")), errors=str(case.count("error")),
                                 skipped=str(case.count("skipped")), time=f"{case.seconds:.3f}",
                                 timestamp=_xml(report.started_at))
        if case.properties or case.source:
            props = etree.SubElement(suite, "properties")
            for key, value in {**({"source": case.source} if case.source else {}), **case.properties}.items():
                etree.SubElement(props, "property", name=_xml(str(key)), value=_xml(str(value)))
        for n, item in case.numbered():
            test = etree.SubElement(suite, "testcase", classname=_xml(case.name), name=_xml(f"{n:02d} {item.name}"),
                                    time=f"{item.seconds:.3f}")
            if item.status in ("failed", "error"):
                tag = "failure" if item.status == "failed" else "error"
                message = item.why.splitlines()[0] if item.why else item.status
                etree.SubElement(test, tag, message=_xml(message)).text = _xml(_item_text(item))
            elif item.status == "skipped":
                etree.SubElement(test, "skipped", message=_xml(item.why or "skipped"))
            elif item.evidence:
                etree.SubElement(test, "system-out").text = _xml("\n".join(item.evidence))
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


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
