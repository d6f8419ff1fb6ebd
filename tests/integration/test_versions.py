"""Versions and voids: 1, 2, 3 of one document, a stale version refused, voids with and without a reason,
the duplicate archive. Nothing is ever deleted: the history shows every version."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    Professional,
    Unit,
    client_document,
    frame_for,
    replaces_of,
    signed_bytes,
)
from mock_kanta.core.model import Coded
from tests.helpers import fresh_hetu
from tests.parties import HELSINKI
from tests.signing import issue_signer

UNIT = Unit("1.2.246.10.2012566.10.40006775", "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe")
WORKER = Professional("25100000903", "Ville", "Versioija", title="sosiaaliohjaaja")
VOID = Coded("5", "1.2.246.537.5.40154.2008", display_name="Mitätöity")


@pytest.fixture(scope="module")
def env(sandbox):
    signer = (issue_signer(sandbox.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)), "professional")
    with KantaClient(sandbox.url) as kanta:
        yield kanta, signer, sandbox.http


def send(env, doc):
    kanta, signer, _ = env
    frame = frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(), author_org=UNIT.ref())
    return kanta.archive(frame, signed_bytes(doc, [signer]))


def plan(client, when, **kwargs):
    return client_document(custodian=HELSINKI, unit=UNIT, author=WORKER, client=client, effective_time=when, **kwargs)


def history(env, doc) -> dict:
    r = env[2].get(f"/api/v1/registers/{HELSINKI.oid}/documents/{doc.document_id}/history")
    assert r.status_code == 200, r.text
    return r.json()


def test_versions_one_two_three_and_a_stale_two(env):
    client, now = Client(fresh_hetu(date(1980, 1, 2)), "Versio", "Asiakas"), datetime.now(timezone.utc)
    v1 = plan(client, now)
    assert send(env, v1).ack == "AA"
    v2 = plan(client, now + timedelta(minutes=1), matter_id=v1.matter.id.root, replaces=replaces_of(v1))
    assert (v2.set_id.root, v2.version_number) == (v1.set_id.root, "2")
    assert send(env, v2).ack == "AA"
    v3 = plan(client, now + timedelta(minutes=2), matter_id=v1.matter.id.root, replaces=replaces_of(v2))
    assert send(env, v3).ack == "AA"

    stale = plan(client, now + timedelta(minutes=3), matter_id=v1.matter.id.root, replaces=replaces_of(v1))  # another v2
    answer = send(env, stale)
    assert (answer.ack, [d.rule for d in answer.errors]) == ("AE", ["SH-VER-003"])
    assert v3.document_id in answer.errors[0].text

    h = history(env, v2)
    assert h["current"] == v3.document_id
    assert [(v["documentId"], v["version"], v["status"], v["replacedBy"]) for v in h["versions"]] == [
        (v1.document_id, 1, "replaced", v2.document_id),
        (v2.document_id, 2, "replaced", v3.document_id),
        (v3.document_id, 3, "active", None),
    ]


def warned(answer, rule: str) -> bool:
    """Accepted, `rule` among the warnings: an error of basis modelled warns by default (docs/verdicts.md)."""
    return answer.ack == "AA" and not answer.errors and rule in [d.rule for d in answer.warnings]


def test_replacement_needs_a_reason_the_same_set_and_a_known_parent(env):
    """A new version of a document the register does not hold is refused whatever the basis (SH-VER-001: the
    sandbox cannot record it); a missing reason, another set and a new version without a reference are modelled
    rules: warnings, each on an original of its own."""
    client, now = Client(fresh_hetu(date(1981, 2, 3)), "Versio", "Kaksi"), datetime.now(timezone.utc)

    def original():
        v1 = plan(client, now)
        assert send(env, v1).ack == "AA"
        return v1

    v1 = original()
    unknown = plan(client, now, matter_id=v1.matter.id.root, replaces=("1.2.246.10.2012566.95.2026.9.9", "1.2.246.10.2012566.95.2026.9.9", 1))
    answer = send(env, unknown)
    assert (answer.ack, [d.rule for d in answer.errors]) == ("AE", ["SH-VER-001"])
    assert [v["status"] for v in history(env, v1)["versions"]] == ["active"]  # nothing changed

    no_reason = plan(client, now, matter_id=v1.matter.id.root, replaces=replaces_of(v1))
    no_reason = dataclasses.replace(no_reason, local=dataclasses.replace(no_reason.local, reason_of_correction=None))
    assert warned(send(env, no_reason), "SH-VER-004")
    v1 = original()
    other_set = plan(client, now, matter_id=v1.matter.id.root, replaces=replaces_of(v1))
    other_set = dataclasses.replace(other_set, set_id=dataclasses.replace(other_set.set_id, root=other_set.document_id))
    assert warned(send(env, other_set), "SH-VER-002")
    v1 = original()
    second_v1 = plan(client, now, document_id=None)
    second_v1 = dataclasses.replace(second_v1, set_id=v1.set_id)  # a "new" document in an existing set, no RPLC
    assert warned(send(env, second_v1), "SH-VER-005")


def test_void_needs_a_reason_and_is_a_recorded_state(env):
    """A void without its justification warns (SH-VOID-002, basis modelled); a void is a recorded state, never a
    deletion, and a voided document cannot be replaced (SH-VER-003)."""
    client, now = Client(fresh_hetu(date(1982, 3, 4)), "Mitätöinti", "Asiakas"), datetime.now(timezone.utc)

    def void(v1, text):
        doc = plan(client, now, matter_id=v1.matter.id.root, replaces=replaces_of(v1), replace_reason=("2", "Mitätöinti"),
                   restriction={"text": text} if text else None)
        return dataclasses.replace(doc, local=dataclasses.replace(doc.local, record_status=VOID))

    other = plan(client, now)
    assert send(env, other).ack == "AA"
    assert warned(send(env, void(other, None)), "SH-VOID-002")

    v1 = plan(client, now)
    assert send(env, v1).ack == "AA"
    with_reason = void(v1, "Kirjattu väärälle asiakkaalle.")
    assert send(env, with_reason).ack == "AA"
    h = history(env, v1)
    assert h["current"] == with_reason.document_id
    assert [(v["status"], v["voidReason"]) for v in h["versions"]] == [
        ("replaced", None), ("voided", "Kirjattu väärälle asiakkaalle.")]
    raw = env[2].get(f"/api/v1/registers/{HELSINKI.oid}/documents/{v1.document_id}/document.xml")
    assert raw.status_code == 200  # never deleted
    again = plan(client, now, matter_id=v1.matter.id.root, replaces=replaces_of(with_reason))
    assert "SH-VER-003" in send(env, again).rule_ids  # a voided document cannot be replaced


def test_the_same_document_twice_is_refused_and_stored_once(env):
    client = Client(fresh_hetu(date(1983, 4, 5)), "Kahdesti", "Asiakas")
    doc = plan(client, datetime.now(timezone.utc))
    assert send(env, doc).ack == "AA"
    answer = send(env, doc)
    assert (answer.ack, [d.rule for d in answer.errors]) == ("AE", ["SH-ARC-001"])
    listed = env[2].get(f"/api/v1/registers/{HELSINKI.oid}/documents", params={"client": client.hetu}).json()
    assert [d["documentId"] for d in listed["documents"]] == [doc.document_id]
