"""The live flow, the message page, the trainer controls and the rehearsal pages, in a real headless Chromium
against the real sandbox server, in a tenant of their own (`ui-live`, made through the tenants API and
chosen with the UI's `?tenant=` link, which the UI remembers), so the other UI tests never see its traffic.

The scenario is played by the server itself (a background thread of the worker that served "Start",
steered through the run's rows in the sandbox's database); the flow page receives its messages by
server-sent events without being reloaded.
"""
from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from datetime import date

import httpx
import pytest
from playwright.sync_api import expect

from mock_kanta.client import KantaClient
from mock_kanta.scenario import trainer
from mock_kanta.store import Store
from mock_kanta.store.queries import trainer as run_rows
from tests.ui.conftest import SCREENSHOTS, VIEWPORT, _name, shoot
from tests.ui.world import HELSINKI, WORKER, archive_helsinki, helsinki_plan, person

TENANT = "ui-live"
KIELO_HYVINKAA = "1.2.246.10.29876516.10.1"  # the unit Keusote never named: SH-REG-004
RUN_PATH = re.compile(r"/ui/trainer/runs/(run-[0-9a-f]{12})$")


@pytest.fixture(scope="module")
def live(sandbox, ui):
    """The tenant `ui-live`, made fresh (deleted first if an earlier run left it), and HTTP clients on it."""
    sandbox.http.delete(f"/api/v1/tenants/{TENANT}")
    r = sandbox.http.post("/api/v1/tenants", json={"id": TENANT, "name": "UI live flow tests"})
    assert r.status_code == 201, r.text
    headers = {"X-Mock-Kanta-Tenant": TENANT}
    with KantaClient(sandbox.url, tenant=TENANT) as kanta, httpx.Client(base_url=sandbox.url, headers=headers,
                                                                        timeout=30) as http:
        yield type("Live", (), {"kanta": kanta, "http": http, "url": sandbox.url, "worker": ui.worker,
                                "store": Store(f"sqlite:///{sandbox.data_dir}/mock-kanta.sqlite3")})


@pytest.fixture
def context(browser, live, request):
    """A browser context at 1280x720 that chose the tenant `ui-live` through the UI; screenshots of its pages at the end."""
    ctx = browser.new_context(viewport=VIEWPORT, base_url=live.url, locale="fi-FI", timezone_id="Europe/Helsinki")
    first = ctx.new_page()
    first.set_default_timeout(20_000)
    first.goto(f"/ui/?tenant={TENANT}")  # the UI remembers the choice (cookie mk_tenant)
    expect(first.get_by_test_id("tenant")).to_have_text(TENANT)
    yield ctx
    try:
        for i, tab in enumerate(ctx.pages):
            if tab.url.startswith("http"):
                shoot(tab, _name(request.node.name) + (f"-{i}" if i else ""))
    finally:
        ctx.close()


def shoot_view(page, name: str) -> None:
    """A screenshot of what the 1280x720 window shows (sandboxed frames paint only in such shots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def tab(ctx):
    """The context's first tab (it chose the tenant)."""
    return ctx.pages[0]


@pytest.fixture
def refused(live):
    """A message refused with SH-REG-004 in the tenant: the scenario test's, else the scenario is played over HTTP."""
    def find():
        items = live.http.get("/api/v1/traffic", params={"verdict": "AE", "limit": 500}).json()["items"]
        return next((m for m in items if "SH-REG-004" in m["ruleIds"]), None)

    if find() is None:
        with form_client(live) as http:
            r = http.post("/ui/trainer/runs", data={"csrf": http.token, "tenant": TENANT, "reset_first": "1",
                                                    "scenario": "register-usage-right-test"}, follow_redirects=False)
            assert r.status_code == 303, r.text
            r = http.post(r.headers["location"], data={"csrf": http.token, "tenant": TENANT, "action": "all"})
            assert r.status_code == 200
        deadline = time.monotonic() + 60
        while find() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    return find()


