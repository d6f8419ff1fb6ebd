"""Host and Origin with access control on: another Host is refused (DNS rebinding), a browser's request from
another origin is refused even with a valid token, and body-less cross-site POSTs change nothing."""
from __future__ import annotations


def test_another_host_is_refused(world):
    with world.client(world.admin, Host="evil.example") as http:
        r = http.get("/api/v1/tenants/")
        assert r.status_code == 421 and "MOCK_KANTA_PUBLIC_URL" in r.json()["detail"]
    with world.client(world.admin, Host=f"localhost:{world.url.rsplit(':', 1)[1]}") as http:
        assert http.get("/api/v1/tenants/").status_code == 200  # a public address of a loopback sandbox


def test_body_less_cross_site_posts_are_refused(world):
    reset = f"/api/v1/tenants/{world.a.id}/reset"
    for token in (None, world.admin, world.a.trainer):
        with world.client(token, Origin="http://evil.example") as http:
            for path in (reset, "/api/v1/audit/purge", "/api/v1/clock/advance"):
                r = http.post(path)
                assert r.status_code == 403, (token, path, r.status_code)
                assert "evil.example" in r.json()["detail"]
    with world.client(world.admin, **{"Sec-Fetch-Site": "cross-site"}) as http:
        assert http.post(reset).status_code == 403
    with world.client(world.admin, Origin="null") as http:
        assert http.post(reset).status_code == 403


def test_the_own_origin_passes(world):
    with world.client(world.a.trainer, Origin=world.url, **{"Sec-Fetch-Site": "same-origin"}) as http:
        assert http.get("/api/v1/clock").status_code == 200
        assert http.delete("/api/v1/clock").status_code == 200


def test_paths_shaped_like_the_api_docs_are_not_public(world):
    with world.client() as http:
        for path in ("/api/v1/tenants/ui/tokens", "/api/v1/rehearsals/ui/report.json", "/api/v1/ui/",
                     "/api/v1/tenants/openapi.json"):
            assert http.get(path).status_code == 401, path
        assert http.post("/api/v1/tenants/ui/tokens", json={"role": "trainer"}).status_code == 401
    with world.client(world.a.viewer) as http:
        assert http.get("/api/v1/openapi.json").status_code == 200
