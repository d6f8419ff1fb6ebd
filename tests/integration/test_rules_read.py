"""The read messages' rules (SH-QRY-004, SH-QRY-007) fired through the query interface (/kanta/shark/haku):
a correct query of the client library for a client of Helsinki's register, by a Helsinki professional
with a role there, with its usage situation, receiver or sender spoilt."""
from __future__ import annotations

import pytest

from mock_kanta.client import Professional
from mock_kanta.client.query import QueryClient, Reader, query_request, request_bytes
from tests.parties import HELSINKI, HELSINKI_UNIT
from tests.rulecases import clean, drop, edited, put, refused_by
from tests.signing import issue_signer

# Helsinki's sosiaaliohjaaja in fixtures/roles.yaml (the asiakassuunnitelma sample's signer)
JOHANSSON = Professional("25104559650", "Angelica", "Johansson", title="sosiaaliohjaaja")
USAGE_SITUATION = "/*/hl7:controlActProcess/hl7:reasonCode[@codeSystem='1.2.246.537.6.1289.201901']"


@pytest.fixture(scope="module")
def reading(sandbox, desk):
    """(query client, reader, client id): the client has a plan in Helsinki's register."""
    card = issue_signer(sandbox.pki, "professional", (JOHANSSON.given, JOHANSSON.family, JOHANSSON.registration_number))
    plan = desk.plan()
    clean(desk.send(plan))
    return QueryClient.of(desk.kanta), Reader(JOHANSSON, HELSINKI, HELSINKI_UNIT, card.certificate), plan


def query(reading, *edits, **kwargs):
    reads, reader, plan = reading
    return reads.send("query", edited(request_bytes(query_request(reader, client=plan.client.id.extension, **kwargs)), *edits))


def test_the_correct_query_raises_no_finding(reading):
    answer = query(reading)
    assert (answer.ack, answer.details, answer.document_ids) == ("AA", (), [reading[2].document_id])


@pytest.mark.parametrize("edits, usage", [
    ((), ("9", "Tuntematon käyttötilanne")),
    ((drop(USAGE_SITUATION),), "1"),
], ids=["unknown code", "missing"])
def test_query_without_a_known_usage_situation_is_refused(reading, edits, usage):
    answer = query(reading, *edits, usage=usage)
    refused_by(answer, "SH-QRY-004", "1.2.246.537.6.1289.201901")
    assert answer.query_response_code == "AE" and answer.documents == []  # refused, not a bad parameter (QE)


def test_query_to_another_receiver_is_refused(reading):
    answer = query(reading, put("/*/hl7:receiver/hl7:device/hl7:id", root="1.2.246.556.18007.1"))
    assert "1.2.246.556.18007.1" in refused_by(answer, "SH-QRY-007", "receiver").text
    assert answer.documents == []


def test_query_without_sender_is_refused(reading):
    answer = query(reading, drop("/*/hl7:sender"))
    refused_by(answer, "SH-QRY-007", "sender")
    assert answer.documents == []
