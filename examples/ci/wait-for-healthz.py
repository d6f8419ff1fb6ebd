"""Wait until a sandbox answers 200 on /healthz: `python wait-for-healthz.py URL [SECONDS]` (standard library only).

Exits 0 once it answers, 1 if it does not within SECONDS (default 90). The CI recipes use it where the sandbox runs
in the job itself (`mock-kanta serve &`); a container has its own HEALTHCHECK."""
import sys
import time
import urllib.error
import urllib.request

url = sys.argv[1].rstrip("/") + "/healthz"
deadline = time.monotonic() + float(sys.argv[2] if len(sys.argv) > 2 else 90)
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            if answer.status == 200:
                print(f"{url}: 200")
                sys.exit(0)
    except (urllib.error.URLError, OSError):
        pass
    if time.monotonic() > deadline:
        print(f"{url}: no answer in time", file=sys.stderr)
        sys.exit(1)
    time.sleep(1)
