"""Throughput of the archive path: signed documents per second, in-process and over HTTP.

    python bench/archive_bench.py [--n N] [--repeat R] [--http] [--workers W] [--clients C] [--profile] [--profile-http]

Every document is a public sample renumbered to its own id, its signatures replaced by
one made by a stand-in for the sample's signer (a software key certified by the bench's
own sandbox PKI: a system signature for the asiakkuusasiakirja, a professional one for
the asiakassuunnitelma), so the archive's full XMLDSig and trust checks run and pass.

1. check    Archive.read + Archive.check per public sample (nothing stored; no errors).
2. archive  Archive.archive + Archive.ack_bytes with a real Store on a temp SQLite
            file, SQLite synchronous=FULL and =NORMAL, N unique document ids; all AA.
3. http     (--http) a real `mock-kanta serve --workers W --no-demo-cards` on a free
            loopback port with a temp data dir (its PKI created and used by the bench
            first); C client threads post N pre-built multipart bodies; all HTTP 200 + AA.
--profile   cProfile of path 2 (synchronous=FULL): time per stage and the top functions.
--profile-http  cProfile of the server process itself (1 worker) under C HTTP clients.

Every figure is the median of R runs; docs/s also shows (min–max). The machine may be
shared, so each run also reports, from /proc/stat, in CPUs: "others", what everything but
the bench and its server ran (other processes, kernel threads such as the journal), and
"steal", the time the hypervisor gave this VM's CPUs to other guests. All bodies are built and signed before the clock
starts. Only loopback traffic; every run is bounded by N and by --max-seconds.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mock_kanta.core.findings import Severity
from mock_kanta.scenario.sandbox import free_port, serve_command, start_server, stop_server  # noqa: E402
from mock_kanta.settings import Settings  # noqa: E402
from mock_kanta.signing.pki import Pki  # noqa: E402
from mock_kanta.wire import soap  # noqa: E402
from mock_kanta.wiring import Services  # noqa: E402
from tests.helpers import ack_of, renumber  # noqa: E402
from tests.signing import SAMPLE_SIGNERS, issue_signer, resign  # noqa: E402

# The public samples, never copied into the repository; BENCH_SAMPLES overrides (e.g. for a snapshot elsewhere).
SAMPLES = Path(os.environ.get("BENCH_SAMPLES") or ROOT.parent / "shared" / "reference" / "kanta-samples")
NAMES = ("asiakkuusasiakirja", "asiakassuunnitelma")
ARCHIVE_PATH = "/kanta/shark/arkisto"


def sample(name: str) -> tuple[bytes, bytes]:
    return (SAMPLES / f"{name}-frame.xml").read_bytes(), (SAMPLES / f"{name}-document.xml").read_bytes()


def signers(pki: Pki) -> dict[str, tuple[object, str]]:
    """Per sample, (signer, kind): a stand-in for its signer (same identity), certified by `pki`."""
    return {name: (issue_signer(pki, *SAMPLE_SIGNERS[name]), SAMPLE_SIGNERS[name][0]) for name in NAMES}


def signed_pair(name: str, new_id: str | None, by: dict) -> tuple[bytes, bytes]:
    """A sample (renumbered to `new_id` if given) with its signatures replaced by one of `by[name]`."""
    frame, document = sample(name)
    if new_id is not None:
        frame, document = renumber(frame, document, new_id)
    return frame, resign(document, [by[name]])


def bodies(n: int, run: int, pki: Pki) -> list[tuple[bytes, str]]:
    """n signed multipart bodies, the two samples alternating, each with its own document id."""
    by = signers(pki)
    out = []
    for i in range(n):
        name = NAMES[i % 2]
        old = re.search(rb'<id root="([0-9.]+)"\s*/>', sample(name)[1]).group(1).decode()
        out.append(soap.build_multipart(*signed_pair(name, f"{old.rsplit('.', 1)[0]}.{run}{i:07d}", by)))
    return out


def services(data_dir: Path, synchronous: str = "FULL") -> Services:
    return Services.start(Settings(data_dir=data_dir, sqlite_synchronous=synchronous))


# --- 1. parse + check -----------------------------------------------------------------


def bench_check(n: int, repeat: int, limit: float) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        sv = services(Path(tmp))
        archive, by = sv.archive, signers(sv.pki)
        result = {}
        for name in NAMES:
            body, ctype = soap.build_multipart(*signed_pair(name, None, by))
            errors = [f.rule_id for f in archive.check(archive.read(body, ctype)) if f.severity is Severity.ERROR]
            if errors:
                raise SystemExit(f"read+check {name}: errors {errors}")
            rates = []
            for _ in range(repeat):
                t0, done = time.perf_counter(), 0
                while done < n and time.perf_counter() - t0 < limit:
                    archive.check(archive.read(body, ctype))
                    done += 1
                rates.append(done / (time.perf_counter() - t0))
            result[name] = spread(rates)
        return result


# --- 2. full archive call in-process ------------------------------------------------------


def machine_seconds() -> tuple[float, float]:
    """(busy, steal): CPU seconds the whole machine has run anything (all CPUs, without idle,
    iowait and steal), and seconds the hypervisor gave its CPUs to other guests (steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


class Interference:
    """What else used the CPUs during a run: other processes (in CPUs) and hypervisor steal (in CPUs)."""

    def __init__(self):
        self.t0, (self.busy0, self.steal0) = time.perf_counter(), machine_seconds()

    def stop(self, own_cpu: float) -> tuple[float, float]:
        elapsed, (busy, steal) = time.perf_counter() - self.t0, machine_seconds()
        return max(0.0, busy - self.busy0 - own_cpu) / elapsed, (steal - self.steal0) / elapsed


def run_archive(archive, work: list[tuple[bytes, str]], limit: float) -> tuple[float, float, int, tuple[float, float]]:
    """(documents per second, CPU ms per document, answers that were not AA, (others, steal) in CPUs)."""
    t0, cpu0, seen, done, ok = time.perf_counter(), time.process_time(), Interference(), 0, 0
    for body, ctype in work:
        outcome = archive.archive("default", body, ctype)
        archive.ack_bytes(outcome)
        ok += outcome.ack == "AA"
        done += 1
        if time.perf_counter() - t0 > limit:
            break
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return done / elapsed, cpu / done * 1000, done - ok, seen.stop(cpu)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.0f} ({min(values):.0f}–{max(values):.0f})"


