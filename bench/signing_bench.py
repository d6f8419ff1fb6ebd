"""Signatures and verifications per second: virtual cards (SoftHSM) and the archive's checks.

    python bench/signing_bench.py [--n N] [--repeat R] [--threads T] [--max-seconds S]

Everything lives in one temporary data directory: a sandbox PKI, a SQLite store
(`Services.start`) and SoftHSM tokens (`CardStore`): a professional card for the
author of the asiakassuunnitelma sample (Angelica Johansson, 25104559650) and the
system signature key of its sender (Helsinki).

sign    1. raw `.sign(data)` of 1 KiB (about a canonical SignedInfo) by the signer that
           `CardStore.signer` returns (PKCS#11 C_Sign on the card, plus the card's lock check);
           for reference the same with a software key (cryptography/OpenSSL).
        2. full `xmldsig.sign_document` of the asiakassuunnitelma sample (28 KB, its own
           signatures stripped) with the card, on N pre-parsed copies (parsing is not timed).
        Both single-threaded and with T threads (default 4) on one shared card: every PKCS#11
        call goes through `pkcs11_key.PKCS11_LOCK`, so the token work is serialised.
verify  the sample signed by the card (1 signature) or by the card and the sender's system key
        (2 signatures), plus an unsigned baseline for the full path (it gets SH-SIG-001):
        3. `xmldsig.verify_document(root)` on a parsed root (all signatures must be crypto_ok);
        4. the same plus `Trust.problems` per signature, as `Archive._verify_signatures` does
           (no problems allowed);
        5. `Archive.read` + `Archive.check` of the multipart body with the real store
           (no errors allowed; the sample's two known warnings remain).

Every figure is the median of R runs of N operations (min–max in brackets), each run also
bounded by --max-seconds. The variants compared within one group run round-robin (run 1 of
each, then run 2 of each, ...), so a burst of load elsewhere hits them alike. Each line also
reports, from /proc/stat, what else used the CPUs meanwhile (in CPUs, medians): "others"
(other processes, kernel threads) and "steal" (the hypervisor's other guests); the machine
may be shared. No network traffic at all.
"""
from __future__ import annotations

import argparse
import copy
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive_bench import Interference  # noqa: E402  (bench/ is on sys.path as the script's directory)

from mock_kanta.core.findings import Severity
from mock_kanta.settings import Settings  # noqa: E402
from mock_kanta.signing import xmldsig  # noqa: E402
from mock_kanta.signing.cards import CardStore  # noqa: E402
from mock_kanta.signing.pkcs11_key import close_sessions  # noqa: E402
from mock_kanta.wire import cda, safexml, soap  # noqa: E402
from mock_kanta.wiring import Services  # noqa: E402
from tests.helpers import renumber  # noqa: E402
from tests.signing import issue_signer, strip_signatures  # noqa: E402

# The public samples, never copied into the repository; BENCH_SAMPLES overrides (e.g. for a snapshot elsewhere).
SAMPLES = Path(os.environ.get("BENCH_SAMPLES") or ROOT.parent / "shared" / "reference" / "kanta-samples")
NAME = "asiakassuunnitelma"
AUTHOR = ("Angelica", "Johansson", "25104559650")  # the sample's author; SH-SIG-015 wants the signer to be her
TITLE = "251 sosionomi, socionom"
HELSINKI = ("1.2.246.10.2012566.10.40", "Helsingin kaupunki")  # sender and custodian; SH-SIG-016
PIN = "1234"
EXPECTED_WARNINGS = {"SH-FRM-006", "SH-HDR-015"}  # from the sample itself, not from its signatures


def rate(op: Callable[[int], object], n: int, limit: float, threads: int = 1) -> float:
    """Operations per second of op(i) for i in range(n), shared by `threads` threads; bounded by `limit` s."""
    cursor, lock = iter(range(n)), threading.Lock()
    done = [0] * threads
    errors: list[BaseException] = []
    t_end = time.perf_counter() + limit

    def worker(k: int) -> None:
        try:
            while time.perf_counter() < t_end:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                op(i)
                done[k] += 1
        except BaseException as exc:  # reported after the join
            errors.append(exc)

    t0 = time.perf_counter()
    if threads == 1:
        worker(0)
    else:
        pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return sum(done) / elapsed


Variant = tuple[str, Callable[[], Callable[[int], object]], int]  # (label, make_op, threads)


def compare(section: str, variants: list[Variant], n: int, repeat: int, limit: float) -> None:
    """Run the variants round-robin, `repeat` rounds; `make_op` prepares a fresh op (untimed) before
    each run. Prints per variant: median ops/s (min–max), µs per op, others and steal (medians)."""
    rates: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    seen: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in variants}
    for _ in range(repeat):
        for label, make_op, threads in variants:
            op = make_op()
            cpu0, watch = time.process_time(), Interference()
            rates[label].append(rate(op, n, limit, threads))
            seen[label].append(watch.stop(time.process_time() - cpu0))
    for label, _, _ in variants:
        r = rates[label]
        med = statistics.median(r)
        others = statistics.median(o for o, _ in seen[label])
        steal = statistics.median(st for _, st in seen[label])
        print(f"{section:7} {label:56} {med:6.0f} ({min(r):.0f}–{max(r):.0f}) /s  {1e6 / med:6.0f} µs  "
              f"others {others:.2f}, steal {steal:.2f} CPU")


