"""Two instances on one PostgreSQL: two `mock-kanta serve --workers 2` processes with data directories of their
own (the second gets a copy of the first's PKI, as instances behind one name share their CA) and one database,
asked in turn with no sticky routing. They give the same answers, settings made through one (clock, rule modes,
tenants, a reset, a deletion) hold at once in the other, and a document id is accepted once however its copies
are spread over both. Runs whatever --db says (it needs PostgreSQL installed)."""
from __future__ import annotations

import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import Sandbox, postgres
from tests.helpers import ack_of, codes, fresh_pair, post_archive
from tests.pgcluster import binaries

REGISTER = "1.2.246.10.32213561.10.0"  # the asiakkuusasiakirja sample's register
COPIES = 6  # per instance


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed")
    env = {"MOCK_KANTA_DATABASE_URL": postgres().new_database("instances")}
    root = tmp_path_factory.mktemp("instances")
    args = ["--workers", "2", "--no-demo-cards"]
    for name in ("a", "b"):
        (root / name).mkdir()
    first = Sandbox(root / "a" / "var", env=env, args=args)
    first.start()
    try:
        shutil.copytree(first.data_dir / "pki", root / "b" / "var" / "pki")
        second = Sandbox(root / "b" / "var", env=env, args=args)
        second.start()
    except BaseException:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


@pytest.fixture
def tenant(pair):
    name = f"two-{uuid.uuid4().hex[:8]}"
    pair[0].http.post("/api/v1/tenants/", json={"id": name}).raise_for_status()
    return name


def _doc(box, samples, document_id: str):
    return fresh_pair(box, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], document_id)


def test_settings_made_on_one_hold_at_once_on_the_other(pair, tenant):
    a, b = pair
    h = {"X-Mock-Kanta-Tenant": tenant}
    assert b.http.get(f"/api/v1/tenants/{tenant}").status_code == 200
    a.http.put("/api/v1/clock", json={"time": "2031-03-03T03:03:03+00:00", "frozen": True}, headers=h).raise_for_status()
    assert b.http.get("/api/v1/clock", headers=h).json()["now"].startswith("2031-03-03T03:03:03")
    b.http.put("/api/v1/rule-modes/SH-REG", json={"mode": "report-only"}, headers=h).raise_for_status()
    assert a.http.get("/api/v1/rule-modes", headers=h).json() == b.http.get("/api/v1/rule-modes", headers=h).json()
    assert "SH-REG" in a.http.get("/api/v1/rule-modes", headers=h).json()["modes"]
    b.http.post(f"/api/v1/tenants/{tenant}/reset").raise_for_status()
    assert a.http.get("/api/v1/clock", headers=h).json()["mode"] == "real"
    assert a.http.get("/api/v1/rule-modes", headers=h).json()["modes"] == {}


def test_alternating_requests_get_the_same_answers(pair, tenant, samples):
    a, b = pair
    h = {"X-Mock-Kanta-Tenant": tenant}
    sent = []
    for i in range(6):
        via, other = (a, b) if i % 2 == 0 else (b, a)
        document_id = f"1.2.246.10.32213561.95777.2026.81.{i + 1}"
        frame, document = _doc(a, samples, document_id)
        assert ack_of(post_archive(via.http, frame, document, tenant=tenant))["type_code"] == "AA"
        sent.append(document_id)
        stored = other.http.get(f"/api/v1/registers/{REGISTER}/documents/{document_id}/document.xml", headers=h)
        assert stored.status_code == 200 and stored.content == document
        again = ack_of(post_archive(other.http, frame, document, tenant=tenant))  # the other instance knows it too
        assert again["type_code"] == "AE" and codes(again, "E") == ["SH-ARC-001"]
    lists = [box.http.get(f"/api/v1/registers/{REGISTER}/documents", headers=h).json() for box in (a, b, a, b)]
    assert all(listed == lists[0] for listed in lists)
    for box in (a, b):
        verify = box.http.get("/api/v1/audit/verify", headers=h).json()
        assert verify["ok"] is True and verify["checked"] >= 12, verify


def test_a_tenant_deleted_through_one_is_gone_from_the_other(pair, tenant):
    a, b = pair
    assert b.http.get("/api/v1/clock", headers={"X-Mock-Kanta-Tenant": tenant}).status_code == 200  # b has seen it
    a.http.delete(f"/api/v1/tenants/{tenant}").raise_for_status()
    assert b.http.get(f"/api/v1/tenants/{tenant}").status_code == 404
    assert b.http.get("/api/v1/clock", headers={"X-Mock-Kanta-Tenant": tenant}).status_code == 404


def test_one_document_id_is_accepted_once_across_both(pair, tenant, samples):
    a, b = pair
    frame, document = _doc(a, samples, "1.2.246.10.32213561.95777.2026.82.1")
    start = threading.Barrier(2 * COPIES)

    def send(box):
        with box.client() as http:
            try:
                start.wait(10)
            except threading.BrokenBarrierError:
                pass
            return ack_of(post_archive(http, frame, document, tenant=tenant))

    with ThreadPoolExecutor(2 * COPIES) as pool:
        acks = list(pool.map(send, [a, b] * COPIES))
    assert sorted(x["type_code"] for x in acks) == ["AA"] + ["AE"] * (2 * COPIES - 1)
    assert all(codes(x, "E") == ["SH-ARC-001"] for x in acks if x["type_code"] == "AE"), [codes(x) for x in acks]
    assert a.http.get("/api/v1/audit/verify", headers={"X-Mock-Kanta-Tenant": tenant}).json()["ok"] is True