def bench_archive(n: int, repeat: int, limit: float) -> dict[str, tuple[str, float, tuple[float, float]]]:
    """Per synchronous mode: docs/s "median (min–max)", and medians of CPU ms per doc and (others, steal)."""
    result = {}
    for sync in ("FULL", "NORMAL"):
        rates, cpus, others = [], [], []
        for r in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                sv = services(Path(tmp), sync)
                work = bodies(n, r + 1, sv.pki)
                rate, cpu, not_aa, other = run_archive(sv.archive, work, limit)
            if not_aa:
                raise SystemExit(f"archive {sync}: {not_aa} answer(s) were not AA")
            rates.append(rate)
            cpus.append(cpu)
            others.append(other)
        result[sync] = (spread(rates), statistics.median(cpus),
                        tuple(statistics.median(o[k] for o in others) for k in (0, 1)))
    return result


def profile_archive(n: int, limit: float, top: int = 10) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sv = services(Path(tmp))
        work = bodies(n, 9, sv.pki)
        prof = cProfile.Profile()
        prof.enable()
        _rate, _cpu, not_aa, _others = run_archive(sv.archive, work, limit)
        prof.disable()
    if not_aa:
        raise SystemExit(f"profile: {not_aa} answer(s) were not AA")
    stats = pstats.Stats(prof)
    total = stats.total_tt
    print(f"\ncProfile of path 2 (synchronous=FULL, {len(work)} documents, {total:.2f} s profiled)")
    print("\nstage (cumulative)                          share")
    stages = [  # (the module's folder and file, the function)
        ("archive/service.py", "read"), ("wire/soap.py", "unpack"), ("wire/safexml.py", "parse"),
        ("wire/hl7v3.py", "frame_from_tree"), ("wire/cda.py", "document_from_tree"),
        ("archive/service.py", "check"), ("xmldsig/verify.py", "verify_document"),
        ("signing/trust.py", "problems"), ("core/clock.py", "now"), ("queries/tenants.py", "rule_modes"),
        ("rules/registry.py", "evaluate"), ("archive/service.py", "_row"), ("archive/service.py", "pending_document"),
        ("store/writer.py", "write_batch"), ("archive/service.py", "ack_bytes"),
    ]
    cumulative = {("/".join(Path(file).parts[-2:]), func): ct
                  for (file, _line, func), (_cc, _nc, _tt, ct, _c) in stats.stats.items()}
    for stage in stages:
        print(f"  {':'.join(stage):40} {cumulative.get(stage, 0) / total:6.1%}")
    print_top(stats, top)