def unsigned_plan() -> tuple[bytes, bytes]:
    """The asiakassuunnitelma sample with a fresh id and no signatures."""
    frame = (SAMPLES / f"{NAME}-frame.xml").read_bytes()
    document = (SAMPLES / f"{NAME}-document.xml").read_bytes()
    old = re.search(rb'<id root="([0-9.]+)"\s*/>', document).group(1).decode()
    frame, document = renumber(frame, document, f"{old.rsplit('.', 1)[0]}.7000001")
    root = safexml.parse(document)
    strip_signatures(root)
    return frame, cda.to_bytes(root)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400, help="operations per run (default 400)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    ap.add_argument("--threads", type=int, default=4, help="threads for the multi-threaded signing figures (default 4)")
    ap.add_argument("--max-seconds", type=float, default=30, help="stop any one run after this long (default 30)")
    args = ap.parse_args()
    if args.n < 1 or args.repeat < 1 or args.threads < 2:
        ap.error("--n and --repeat must be at least 1, --threads at least 2")
    n, repeat, limit, threads = args.n, args.repeat, args.max_seconds, args.threads
    load = os.getloadavg()
    print(f"load: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  cpus: {os.cpu_count()}  n={n} repeat={repeat} (medians)")

    with tempfile.TemporaryDirectory() as tmp:
        services = Services.start(Settings(data_dir=Path(tmp)))
        archive, trust = services.archive, services.archive.trust
        cards = CardStore(Path(tmp), services.pki)
        card = cards.issue("professional", AUTHOR[0], AUTHOR[1], registration_number=AUTHOR[2], title=TITLE, pin=PIN)
        card_signer = cards.signer(card.id, PIN)
        system_signer = cards.system_signer(*HELSINKI)
        software = issue_signer(services.pki, "professional", AUTHOR)
        frame, unsigned = unsigned_plan()
        template = safexml.parse(unsigned)

        # --- signing ---------------------------------------------------------------------
        data = bytes(range(256)) * 4
        card_signer.sign(data)  # opens and logs in the shared session once
        compare("sign", [
            ("raw .sign(1 KiB), software key (reference)", lambda: lambda i: software.sign(data), 1),
            ("raw .sign(1 KiB), card (SoftHSM), 1 thread", lambda: lambda i: card_signer.sign(data), 1),
            (f"raw .sign(1 KiB), card (SoftHSM), {threads} threads", lambda: lambda i: card_signer.sign(data), threads),
        ], n, repeat, limit)

        def sign_op(signer):
            def make():
                roots = [copy.deepcopy(template) for _ in range(n)]  # untimed: parsing is not signing
                return lambda i: xmldsig.sign_document(roots[i], signer, kind="professional")
            return make

        compare("sign", [
            ("sign_document(asiakassuunnitelma), software key", sign_op(software), 1),
            ("sign_document(asiakassuunnitelma), card, 1 thread", sign_op(card_signer), 1),
            (f"sign_document(asiakassuunnitelma), card, {threads} threads", sign_op(card_signer), threads),
        ], n, repeat, limit)

        # --- verification ----------------------------------------------------------------
        signed: dict[int, bytes] = {0: unsigned}
        root = copy.deepcopy(template)
        xmldsig.sign_document(root, card_signer, kind="professional")
        signed[1] = cda.to_bytes(root)
        xmldsig.sign_document(root, system_signer, kind="system")
        signed[2] = cda.to_bytes(root)
        arrival = datetime.now(timezone.utc)

        variants: list[Variant] = []
        for count in (1, 2):
            parsed_root = safexml.parse(signed[count])
            results = xmldsig.verify_document(parsed_root)
            if len(results) != count or not all(r.crypto_ok and not r.layout_problems for r in results):
                raise SystemExit(f"{count} signature(s): verify_document did not pass: {results}")
            if any(trust.problems(r.certificate, signed_at=r.signed_at, arrival=arrival) for r in results):
                raise SystemExit(f"{count} signature(s): trust problems")

            def verify_and_trust(i, root=parsed_root):
                for r in xmldsig.verify_document(root):
                    trust.problems(r.certificate, signed_at=r.signed_at, arrival=arrival)

            variants.append((f"verify_document, {count} signature(s)",
                             lambda root=parsed_root: lambda i: xmldsig.verify_document(root), 1))
            variants.append((f"verify_document + Trust.problems, {count} signature(s)",
                             lambda op=verify_and_trust: op, 1))
        compare("verify", variants, n, repeat, limit)

        variants = []
        for count in (0, 1, 2):
            body, ctype = soap.build_multipart(frame, signed[count])
            findings = archive.check(archive.read(body, ctype))
            errors = {f.rule_id for f in findings if f.severity is Severity.ERROR}
            warnings = {f.rule_id for f in findings if f.severity is Severity.WARNING}
            if errors != ({"SH-SIG-001"} if count == 0 else set()) or warnings != EXPECTED_WARNINGS:
                raise SystemExit(f"{count} signature(s): unexpected findings: errors {errors}, warnings {warnings}")
            label = "0 signatures (SH-SIG-001 baseline)" if count == 0 else f"{count} signature(s)"
            variants.append((f"Archive.read+check, {label}",
                             lambda body=body, ctype=ctype: lambda i: archive.check(archive.read(body, ctype)), 1))
        compare("verify", variants, n, repeat, limit)

        for label in (card.token_label, getattr(system_signer, "label", None)):
            if label:
                close_sessions(label)  # log out before the token directory goes away
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
