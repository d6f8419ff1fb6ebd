"""The trainer's run service (mock_kanta.scenario.trainer) without a server: when a run's owner counts as gone
(a real process that ended here, a heartbeat too old elsewhere), and a result kept bounded in every language."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mock_kanta.reports import Item
from mock_kanta.scenario import trainer


def owned_by(pid: int, **changes) -> dict:
    return {"status": "ready", "alive_at": time.time(), "owner_host": trainer.HOST, "owner_pid": pid,
            "owner_pid_ns": trainer.PID_NAMESPACE, **changes}


@pytest.mark.skipif(trainer.PID_NAMESPACE is None, reason="no /proc/self/ns/pid: only the heartbeat tells")
def test_a_run_whose_owner_process_ended_on_this_machine_is_gone_at_once():
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert trainer.shown_state(owned_by(ended.pid)) == "gone"
    assert trainer.shown_state(owned_by(os.getpid())) == "ready"
    assert trainer.shown_state(owned_by(ended.pid, status="finished")) == "finished"  # over is over, gone or not

    zombie = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        zombie.kill()  # ended, not yet reaped
        deadline = time.monotonic() + 10
        while Path(f"/proc/{zombie.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert trainer.shown_state(owned_by(zombie.pid)) == "gone"
    finally:
        zombie.wait()


def test_an_owner_elsewhere_is_gone_only_when_its_heartbeat_is_old():
    elsewhere = {"owner_host": "another-host", "owner_pid": 1}
    assert trainer.shown_state(owned_by(os.getpid(), **elsewhere)) == "ready"
    old = time.time() - trainer.GONE_SECONDS - 1
    assert trainer.shown_state(owned_by(os.getpid(), **elsewhere, alive_at=old)) == "gone"
    assert trainer.shown_state(owned_by(os.getpid(), alive_at=old)) == "gone"  # here too
    other_namespace = owned_by(2**22 + 7, owner_pid_ns="pid:[1]")  # a pid of another container means nothing here
    assert trainer.shown_state(other_namespace) == "ready"


def test_a_result_is_kept_bounded_with_its_texts_in_every_language():
    evidence = [f"line {i}" for i in range(trainer.KEEP_EVIDENCE + 5)]
    item = Item("archive plan1", "passed", 0.2, "", "<a/>" * 2000, "ok", evidence)
    localized = {lang: {"why": f"why {lang}", "evidence": [f"{lang} {e}" for e in evidence]} for lang in ("fi", "sv", "en")}
    kept = trainer.item_json(item, localized)
    assert kept["sent"].startswith("<a/>") and kept["sent"].endswith("\n… (2000 more characters)")
    assert len(kept["sent"]) < trainer.KEEP_CHARS + 40 and kept["received"] == "ok"
    assert kept["evidence"] == evidence[:trainer.KEEP_EVIDENCE]
    assert set(kept["texts"]) == {"fi", "sv", "en"} and kept["texts"]["sv"]["why"] == "why sv"
    assert len(kept["texts"]["fi"]["evidence"]) == trainer.KEEP_EVIDENCE
