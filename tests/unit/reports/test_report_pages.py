"""The HTML report from its templates: in the report's language (its `lang` attribute and every label), every
label the templates name is in texts.yaml, and hostile values come out as text, never as markup, never a crash."""
from __future__ import annotations

import json
import re

import pytest
from lxml import etree, html

from mock_kanta.reports import STATUSES, Case, Item, Report, html_report, junit_xml, rendering, write_reports

HOSTILE = "<script>alert(1)</script> \"quoted\" 'single' & \ud800 end"  # \ud800: a lone surrogate
SHOWN = "<script>alert(1)</script> \"quoted\" 'single' & \ufffd end"


def _report(lang: str = "en", text: str = "Arkistointi") -> Report:
    steps = [Item(f"archive {text}", "passed", 0.031, evidence=[f"AA {text}"]),
             Item(f"read {text}", "failed", 0.02, why=f"expected AA, got AE: {text}", sent=f"<sent>{text}</sent>",
                  received=f"<received>{text}</received>"),
             Item("view", "error", why=text), Item("later", "skipped", why="not run")]
    return Report(text, [Case(f"case {text}", f"Skenaario {text}", steps, source=f"scenarios/{text}.yaml",
                              properties={"tenant": "scn-1", f"note {text}": text})], target=text, lang=lang)


def _labels(page: str) -> list[str]:
    """The report's own words: badges, column names, summary names, the parts' names, property names."""
    tree = html.fromstring(page)
    found = [e.text_content().strip() for e in tree.xpath("//*[contains(@class, 'badge')]|//th|//summary|//dt")]
    found += [span.text_content().split(":")[0] for span in tree.xpath("//p[@class='summary']/span")]
    return found


@pytest.mark.parametrize("lang, words", [
    ("fi", ["ei läpäisty", "onnistui", "epäonnistui", "ei voitu ajaa", "ohitettu", "#", "vaihe", "tulos", "tiedot",
            "lähetetty", "vastaus", "Lähde", "Ympäristö", "kohde", "aloitettu"]),
    ("sv", ["underkänd", "lyckades", "misslyckades", "kunde inte köras", "överhoppat", "#", "steg", "resultat",
            "detaljer", "skickat", "svar", "Källa", "Miljö", "mål", "startad"]),
    ("en", ["failed", "passed", "error", "skipped", "#", "step", "result", "details", "sent", "received", "Source",
            "Tenant", "target", "started"]),
])
def test_the_page_and_its_labels_are_in_the_reports_language(lang, words):
    page = html_report(_report(lang))
    assert html.fromstring(page).get("lang") == lang
    labels = _labels(page)
    assert set(words) <= set(labels), set(words) - set(labels)
    if lang != "en":
        english = {"passed", "failed", "error", "skipped", "step", "result", "details", "sent", "received", "Source",
                   "Tenant", "target", "started"}
        assert not english & set(labels)
    assert "note Arkistointi" in labels  # a property name no scenario run gives is shown as given


def test_every_label_the_templates_name_is_in_texts_yaml():
    named = set()
    for template in (rendering.HERE / "templates").glob("*.html"):
        named |= set(re.findall(r'label\("([a-z_]+\.[a-z_]+)"\)', template.read_text(encoding="utf-8")))
    named |= {f"status.{s}" for s in STATUSES} | {f"verdict.{v}" for v in ("passed", "failed")}
    assert {"column.step", "column.item", "summary.target"} <= named
    assert sorted(named - set(rendering.labels())) == []


def test_a_report_in_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="report language must be one of"):
        Report("x", [], lang="de")


def test_hostile_values_come_out_as_text_and_never_crash(tmp_path):
    report = _report("fi", HOSTILE)
    page = html_report(report)
    tree = html.fromstring(page)
    assert not tree.xpath("//script") and not tree.xpath("//*[@onerror or @onload or @src]")
    assert all(h.startswith("#case-") for h in tree.xpath("//@href"))  # only links within the page
    assert "<script>" not in page and "\ud800" not in page
    assert tree.findtext("head/title") == tree.findtext("body/h1") == SHOWN
    assert tree.xpath("//h2/text()")[-1].strip() == f"Skenaario {SHOWN}"
    details = [e.text_content() for e in tree.xpath("//td[4]//p|//td[4]//li|//td[4]//pre")]
    assert f"expected AA, got AE: {SHOWN}" in details and f"<received>{SHOWN}</received>" in details
    assert f"note {SHOWN}" in tree.xpath("//dt/text()")

    paths = write_reports(report, tmp_path, "hostile")  # every file is written
    assert html.fromstring(paths["html"].read_text(encoding="utf-8")).findtext("body/h1") == SHOWN
    suite = etree.fromstring(paths["junit"].read_bytes())
    assert suite.get("name") == SHOWN and SHOWN in suite.find(".//failure").text
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["title"] == HOSTILE  # JSON keeps it exactly
    assert junit_xml(_report(text="null \x00 and bell \x07")).count("\ufffd".encode()) > 0
