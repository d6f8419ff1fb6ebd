"""The read side's checks over a ReadContext filled step by step (rules.read.evaluate): each check runs once per
read, in the step whose parts it needs; SH-TRN-005 is the archive's one check, run on the request's wrapper;
the archive's and the read side's checks never run on each other's context."""
from __future__ import annotations

import dataclasses
from datetime import date

from mock_kanta.client import Org, Professional, Unit, artificial_hetu
from mock_kanta.client.query import Reader, query_request
from mock_kanta.core.codes import CodeSystems
from mock_kanta.rules import Context, Problem, ProblemKind, evaluate
from mock_kanta.rules.read import evaluate as evaluate_read
from mock_kanta.rules.read.context import Card, ReadContext, Who
from mock_kanta.wire.paths.query import Interactions

KIELO = Org("1.2.246.10.29876516.10.0", "Hoivakoti Kielo Oy")
TUUSULA = Unit("1.2.246.10.29876516.10.2", "Hoivakoti Kielo, kotihoito Tuusula")
READER = Reader(Professional("25100000902", "Liisa", "Lähihoitaja"), KIELO, TUUSULA, None)
CLIENT = artificial_hetu(date(1985, 5, 5), 950)
SENDER_X = "/hl7:RCMR_IN200010FI01/hl7:sender/hl7:device/hl7:id"


def read_context(**parts) -> ReadContext:
    return ReadContext("query", Interactions.load(), codes=CodeSystems.load(), **parts)


def rules(findings) -> list[str]:
    return [f.rule_id for f in findings]


def test_each_step_runs_the_checks_its_parts_make_runnable_once():
    ctx = read_context(request=query_request(READER, client=CLIENT, usage="2", service_request="SP9"), card=Card())
    assert rules(evaluate_read(ctx)) == ["SH-QRY-003", "SH-ACC-001"]  # the message and the card
    ctx.who = Who(assignment=None, unit=None)
    assert rules(evaluate_read(ctx)) == ["SH-ACC-004"]  # only the step's new check
    assert evaluate_read(ctx) == []  # nothing added, nothing runs


def test_a_message_not_read_is_judged_by_what_reading_met():
    ctx = read_context(problems=(Problem(ProblemKind.WRONG_ROOT, found="RCMR_IN200012FI01", expected="RCMR_IN200010FI01"),))
    [wrong] = evaluate_read(ctx)
    assert (wrong.rule_id, wrong.location) == ("SH-QRY-002", "/")
    assert "/kanta/shark/haku" in wrong.fix["en"] and "/kanta/shark/nouto" in wrong.fix["en"]


def test_the_tls_client_is_the_sender_by_the_archive_frames_check():
    request = query_request(READER, client=CLIENT, usage="2")
    found = evaluate_read(read_context(request=request, card=Card(), client_org="1.2.3"))
    [tls] = [f for f in found if f.rule_id == "SH-TRN-005"]
    assert tls.location == SENDER_X and KIELO.oid in tls.message["en"]
    assert "SH-TRN-005" not in rules(evaluate_read(read_context(request=request, card=Card(), client_org=KIELO.oid)))
    no_sender = dataclasses.replace(request, sender=None)
    assert "SH-TRN-005" not in rules(evaluate_read(read_context(request=no_sender, card=Card(), client_org="1.2.3")))


def test_the_archive_and_the_read_side_keep_to_their_own_context():
    problem = Problem(ProblemKind.TRANSPORT, detail="no envelope")
    assert rules(evaluate(Context(problems=(problem,)))) == ["SH-TRN-001"]
    assert rules(evaluate_read(read_context(problems=(problem,)))) == ["SH-QRY-001"]
