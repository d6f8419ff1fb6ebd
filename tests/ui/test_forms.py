"""The UI's form handlers and raw views over plain HTTP against the real server (tenant `ui-tests`)."""
from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from tests.ui.conftest import TENANT
from tests.ui.world import HELSINKI, archive_helsinki, helsinki_plan, person


@pytest.fixture
def browser_like(ui):
    """A cookie-keeping HTTP client on the tenant, holding the session's form token."""
    with httpx.Client(base_url=ui.url, cookies={"mk_tenant": TENANT}, timeout=30) as http:
        page = http.get("/ui/")
        assert page.status_code == 200
        http.token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        ui.kanta.clock_reset()
        yield http
        ui.kanta.clock_reset()


def post_clock(http, origin: str | None, **form):
    headers = {"Origin": origin} if origin else {}
    return http.post("/ui/clock", data=form, headers=headers, follow_redirects=False)


def test_a_same_origin_post_with_the_session_token_moves_the_clock(browser_like, ui):
    r = post_clock(browser_like, ui.url, csrf=browser_like.token, action="shortcut", day="2026-09-01", next="/ui/registers")
    assert (r.status_code, r.headers["location"]) == (303, "/ui/registers")
    assert ui.kanta.clock()["now"].startswith("2026-09-01T09:00:00")  # 12.00 in Helsinki (summer time)
    r = post_clock(browser_like, ui.url, csrf=browser_like.token, action="advance", days="1", next="https://elsewhere.example/")
    assert (r.status_code, r.headers["location"]) == (303, "/ui/")  # never redirected off the UI
    assert ui.kanta.clock()["now"].startswith("2026-09-02T09:00:00")
    r = post_clock(browser_like, ui.url, csrf=browser_like.token, action="reset")
    assert r.status_code == 303 and ui.kanta.clock()["mode"] == "real"


@pytest.mark.parametrize("origin, token, why", [
    (None, "good", "Pyynnössä ei ole Origin- eikä Referer-otsaketta"),
    ("https://attacker.example", "good", "attacker.example"),
    ("same", "forged", "Lomaketunniste ei kuulu tähän istuntoon"),
    ("same", "", "Lomaketunniste ei kuulu tähän istuntoon"),
])
def test_a_cross_site_or_tokenless_post_is_refused_and_changes_nothing(browser_like, ui, origin, token, why):
    before = ui.kanta.clock()
    r = post_clock(browser_like, ui.url if origin == "same" else origin,
                   csrf=browser_like.token if token == "good" else token, action="shortcut", day="2026-08-31")
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert why in r.text and "Mitään ei muutettu." in r.text
    assert ui.kanta.clock()["mode"] == before["mode"] == "real"


def test_a_post_from_another_session_is_refused(browser_like, ui):
    with httpx.Client(base_url=ui.url, cookies={"mk_tenant": TENANT}, timeout=30) as other:
        r = post_clock(other, ui.url, csrf=browser_like.token, action="reset")
    assert r.status_code == 403 and "lataa sivu uudelleen" in r.text


@pytest.mark.parametrize("form, message", [
    ({"action": "set", "date": "2026-13-01", "time": "12:00"}, "Päivä ja kellonaika eivät kelpaa"),
    ({"action": "set", "date": "", "time": "12:00"}, "Päivä ja kellonaika eivät kelpaa"),
    ({"action": "advance", "days": "many"}, "Siirto päivinä ei kelpaa"),
    ({"action": "advance", "days": "99999"}, "Siirto päivinä ei kelpaa"),
    ({"action": "shortcut", "day": "2030-01-01"}, "Tuntematon pikavalinta"),
    ({"action": "explode"}, "Tuntematon kellon toiminto"),
])
def test_bad_clock_input_gets_a_clear_page_and_leaves_the_clock(browser_like, ui, form, message):
    r = post_clock(browser_like, ui.url, csrf=browser_like.token, **form)
    assert r.status_code == 400 and message in r.text
    assert ui.kanta.clock()["mode"] == "real"


def test_pages_answer_bad_input_with_readable_errors(browser_like):
    assert browser_like.get("/ui/omakanta/120512A912X").status_code == 400  # wrong check character
    r = browser_like.get("/ui/archivist/1.2.246.10.2012566.10.40?status=lost")
    assert r.status_code == 400 and "Tuntematon tila" in r.text
    r = browser_like.get("/ui/registers/1.2.3.4")
    assert r.status_code == 404 and "1.2.3.4" in r.text and "text/html" in r.headers["content-type"]
    r = browser_like.get("/ui/?tenant=no-such-tenant")
    assert r.status_code == 404 and "no-such-tenant" in r.text
    assert browser_like.get("/ui/").status_code == 200  # the unknown tenant was not remembered
    r = browser_like.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (302, "/ui/")


def test_raw_xml_is_served_as_inert_text(browser_like, ui):
    doc = archive_helsinki(ui, helsinki_plan(person(date(1958, 1, 2), "Raaka", "Teksti")))
    for part in ("frame", "document"):
        r = browser_like.get(f"/ui/archivist/{HELSINKI.oid}/{doc.document_id}/{part}.xml")
        assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.headers["content-security-policy"].startswith("sandbox;")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert doc.document_id in r.text
    assert browser_like.get(f"/ui/archivist/{HELSINKI.oid}/{doc.document_id}/other.xml").status_code == 404


def test_pages_carry_a_content_security_policy_without_inline_scripts(browser_like):
    r = browser_like.get("/ui/registers")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in r.text
