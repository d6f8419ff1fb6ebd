"""A graded rehearsal session's HTML report says its organisation, system, test, date and session once (in its
header), its checklist ids link to their rows, and its summary links the items missing."""
from __future__ import annotations

import pytest
from lxml import html

from mock_kanta.core.clock import SandboxClock
from mock_kanta.core.resources import builtin
from mock_kanta.rehearsal import Rehearsals, load_checklists
from mock_kanta.rehearsal import report as reports
from mock_kanta.settings import Settings
from mock_kanta.store import Store
from mock_kanta.tenants.service import load_fixture_organisations

KIELO = "1.2.246.10.29876516.10.0"
SYSTEM = "Kielo Asiakastieto 4.2 (Testitoimittaja Oy)"


@pytest.fixture
def closed(tmp_path) -> dict:
    store = Store(f"sqlite:///{tmp_path / 'kanta.sqlite3'}")
    store.create_schema()
    store.ensure_tenant("t1")
    store.replace_organisations("t1", *load_fixture_organisations(Settings(data_dir=tmp_path)))
    rehearsals = Rehearsals(store, SandboxClock(store), load_checklists(builtin("fixtures") / "rehearsals"))
    return rehearsals.close("t1", rehearsals.open("t1", "deployment-test", KIELO, system=SYSTEM).id)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_each_fact_of_the_session_appears_once(closed, lang):
    text = reports.report_html(closed, lang=lang)
    page = html.fromstring(text)
    assert page.get("lang") == lang
    header = page.xpath("//section[@class='rehearsal-header']")[0]
    rows = {th.text_content(): th.getnext().text_content() for th in header.xpath(".//th[@scope='row']")}
    assert len(rows) == 7  # organisation, system, test, date, result, session, access-log window
    body = page.find("body")
    for detail in body.xpath(".//tbody/tr/td[4]|.//nav//small"):  # what each item found quotes the organisation
        detail.drop_tree()
    shown = body.text_content()
    for value in rows.values():
        assert shown.count(value) == 1, value
    assert text.count(SYSTEM) == 1
    assert not page.xpath("//dl")  # no second block of the same facts
    assert page.xpath("//h1")[0].text_content() == " · ".join(dict.fromkeys(
        reports.say("report.head", other) for other in ("fi", "sv", "en")))
    assert not header.xpath(".//h2")  # the page's title is the header's heading
    assert shown.count(reports.modelled(lang)) == 1
    started = closed["openedRealAt"]
    assert started not in shown  # the date is the header's, not a second start time


def test_checklist_ids_and_the_summary_link_to_the_items(closed):
    page = html.fromstring(reports.report_html(closed, lang="fi"))
    ids = page.xpath("//section[@class='rehearsal-header']//tbody/tr/td[1]/a")
    assert [a.text for a in ids] == [item["id"] for item in closed["items"]]
    for a in ids:
        row = page.get_element_by_id(a.get("href")[1:])
        assert row.tag == "tr" and row.xpath("td[2]/text()")[0].startswith(a.text + " ")
    missing = [i["id"] for i in closed["items"] if i["status"] == "missing"]
    failures = page.xpath("//nav[@class='contents']/ol[@class='failures']/li/a")
    assert [a.text_content().split(" ", 1)[1].split(" ")[0] for a in failures] == missing
    assert not page.xpath("//nav/ol[@class='cases']")  # one session: its header is the contents