def test_a_scenario_played_from_the_trainer_controls_appears_in_the_live_flow(context, live):
    flow = tab(context)
    flow.goto("/ui/flow")
    expect(flow.get_by_role("heading", level=1)).to_have_text("Viestivirta")
    expect(flow.locator("#flow-live")).to_have_text("Uudet viestit tulevat näkyviin itsestään.")  # the event stream is open
    flow.evaluate("window.notReloaded = true")

    trainer_tab = context.new_page()
    trainer_tab.set_default_timeout(30_000)
    trainer_tab.goto("/ui/trainer")
    expect(trainer_tab.get_by_test_id("tenant")).to_have_text(TENANT)
    trainer_tab.get_by_label("Skenaario", exact=True).select_option("register-usage-right-test")
    expect(trainer_tab.get_by_label(re.compile("palauta ympäristö ensin"))).to_be_checked()
    shoot(trainer_tab, "trainer")
    trainer_tab.get_by_role("button", name="Aloita").click()

    expect(trainer_tab).to_have_url(RUN_PATH)
    run = trainer_tab.get_by_test_id("run")
    expect(run.get_by_test_id("run-state")).to_have_text("odottaa seuraavaa vaihetta")
    expect(run.locator('tr[data-step="0"]')).to_contain_text("onnistui")  # prepared: clock frozen, cards issued

    trainer_tab.get_by_role("button", name="Seuraava vaihe").click()  # step 1: Keusote's client-relationship document
    expect(run.locator('tr[data-step="1"]')).to_have_attribute("data-status", "passed")
    expect(run.locator('tr[data-step="2"]')).to_have_attribute("data-status", "pending")
    expect(run.get_by_test_id("run-progress")).to_have_text("1/23 vaihetta ajettu")
    shoot_view(trainer_tab, "trainer-run-step")

    first = flow.locator("#flow-rows tr.flow-row").first  # arrived by server-sent event
    expect(first).to_have_attribute("data-verdict", "AA")
    expect(first).to_contain_text("Keski-Uudenmaan hyvinvointialue (Keusote)")
    expect(first).to_contain_text("SP1")
    expect(first).to_contain_text("hyväksytty (AA)")
    shoot(flow, "flow-first-step")

    trainer_tab.get_by_role("button", name="Aja loppuun").click()
    expect(run.get_by_test_id("run-state")).to_have_text("ajettu loppuun", timeout=60_000)
    expect(run.locator("tr[data-status=passed]")).to_have_count(23)
    expect(run.locator('tr[data-step="11"]')).to_contain_text("SH-REG-004")  # the step's evidence names the refusal
    shoot(trainer_tab, "trainer-run")

    refused = flow.locator('#flow-rows tr.flow-row[data-verdict="AE"]')
    expect(refused.first).to_be_visible()
    expect(flow.locator("#flow-rows tr.flow-row")).to_have_count(live_rows(live))
    wrong_unit = refused.filter(has_text="SH-REG-004").filter(has_text="Hoivakoti Kielo, tehostettu palveluasuminen Hyvinkää")
    expect(wrong_unit).to_have_count(1)
    expect(wrong_unit).to_contain_text("hylätty, virheitä (AE)")  # words and a sign, not colour alone
    expect(wrong_unit.locator(".verdict-sign")).to_have_text("✗")
    assert flow.evaluate("window.notReloaded") is True  # the rows came without a reload
    hetus = [m["clientId"] for m in live.http.get("/api/v1/traffic?limit=500").json()["items"] if m["clientId"]]
    text = flow.locator("#flow-rows").inner_text()
    assert hetus and not any(h in text for h in hetus)  # henkilötunnus masked
    flow.evaluate("window.scrollTo(0, 0)")
    shoot_view(flow, "flow-view")
    shoot(flow, "flow")


