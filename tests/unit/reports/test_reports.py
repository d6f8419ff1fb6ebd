"""Reports: JUnit XML that CI servers read, JSON that round-trips, HTML that holds everything and runs nothing."""
from __future__ import annotations

import json

import pytest
from lxml import etree, html

from mock_kanta.reports import Case, Item, Report, report_from_dict, report_to_dict, write_reports


def _report() -> Report:
    ok = Item("archive plan1", "passed", 0.031, evidence=["AA for 1.2.246.10.1.95.2026.1.1"])
    bad = Item("archive into own register", "failed", 0.02, why="expected ack AE with SH-REG-003, got AA",
               sent="<RCMR_IN200002FI01/>", received="<MCCI_IN000002UV01><script>alert(1)</script></MCCI_IN000002UV01>")
    later = Item("archivist view", "skipped", why="an earlier step failed")
    return Report("mock-kanta scenarios", [Case("deployment-test", "Käyttöönottokoe", [ok]),
                                           Case("broken", "Broken <b>one</b>", [ok, bad, later], source="tests/data/broken.yaml",
                                                properties={"tenant": "scn-1"})], target="http://127.0.0.1:1")


def test_junit_counts_and_failure_text(tmp_path):
    paths = write_reports(_report(), tmp_path, "run")
    root = etree.parse(str(paths["junit"])).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("4", "1", "1", "0")
    broken = root.find("testsuite[@name='broken']")
    failure = broken.find("testcase/failure")
    assert failure.get("message") == "expected ack AE with SH-REG-003, got AA"
    assert "Sent:\n<RCMR_IN200002FI01/>" in failure.text and "Received:" in failure.text
    assert broken.find("properties/property[@name='tenant']").get("value") == "scn-1"


def test_json_round_trips_and_says_the_verdict(tmp_path):
    report = _report()
    data = json.loads(write_reports(report, tmp_path)["json"].read_text(encoding="utf-8"))
    assert data["passed"] is False and [c["status"] for c in data["cases"]] == ["passed", "failed"]
    assert report_to_dict(report_from_dict(data)) == data


def test_html_is_self_contained_and_escapes_what_came_back(tmp_path):
    text = write_reports(_report(), tmp_path)["html"].read_text(encoding="utf-8")
    page = html.fromstring(text)
    assert not page.xpath("//script") and not page.xpath("//link") and not page.xpath("//*[@src]")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Broken &lt;b&gt;one&lt;/b&gt;" in text


def test_passed_report_and_unknown_status():
    assert Report("x", [Case("a", "A", [Item("s", "passed")])]).passed
    assert not Report("x", []).passed
    with pytest.raises(ValueError):
        Item("s", "ok")
