"""The UI review's findings, each kept fixed: hostile names shown as text, readable 404 pages for bad
addresses and ids, the event stream under a bad Last-Event-ID, texts in the page's language, the live
flow marked current on a message page, the trainer's and rehearsal forms reachable with the keyboard.
Real server, real Chromium (tenant `ui-tests`, see conftest.py)."""
from __future__ import annotations

import re
from datetime import date, datetime

import httpx
import pytest
from playwright.sync_api import expect

from mock_kanta.client import Professional, client_document
from mock_kanta.scenario import pages as trainer
from mock_kanta.ui import context as ui_context
from mock_kanta.ui import i18n
from tests.ui.conftest import TENANT, shoot
from tests.ui.world import HELSINKI, HELSINKI_UNIT, HKI, WORKER, archive_helsinki, person

HOSTILE_TITLE = '<script>window.pwned="title"</script>Suunnitelma <b>lihava</b>'
HOSTILE_JOB = '<img src="x" onerror="window.pwned=\'job\'">sosiaalityöntekijä'


@pytest.fixture(scope="module")
def http(ui):
    """A cookie-keeping HTTP client on the tenant (as a browser would be)."""
    with httpx.Client(base_url=ui.url, cookies={"mk_tenant": TENANT}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def message(ui):
    """One archived Helsinki document whose title and author's job title carry markup; its traffic row."""
    client = person(date(1979, 4, 5), "Vihamielinen", "Nimi")
    author = Professional(WORKER.registration_number, WORKER.given, WORKER.family, title=HOSTILE_JOB)
    doc = client_document(custodian=HELSINKI, unit=HELSINKI_UNIT, author=author, client=client,
                          effective_time=datetime.now(HKI), specific_type=("15007", HOSTILE_TITLE))
    archive_helsinki(ui, doc)
    row = ui.http.get("/api/v1/traffic", params={"limit": 500}).json()["items"][-1]
    assert row["verdict"] == "AA"
    return {"client": client, "row": row}


def test_markup_in_a_document_title_or_job_title_is_shown_as_text_and_never_runs(page, ui, message):
    row = message["row"]
    pages = {  # each page, with the markup it must show as text
        f"/ui/messages/{row['seq']}": ["&lt;script&gt;window.pwned", "onerror="],  # the XML and the JSON as text
        f"/ui/archivist/{HELSINKI.oid}/{row['documentId']}": [],
        f"/ui/archivist/{HELSINKI.oid}": [], f"/ui/omakanta/{message['client'].hetu}": []}
    for path, shown in pages.items():
        page.goto(path)
        main = page.locator("main")
        for text in shown:
            expect(main).to_contain_text(text)
        assert page.evaluate("typeof window.pwned") == "undefined", path
        assert main.locator("script, img[src=x], b:text('lihava')").count() == 0, path
    page.goto(f"/ui/messages/{row['seq']}")
    shoot(page, "review-hostile-message")


@pytest.mark.parametrize("path, says", [
    ("/ui/messages/abc", "Osoitteessa /ui/messages/abc ei ole sivua."),
    ("/ui/no-such-page", "Osoitteessa /ui/no-such-page ei ole sivua."),
    ("/ui/messages/0", "ei ole viestiä 0"),
    ("/ui/messages/99999999999999999999999", "ei ole viestiä 99999999999999999999999"),
    ("/ui/messages/999999999/display", "ei ole viestiä 999999999"),
    ("/ui/messages/999999999/frame.xml", "ei ole viestiä 999999999"),
    ("/ui/trainer/runs/run-000000000000", "ei ole skenaarioajoa run-000000000000"),
    ("/ui/rehearsals/reh-000000000000", "ei ole harjoitusta reh-000000000000"),
    ("/ui/rehearsals/reh-000000000000/report.html", "ei ole harjoitusta reh-000000000000"),
    ("/ui/archivist/1.2.3/4.5.6", "Rekisterissä 1.2.3 ei ole asiakirjaa 4.5.6"),
    ("/ui/archivist/1.2.3/4.5.6/display", "Rekisterissä 1.2.3 ei ole asiakirjaa 4.5.6"),
    ("/ui/registers/1.2.3", "Rekisteriä 1.2.3 ei tunneta"),
    ("/ui/?tenant=no-such-tenant", "Ympäristöä no-such-tenant ei ole."),
    ("/ui/flow?tenant=NOT_A_TENANT", "Ympäristöä NOT_A_TENANT ei ole."),
])
def test_a_bad_address_tenant_or_id_gets_a_readable_404_page(http, path, says):
    r = http.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), (path, r.text[:300])
    assert says in r.text and "Mitään ei muutettu." in r.text and '<html lang="fi">' in r.text


