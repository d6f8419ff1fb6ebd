"""Throughput of the archive path: documents per second, in-process and over HTTP.

    python bench/archive_bench.py [--n N] [--repeat R] [--http] [--clients C] [--profile]

1. check    Archive.read + Archive.check per public sample (nothing stored).
2. archive  Archive.archive + Archive.ack_bytes with a real Store on a temp SQLite
            file, SQLite synchronous=FULL and =NORMAL, N unique document ids.
3. http     (--http) a real `mock-kanta serve` on a free loopback port with a temp
            data dir; C client threads post N pre-built multipart bodies.
--profile   cProfile of path 2 (synchronous=FULL): top functions and time per stage.

Every figure is the median of R runs. All bodies are built before the clock starts.
Only loopback traffic; every run is bounded by N and by --max-seconds.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_kanta.services import Services  # noqa: E402
from mock_kanta.settings import Settings  # noqa: E402
from mock_kanta.wire import soap  # noqa: E402
from tests.helpers import ack_of, renumber  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "reference" / "kanta-samples"
NAMES = ("asiakkuusasiakirja", "asiakassuunnitelma")
ARCHIVE_PATH = "/kanta/shark/arkisto"


def sample(name: str) -> tuple[bytes, bytes]:
    return (SAMPLES / f"{name}-frame.xml").read_bytes(), (SAMPLES / f"{name}-document.xml").read_bytes()


def bodies(n: int, run: int) -> list[tuple[bytes, str]]:
    """n multipart bodies, the two samples alternating, each with its own document id."""
    out = []
    for i in range(n):
        frame, document = sample(NAMES[i % 2])
        old = re.search(rb'<id root="([0-9.]+)"\s*/>', document).group(1).decode()
        frame, document = renumber(frame, document, f"{old.rsplit('.', 1)[0]}.{run}{i:07d}")
        out.append(soap.build_multipart(frame, document))
    return out


def services(data_dir: Path, synchronous: str = "FULL") -> Services:
    return Services.start(Settings(data_dir=data_dir, sqlite_synchronous=synchronous))


# --- 1. parse + check -----------------------------------------------------------------


def bench_check(n: int, repeat: int, limit: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = services(Path(tmp)).archive
        result = {}
        for name in NAMES:
            body, ctype = soap.build_multipart(*sample(name))
            rates = []
            for _ in range(repeat):
                t0, done = time.perf_counter(), 0
                while done < n and time.perf_counter() - t0 < limit:
                    archive.check(archive.read(body, ctype))
                    done += 1
                rates.append(done / (time.perf_counter() - t0))
            result[name] = statistics.median(rates)
        return result


# --- 2. full archive call in-process ------------------------------------------------------


def run_archive(archive, work: list[tuple[bytes, str]], limit: float) -> tuple[float, float, int]:
    """(documents per second, CPU ms per document, answers that were not AA)."""
    t0, cpu0, done, ok = time.perf_counter(), time.process_time(), 0, 0
    for body, ctype in work:
        outcome = archive.archive("default", body, ctype)
        archive.ack_bytes(outcome)
        ok += outcome.ack == "AA"
        done += 1
        if time.perf_counter() - t0 > limit:
            break
    return done / (time.perf_counter() - t0), (time.process_time() - cpu0) / done * 1000, done - ok


def bench_archive(n: int, repeat: int, limit: float) -> dict[str, tuple[float, float]]:
    result = {}
    for sync in ("FULL", "NORMAL"):
        rates, cpus = [], []
        for r in range(repeat):
            work = bodies(n, r + 1)
            with tempfile.TemporaryDirectory() as tmp:
                rate, cpu, not_aa = run_archive(services(Path(tmp), sync).archive, work, limit)
            if not_aa:
                raise SystemExit(f"archive {sync}: {not_aa} answer(s) were not AA")
            rates.append(rate)
            cpus.append(cpu)
        result[sync] = statistics.median(rates), statistics.median(cpus)
    return result


def profile_archive(n: int, limit: float, top: int = 25) -> None:
    work = bodies(n, 9)
    with tempfile.TemporaryDirectory() as tmp:
        archive = services(Path(tmp)).archive
        prof = cProfile.Profile()
        prof.enable()
        run_archive(archive, work, limit)
        prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    print(f"\ncProfile of path 2 (synchronous=FULL, {len(work)} documents, {total:.2f} s profiled)")
    print("\nstage (cumulative)                          share")
    stages = [
        ("archive.py", "read"), ("soap.py", "unpack"), ("safexml.py", "parse"),
        ("hl7v3.py", "frame_from_tree"), ("cda.py", "document_from_tree"),
        ("archive.py", "check"), ("archive.py", "_row"), ("db.py", "insert_document"),
        ("archive.py", "ack_bytes"),
    ]
    cumulative = {(Path(file).name, func): ct for (file, _line, func), (_cc, _nc, _tt, ct, _c) in stats.stats.items()}
    for stage in stages:
        print(f"  {':'.join(stage):40} {cumulative.get(stage, 0) / total:6.1%}")
    print("\ntop functions by own time                   share   cumul")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (file, line, func), (_cc, nc, tt, ct, _callers) in rows:
        where = f"{Path(file).name}:{line}" if line else file
        print(f"  {func[:34]:34} {tt / total:6.1%} {ct / total:6.1%}  {nc:>8} calls  {where}")


# --- 3. over HTTP ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (uvicorn workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += sum(cpu_seconds(int(child)) for child in (task / "children").read_text().split())
    except FileNotFoundError:  # the process has just exited
        return 0.0
    return total


def server_command(port: int, data_dir: str, workers: int) -> list[str]:
    if workers == 1:
        return [sys.executable, "-m", "mock_kanta.cli", "serve", "--port", str(port), "--data-dir", data_dir]
    # Experiment: several uvicorn worker processes on one SQLite file (`serve` has no --workers yet).
    services(Path(data_dir))  # create schema and tenant once, before the workers race for it
    return [sys.executable, "-m", "uvicorn", "--factory", "mock_kanta.app:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]


def bench_http(n: int, clients: int, repeat: int, limit: float, synchronous: str, workers: int = 1) -> dict:
    import httpx

    runs = []
    for r in range(repeat):
        work = bodies(n, r + 5)
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            env = {**os.environ, "MOCK_KANTA_SQLITE_SYNCHRONOUS": synchronous, "MOCK_KANTA_DATA_DIR": tmp}
            cmd = server_command(port, tmp, workers)
            with open(Path(tmp) / "server.log", "wb") as log:
                proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
            try:
                runs.append(http_run(proc, port, work, clients, limit, httpx))
            finally:
                proc.terminate()
                proc.wait(timeout=15)
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def http_run(proc, port: int, work, clients: int, limit: float, httpx) -> dict:
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("server did not start")
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    cursor, lock = iter(range(len(work))), threading.Lock()  # one shared cursor over the bodies
    answers: list = [None] * len(work)
    latencies: list[float] = []
    t_end = time.perf_counter() + limit

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.perf_counter() < t_end:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                body, ctype = work[i]
                t = time.perf_counter()
                try:
                    answers[i] = http.post(ARCHIVE_PATH, content=body, headers={"Content-Type": ctype})
                except httpx.HTTPError as exc:
                    answers[i] = exc
                latencies.append(time.perf_counter() - t)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu0, own0, t0 = cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, server_cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
    client_cpu = time.process_time() - own0
    done = [a for a in answers if a is not None]
    not_aa = sum(isinstance(a, Exception) or a.status_code != 200 or ack_of(a)["type_code"] != "AA" for a in done)
    if not_aa:
        raise SystemExit(f"http: {not_aa} of {len(done)} answers were not AA")
    q = statistics.quantiles(latencies, n=100)
    return {
        "docs_per_s": len(done) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": q[98] * 1000,
        "server_cpu_ms_per_doc": server_cpu / len(done) * 1000,
        "client_cpu_ms_per_doc": client_cpu / len(done) * 1000,
        "documents": len(done),
    }


# --- main -------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400, help="documents per run (default 400)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    ap.add_argument("--http", action="store_true", help="also measure over HTTP against `mock-kanta serve`")
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (default 4)")
    ap.add_argument("--sync", default="FULL", choices=("FULL", "NORMAL"), help="SQLite synchronous mode of the HTTP server (default FULL)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for --http (default 1: `mock-kanta serve`)")
    ap.add_argument("--profile", action="store_true", help="cProfile path 2 and print the hot spots")
    ap.add_argument("--max-seconds", type=float, default=60, help="stop any one run after this long (default 60)")
    args = ap.parse_args()
    if args.n < 2 or args.repeat < 1 or args.clients < 1 or args.workers < 1:
        ap.error("--n must be at least 2; --repeat, --clients and --workers at least 1")

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}  cpus: {os.cpu_count()}  "
          f"n={args.n} repeat={args.repeat} (medians)")
    for name, rate in bench_check(args.n, args.repeat, args.max_seconds).items():
        print(f"1. read+check   {name:22} {rate:8.0f} docs/s")
    for sync, (rate, cpu) in bench_archive(args.n, args.repeat, args.max_seconds).items():
        print(f"2. archive      synchronous={sync:11} {rate:8.0f} docs/s  CPU {cpu:.1f} ms/doc  (all AA)")
    if args.http:
        h = bench_http(args.n, args.clients, args.repeat, args.max_seconds, args.sync, args.workers)
        print(f"3. http         {args.workers} worker(s), {args.clients} clients, sync={args.sync} {h['docs_per_s']:8.0f} docs/s  "
              f"p50 {h['p50_ms']:.1f} ms  p99 {h['p99_ms']:.1f} ms  CPU/doc: server {h['server_cpu_ms_per_doc']:.1f} ms, "
              f"client {h['client_cpu_ms_per_doc']:.1f} ms  (all AA)")
    if args.profile:
        profile_archive(args.n, args.max_seconds)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
