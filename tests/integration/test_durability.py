"""Durability, short form of bench/durability.py on this run's database (--db): a `serve` under load
from three senders is killed with SIGKILL five times (the bench: 20); every acknowledged document is then stored byte for byte,
and the access log's chain verifies over HTTP and through `mock-kanta audit verify`."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import server_database_env

_spec = importlib.util.spec_from_file_location("bench_durability", Path(__file__).resolve().parents[2] / "bench" / "durability.py")
durability = sys.modules.setdefault("bench_durability", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(durability)


def test_every_acknowledged_document_survives_repeated_sigkill(tmp_path):
    out = durability.run(tmp_path / "var", rounds=5, senders=3, seconds=0.6, workers=1, env=server_database_env(),
                         log_path=tmp_path / "server.log")
    assert out.rounds == 5
    assert len(out.acknowledged) >= 8, "too little load to prove anything"
    assert out.missing == [], f"{len(out.missing)} of {len(out.acknowledged)} acknowledged documents lost"
    assert out.chain_ok
    assert out.audit_cli.startswith("audit log intact"), out.audit_cli
