"""The scenario file's fault and send steps, and the archive step's timeout, as load_scenario checks them."""
from __future__ import annotations

import pytest

from mock_kanta.scenario.model import ScenarioError, load_scenario

HEAD = """scenario: small
people:
  clients:
    aino: {hetu: 180418A903L, given: Aino, family: Testi}
  professionals:
    ohjaaja: {registration: "25104559650", given: Angelica, family: Johansson}
units:
  helsinki: {organisation: 1.2.246.10.2012566.10.40, unit: 1.2.246.10.2012566.10.40006775}
steps:
"""


def steps(text: str):
    return load_scenario(HEAD + text, name="small.yaml").steps


def test_a_fault_step_and_a_timeout_expecting_no_answer():
    fault, archive, resend, raw = steps(
        "  - fault: {kind: delay, endpoint: archive, delay_ms: 4000, when: after, count: 1}\n"
        "  - archive: {id: plan, as: ohjaaja, unit: helsinki, register: helsinki, client: aino, timeout: 2}\n"
        "    expect: {no_answer: timeout}\n"
        "  - send: {channel: archive, resend: plan}\n"
        "    expect: {verdict: AE, rules: [SH-ARC-001]}\n"
        "  - send: {channel: query, content_type: text/xml, body: PHgvPg==}\n"
        "    expect: {verdict: refused}\n")
    assert fault.label == "fault delay on archive" and fault.args["delay_ms"] == 4000
    assert archive.args["timeout"] == 2.0 and archive.expect == {"no_answer": "timeout"}
    assert resend.label == "send archive plan again" and resend.expect["rules"] == ["SH-ARC-001"]
    assert raw.args["body"] == b"<x/>"


@pytest.mark.parametrize("step, why", [
    ("  - fault: {kind: refuse, code: SH-1}\n", "text is required"),
    ("  - fault: {kind: delay, delay_ms: 10, count: 1, probability: 0.5}\n", "a count or a probability"),
    ("  - fault: {kind: clear, count: 1}\n", "kind: clear takes nothing else"),
    ("  - send: {channel: archive}\n", "give one of body"),
    ("  - send: {channel: archive, body: '***', content_type: text/xml}\n", "expected base64"),
    ("  - send: {channel: query, frame: PHgvPg==}\n", "frame and document are for archive and validate"),
    ("  - send: {channel: archive, body: PHgvPg==}\n", "a raw body needs its content_type"),
    ("  - send: {channel: archive, resend: nothing}\n", "nothing"),
    ("  - archive: {as: ohjaaja, unit: helsinki, register: helsinki, client: aino, timeout: 0}\n", "expected seconds"),
])
def test_a_bad_fault_or_send_step_is_named(step, why):
    with pytest.raises(ScenarioError, match=why):
        steps(step)