def test_a_bad_tenant_cookie_gets_a_readable_404_page_with_a_way_back(ui):
    with httpx.Client(base_url=ui.url, cookies={"mk_tenant": "<script>x</script>"}, timeout=30) as other:
        r = other.get("/ui/flow")
    assert r.status_code == 404 and "&lt;script&gt;x&lt;/script&gt;" in r.text and "<script>x" not in r.text
    assert 'href="/ui/?tenant=default"' in r.text  # the way back to the default tenant


def test_a_wrong_method_gets_a_readable_page_and_the_control_api_keeps_its_problem_json(http):
    r = http.post("/ui/flow", data={})
    assert r.status_code == 405 and "väärä HTTP-metodi" in r.text and "text/html" in r.headers["content-type"]
    r = http.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("last_event_id", ["abc", "-1", "1e3", "5 6", "+5", "9" * 20, "1.5", "0x10"])
def test_the_event_stream_refuses_a_bad_last_event_id_with_a_plain_400(ui, last_event_id):
    r = ui.http.get("/ui/events", params={"after": "0"}, headers={"Last-Event-ID": last_event_id})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert "Last-Event-ID" in r.text


def test_the_event_stream_after_the_newest_message_sends_nothing_until_a_new_one(ui, message):
    newest = ui.http.get("/api/v1/traffic", params={"limit": 500}).json()["items"][-1]["seq"]
    lines = []
    with httpx.Client(base_url=ui.url, timeout=httpx.Timeout(10, read=1.5)) as http:
        with http.stream("GET", "/ui/events", params={"after": "0", "tenant": TENANT},
                         headers={"Last-Event-ID": str(newest + 10_000)}) as r:  # Last-Event-ID wins over after
            assert r.status_code == 200
            with pytest.raises(httpx.ReadTimeout):
                for line in r.iter_lines():
                    lines.append(line)
    assert [line for line in lines if line] == ["retry: 1000"]


def test_the_live_flow_is_the_current_navigation_item_on_a_message_page(http, message):
    r = http.get(f"/ui/messages/{message['row']['seq']}")
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', r.text)
    assert current == ["/ui/flow"]


def test_the_message_page_and_the_archivist_serve_the_same_sandboxed_display_form(http, message):
    row = message["row"]
    from_message = http.get(f"/ui/messages/{row['seq']}/display")
    from_archive = http.get(f"/ui/archivist/{HELSINKI.oid}/{row['documentId']}/display")
    for r in (from_message, from_archive):
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/xhtml+xml")
        assert r.headers["content-security-policy"].startswith("sandbox;")
    assert from_message.content == from_archive.content and b"soc-" in from_message.content


@pytest.mark.parametrize("lang, says", [("fi", "tarkistusmerkki ei täsmää"), ("sv", "kontrolltecknet stämmer inte"),
                                        ("en", "the check character does not match")])
def test_a_bad_henkilotunnus_is_explained_in_the_pages_language(http, lang, says):
    r = http.get("/ui/omakanta/120512A912X", params={"lang": lang})
    assert r.status_code == 400 and says in r.text and f'<html lang="{lang}">' in r.text


@pytest.mark.parametrize("lang, says", [("fi", "Valitse palvelunjärjestäjä"), ("sv", "Välj den tjänsteanordnare"),
                                        ("en", "Choose the organiser")])
