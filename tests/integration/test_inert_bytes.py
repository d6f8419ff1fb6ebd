"""Nothing served from the sandbox's origin runs: every route that returns stored or received bytes (the control
API's non-JSON responses, found by walking every spec under mock_kanta/api/, and the UI's raw parts, display
forms and reports, found by walking the pages' routes) sends `Content-Security-Policy: sandbox`, `nosniff` and a
fixed media type, never the sender's. Against a real `mock-kanta serve`, in a tenant of its own holding a refused
HTML body, a refused message whose frame and document are XHTML with a script, and an accepted document whose
(unsigned) frame carries an XHTML script. A new route of either kind is walked too, or the test says what it lacks.
"""
from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path

import pytest
import yaml
from flask import Flask

from mock_kanta import app as sandbox_app
from mock_kanta import ui
from mock_kanta.api.common import INERT_TYPES, OCTET, XML, inert_bytes
from mock_kanta.client import KantaClient, frame_bytes, frame_for, signed_bytes
from mock_kanta.core.resources import package_file
from mock_kanta.wire import soap
from tests.parties import KEUSOTE
from tests.signing import issue_signer
from tests.ui.world import HELSINKI, HELSINKI_UNIT, WORKER, helsinki_plan, person

SPECS = Path(package_file("api", "openapi.yaml")).parent
JSON_TYPES = {"application/json", "application/problem+json"}
# Binary types a browser only ever saves, never renders (the sandbox's own key and certificate material).
NEVER_RENDERED = {"application/x-pkcs12", "application/pkix-cert", "application/pkix-crl"}
SCRIPT = 'document.title="pwned";fetch("/healthz?pwned=1")'
HTML_BODY = f"<!doctype html><html><body><script>{SCRIPT}</script><p>sent as text/html</p></body></html>".encode()
XHTML = (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>xhtml</title></head>'
         f'<body><script>{SCRIPT}</script></body></html>').encode()
FRAME_SCRIPT = f'<x:script xmlns:x="http://www.w3.org/1999/xhtml">{SCRIPT}</x:script>'.encode()
# UI routes that serve bytes rather than a page of ours: raw parts, display forms, reports, bodies.
UI_RAW = re.compile(r"(\.xml|\.html|/display|/body|/raw|report[^/]*)$")
UI_TYPES = {"text/plain", "application/xhtml+xml", "text/html"}  # text/html: our own report, sandboxed


def spec_routes() -> list[tuple[str, str, str, set[str]]]:
    """(method, URL template, operationId, media types) of every operation whose success answer is not JSON."""
    routes = []
    for spec_path in sorted(SPECS.glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        base = "/api/v1" if spec_path.name == "openapi.yaml" else f"/api/v1/{spec_path.stem}"
        for path, operations in spec["paths"].items():
            for method, op in operations.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                types = {media for status, answer in op["responses"].items() if str(status).startswith("2")
                         for media in (answer.get("content") or {})}
                if types - JSON_TYPES - NEVER_RENDERED:
                    routes.append((method.upper(), base + path.rstrip("/"), op["operationId"], types))
    return routes


def ui_raw_routes() -> list[str]:
    """The UI's GET routes (the pages `mock_kanta.app` mounts, on a Flask app of their own) that serve bytes."""
    flask_app = Flask("walk")
    ui.register(flask_app, sandbox_app.PAGES)
    return sorted({r.rule for r in flask_app.url_map.iter_rules() if "GET" in r.methods and UI_RAW.search(r.rule)})


SPEC_ROUTES = spec_routes()
UI_ROUTES = ui_raw_routes()


class Env:
    def __init__(self, sandbox, tenant: str):
        self.http, self.tenant = sandbox.http, tenant
        self.headers = {"X-Mock-Kanta-Tenant": tenant}

    def get(self, url: str):
        return self.http.get(url, headers=self.headers)

    def newest(self) -> dict:
        return self.get("/api/v1/traffic/?limit=500").json()["items"][-1]


@pytest.fixture(scope="module")
def env(sandbox):
    tenant = f"inert-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": tenant, "name": "Inert bytes"}).raise_for_status()
    e = Env(sandbox, tenant)
    r = sandbox.http.post("/api/v1/rehearsals/", json={"test": "deployment-test", "organisationOid": KEUSOTE.oid},
                          headers=e.headers)
    assert r.status_code == 201, r.text
    e.session_id = r.json()["id"]

    r = sandbox.http.post("/kanta/shark/arkisto", content=HTML_BODY, headers={**e.headers, "Content-Type": "text/html"})
    assert r.status_code == 400
    e.body_seq = e.newest()["seq"]

    body, content_type = soap.build_multipart(XHTML, XHTML)
    r = sandbox.http.post("/kanta/shark/arkisto", content=body, headers={**e.headers, "Content-Type": content_type})
    assert r.status_code == 400
    e.part_seq = e.newest()["seq"]

    worker = (issue_signer(sandbox.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)),
              "professional")
    plan = helsinki_plan(person(date(1968, 3, 4), "Raaka", "Tavu"))
    frame = frame_bytes(frame_for(plan, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(),
                                  author_org=HELSINKI_UNIT.ref()))
    end = frame.rfind(b"</")
    e.stored_frame = frame[:end] + FRAME_SCRIPT + frame[end:]  # the frame is not signed: stored as sent
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        answer = kanta.archive(e.stored_frame, signed_bytes(plan, [worker]))
    assert answer.ack == "AA", answer.details
    e.document_id, e.stored_seq = plan.document_id, e.newest()["seq"]
    yield e
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


