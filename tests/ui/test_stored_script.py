"""A stored script runs nowhere on the sandbox's origin (Debian's Chromium against the real server).

The tenant `ui-tests` receives a body sent as text/html, a message whose frame and document are XHTML, and an
accepted document whose (unsigned) frame carries an XHTML script and whose display form a script, an onerror
handler and a javascript: link. Each script tries what an attacker's would: mark the page, then read the CSRF
token from the trainer's reset form and reset the tenant. The raw routes of the control API and the UI pages
that show these messages are opened in the browser: no script runs, nothing is requested, the tenant is intact.
"""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Error as PlaywrightError

from mock_kanta.client import frame_bytes, frame_for, signed_bytes
from mock_kanta.wire import soap
from tests.ui.conftest import TENANT, shoot
from tests.ui.world import (
    HELSINKI,
    HELSINKI_UNIT,
    WORKER,
    helsinki_plan,
    hostile_display,
    person,
    with_display,
)

# XML-safe (no '<' or '&'): the same text is a script in HTML and in XHTML.
ATTACK = ("window.pwned=1;document.title='pwned';"
          "fetch('/ui/trainer/reset?pwned=1').then(function(r){return r.text()}).then(function(html){"
          "var form=new DOMParser().parseFromString(html,'text/html')"
          ".querySelector('form[action=\"/ui/trainer/reset\"]');"
          "var fields=new URLSearchParams();"
          "form.querySelectorAll('input').forEach(function(i){fields.append(i.name,i.value)});"
          "return fetch('/ui/trainer/reset?pwned=2',{method:'POST',body:fields})})")
HTML_BODY = f"<!doctype html><html><head><title>html</title></head><body><script>{ATTACK}</script></body></html>"
XHTML = (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>xhtml</title></head>'
         f'<body><p>XHTML</p><script>{ATTACK}</script></body></html>')
FRAME_SCRIPT = f'<x:script xmlns:x="http://www.w3.org/1999/xhtml">{ATTACK}</x:script>'


class Hostile:
    """The tenant's hostile messages: seqs of the HTML body, the XHTML parts and the accepted document."""

    def __init__(self, ui):
        self.ui = ui
        r = ui.http.post("/kanta/shark/arkisto", content=HTML_BODY.encode(), headers={"Content-Type": "text/html"})
        assert r.status_code == 400, r.text
        self.body_seq = self.newest()
        body, content_type = soap.build_multipart(XHTML.encode(), XHTML.encode())
        r = ui.http.post("/kanta/shark/arkisto", content=body, headers={"Content-Type": content_type})
        assert r.status_code == 400, r.text
        self.part_seq = self.newest()
        plan = helsinki_plan(person(date(1966, 6, 6), "Skripti", "Kehys"))
        doc = with_display(plan, hostile_display(plan.document_id))
        frame = frame_bytes(frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(),
                                      author_org=HELSINKI_UNIT.ref()))
        end = frame.rfind(b"</")
        answer = ui.kanta.archive(frame[:end] + FRAME_SCRIPT.encode() + frame[end:], signed_bytes(doc, [ui.worker]))
        assert answer.ack == "AA", answer.details
        self.document_id, self.stored_seq = doc.document_id, self.newest()

    def newest(self) -> int:
        seq, page = 0, {"more": True}
        while page["more"]:
            page = self.ui.http.get("/api/v1/traffic/", params={"after": seq, "limit": 500}).json()
            seq = page["last"]
        return seq

    def assert_intact(self) -> None:
        """A reset empties the traffic log and the registers: every hostile message is still there."""
        for seq in (self.body_seq, self.part_seq, self.stored_seq):
            assert self.ui.http.get(f"/api/v1/traffic/{seq}").status_code == 200, f"message {seq} is gone: reset"
        r = self.ui.http.get(f"/api/v1/registers/{HELSINKI.oid}/documents/{self.document_id}")
        assert r.status_code == 200, "the accepted document is gone: the tenant was reset"