def live_rows(live) -> int:
    """The messages the flow must list (after the reset the scenario started with)."""
    return len(live.http.get("/api/v1/traffic?limit=500").json()["items"])


def test_a_refused_messages_page_shows_its_rule_ids_and_the_marked_xml_line(context, live, refused):
    message = refused
    page = tab(context)
    page.goto("/ui/flow")
    page.locator(f'#flow-rows tr[data-seq="{message["seq"]}"]').get_by_role("link").click()

    expect(page).to_have_url(re.compile(f"/ui/messages/{message['seq']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("hylätty, virheitä (AE)")
    expect(page.get_by_test_id("rule-ids")).to_contain_text("SH-REG-004")
    finding = page.get_by_test_id("findings").locator('li[data-rule="SH-REG-004"]')
    expect(finding).to_contain_text("Ei rekisterinkäyttöoikeutta")  # title, in Finnish
    expect(finding).to_contain_text("Pyydä palvelunjärjestäjää")  # the fix
    expect(finding).to_contain_text("703/2023")  # the source

    document = page.get_by_test_id("xml-document")
    marked = document.locator("li.xml-line.hit")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(f'<id root="{KIELO_HYVINKAA}"/>')  # the unit the XPath names
    line = marked.get_attribute("data-line")
    expect(page.get_by_test_id("xml-frame").locator("li.xml-line").first).to_contain_text("<RCMR_IN200002FI01")
    finding.get_by_role("link", name=f"Näytä rivi {line}: asiakirja").click()
    assert page.evaluate("document.activeElement.id") == f"document-L{line}"  # the line has the focus
    box, pane = marked.bounding_box(), document.bounding_box()
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"]  # and is scrolled into its pane's view
    shoot_view(page, "message-marked-line")

    expect(page.get_by_test_id("signatures")).to_contain_text("ammattihenkilön kortti")
    expect(page.get_by_test_id("signatures")).to_contain_text("MOCK Kanta TEST Root CA")
    expect(page.get_by_test_id("structured")).to_contain_text('"lapsiperheiden_palvelujen_asiakassuunnitelma": {')
    page.get_by_test_id("display-form").scroll_into_view_if_needed()
    frame = page.frame_locator("iframe[data-testid=display-form]")
    expect(frame.locator("h1").first).to_have_text("Lapsiperheiden palvelujen asiakassuunnitelma")
    shoot_view(page, "message-display-form")
    page.evaluate("window.scrollTo(0, 0)")
    shoot_view(page, "message-top")
    shoot(page, "message-refused")

    page.get_by_role("link", name="English").click()
    expect(finding).to_contain_text("No register usage right")


def test_the_rehearsal_page_grades_a_session_live_and_shows_its_report(context, live):
    page = tab(context)
    page.goto("/ui/rehearsals")
    form = page.get_by_test_id("open-rehearsal")
    form.get_by_label("Koe").select_option("deployment-test")
    form.get_by_label("Organisaatio").select_option(HELSINKI.oid)
    form.get_by_label("Järjestelmä ja toimittaja").fill("Testijärjestelmä 1.0")
    shoot(page, "rehearsals")
    form.get_by_role("button", name="Avaa harjoitus").click()

    expect(page).to_have_url(re.compile(r"/ui/rehearsals/reh-[0-9a-f]{12}$"))
    items = page.get_by_test_id("items")
    expect(items.locator("tr[data-item]")).to_have_count(6)
    expect(items.locator('tr[data-item="DT-03"]')).to_have_attribute("data-status", "missing")
    expect(page.get_by_test_id("session-status")).to_have_text("käynnissä")
    page.evaluate("window.notReloaded = true")

    client = person(date(1971, 3, 4), "Harjoitus", "Arvioitava")
    with KantaClient(live.url, tenant=TENANT) as kanta:
        archive_helsinki(type("T", (), {"kanta": kanta, "worker": live.worker}), helsinki_plan(client))

    met = items.locator('tr[data-item="DT-03"]')
    expect(met).to_have_attribute("data-status", "met", timeout=20_000)  # graded again by itself, no reload
    expect(met).to_contain_text("täyttyi")
    expect(met).to_contain_text(HELSINKI.name)  # the evidence names the event
    assert page.evaluate("window.notReloaded") is True
    expect(items.locator('tr[data-item="DT-04"]')).to_contain_text("Etsittiin")  # a missing item says what was looked for
    shoot(page, "rehearsal-live")

    page.get_by_role("button", name="Sulje harjoitus ja lukitse raportti").click()
    expect(page.get_by_test_id("session-status")).to_have_text("suljettu")
    expect(page.get_by_role("status")).to_contain_text("suljettiin")
    report = page.frame_locator("iframe[data-testid=report]")
    expect(report.locator("h1")).to_contain_text("Harjoituskoeraportti")  # the report's kind; its facts once, in the header
    expect(report.locator(".rehearsal-header")).to_contain_text(HELSINKI.name)
    expect(report.locator("body")).to_contain_text("DT-03")
    shoot(page, "rehearsal-closed")


def test_resetting_the_tenant_asks_first_and_then_empties_it(context, live):
    live_rows_before = live_rows(live)
    assert live_rows_before > 0
    page = tab(context)
    page.goto("/ui/trainer")
    page.get_by_role("button", name=f"Palauta ympäristö {TENANT}…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Palautetaanko ympäristö {TENANT}?")
    assert live_rows(live) == live_rows_before  # asking changes nothing
    shoot(page, "trainer-reset-confirm")
    page.get_by_role("link", name="Peruuta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kouluttajan ohjaimet")
    assert live_rows(live) == live_rows_before

    page.get_by_role("button", name=f"Palauta ympäristö {TENANT}…").click()
    page.get_by_role("button", name=f"Kyllä, palauta {TENANT}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Ympäristö {TENANT} palautettiin")
    assert live_rows(live) == 0


# --- over plain HTTP: the run's rows, bad input ------------------------------------------------------


@contextmanager
def form_client(live):
    """A cookie-keeping HTTP client in the tenant with the session's form token, as a browser would be."""
    with httpx.Client(base_url=live.url, cookies={"mk_tenant": TENANT}, timeout=90,
                      headers={"Origin": live.url}) as http:
        page = http.get("/ui/trainer")
        assert page.status_code == 200
        http.token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        yield http


@pytest.fixture
def form(live):
    with form_client(live) as http:
        yield http


def test_a_run_is_steered_through_its_rows_whichever_process_queues_the_request(form, live):
    r = form.post("/ui/trainer/runs", data={"csrf": form.token, "tenant": TENANT, "scenario": "deployment-test",
                                            "reset_first": "1"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    run_id = RUN_PATH.search(r.headers["location"]).group(1)
    assert trainer.run_of(live.store, TENANT, run_id)["state"] == "ready"

    n = trainer.ask(live.store, TENANT, run_id, "next")  # this test process stands in for another worker
    trainer.wait(live.store, TENANT, run_id, 30, n)
    run = trainer.run_of(live.store, TENANT, run_id)
    assert run_rows.progress(live.store, TENANT, run_id)["handled"] == n and not run["pending"]
    assert run["steps"][0]["result"]["status"] == "passed" and run["steps"][1]["result"] is None
    page = form.get(f"/ui/trainer/runs/{run_id}")
    assert 'data-step="1" data-status="passed"' in page.text and f"1/{len(run['steps'])} vaihetta ajettu" in page.text

    r = form.post(f"/ui/trainer/runs/{run_id}", data={"csrf": form.token, "tenant": TENANT, "action": "stop"},
                  follow_redirects=False)
    assert r.status_code == 303 and trainer.run_of(live.store, TENANT, run_id)["state"] == "stopped"
    r = form.post(f"/ui/trainer/runs/{run_id}", data={"csrf": form.token, "tenant": TENANT, "action": "next"})
    assert r.status_code == 409 and "päättynyt" in r.text
    assert [q["action"] for q in run_rows.requests(live.store, TENANT, run_id)] == ["next", "stop"]  # no third


def trainer_rows(live) -> list:
    """The tenant's runs, each with the clicks queued for it (a run still playing may change its results meanwhile)."""
    return [(r["id"], [q["seq"] for q in run_rows.requests(live.store, TENANT, r["id"])])
            for r in trainer.recent(live.store, TENANT, 100)]


@pytest.mark.parametrize("path, data, status, says", [
    ("/ui/trainer/runs", {"scenario": "no-such-scenario"}, 400, "Tuntematon skenaario"),
    ("/ui/trainer/runs", {"scenario": "deployment-test", "tenant": "default"}, 400, "Lomake koski ympäristöä default"),
    ("/ui/trainer/runs/run-000000000000", {"action": "next"}, 404, "ei ole skenaarioajoa"),
    ("/ui/trainer/runs/run-1", {"action": "next"}, 404, "ei ole skenaarioajoa"),
    ("/ui/trainer/reset", {"tenant": "default"}, 400, "Lomake koski ympäristöä default"),
    ("/ui/rehearsals", {"test": "no-such-test", "organisation": HELSINKI.oid}, 400, "Tuntematon koe no-such-test"),
    ("/ui/rehearsals", {"test": "deployment-test", "organisation": "1.2.3.4.5"}, 400, "Organisaatio 1.2.3.4.5 ei ole tässä ympäristössä"),
    ("/ui/rehearsals/reh-000000000000/close", {}, 404, "ei ole harjoitusta reh-000000000000"),
])
def test_bad_forms_get_a_clear_page_and_change_nothing(form, live, path, data, status, says):
    before = (live_rows(live), live.http.get("/api/v1/rehearsals/").json()["sessions"], trainer_rows(live))
    r = form.post(path, data={"csrf": form.token, "tenant": TENANT, **data}, follow_redirects=False)
    assert r.status_code == status and "text/html" in r.headers["content-type"], r.text[:500]
    assert says in r.text and "Mitään ei muutettu." in r.text
    after = (live_rows(live), live.http.get("/api/v1/rehearsals/").json()["sessions"], trainer_rows(live))
    assert after == before


def test_the_event_stream_and_the_message_pages_refuse_bad_requests_clearly(live):
    with httpx.Client(base_url=live.url, timeout=10) as http:
        r = http.get("/ui/events", params={"after": "-1", "tenant": TENANT})
        assert r.status_code == 400 and "after" in r.text
        r = http.get("/ui/events", headers={"Last-Event-ID": "x", "X-Mock-Kanta-Tenant": TENANT})
        assert r.status_code == 400
        r = http.get("/ui/events", params={"tenant": "no-such-tenant"})
        assert r.status_code == 404 and "no-such-tenant" in r.text
        http.cookies.set("mk_tenant", TENANT)
        for path in ("/ui/messages/999999999", "/ui/messages/99999999999999999999999", "/ui/messages/1/other.xml"):
            r = http.get(path)
            assert r.status_code == 404 and "text/html" in r.headers["content-type"], path


def test_the_event_stream_sends_new_messages_with_their_seq_and_resumes_after_last_event_id(live):
    client = person(date(1968, 5, 6), "Virta", "Tapahtuma")
    with KantaClient(live.url, tenant=TENANT) as kanta:
        archive_helsinki(type("T", (), {"kanta": kanta, "worker": live.worker}), helsinki_plan(client))
    items = live.http.get("/api/v1/traffic?limit=500").json()["items"]
    last = items[-1]
    with httpx.Client(base_url=live.url, timeout=10) as http:
        with http.stream("GET", "/ui/events", params={"after": last["seq"] - 1, "lang": "en"},
                         headers={"X-Mock-Kanta-Tenant": TENANT}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            lines = []
            for line in r.iter_lines():
                lines.append(line)
                if line.startswith("data:"):
                    break
    assert lines[0] == "retry: 1000"
    assert f"id: {last['seq']}" in lines
    data = json.loads(lines[-1][5:])
    assert (data["seq"], data["verdict"], data["verdictText"], data["href"]) == (
        last["seq"], "AA", "accepted (AA)", f"/ui/messages/{last['seq']}")
    assert data["client"] != client.hetu and data["client"].startswith(client.hetu[:8])  # masked
    assert data["sender"] == HELSINKI.name and data["register"] == HELSINKI.name
    assert WORKER.registration_number not in json.dumps(data)  # the row carries no person


def test_every_text_the_live_pages_build_at_run_time_exists_in_three_languages():
    """Keys made from a value (a verdict, a channel, a state): every value the code can produce has its text."""
    from mock_kanta.reports import STATUSES
    from mock_kanta.signing.pki import load_profiles
    from mock_kanta.traffic import service as traffic
    from mock_kanta.ui import i18n

    keys = {f"channel.{c}" for c in traffic.CHANNELS} | {f"verdict.{v}" for vs in traffic.VERDICTS.values() for v in vs}
    keys |= {f"card.{name}" for name in load_profiles()["profiles"]} | {"card.unknown"}
    keys |= {f"message.part_{p}" for p in ("frame", "request", "document", "message")}
    keys |= {f"severity.{s}" for s in ("error", "warning", "info")}
    keys |= {f"run_status.{s}" for s in (*STATUSES, "pending")}
    keys |= {f"trainer.state_{s}" for s in ("preparing", "ready", "running", *trainer.OVER)}
    keys |= {f"session_status.{s}" for s in ("open", "closed")} | {f"session_result.{r}" for r in ("passed", "failed")}
    keys |= {f"rehearsal.{s}" for s in ("met", "missing")}
    keys |= {f"message.{check}" for check in ("check_body", "check_timestamp", "check_value")}
    texts = i18n.texts()
    assert sorted(k for k in keys if k not in texts) == []
    assert all(set(texts[k]) == set(i18n.LANGS) for k in keys)


def test_a_findings_xpath_marks_the_line_of_its_element_or_of_the_nearest_element_that_is_there():
    from mock_kanta.traffic.pages import messages

    xml = (b'<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:hl7fi="urn:hl7finland"><id root="1.2.3"/>'
           b'<component><nonXMLBody><text mediaType="text/xml">' + b"QUJD" * 200 + b'</text></nonXMLBody></component>'
           b'<hl7fi:localSocialHeader><hl7fi:x code="1"/></hl7fi:localSocialHeader></ClinicalDocument>')
    view = messages.xml_view("document", xml)
    assert view.problem is None and view.shortened  # the Base64 text is cut on the page, not in the message
    assert view.lines[1] == '  <id root="1.2.3"/>' and "(800 " in view.lines[4]
    assert messages.place(view.tree, "/hl7:ClinicalDocument/hl7:id/@root") == ([2], True)
    assert messages.place(view.tree, "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:x[@code='1']") == ([9], True)
    missing = "/hl7:ClinicalDocument/hl7fi:localSocialHeader/hl7fi:authorizationRestrictionArgument"
    assert messages.place(view.tree, missing) == ([8], False)  # the parent that is there
    assert messages.place(view.tree, "/hl7:ClinicalDocument/hl7:component[hl7:nonXMLBody/hl7:text]/hl7:y") == ([3], False)
    assert messages.place(view.tree, "/") == ([], False) and messages.place(view.tree, "not a path") == ([], False)

    broken = messages.xml_view("frame", b"<a><b></a>")
    assert broken.tree is None and broken.lines == ["<a><b></a>"] and "mismatch" in broken.problem.lower()
