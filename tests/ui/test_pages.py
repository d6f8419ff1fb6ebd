"""The web UI in a real headless Chromium against a real sandbox server (tenant `ui-tests`)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from mock_kanta.ui.context import mask
from tests.ui.conftest import shoot
from tests.ui.world import (
    HELSINKI,
    HKI,
    HYVINKAA,
    KEUSOTE,
    PROHIBITED,
    TUUSULA,
    WORKER,
    archive_helsinki,
    grant_keusote,
    helsinki_plan,
    hostile_display,
    person,
    replace,
    with_display,
)


def nav_link(page, text: str):
    return page.get_by_role("navigation", name=re.compile("Päävalikko|Huvudmeny|Main menu")).get_by_role("link", name=text)


@pytest.fixture
def real_time(ui):
    """The tenant's clock in real time before and after the test (a test may move it through the UI)."""
    ui.kanta.clock_reset()
    yield
    ui.kanta.clock_reset()


def test_the_language_switch_changes_the_texts_and_the_page_language(page):
    page.goto("/")  # redirected to the overview
    assert page.url.endswith("/ui/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Yleiskuva")
    expect(nav_link(page, "Rekisterit")).to_be_visible()
    expect(page.get_by_test_id("tenant")).to_have_text("ui-tests")
    shoot(page, "overview")

    page.get_by_role("link", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    expect(nav_link(page, "Register")).to_be_visible()
    expect(page.get_by_role("heading", name="Testmiljöns klocka")).to_be_visible()
    shoot(page, "overview-sv")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    nav_link(page, "Registers").click()  # the choice is remembered from page to page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registers and the register usage right")
    expect(page.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")

    page.get_by_role("link", name="Suomi").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekisterit ja rekisterin käyttöoikeus")


def test_the_registers_timeline_shows_rights_granted_by_an_archived_client_relationship_document(page, ui, real_time):
    page.goto("/ui/")
    page.get_by_role("button", name="1.11.2026: palveluntuottajat mukaan").click()  # the clock form, no JavaScript needed
    expect(page.get_by_role("status")).to_contain_text("Kello on nyt 1.11.2026 klo 12.00 (pysäytetty)")
    expect(page.locator("#sandbox-clock")).to_have_text("1.11.2026 klo 12.00")
    assert ui.kanta.clock()["now"].startswith("2026-11-01T10:00:00")  # 12.00 in Helsinki

    client = person(date(1948, 6, 7), "Aikajana", "Asiakas")
    grant_keusote(ui, client, [(TUUSULA, date(2026, 9, 15), None), (HYVINKAA, date(2026, 12, 1), date(2027, 5, 31))],
                  when=datetime(2026, 11, 1, 12, tzinfo=HKI))

    page.goto("/ui/registers")
    shoot(page, "registers")
    row = page.locator(f'tr[data-register="{KEUSOTE.oid}"]')
    expect(row).to_contain_text("1.9.2026")  # in Kanta from
    expect(row).to_contain_text("1.11.2026")  # providers from
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(KEUSOTE.name)

    masked = mask(client.hetu)
    timeline = page.get_by_test_id("timeline")
    tuusula = timeline.locator(f'g.right[data-client="{masked}"][data-unit="{TUUSULA.oid}"]')
    expect(tuusula).to_have_attribute("data-start", "2026-09-15")
    expect(tuusula).to_have_attribute("data-end", "")
    expect(tuusula).to_have_attribute("data-state", "in-force")
    expect(tuusula.locator("text.row-sub")).to_have_text(TUUSULA.name)
    hyvinkaa = timeline.locator(f'g.right[data-client="{masked}"][data-unit="{HYVINKAA.oid}"]')
    expect(hyvinkaa).to_have_attribute("data-state", "future")
    expect(hyvinkaa).to_have_attribute("data-end", "2027-05-31")
    expect(timeline.locator('g.marker[data-marker="now"]')).to_contain_text("Kello 1.11.2026")
    expect(timeline.locator('g.marker[data-marker="kanta"]')).to_contain_text("1.9.2026")
    # The bar starts right of the Kanta go-live line and left of the clock line.
    bar_x = float(tuusula.locator("rect.bar").get_attribute("x"))
    kanta_x = float(timeline.locator('g.marker[data-marker="kanta"] line').get_attribute("x1"))
    now_x = float(timeline.locator('g.marker[data-marker="now"] line').get_attribute("x1"))
    assert kanta_x < bar_x < now_x

    table = page.get_by_test_id("rights-table")
    expect(table.locator(f'tr[data-unit="{TUUSULA.oid}"][data-client="{masked}"]')).to_contain_text("15.9.2026")
    assert client.hetu not in page.locator("body").inner_text()  # lists show the masked henkilötunnus only
    shoot(page, "registers-keusote")

    # The clock moves on a month: the Hyvinkää right comes into force.
    page.get_by_label("Päivä").fill("2026-12-02")
    page.get_by_role("button", name="Aseta kello").click()
    expect(page.locator("#sandbox-clock")).to_have_text("2.12.2026 klo 12.00")
    expect(page.get_by_test_id("timeline").locator(f'g.right[data-unit="{HYVINKAA.oid}"][data-client="{masked}"]')
           ).to_have_attribute("data-state", "in-force")
    page.get_by_role("button", name="Palauta todelliseen aikaan").click()
    expect(page.get_by_role("status")).to_contain_text("todellinen aika")


def test_omakanta_side_by_side_hides_a_minors_prohibited_document_from_the_guardian(page, ui, real_time):
    today = datetime.now(HKI).date()
    minor = person(today.replace(year=today.year - 15) - timedelta(days=40), "Nuori", "Rinnakkain")
    parent = person(date(1979, 4, 21), "Huoltaja", "Rinnakkain")
    r = ui.http.post("/api/v1/omakanta/guardians", json={"minorClientId": minor.hetu, "guardianId": parent.hetu})
    assert r.status_code == 201, r.text
    allowed = archive_helsinki(ui, helsinki_plan(minor))
    prohibited = archive_helsinki(ui, helsinki_plan(minor, consent=PROHIBITED, restriction={
        "text": "Nuori pyytää painavasta syystä, ettei tietoja luovuteta huoltajille."}))

    page.goto("/ui/omakanta")
    expect(page.get_by_role("link", name=mask(minor.hetu))).to_be_visible()
    shoot(page, "omakanta-pick")
    page.get_by_label("Asiakkaan henkilötunnus").fill(minor.hetu)
    page.get_by_role("button", name="Näytä").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Asiakas {minor.hetu}")  # the client's own page: in full

    table = page.get_by_test_id("side-by-side")
    headers = table.locator("thead th")
    expect(headers).to_have_text(["Asiakirja", re.compile("^Asiakas itse"), re.compile(f"^Huoltaja {re.escape(mask(parent.hetu))}"),
                                  re.compile("^Ammattihenkilö")])
    row = table.locator(f'tr[data-document="{prohibited.document_id}"]')
    guardian = row.locator('td[data-viewer="guardian"]')
    expect(guardian).to_have_attribute("data-shown", "false")
    expect(guardian).to_have_attribute("data-reason", "minor-prohibited")
    expect(guardian).to_contain_text("Piilossa")
    expect(guardian).to_contain_text("Alaikäinen on kieltänyt asiakirjan luovuttamisen huoltajilleen.")
    expect(row.locator('td[data-viewer="client"]')).to_have_attribute("data-shown", "true")
    expect(row.locator('td[data-viewer="professional"]')).to_have_attribute("data-shown", "true")
    expect(table.locator(f'tr[data-document="{allowed.document_id}"] td[data-viewer="guardian"]')).to_have_attribute(
        "data-shown", "true")
    expect(headers.nth(2)).to_contain_text("näkyy 1, piilossa 1")
    shoot(page, "omakanta-side-by-side")

    page.get_by_role("link", name="English").click()  # the reasons come in the page's language
    expect(table.locator(f'tr[data-document="{prohibited.document_id}"] td[data-viewer="guardian"]')).to_contain_text(
        "The minor has forbidden disclosing the document to their guardians.")


def test_the_archivists_page_of_a_document_shows_its_signer_and_versions(page, ui):
    client = person(date(1966, 2, 3), "Arkisto", "Näkymä")
    first = archive_helsinki(ui, helsinki_plan(client))
    second = replace(ui, first, client)

    page.goto("/ui/archivist")
    shoot(page, "archivist")
    page.locator(f'tr[data-register="{HELSINKI.oid}"]').get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rekisteri: {HELSINKI.name}")
    shoot(page, "archivist-register")
    row = page.get_by_test_id("documents").locator(f'tr[data-document="{second.document_id}"]')
    expect(row).to_contain_text(mask(client.hetu))
    expect(row).to_contain_text("voimassa")
    expect(row).to_contain_text("2 / 2")
    row.get_by_role("link").first.click()

    expect(page.get_by_test_id("document-facts")).to_contain_text(second.document_id)
    signers = page.get_by_test_id("signers")
    expect(signers).to_contain_text(WORKER.registration_number)
    expect(signers).to_contain_text(f"{WORKER.given} {WORKER.family}")
    expect(signers).to_contain_text("allekirjoitus pätee")
    versions = page.get_by_test_id("versions").locator("li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("korvattu")
    expect(versions.nth(1)).to_contain_text("tämä")
    assert client.hetu not in page.locator("body").inner_text()
    shoot(page, "archivist-document")
    versions.nth(0).get_by_role("link").click()
    expect(page.get_by_test_id("document-facts")).to_contain_text(first.document_id)


def test_the_keyboard_reaches_every_navigation_link_with_a_visible_focus(page):
    page.goto("/ui/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Siirry sisältöön"  # the skip link comes first
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {text: e.textContent.trim(), inNav: !!e.closest('nav.main-nav'), outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth)}; }""")
        if info["inNav"]:
            seen.append(info["text"])
            assert info["outline"] != "none" and info["width"] >= 3, info  # the focus shows
        if info["text"] == "Kouluttaja":
            break
    assert seen == ["Yleiskuva", "Viestivirta", "Rekisterit", "Omakanta", "Arkistonhoitaja", "Harjoitukset", "Kouluttaja"]
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Rekisterit"
    shoot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/ui/registers$"))


def test_the_display_form_of_an_archived_document_runs_nothing(page, ui):
    client = person(date(1971, 8, 9), "Skripti", "Näyttömuoto")
    plan = helsinki_plan(client)
    doc = archive_helsinki(ui, with_display(plan, hostile_display(plan.document_id)))
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    console = []
    page.on("console", lambda msg: console.append(msg.text))

    page.goto(f"/ui/archivist/{HELSINKI.oid}/{doc.document_id}")
    title = page.title()
    iframe = page.get_by_test_id("display-form")
    expect(iframe).to_have_attribute("sandbox", "")
    frame = page.frame_locator('[data-testid="display-form"]')
    expect(frame.get_by_role("heading", name="Näyttömuoto, jossa on skripti")).to_be_visible()
    expect(frame.locator("script")).to_have_count(1)  # the script arrived as it was archived ...
    frame.locator("#js-link").click()
    page.wait_for_timeout(500)

    display = next(f for f in page.frames if f.url.endswith("/display"))
    assert display.evaluate("document.title") == "Asiakirjan näyttömuoto"  # ... and did not run
    assert display.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    assert page.title() == title and page.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    assert not [u for u in requests if "pwned" in u], requests
    assert any("sandboxed" in line or "Content Security Policy" in line for line in console), console

    response = ui.http.get(f"/ui/archivist/{HELSINKI.oid}/{doc.document_id}/display")
    assert response.headers["content-security-policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert response.headers["content-type"].startswith("application/xhtml+xml")
    shoot(page, "display-form-sandboxed")

    page.goto(f"/ui/archivist/{HELSINKI.oid}/{doc.document_id}/display")  # opened on its own: the header alone holds
    page.wait_for_timeout(300)
    assert page.title() == "Asiakirjan näyttömuoto"
    assert not [u for u in requests if "pwned" in u], requests
