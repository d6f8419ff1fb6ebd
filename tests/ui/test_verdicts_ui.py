"""The tenant's verdict profile on the overview, and each finding's basis on a message's page (docs/verdicts.md),
in a real headless Chromium (tenant `ui-tests`)."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import shoot
from tests.ui.world import KEUSOTE, archive_helsinki, helsinki_plan, person

PROFILE = "/api/v1/verdict-profile"


@pytest.fixture
def default_verdicts(ui):
    ui.http.delete(PROFILE).raise_for_status()
    yield
    ui.http.delete(PROFILE).raise_for_status()


def test_the_overview_shows_and_sets_the_tenants_verdict_profile(page, ui, default_verdicts):
    page.goto("/ui/")
    panel = page.get_by_test_id("verdict-profile")
    keusote = panel.get_by_role("checkbox", name="Keusote")
    strict = panel.get_by_role("checkbox", name="Tiukka: jokainen havainto hylkää")
    expect(keusote).not_to_be_checked()
    expect(strict).not_to_be_checked()
    expect(panel).to_contain_text("SH-CTX-001")
    keusote.check()
    panel.get_by_role("button", name="Tallenna").click()
    expect(page.get_by_text("Hylkäysperusteet tallennettu.")).to_be_visible()
    expect(page.get_by_test_id("verdict-profile").get_by_role("checkbox", name="Keusote")).to_be_checked()
    assert ui.http.get(PROFILE).json() == {"strict": False, "organisers": [KEUSOTE.oid]}
    shoot(page, "overview-verdicts")
    page.get_by_test_id("verdict-profile").get_by_role("checkbox", name="Keusote").uncheck()
    page.get_by_test_id("verdict-profile").get_by_role("button", name="Tallenna").click()
    expect(page.get_by_test_id("verdict-profile").get_by_role("checkbox", name="Keusote")).not_to_be_checked()
    assert ui.http.get(PROFILE).json() == {"strict": False, "organisers": []}


def test_a_messages_page_shows_each_findings_basis(page, ui, default_verdicts):
    """A Helsinki plan without its matter: SH-CTX-001 (basis organiser: Keusote's recording guide) warns in
    Helsinki's register, and says whose guide demands it."""
    plan = helsinki_plan(person(date(1971, 8, 9), "Peruste", "Näkyvä"))
    plan = dataclasses.replace(plan, matter=dataclasses.replace(plan.matter, id=None))
    archive_helsinki(ui, plan)  # accepted: the finding is a warning here
    items = ui.http.get("/api/v1/traffic", params={"limit": 50}).json()["items"]
    seq = next(m["seq"] for m in items if m["documentId"] == plan.document_id)

    page.goto(f"/ui/messages/{seq}")
    card = page.locator('li.finding[data-rule="SH-CTX-001"]')
    expect(card.get_by_test_id("basis")).to_have_text("palvelunjärjestäjä")
    expect(card).to_contain_text("Kannan ei tiedetä hylkäävän tätä; Keusote edellyttää sitä ohjeessaan.")
    shoot(page, "message-basis")
