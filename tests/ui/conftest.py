"""Browser tests: Debian's headless Chromium driven by Playwright against the real `sandbox` server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (./dev installs the
Debian package). Every test runs in the tenant `ui-tests`, reset at the start of the session,
so the other tests' data and clock moves never show up. Each test's last page is saved as
test-reports/screenshots/<test>.png (CI keeps test-reports/); `shoot(page, name)` saves more.
"""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from mock_kanta.client import KantaClient
from tests.signing import issue_signer
from tests.ui.world import KEUSOTE, WORKER

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-reports" / "screenshots"
TENANT = "ui-tests"
VIEWPORT = {"width": 1280, "height": 720}  # a projector


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: run ./dev test (it installs it) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def ui(sandbox):
    """The tenant `ui-tests` (made, then reset), a Kanta client and an HTTP client for it, and signing keys."""
    r = sandbox.http.post("/api/v1/tenants", json={"id": TENANT, "name": "UI tests"})
    assert r.status_code in (200, 201), r.text
    r = sandbox.http.post(f"/api/v1/tenants/{TENANT}/reset")
    assert r.status_code == 200, r.text
    pki = sandbox.pki
    worker = (issue_signer(pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)), "professional")
    # Keusote signs on its 2026-2027 timeline (as tests/integration/test_registers.py does).
    keusote = (issue_signer(pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700,
                            start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")
    headers = {"X-Mock-Kanta-Tenant": TENANT}
    with KantaClient(sandbox.url, tenant=TENANT) as kanta, httpx.Client(base_url=sandbox.url, headers=headers,
                                                                        timeout=30) as http:
        yield type("UI", (), {"kanta": kanta, "http": http, "worker": worker, "keusote": keusote, "url": sandbox.url,
                              "tenant": TENANT})


@pytest.fixture
def page(browser, ui, request):
    """A fresh browser context at 1280x720 in the tenant `ui-tests`; a screenshot of the last page at the end."""
    context = browser.new_context(viewport=VIEWPORT, base_url=ui.url, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.add_cookies([{"name": "mk_tenant", "value": TENANT, "url": ui.url}])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    try:
        if tab.url.startswith("http"):
            shoot(tab, _name(request.node.name))
    finally:
        context.close()


def shoot(tab, name: str) -> Path:
    """Save a full-page screenshot as test-reports/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_name(name)}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def _name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
