"""Faults per tenant against a real `mock-kanta serve`: a delay (before and after storing), an HTTP status, a
dropped connection and an injected refusal, on the archive, validation and read endpoints; a count, a probability
and a message type; cleared by the tenant's reset; bad input refused with 400 and nothing set."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    TaskGrant,
    artificial_hetu,
    client_relationship_document,
    frame_bytes,
    frame_for,
    new_document_id,
    signed_bytes,
)
from mock_kanta.wire import soap
from tests.helpers import ack_of, codes
from tests.parties import HKI, KEUSOTE, KEUSOTE_UNIT, OFFICER, TUUSULA
from tests.signing import issue_signer

WHEN = datetime(2026, 11, 5, 12, tzinfo=HKI)
CARD_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
FAULTS, TRAFFIC = "/api/v1/faults", "/api/v1/traffic"


class Env:
    def __init__(self, sandbox, tenant: str, kanta: KantaClient):
        self.sandbox, self.tenant, self.kanta, self.http = sandbox, tenant, kanta, sandbox.http
        self.headers = {"X-Mock-Kanta-Tenant": tenant}
        self.keusote = (issue_signer(sandbox.pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700, start=CARD_START),
                        "system")

    def fault(self, **spec) -> dict:
        r = self.http.post(FAULTS, json=spec, headers=self.headers)
        assert r.status_code == 201, r.text
        return r.json()

    def faults(self) -> list[dict]:
        return self.http.get(FAULTS, headers=self.headers).json()

    def pair(self) -> tuple[bytes, bytes]:
        """A fresh client-relationship document of Keusote: (frame, signed document)."""
        person = Client(artificial_hetu(date(1940, 1, 1) + timedelta(days=secrets.randbelow(20000))), "Vika", "Asiakas")
        doc = client_relationship_document(
            organiser=KEUSOTE, client=person, effective_time=WHEN, relationship_id=new_document_id(KEUSOTE.oid),
            tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], date(2026, 11, 1), provider_unit=False),
                   TaskGrant("24", TUUSULA, ["45"], date(2026, 11, 1))])
        frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(),
                          author_org=KEUSOTE_UNIT.ref(), creation_time=WHEN)
        return frame_bytes(frame), signed_bytes(doc, [self.keusote], signed_at=WHEN)

    def post(self, frame: bytes, document: bytes, timeout: float = 30) -> httpx.Response:
        body, content_type = soap.build_multipart(frame, document)
        with httpx.Client(base_url=self.sandbox.url, timeout=timeout) as http:
            return http.post("/kanta/shark/arkisto", content=body,
                             headers={"Content-Type": content_type, **self.headers})

    def last(self) -> int:
        seq, page = 0, {"more": True}
        while page["more"]:
            page = self.http.get(TRAFFIC, params={"after": seq, "limit": 500}, headers=self.headers).json()
            seq = page["last"]
        return seq

    def since(self, seq: int) -> list[dict]:
        return self.http.get(TRAFFIC, params={"after": seq}, headers=self.headers).json()["items"]


@pytest.fixture
def env(sandbox):
    tenant = f"flt-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": tenant, "name": "Viat"}).raise_for_status()
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        yield Env(sandbox, tenant, kanta)
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


def test_an_injected_refusal_answers_ae_with_the_code_and_is_logged_as_injected(env):
    fault = env.fault(kind="refuse", endpoint="archive", ack="AE", code="SH-SYS-900", text="Palvelu ei vastaa", count=1)
    frame, document = env.pair()
    before = env.last()
    answer = env.post(frame, document)
    ack = ack_of(answer)
    assert (answer.status_code, ack["type_code"]) == (200, "AE")
    assert codes(ack) == ["SH-SYS-900"] and "Palvelu ei vastaa" in answer.text
    [row] = env.since(before)
    assert (row["verdict"], row["stored"], row["ruleIds"], row["detail"]) == (
        "AE", False, ["SH-SYS-900"], f"injected fault {fault['id']}")
    entry = env.http.get(f"{TRAFFIC}/{row['seq']}", headers=env.headers).json()
    assert entry["injectedBy"] == fault["id"]
    # The count is spent: the same document now goes through (the refusal stored nothing).
    assert env.kanta.archive(frame, document).ack == "AA"
    [listed] = env.faults()
    assert (listed["count"], listed["fired"]) == (0, 1)


def test_an_http_status_answers_bare_and_stores_nothing(env):
    env.fault(kind="status", endpoint="archive", status=503, count=1)
    frame, document = env.pair()
    answer = env.post(frame, document)
    assert answer.status_code == 503 and "injected fault" in answer.text
    assert env.kanta.archive(frame, document).ack == "AA"


def test_a_dropped_connection_gets_no_answer_and_stores_nothing(env):
    env.fault(kind="drop", endpoint="archive", count=1)
    frame, document = env.pair()
    with pytest.raises(httpx.RemoteProtocolError):
        env.post(frame, document)
    assert env.kanta.archive(frame, document).ack == "AA"


def test_a_delay_after_storing_loses_the_answer_and_the_resend_is_a_duplicate(env):
    env.fault(kind="delay", endpoint="archive", delayMs=3000, when="after", count=1)
    frame, document = env.pair()
    with pytest.raises(httpx.ReadTimeout):
        env.post(frame, document, timeout=1)
    answer = env.kanta.archive(frame, document)
    assert answer.ack == "AE" and "SH-ARC-001" in answer.rule_ids


def test_a_delay_before_storing_still_answers(env):
    env.fault(kind="delay", endpoint="archive", delayMs=200, jitterMs=100, count=1)
    frame, document = env.pair()
    assert env.kanta.archive(frame, document).ack == "AA"
    assert env.faults()[0]["fired"] == 1


def test_a_message_type_and_an_endpoint_choose_which_requests_fail(env):
    env.fault(kind="status", endpoint="archive", status=500, messageType="1.2.246.777.11.2099.99")  # no such template
    env.fault(kind="status", endpoint="query", status=502)
    frame, document = env.pair()
    assert env.kanta.archive(frame, document).ack == "AA"
    assert env.faults()[0]["fired"] == 0


def test_a_probability_of_one_fails_every_validation(env):
    env.fault(kind="refuse", endpoint="validate", code="SH-VAL-900", text="Validointi ei käytössä", probability=1)
    frame, document = env.pair()
    for _ in range(2):
        answer = env.kanta.validate(frame, document)
        assert answer.status == 400 and answer.payload["code"] == "SH-VAL-900"


def test_a_read_endpoint_answers_the_fault(env):
    env.fault(kind="status", endpoint="query", status=502, count=1)
    r = env.http.post("/kanta/shark/haku", content=b"<x/>", headers={"Content-Type": "text/xml", **env.headers})
    assert r.status_code == 502
    r = env.http.post("/kanta/shark/haku", content=b"<x/>", headers={"Content-Type": "text/xml", **env.headers})
    assert r.status_code == 400  # the count spent: the real answer (AR: not a query)


def test_a_reset_clears_the_faults_and_delete_clears_one_or_all(env):
    one = env.fault(kind="drop", endpoint="archive")
    env.fault(kind="status", status=503)
    assert env.http.delete(f"{FAULTS}/{one['id']}", headers=env.headers).status_code == 204
    assert env.http.delete(f"{FAULTS}/{one['id']}", headers=env.headers).status_code == 404
    assert len(env.faults()) == 1
    env.http.post(f"/api/v1/tenants/{env.tenant}/reset").raise_for_status()
    assert env.faults() == []
    env.fault(kind="status", status=503)
    assert env.http.delete(FAULTS, headers=env.headers).json() == {"cleared": 1}
    frame, document = env.pair()
    assert env.kanta.archive(frame, document).ack == "AA"


@pytest.mark.parametrize("spec", [
    {"kind": "explode"},
    {"kind": "refuse", "text": "no code"},
    {"kind": "refuse", "code": "SH-X-1", "text": "after", "when": "after"},
    {"kind": "status", "status": 503, "count": 1, "probability": 0.5},
    {"kind": "delay"},
    {"kind": "drop", "status": 500},
    {"kind": "status", "status": 200},
    {"kind": "delay", "delayMs": 10, "probability": 0},
])
def test_bad_input_is_refused_and_sets_nothing(env, spec):
    r = env.http.post(FAULTS, json=spec, headers=env.headers)
    assert r.status_code == 400 and r.json()["detail"]
    assert env.faults() == []


def test_the_trainer_sets_and_clears_a_fault_on_the_faults_page(env):
    """In a real browser (Debian's Chromium through Playwright): set a refusal with the form, see it listed, fire it,
    remove it; a bad form is refused with 400 and sets nothing."""
    from playwright.sync_api import expect, sync_playwright

    from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, base_url=env.sandbox.url, locale="en-GB")
            context.add_cookies([{"name": "mk_tenant", "value": env.tenant, "url": env.sandbox.url},
                                 {"name": "mk_lang", "value": "en", "url": env.sandbox.url}])
            tab = context.new_page()
            tab.goto("/ui/faults?lang=en")
            expect(tab.get_by_test_id("faults")).to_contain_text("No faults.")
            tab.locator("select[name=kind]").select_option("refuse")
            tab.locator("select[name=endpoint]").select_option("archive")
            tab.locator("select[name=ack]").select_option("AR")
            tab.locator("input[name=code]").fill("SH-SYS-901")
            tab.locator("input[name=text]").fill("Huoltokatko")
            tab.locator("input[name=count]").fill("1")
            tab.get_by_role("button", name="Set the fault").click()
            expect(tab.get_by_test_id("faults")).to_contain_text("AR SH-SYS-901: Huoltokatko")
            [fault] = env.faults()
            assert (fault["kind"], fault["ack"], fault["count"]) == ("refuse", "AR", 1)
            frame, document = env.pair()
            assert env.post(frame, document).status_code == 400  # AR
            tab.reload()
            expect(tab.locator(f"tr[data-fault='{fault['id']}'] td.num").last).to_have_text("1")  # fired once
            tab.get_by_role("button", name="Remove").click()
            expect(tab.get_by_test_id("faults")).to_contain_text("No faults.")
            tab.locator("select[name=kind]").select_option("status")
            tab.locator("input[name=status]").fill("200")
            tab.get_by_role("button", name="Set the fault").click()
            expect(tab.locator("body")).to_contain_text("The fault was not set")
            assert env.faults() == []
        finally:
            browser.close()