def print_top(stats: pstats.Stats, top: int) -> None:
    total = stats.total_tt
    print("\ntop functions by own time                   share   cumul")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (file, line, func), (_cc, nc, tt, ct, _callers) in rows:
        where = f"{Path(file).name}:{line}" if line else file
        print(f"  {func[:34]:34} {tt / total:6.1%} {ct / total:6.1%}  {nc:>8} calls  {where}")


def profile_http(n: int, clients: int, limit: float, synchronous: str, top: int) -> None:
    """cProfile of the server itself (one worker: `python -m cProfile -m mock_kanta.cli serve`) under C clients;
    the server is stopped with SIGINT, so the profile is written on its way out."""
    import signal

    with tempfile.TemporaryDirectory() as tmp:
        work = bodies(n, 7, Pki.open(Path(tmp) / "pki"))
        port, out = free_port(), Path(tmp) / "server.prof"
        env = {**os.environ, "MOCK_KANTA_SQLITE_SYNCHRONOUS": synchronous, "MOCK_KANTA_DATA_DIR": tmp}
        cmd = [sys.executable, "-m", "cProfile", "-o", str(out), *server_command(port, tmp, 1)[1:]]
        with open(Path(tmp) / "server.log", "wb") as log:
            proc = start(cmd, port, env, log)
        try:
            run = http_run(proc, port, work, clients, limit)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        stats = pstats.Stats(str(out))
    print(f"\ncProfile of the server (1 worker, {clients} clients, sync={synchronous}, {run['documents']} documents, "
          f"{run['docs_per_s']:.0f} docs/s under the profiler; the whole process, start-up included)")
    print_top(stats, top)


