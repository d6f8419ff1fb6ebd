"""Durability under SIGKILL: a real `mock-kanta serve` under sustained load is killed (the whole process group,
SIGKILL) again and again; every document it acknowledged (AA) must be stored, byte for byte, and the access
log's chain must verify (`mock-kanta audit verify`), on SQLite or PostgreSQL.

    python bench/durability.py [--rounds 20] [--db sqlite|postgresql] [--senders 4] [--seconds 1.5] [--workers 2]

Each round starts the server on the same data directory (and database), lets `--senders` threads post freshly
signed documents (the asiakkuusasiakirja sample, each with its own id) for about `--seconds`, then kills it while
they still send. A request that failed or got no answer is not counted (it was never acknowledged). After the
last round the server starts once more: each acknowledged document is fetched and compared, the chain is checked
over HTTP and by `mock-kanta audit verify` on the data directory. With `--db postgresql` a throwaway cluster is
made (tests/pgcluster.py) and stopped at the end. tests/integration/test_durability.py runs a short form.
Only loopback traffic; bounded by rounds and seconds.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_kanta.scenario.sandbox import free_port, serve_command, start_server, stop_server  # noqa: E402
from mock_kanta.signing.pki import Pki  # noqa: E402
from tests.helpers import ack_of, post_archive, renumber  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402
from tests.signing import SAMPLE_SIGNERS, issue_signer, resign  # noqa: E402

SAMPLES = Path(os.environ.get("BENCH_SAMPLES") or ROOT.parent / "shared" / "reference" / "kanta-samples")
NAME = "asiakkuusasiakirja"
REGISTER = "1.2.246.10.32213561.10.0"  # the sample's register


@dataclass
class Outcome:
    rounds: int = 0
    acknowledged: dict[str, bytes] = field(default_factory=dict)  # document id -> the document bytes sent
    unanswered: int = 0  # requests not acknowledged (cut by the kill)
    missing: list[str] = field(default_factory=list)
    chain_ok: bool = False
    audit_cli: str = ""


def run(data_dir: Path, *, rounds: int, senders: int, seconds: float, workers: int, env: dict,
        log_path: Path) -> Outcome:
    """The rounds on `data_dir` (created if missing) with the server environment `env`; the outcome."""
    data_dir.mkdir(parents=True, exist_ok=True)
    frame0, document0 = (SAMPLES / f"{NAME}-frame.xml").read_bytes(), (SAMPLES / f"{NAME}-document.xml").read_bytes()
    signer = (issue_signer(Pki.open(data_dir / "pki"), *SAMPLE_SIGNERS[NAME]), SAMPLE_SIGNERS[NAME][0])
    numbers, lock, out = itertools.count(1), threading.Lock(), Outcome()
    stamp = int(time.time())

    def next_document() -> tuple[str, bytes, bytes]:
        with lock:
            document_id = f"1.2.246.10.32213561.95777.2026.{stamp}.{next(numbers)}"
        frame, document = renumber(frame0, document0, document_id)
        return document_id, frame, resign(document, [signer])

    def send(url: str, stop: threading.Event) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while not stop.is_set():
                document_id, frame, document = next_document()
                try:
                    answer = post_archive(http, frame, document)
                    code = ack_of(answer)["type_code"] if answer.status_code == 200 else None
                except (httpx.HTTPError, ValueError, SyntaxError):
                    code = None
                with lock:
                    if code == "AA":
                        out.acknowledged[document_id] = document
                    else:
                        out.unanswered += 1
                if code is None:
                    return  # the server is gone

    for _ in range(rounds):
        proc, url = _start(data_dir, workers, env, log_path)
        stop = threading.Event()
        threads = [threading.Thread(target=send, args=(url, stop)) for _ in range(senders)]
        for t in threads:
            t.start()
        time.sleep(seconds * random.uniform(0.5, 1.5))
        os.killpg(proc.pid, signal.SIGKILL)  # mid-load: requests in flight, batches being written
        stop.set()
        for t in threads:
            t.join(60)
        stop_server(proc, kill=True)
        out.rounds += 1

    proc, url = _start(data_dir, workers, env, log_path)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            for document_id, document in out.acknowledged.items():
                r = http.get(f"/api/v1/registers/{REGISTER}/documents/{document_id}/document.xml")
                if r.status_code != 200 or r.content != document:
                    out.missing.append(document_id)
            out.chain_ok = http.get("/api/v1/audit/verify").json().get("ok") is True
    finally:
        stop_server(proc)
    done = subprocess.run([sys.executable, "-m", "mock_kanta.cli", "audit", "verify", "--data-dir", str(data_dir)],
                          env={**os.environ, **env}, capture_output=True, text=True)
    out.audit_cli = done.stdout.strip() if done.returncode == 0 else f"FAILED ({done.returncode}): {done.stdout}{done.stderr}"
    return out


def _start(data_dir: Path, workers: int, env: dict, log_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = serve_command(port, data_dir, "--workers", str(workers), "--no-demo-cards", "--demo-clients", "0")
    with open(log_path, "ab") as log:
        proc, http = start_server(command, log=log, env={**os.environ, **env},
                                  connect=lambda: httpx.Client(base_url=url, timeout=10))
    http.close()
    return proc, url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=1.5, help="load per round before the kill (±50%%)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    cluster = None
    with tempfile.TemporaryDirectory(prefix="mock-kanta-durability-") as tmp:
        env = {}
        if args.db == "postgresql":
            cluster = Cluster().start()
            env["MOCK_KANTA_DATABASE_URL"] = cluster.new_database("durability")
        try:
            started = time.monotonic()
            out = run(Path(tmp) / "var", rounds=args.rounds, senders=args.senders, seconds=args.seconds,
                      workers=args.workers, env=env, log_path=Path(tmp) / "server.log")
        finally:
            if cluster is not None:
                cluster.stop()
    print(f"{args.db}: {out.rounds} SIGKILLs in {time.monotonic() - started:.0f} s; {len(out.acknowledged)} documents "
          f"acknowledged, {len(out.missing)} of them missing; {out.unanswered} requests cut unanswered; chain over "
          f"HTTP {'verifies' if out.chain_ok else 'BROKEN'}; mock-kanta audit verify: {out.audit_cli}")
    return 0 if not out.missing and out.chain_ok and not out.audit_cli.startswith("FAILED") else 1


if __name__ == "__main__":
    sys.exit(main())
