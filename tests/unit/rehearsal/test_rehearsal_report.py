"""A graded session's HTML report (mock_kanta/reports/templates/session_report.html): the common report in the
session's language with the trilingual header after its title, and what a vendor typed shown as text."""
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
SYSTEM = "<script>alert(1)</script> \"Testi\" 'A&B' 1.0"


@pytest.fixture
def closed(tmp_path) -> dict:
    """A deployment-test session of Kielo, its system named by a hostile vendor, closed with one item met."""
    store = Store(f"sqlite:///{tmp_path / 'kanta.sqlite3'}")
    store.create_schema()
    store.ensure_tenant("t1")
    store.replace_organisations("t1", *load_fixture_organisations(Settings(data_dir=tmp_path)))
    rehearsals = Rehearsals(store, SandboxClock(store), load_checklists(builtin("fixtures") / "rehearsals"))
    return rehearsals.close("t1", rehearsals.open("t1", "deployment-test", KIELO, system=SYSTEM).id)


def test_a_finnish_report_says_its_labels_in_finnish_and_its_header_in_three_languages(closed):
    page = html.fromstring(reports.report_html(closed, lang="fi"))
    assert page.get("lang") == "fi"
    header = page.xpath("//section[@class='rehearsal-header']")[0]
    assert header.get("aria-label") == "Harjoituskoeraportti"
    assert header.xpath(".//th[@scope='row']/text()")[0] == "Organisaatio · Organisation"
    result, *items = header.xpath(".//td[contains(@class, 'badge')]/text()")
    assert result.startswith("hylätty: ") and "puuttuu · saknas · missing" in items
    assert page.xpath("//p[@class='summary']/span/text()")[0] == "ei läpäisty"
    assert page.xpath("//section[not(@class)]//thead/tr/th/text()") == ["#", "kohta", "tulos", "tiedot"]
    assert set(page.xpath("//section[not(@class)]//td[contains(@class, 'badge')]/text()")) == {"onnistui", "epäonnistui"}
    alone = html.fromstring(reports.header_html(closed, "fi"))
    assert html.tostring(alone) == html.tostring(header)  # the header on its own is the same section
    assert html.fromstring(reports.report_html(closed, lang="xx")).get("lang") == "en"  # unknown: English


def test_what_a_vendor_typed_and_a_broken_text_come_out_as_text(closed, tmp_path):
    closed["items"][0]["title"]["fi"] += " \ud800"  # a lone surrogate, as a session stored before may hold one
    closed["items"][0]["texts"]["fi"]["why"] = "<b onmouseover=alert(1)>why</b>"
    page = reports.report_html(closed, lang="fi")
    tree = html.fromstring(page)
    assert not tree.xpath("//script") and not tree.xpath("//b") and not tree.xpath("//*[@onmouseover]")
    rows = {th.text: th.getnext().text for th in tree.xpath("//th[@scope='row']")}
    assert rows["Järjestelmä / toimittaja · System / leverantör · System / vendor"] == SYSTEM
    assert "\ud800" not in page and tree.xpath("//td/text()[contains(., '\ufffd')]")
    assert "<b onmouseover=alert(1)>why</b>" in tree.xpath("//td/p/text()")
    paths = reports.write_session_reports(closed, tmp_path, lang="fi")
    assert html.fromstring(paths["html"].read_text(encoding="utf-8")).xpath("//th[@scope='row']")
    assert paths["junit"].read_bytes().startswith(b"<?xml") and paths["json"].stat().st_size > 0