# --- 3. over HTTP ---------------------------------------------------------------------------


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


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds of a process and its live descendants, split into "main" (each process's main thread:
    the event loop) and "threads" (all other threads: the group-commit writer, any thread pool)."""
    out = {"main": 0.0, "threads": 0.0}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            out["main" if task.name == str(pid) else "threads"] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for child in (task / "children").read_text().split():
                for k, v in thread_cpu_seconds(int(child)).items():
                    out[k] += v
    except FileNotFoundError:  # the process has just exited
        pass
    return out


def server_command(port: int, data_dir: str, workers: int) -> list[str]:
    return serve_command(port, data_dir, "--workers", str(workers), "--no-demo-cards")


def start(cmd: list[str], port: int, env: dict, log) -> subprocess.Popen:
    """The server started and answering /healthz."""
    proc, http = start_server(cmd, log=log, env=env, cwd=ROOT, timeout=30,
                              connect=lambda: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5))
    http.close()
    return proc


def bench_http(n: int, clients: int, repeat: int, limit: float, synchronous: str, workers: int = 1) -> dict:
    runs = []
    for r in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            # The server trusts the PKI in its data dir: create it here first and sign with it.
            work = bodies(n, r + 5, Pki.open(Path(tmp) / "pki"))
            port = free_port()
            env = {**os.environ, "MOCK_KANTA_SQLITE_SYNCHRONOUS": synchronous, "MOCK_KANTA_DATA_DIR": tmp}
            cmd = server_command(port, tmp, workers)
            with open(Path(tmp) / "server.log", "wb") as log:
                proc = start(cmd, port, env, log)
            try:
                runs.append(http_run(proc, port, work, clients, limit))
            finally:
                stop_server(proc)
    out = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    out["docs_per_s_spread"] = spread([run["docs_per_s"] for run in runs])
    return out


def http_run(proc, port: int, work, clients: int, limit: float) -> dict:
    url = f"http://127.0.0.1:{port}"
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
    threads0 = thread_cpu_seconds(proc.pid)
    cpu0, own0, seen, t0 = cpu_seconds(proc.pid), time.process_time(), Interference(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed, server_cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
    threads1 = thread_cpu_seconds(proc.pid)
    writer = threads1["threads"] - threads0["threads"]
    client_cpu = time.process_time() - own0
    others, steal = seen.stop(server_cpu + client_cpu)
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
        "writer_cpu_ms_per_doc": writer / len(done) * 1000,  # threads other than the main (loop) threads: the writer
        "documents": len(done),
        "others_load": others,
        "steal_load": steal,
    }


# --- main -------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400, help="documents per run (default 400)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    ap.add_argument("--http", action="store_true", help="also measure over HTTP against `mock-kanta serve`")
    ap.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (default 4)")
    ap.add_argument("--sync", default="FULL", choices=("FULL", "NORMAL"), help="SQLite synchronous mode of the HTTP server (default FULL)")
    ap.add_argument("--workers", type=int, default=1, help="`mock-kanta serve --workers` for --http (default 1)")
    ap.add_argument("--profile", action="store_true", help="cProfile path 2 and print the hot spots")
    ap.add_argument("--profile-http", action="store_true", help="cProfile the server (1 worker) under --clients HTTP clients")
    ap.add_argument("--top", type=int, default=10, help="functions listed by --profile (default 10)")
    ap.add_argument("--skip-inprocess", action="store_true", help="skip paths 1 and 2 (e.g. for --http or --profile only)")
    ap.add_argument("--max-seconds", type=float, default=60, help="stop any one run after this long (default 60)")
    args = ap.parse_args()
    if args.n < 2 or args.repeat < 1 or args.clients < 1 or args.workers < 1:
        ap.error("--n must be at least 2; --repeat, --clients and --workers at least 1")

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}  cpus: {os.cpu_count()}  "
          f"n={args.n} repeat={args.repeat} (medians)")
    if not args.skip_inprocess:
        for name, rate in bench_check(args.n, args.repeat, args.max_seconds).items():
            print(f"1. read+check   {name:22} {rate} docs/s  (signed, no errors)")
        for sync, (rate, cpu, others) in bench_archive(args.n, args.repeat, args.max_seconds).items():
            print(f"2. archive      synchronous={sync:9} {rate} docs/s  CPU {cpu:.2f} ms/doc  "
                  f"others {others[0]:.2f} CPU, steal {others[1]:.2f} CPU  (signed, all AA)")
    if args.http:
        h = bench_http(args.n, args.clients, args.repeat, args.max_seconds, args.sync, args.workers)
        print(f"3. http         {args.workers} worker(s), {args.clients} clients, sync={args.sync}  "
              f"{h['docs_per_s_spread']} docs/s  p50 {h['p50_ms']:.1f} ms  p99 {h['p99_ms']:.1f} ms  "
              f"CPU/doc: server {h['server_cpu_ms_per_doc']:.2f} ms (writer {h['writer_cpu_ms_per_doc']:.2f}), "
              f"client {h['client_cpu_ms_per_doc']:.2f} ms  "
              f"others {h['others_load']:.2f} CPU, steal {h['steal_load']:.2f} CPU  (signed, all AA)")
    if args.profile:
        profile_archive(args.n, args.max_seconds, args.top)
    if args.profile_http:
        profile_http(args.n, args.clients, args.max_seconds, args.sync, args.top)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