def test_a_rehearsal_form_error_is_in_the_pages_language_and_opens_nothing(ui, lang, says):
    with httpx.Client(base_url=ui.url, cookies={"mk_tenant": TENANT}, headers={"Origin": ui.url}, timeout=30) as http:
        token = re.search(r'name="csrf" value="([^"]+)"', http.get("/ui/rehearsals", params={"lang": lang}).text).group(1)
        before = ui.http.get("/api/v1/rehearsals/").json()["sessions"]
        r = http.post("/ui/rehearsals", data={"csrf": token, "test": "register-usage-right-test",
                                              "organisation": HELSINKI.oid, "organiser": ""})
    assert r.status_code == 400 and says in r.text
    assert ui.http.get("/api/v1/rehearsals/").json()["sessions"] == before


def test_every_page_in_every_language_shows_texts_not_text_keys(http, message):
    keys = [k for k in i18n.texts() if "." in k and not k.startswith("lang.")]
    paths = ["/ui/", "/ui/flow", "/ui/registers", f"/ui/registers/{HELSINKI.oid}", "/ui/omakanta",
             f"/ui/omakanta/{message['client'].hetu}", "/ui/archivist", f"/ui/archivist/{HELSINKI.oid}",
             f"/ui/archivist/{HELSINKI.oid}/{message['row']['documentId']}", f"/ui/messages/{message['row']['seq']}",
             "/ui/trainer", "/ui/trainer/reset", "/ui/rehearsals"]
    for lang in i18n.LANGS:
        for path in paths:
            r = http.get(path, params={"lang": lang})
            assert r.status_code == 200 and f'<html lang="{lang}">' in r.text, path
            text = re.sub(r"<[^>]+>", " ", re.sub(r"<(ol class=\"xml|pre)[\s\S]*?</(ol|pre)>", " ", r.text))
            assert [k for k in keys if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", text)] == [], (lang, path)


def _tab_through(page, stop_after: int = 80) -> list[str]:
    """Press Tab from the top of the page; the focused elements' tag and accessible text, in order."""
    page.locator("body").focus()
    seen = []
    for _ in range(stop_after):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
            return el.tagName.toLowerCase() + ':' + (label || el.innerText || el.value || '').trim(); }"""))
    return seen


def test_the_trainer_controls_and_the_rehearsal_form_are_reached_with_the_keyboard(page):
    page.goto("/ui/trainer")
    seen = _tab_through(page)
    for wanted in ("select:Skenaario", "input:palauta ympäristö ensin", "button:Aloita", f"button:Palauta ympäristö {TENANT}…",
                   "button:Aseta kello", "button:Seuraava päivä (+1 vrk)", "button:Palauta todelliseen aikaan",
                   "button:31.8.2026: rekisteri ei vielä Kannassa", "button:1.11.2026: palveluntuottajat mukaan"):
        assert any(s.startswith(wanted) for s in seen), (wanted, seen)
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible

    page.goto("/ui/rehearsals")
    seen = _tab_through(page)
    for wanted in ("select:Koe", "select:Organisaatio", "select:Palvelunjärjestäjä, jonka rekisteriä käytetään",
                   "input:Järjestelmä ja toimittaja", "button:Avaa harjoitus"):
        assert any(s.startswith(wanted) for s in seen), (wanted, seen)
    page.get_by_label("Järjestelmä ja toimittaja (valinnainen)").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Avaa harjoitus"
    shoot(page, "review-rehearsals-keyboard")


def test_henkilotunnus_in_a_steps_evidence_is_masked_on_the_page():
    masked = trainer._masked({"status": "passed", "why": "client 040348-900D refused", "seconds": 0.1,
                              "evidence": ["clients: eino 040348-900D, lauri 070651-901K", "document 1.2.246.10.2012566.10.40"],
                              "sent": "<id extension=\"040348-900D\"/>", "received": None})
    assert masked["why"] == "client 040348-9**D refused"
    assert masked["evidence"] == ["clients: eino 040348-9**D, lauri 070651-9**K", "document 1.2.246.10.2012566.10.40"]
    assert masked["sent"] == "<id extension=\"040348-900D\"/>"  # the message as it was sent
    assert ui_context.mask_text("on 2026-11-02, seq 725, 120512A912X.") == "on 2026-11-02, seq 725, 120512A9**X."