@pytest.fixture(scope="module")
def hostile(ui):
    return Hostile(ui)


@pytest.fixture
def watched(page):
    """The page, sending the tenant header (the control API's routes pick the tenant by it), with every request
    it makes recorded."""
    page.context.set_extra_http_headers({"X-Mock-Kanta-Tenant": TENANT})
    page.requests = []
    page.on("request", lambda req: page.requests.append((req.method, req.url)))
    return page


def assert_nothing_ran(page) -> None:
    page.wait_for_load_state("networkidle")
    for frame in page.frames:
        if frame.url.startswith("http"):
            assert frame.evaluate("typeof window.pwned") == "undefined", frame.url
            assert frame.evaluate("document.title") != "pwned", frame.url
            assert frame.evaluate("document.documentElement.getAttribute('data-pwned')") is None, frame.url
    ran = [r for r in page.requests if "pwned" in r[1] or r[0] != "GET"]
    assert ran == [], ran


def test_raw_xml_of_the_control_api_runs_no_script(watched, hostile):
    registered = f"/api/v1/registers/{HELSINKI.oid}/documents/{hostile.document_id}"
    urls = [f"/api/v1/traffic/{hostile.part_seq}/frame.xml", f"/api/v1/traffic/{hostile.part_seq}/document.xml",
            f"/api/v1/traffic/{hostile.stored_seq}/frame.xml", f"{registered}/document.xml", f"{registered}/frame.xml"]
    for url in urls:
        response = watched.goto(url)
        assert response.status == 200 and response.headers["content-type"] == "application/xml", url
        assert_nothing_ran(watched)
    assert watched.evaluate("document.documentElement.localName") == "RCMR_IN200002FI01"  # shown, as data
    watched.goto(f"/ui/messages/{hostile.stored_seq}")  # a sandboxed XML page cannot be screenshot: end on ours
    assert_nothing_ran(watched)
    hostile.assert_intact()


def test_a_refused_html_body_is_downloaded_not_shown(watched, hostile):
    with watched.expect_download() as info:
        try:
            watched.goto(f"/api/v1/traffic/{hostile.body_seq}/body")
        except PlaywrightError as exc:  # a navigation that turns into a download
            assert "Download is starting" in str(exc)
    download = info.value
    assert download.suggested_filename == f"message-{hostile.body_seq}-body.bin"
    assert open(download.path(), "rb").read() == HTML_BODY.encode()
    assert_nothing_ran(watched)
    hostile.assert_intact()


def test_the_ui_pages_that_show_the_messages_run_no_script(watched, hostile):
    urls = ["/ui/flow"]
    urls += [f"/ui/messages/{seq}" for seq in (hostile.body_seq, hostile.part_seq, hostile.stored_seq)]
    urls += [f"/ui/messages/{seq}/display" for seq in (hostile.part_seq, hostile.stored_seq)]
    urls += [f"/ui/messages/{seq}/{part}.xml" for seq in (hostile.part_seq, hostile.stored_seq)
             for part in ("frame", "document")]
    urls += [f"/ui/archivist/{HELSINKI.oid}/{hostile.document_id}",
             f"/ui/archivist/{HELSINKI.oid}/{hostile.document_id}/frame.xml"]
    for url in urls:
        response = watched.goto(url)
        assert response.status == 200, url
        assert_nothing_ran(watched)
    watched.goto(f"/ui/messages/{hostile.body_seq}")
    assert "<script>window.pwned=1" in watched.get_by_test_id("raw-body").inner_text()  # shown, as text
    watched.goto(f"/ui/messages/{hostile.part_seq}")
    assert "window.pwned=1" in watched.get_by_test_id("xml-frame").inner_text()
    assert_nothing_ran(watched)
    shoot(watched, "stored-script-message-page")
    hostile.assert_intact()
