"""The archive's plain ASGI handler (server.ArchiveEndpoint) over real HTTP against `mock-kanta serve`:
bodies in chunks, limits, tenants, other methods, a client that leaves mid-body, and a burst of
refusals logged through the group-commit writer.

The module works in a tenant of its own (made through the tenants API).
"""
from __future__ import annotations

import secrets
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from mock_kanta.wire import soap
from tests.helpers import ack_of, codes, fresh_pair

TRAFFIC = "/api/v1/traffic"
ARCHIVE = "/kanta/shark/arkisto"
REGISTER = "1.2.246.10.32213561.10.0"  # the asiakkuusasiakirja sample's register


@pytest.fixture(scope="module")
def tenant(sandbox):
    name = f"lean-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": name, "name": "Kevyt reitti"}).raise_for_status()
    yield name
    sandbox.http.delete(f"/api/v1/tenants/{name}")


def fresh_body(sandbox, samples, tenant_tag: str) -> tuple[str, bytes, str, bytes]:
    """(document id, multipart body, content type, document bytes) of a re-signed asiakkuusasiakirja."""
    document_id = f"1.2.246.10.32213561.95777.2026.71.{secrets.randbelow(10**9)}"
    frame, document = fresh_pair(sandbox, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], document_id)
    body, content_type = soap.build_multipart(frame, document)
    return document_id, body, content_type, document


def traffic_since(sandbox, tenant: str, after: int) -> list[dict]:
    return sandbox.http.get(TRAFFIC, params={"after": after, "limit": 500}, headers={"X-Mock-Kanta-Tenant": tenant}).json()["items"]


def last_seq(sandbox, tenant: str) -> int:
    page = sandbox.http.get(TRAFFIC, params={"after": 0, "limit": 500}, headers={"X-Mock-Kanta-Tenant": tenant}).json()
    while page["more"]:
        page = sandbox.http.get(TRAFFIC, params={"after": page["last"], "limit": 500},
                                headers={"X-Mock-Kanta-Tenant": tenant}).json()
    return page["last"]


def in_chunks(data: bytes, size: int):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def test_a_chunked_body_is_read_whole_and_answered_with_exact_headers(sandbox, samples, tenant):
    document_id, body, content_type, document = fresh_body(sandbox, samples, tenant)
    r = sandbox.http.post(ARCHIVE, content=in_chunks(body, 4096),  # no Content-Length: chunked transfer
                          headers={"Content-Type": content_type, "X-Mock-Kanta-Tenant": tenant})
    assert r.status_code == 200, r.text
    assert ack_of(r)["type_code"] == "AA"
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.content)
    stored = sandbox.http.get(f"/api/v1/registers/{REGISTER}/documents/{document_id}/document.xml",
                              headers={"X-Mock-Kanta-Tenant": tenant})
    assert stored.status_code == 200 and stored.content == document


def test_a_chunked_body_over_the_limit_is_refused_413_and_logged_without_its_bytes(sandbox, tenant):
    before = last_seq(sandbox, tenant)
    limit = int(sandbox.env["MOCK_KANTA_MAX_BODY_BYTES"])
    r = sandbox.http.post(ARCHIVE, content=in_chunks(b"x" * (limit + 1), 256 * 1024),
                          headers={"Content-Type": "text/xml", "X-Mock-Kanta-Tenant": tenant})
    assert r.status_code == 413
    ack = ack_of(r)
    assert ack["type_code"] == "AR" and codes(ack) == ["SH-XML-003"]
    [row] = traffic_since(sandbox, tenant, before)
    assert (row["verdict"], row["ruleIds"], row["links"]["body"]) == ("AR", ["SH-XML-003"], None)


def test_an_unknown_tenant_gets_404_and_an_ar(sandbox):
    r = sandbox.http.post(ARCHIVE, content=b"<x/>", headers={"Content-Type": "text/xml", "X-Mock-Kanta-Tenant": "no-such-tenant"})
    assert r.status_code == 404
    ack = ack_of(r)
    assert ack["type_code"] == "AR" and codes(ack) == ["SH-TRN-004"]
    assert "no-such-tenant" in ack["details"][0]["text"]


def test_other_methods_are_not_allowed(sandbox):
    r = sandbox.http.get(ARCHIVE)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"


def test_a_client_leaving_mid_body_changes_nothing(sandbox, tenant):
    before = last_seq(sandbox, tenant)
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as s:
        s.sendall(b"POST " + ARCHIVE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  b"X-Mock-Kanta-Tenant: " + tenant.encode() + b"\r\nContent-Length: 100000\r\n\r\n<partial")
    assert sandbox.http.get("/healthz").status_code == 200
    r = sandbox.http.post(ARCHIVE, content=b"hello", headers={"Content-Type": "multipart/related", "X-Mock-Kanta-Tenant": tenant})
    assert r.status_code == 400 and codes(ack_of(r)) == ["SH-TRN-001"]
    rows = traffic_since(sandbox, tenant, before)
    assert [row["ruleIds"] for row in rows] == [["SH-TRN-001"]]  # the abandoned request left no row


def test_a_burst_of_refusals_is_answered_and_logged_each_and_the_chain_holds(sandbox, samples, tenant):
    before = last_seq(sandbox, tenant)
    accepted = [fresh_body(sandbox, samples, tenant) for _ in range(4)]
    headers = {"X-Mock-Kanta-Tenant": tenant}

    def post(i: int):
        with sandbox.client() as http:
            if i % 4 == 0:
                _id, body, content_type, _doc = accepted[i // 4]
                return http.post(ARCHIVE, content=body, headers={**headers, "Content-Type": content_type})
            return http.post(ARCHIVE, content=b"<broken", headers={**headers, "Content-Type": "text/xml"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(16)))
    verdicts = [(a.status_code, ack_of(a)["type_code"]) for a in answers]
    assert verdicts == [(200, "AA") if i % 4 == 0 else (400, "AR") for i in range(16)], verdicts
    rows = traffic_since(sandbox, tenant, before)
    assert sorted(row["verdict"] for row in rows) == ["AA"] * 4 + ["AR"] * 12
    verify = sandbox.http.get("/api/v1/audit/verify", headers=headers).json()
    assert verify["ok"] is True