def fill(template: str, env: Env) -> str:
    """The template's parameters ({name} of a spec, <name> or <int:name> of a UI rule) filled from the tenant's data."""
    values = {"seq": env.body_seq if template.endswith("/body") else env.part_seq,
              "registerOid": HELSINKI.oid, "register_oid": HELSINKI.oid,
              "documentId": env.document_id, "document_id": env.document_id,
              "sessionId": env.session_id, "session_id": env.session_id, "part": "frame"}

    def value(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name not in values:
            pytest.fail(f"{template}: no value for the parameter {name!r}; add one to fill() so the route is checked")
        return str(values[name])

    return re.sub(r"\{(\w+)\}|<(?:\w+:)?(\w+)>", value, template)


def assert_inert(response, allowed_types: set[str]) -> None:
    assert response.status_code == 200, response.text[:300]
    policy = [d.strip().split() for d in response.headers.get("content-security-policy", "").split(";") if d.strip()]
    directives = {d[0]: d[1:] for d in policy}
    assert directives.get("sandbox") == [], f"no bare sandbox directive: {policy}"  # no allow-scripts, no allow-*
    assert directives.get("default-src") == ["'none'"], policy
    assert "script-src" not in directives and "'unsafe-inline'" not in directives.get("script-src-elem", []), policy
    assert response.headers.get("x-content-type-options") == "nosniff"
    media = response.headers["content-type"].split(";")[0].strip()
    assert media in allowed_types, f"{media} is not one of {allowed_types}"


@pytest.mark.parametrize("method, template, operation, types", SPEC_ROUTES, ids=[r[1] for r in SPEC_ROUTES])
def test_every_non_json_route_of_the_control_api_serves_inert_bytes(env, method, template, operation, types):
    assert method == "GET", f"{operation}: a non-JSON answer to {method}: add how to call it here"
    response = env.get(fill(template, env))
    declared = {t.split(";")[0] for t in types} - JSON_TYPES
    assert_inert(response, declared & {t.split(";")[0] for t in INERT_TYPES})


def test_the_walk_finds_the_routes_that_serve_bytes():
    found = {template for _, template, _, _ in SPEC_ROUTES}
    assert {"/api/v1/traffic/{seq}/body", "/api/v1/traffic/{seq}/frame.xml", "/api/v1/traffic/{seq}/document.xml",
            "/api/v1/registers/{registerOid}/documents/{documentId}/document.xml",
            "/api/v1/rehearsals/{sessionId}/report.html"} <= found
    assert {"/ui/messages/<int:seq>/<part>.xml", "/ui/messages/<int:seq>/display",
            "/ui/rehearsals/<session_id>/report.html"} <= set(UI_ROUTES)


@pytest.mark.parametrize("template", UI_ROUTES)
def test_every_raw_route_of_the_ui_serves_inert_bytes(env, template):
    assert_inert(env.get(fill(template, env)), UI_TYPES)


def test_a_refused_html_body_is_served_as_an_octet_stream_download_never_as_the_senders_html(env):
    r = env.get(f"/api/v1/traffic/{env.body_seq}/body")
    assert r.content == HTML_BODY
    assert r.headers["content-type"] == OCTET
    assert r.headers["content-disposition"] == f'attachment; filename="message-{env.body_seq}-body.bin"'
    assert r.headers["content-security-policy"].startswith("sandbox;")
    assert env.get(f"/api/v1/traffic/{env.body_seq}").json()["contentType"] == "text/html"  # still told, as data


@pytest.mark.parametrize("part", ["frame", "document"])
def test_a_refused_xhtml_part_is_xml_under_the_sandbox_policy(env, part):
    r = env.get(f"/api/v1/traffic/{env.part_seq}/{part}.xml")
    assert r.content == XHTML
    assert r.headers["content-type"] == XML
    assert r.headers["content-security-policy"].split(";")[0] == "sandbox"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"] == f'inline; filename="message-{env.part_seq}-{part}.xml"'


def test_an_accepted_frame_with_a_script_is_served_byte_for_byte_and_inert(env):
    for url in (f"/api/v1/traffic/{env.stored_seq}/frame.xml",
                f"/api/v1/registers/{HELSINKI.oid}/documents/{env.document_id}/frame.xml"):
        r = env.get(url)
        assert r.content == env.stored_frame and FRAME_SCRIPT in r.content
        assert (r.headers["content-type"], r.headers["x-content-type-options"]) == (XML, "nosniff")
        assert r.headers["content-security-policy"].startswith("sandbox; default-src 'none'")


def test_the_rehearsal_report_keeps_inline_styles_and_no_scripts(env):
    r = env.get(f"/api/v1/rehearsals/{env.session_id}/report.html")
    assert r.headers["content-security-policy"] == (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self'")
    assert r.headers["content-type"] == "text/html; charset=utf-8" and b"<style" in r.content


def test_only_fixed_media_types_are_served_inert():
    with pytest.raises(ValueError, match="text/html"):
        inert_bytes(b"<p>", "text/html")
    response = inert_bytes(b"x", filename='a "b".bin', download=True)
    assert response.headers["Content-Disposition"] == 'attachment; filename="a_b_.bin"'
    assert response.headers["Content-Type"] == OCTET
