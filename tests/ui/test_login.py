"""The UI with access control on (serve --auth): a login page that takes a token and sets an HttpOnly,
SameSite=Strict session cookie; the session reaches only its token's tenant; changes go only through the UI's
forms, same-origin and with the form's CSRF token; sign-out and revocation end the session. Chromium drives the
login; plain HTTP checks the refusals."""
from __future__ import annotations

import re
import secrets
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import Sandbox
from tests.ui.conftest import VIEWPORT, shoot


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    sandbox = Sandbox(tmp_path_factory.mktemp("ui-auth") / "var", env={"MOCK_KANTA_AUTH_RECHECK": "0"},
                      args=["--auth", "--no-demo-cards"])
    sandbox.start()
    admin = (sandbox.data_dir / "admin-token").read_text().strip()
    sandbox.tenants = {}
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {admin}"}) as http:
        for name in ("a", "b"):
            tenant = f"login-{name}-{secrets.token_hex(3)}"
            sandbox.tenants[name] = (tenant, http.post("/api/v1/tenants/", json={"id": tenant}).json()["tokens"])
    yield sandbox
    sandbox.stop()


@pytest.fixture
def tab(browser, box, request):
    context = browser.new_context(viewport=VIEWPORT, base_url=box.url, locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    shoot(page, request.node.name)
    context.close()


@contextmanager
def signed_in(box, token: str):
    """An HTTP client holding a session made by the login form (as a browser would post it)."""
    with httpx.Client(base_url=box.url, timeout=30, headers={"Origin": box.url}) as http:
        form = http.get("/ui/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        r = http.post("/ui/login", data={"csrf": csrf, "token": token, "next": "/ui/"})
        assert r.status_code == 303, r.text
        yield http


def form_token(http) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', http.get("/ui/").text).group(1)


def test_the_login_page_lets_a_tenant_in_to_its_own_tenant_only(tab, box):
    (a, tokens), (b, _) = box.tenants["a"], box.tenants["b"]
    tab.goto("/ui/registers")
    assert "/ui/login" in tab.url
    tab.fill("#token", "mkt_wrong")
    tab.click("[data-testid=login-submit]")
    assert "ei tunneta" in tab.locator("[data-testid=login-problem]").inner_text()
    tab.fill("#token", tokens["trainer"])
    tab.click("[data-testid=login-submit]")
    tab.wait_for_url(re.compile(r"/ui/registers$"))
    assert tab.locator("[data-testid=tenant]").inner_text() == a
    cookie = next(c for c in tab.context.cookies() if c["name"] == "mk_auth")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # http here: not Secure
    refused = tab.goto(f"/ui/?tenant={b}")
    assert refused.status == 403
    tab.goto("/ui/")
    tab.click("[data-testid=logout]")
    tab.wait_for_url(re.compile(r"/ui/login"))
    tab.goto("/ui/")
    assert "/ui/login" in tab.url


def test_a_session_changes_things_only_through_same_origin_forms(box):
    (a, tokens) = box.tenants["a"]
    with signed_in(box, tokens["trainer"]) as http:
        csrf = form_token(http)
        form = {"csrf": csrf, "action": "advance", "days": "1"}
        assert http.post("/ui/clock", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
        assert http.post("/ui/clock", data={**form, "csrf": "forged"}).status_code == 403
        assert http.post("/api/v1/clock/advance", json={"days": 1}).status_code == 403  # the API wants a bearer token
        assert http.post("/ui/clock", data=form).status_code == 303
        assert http.get("/api/v1/clock").json()["mode"] != "real"  # a session reads the API of its tenant
        assert http.post("/ui/clock", data={"csrf": csrf, "action": "reset"}).status_code == 303


def test_a_viewer_session_reads_only(box):
    (a, tokens) = box.tenants["a"]
    with signed_in(box, tokens["viewer"]) as http:
        assert http.get("/ui/registers").status_code == 200
        r = http.post("/ui/clock", data={"csrf": form_token(http), "action": "advance", "days": "1"})
        assert r.status_code == 403


def test_revoking_the_token_ends_its_sessions(box):
    (a, tokens) = box.tenants["a"]
    admin = (box.data_dir / "admin-token").read_text().strip()
    with httpx.Client(base_url=box.url, headers={"Authorization": f"Bearer {admin}"}) as http:
        made = http.post(f"/api/v1/tenants/{a}/tokens", json={"role": "viewer"}).json()
        with signed_in(box, made["token"]) as session:
            assert session.get("/ui/").status_code == 200
            assert http.delete(f"/api/v1/tenants/{a}/tokens/{made['id']}").status_code == 204
            r = session.get("/ui/")
            assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")
