"""The HTML report's summary at the top (every failed item, then every case, each linked to its place, failures
first), one step numbering in JUnit, JSON and HTML, and the report's language kept through its JSON."""
from __future__ import annotations

import json

from lxml import etree, html

from mock_kanta.reports import Case, Item, Report, html_report, junit_xml, report_from_dict, report_to_dict


def _steps(prefix: str, *statuses: str) -> list[Item]:
    """A preparation (step 0) and numbered steps with these statuses."""
    items = [Item("valmistelu", "passed", number=0)]
    return items + [Item(f"{prefix} {n}", status, why=f"{prefix} {n}: {status}\nmore lines" if status != "passed" else "",
                         number=n) for n, status in enumerate(statuses, 1)]


def _report(lang: str = "fi") -> Report:
    return Report("Ajo", [Case("ok-one", "Onnistuva", _steps("ok", "passed", "passed")),
                          Case("bad-one", "Rikki", _steps("bad", "passed", "failed", "skipped")),
                          Case("broken-one", "Ei käynnisty", _steps("err", "error"))], target="http://x", lang=lang)


def test_the_summary_links_every_failed_item_then_every_case_failures_first():
    page = html.fromstring(html_report(_report()))
    nav = page.xpath("//body/*")[1]
    assert nav.tag == "nav" and nav.get("class") == "contents"  # right under the title, before any case
    failures = nav.xpath("ol[@class='failures']/li")
    assert [li.xpath("a")[0].text_content() for li in failures] == [
        "epäonnistui Rikki · vaihe 2: bad 2", "ei voitu ajaa Ei käynnisty · vaihe 1: err 1"]
    assert [li.xpath("small/text()") for li in failures] == [["bad 2: failed"], ["err 1: error"]]  # the first line
    for li, number in zip(failures, ("2", "1")):
        row = page.get_element_by_id(li.xpath("a/@href")[0][1:])
        assert row.tag == "tr" and row.xpath("td[1]/text()") == [number]
    cases = nav.xpath("ol[@class='cases']/li/a")
    assert [a.get("href") for a in cases] == ["#case-2", "#case-3", "#case-1"]  # failed and errored before passed
    assert [page.get_element_by_id(a.get("href")[1:]).xpath("h2/small/text()")[0] for a in cases] == [
        "(bad-one)", "(broken-one)", "(ok-one)"]


def test_a_passed_report_lists_no_failures_and_every_link_lands():
    report = Report("Ajo", [Case("ok-one", "Onnistuva", _steps("ok", "passed"))], lang="sv")
    page = html.fromstring(html_report(report))
    assert not page.xpath("//ol[@class='failures']") and page.xpath("//nav/h2/text()") == ["Innehåll"]
    for href in page.xpath("//a/@href"):
        assert href.startswith("#") and page.get_element_by_id(href[1:]) is not None


def test_junit_json_and_html_number_the_same_step_the_same_way():
    report = _report()
    suite = etree.fromstring(junit_xml(report)).find("testsuite[@name='bad-one']")
    assert [t.get("name") for t in suite.findall("testcase")] == ["00 valmistelu", "01 bad 1", "02 bad 2", "03 bad 3"]
    assert suite.find("testcase[@name='02 bad 2']/failure") is not None
    rows = html.fromstring(html_report(report)).xpath("//section[@id='case-2']//tbody/tr/td[1]/text()")
    assert rows == ["0", "1", "2", "3"]
    data = report_to_dict(report)
    assert [i["number"] for i in data["cases"][1]["items"]] == [0, 1, 2, 3]


def test_items_without_a_number_count_from_one():
    report = Report("x", [Case("c", "C", [Item("a", "passed"), Item("b", "failed", why="no")])])
    assert [t.get("name") for t in etree.fromstring(junit_xml(report)).iter("testcase")] == ["01 a", "02 b"]
    assert html.fromstring(html_report(report)).xpath("//tbody/tr/td[1]/text()") == ["1", "2"]


def test_the_json_keeps_the_reports_language():
    data = json.loads(json.dumps(report_to_dict(_report("sv"))))
    assert data["lang"] == "sv"
    again = report_from_dict(data)
    assert again.lang == "sv" and report_to_dict(again) == data
    assert html.fromstring(html_report(again)).get("lang") == "sv"
    del data["lang"]  # a report written before it said its language reads as English
    assert report_from_dict(data).lang == "en"


def test_links_stay_inside_the_page_whatever_the_names():
    hostile = 'x" href="http://evil.example/" onclick="alert(1)'
    report = Report(hostile, [Case(hostile, hostile, [Item(hostile, "failed", why=hostile, number=1)])])
    page = html.fromstring(html_report(report))
    assert page.xpath("//a") and all(href.startswith("#case-") for href in page.xpath("//@href"))
    assert not page.xpath("//@onclick")
