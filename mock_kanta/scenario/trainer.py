"""A trainer's scenario run, played step by step inside the server (its face is `scenario/pages.py`, /ui/trainer).

"Start" makes a run played by a background thread of the server process that served the click, its owner:
the scenario runner (`ScenarioRun`) calls this very server over HTTP in the page's tenant, as a vendor's
system would. The run lives in the database (store/tables/trainer.py), so every worker process and every
instance on the same database sees it: a click served anywhere queues a request (`ask`), the owner polls
for it (`Player`), plays it and writes the results, and whoever served the click polls the run's row until
the owner has handled it (`wait`). Results keep their texts in Finnish, Swedish and English.

With access control on, a run calls the server with a trainer token of its tenant minted for it (labelled with
the run's id) and revoked when its owner ends it; the requests carry the Host the page was asked by.

A run whose owner stopped is `gone`: its heartbeat is older than GONE_SECONDS, or at once when the owner
was a process on this machine that no longer runs. An owner idle for IDLE_LIMIT_SECONDS ends its run as
`expired`. A reset or deletion of the tenant removes its runs, and their owners stop.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import time
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path

from mock_kanta.core.processes import HOST, PID_NAMESPACE, running
from mock_kanta.jobs import service as jobs
from mock_kanta.scenario.model import Scenario
from mock_kanta.scenario.run import ScenarioRun
from mock_kanta.scenario.texts import LANGS
from mock_kanta.store import StoreUnavailable
from mock_kanta.store.queries import trainer as rows
from mock_kanta.tenants import service as tenants

RUN_ID = re.compile(r"^run-[0-9a-f]{12}$")
ACTIONS = ("next", "all", "stop")
FINAL = ("finished", "stopped", "error", "expired")
OVER = (*FINAL, "gone")  # a run in one of these takes no more clicks
POLL_SECONDS = 0.2  # the owner looks for a request this often
WAIT_POLL_SECONDS = 0.1  # a click looks for its result this often
HEARTBEAT_SECONDS = 5.0
GONE_SECONDS = 30.0
IDLE_LIMIT_SECONDS = 2 * 3600.0
SEED_WAIT_SECONDS = 600.0  # a reset's reseed job the run waits for before it prepares
WAIT_SECONDS = {"start": 30.0, "next": 30.0, "all": 3.0, "stop": 5.0}  # a click waits this long for its result
MAX_RUNS_PER_PROCESS = 4
KEEP_CHARS = 6000  # of a step's sent and received messages kept
KEEP_EVIDENCE = 30

log = logging.getLogger(__name__)
_owned: dict[str, threading.Thread] = {}  # runs this process plays
_owned_lock = threading.Lock()


class TooManyRuns(Exception):
    """This process plays MAX_RUNS_PER_PROCESS runs already."""

    def __init__(self, n: int):
        super().__init__(f"{n} runs")
        self.n = n


class RunRemoved(Exception):
    """The run's rows are gone (its tenant was reset or deleted): its owner stops."""


# --- what the pages call -------------------------------------------------------------------------


def start(services, tenant: str, name: str, scenario: Scenario, target: str, lang: str, *,
          reset_first: bool = False, access=None, host: str | None = None) -> str:
    """Make a run of `scenario` (built-in `name`) in `tenant`, reset first if asked, and play it in a thread of
    this process against the server at `target` (with the Host header `host`, when given); its id. With `access`
    (mock_kanta.access.service.Access: access control is on), the run calls with a trainer token of the tenant
    made for it and revoked at its end. TooManyRuns when this process has no room."""
    with _owned_lock:
        if len(_owned) >= MAX_RUNS_PER_PROCESS:
            raise TooManyRuns(len(_owned))
        seeding = tenants.reset(services, tenant)[1] if reset_first else None
        run_id = f"run-{secrets.token_hex(6)}"
        rows.create_run(services.store, run_row(run_id, tenant, name, scenario, lang), step_rows(scenario))
        token = access.create_token(tenant, "trainer", f"trainer run {run_id} (internal)") if access else None
        player = Player(services.store, tenant, run_id, scenario, target, services.settings.data_dir, lang,
                        token=token, host=host, access=access, seeding=seeding)
        thread = threading.Thread(target=player, name=f"trainer-{run_id}", daemon=True)  # ends with the process
        _owned[run_id] = thread
        thread.start()
    return run_id


def ask(store, tenant: str, run_id: str, action: str) -> int | None:
    """Queue a click for the run's owner: its request's seq, or None if there is no such run or it is over."""
    return rows.ask(store, tenant, run_id, action, _now(), over=FINAL)


def wait(store, tenant: str, run_id: str, seconds: float, asked: int | None = None) -> None:
    """Wait up to `seconds` until the owner handled request `asked` (or, without one, prepared the run),
    or the run is over or gone: one lookup of the run's row per poll."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = rows.progress(store, tenant, run_id)
        if found is None or shown_state(found) in OVER:
            return
        if (found["handled"] >= asked) if asked is not None else found["status"] != "preparing":
            return
        time.sleep(WAIT_POLL_SECONDS)


def run_of(store, tenant: str, run_id: str) -> dict | None:
    """The run with its preparation and steps (results decoded), or None if the tenant has no such run."""
    row = rows.run(store, tenant, run_id) if RUN_ID.match(run_id) else None
    if row is None:
        return None
    steps = [{"number": s["number"], "label": s["label"], "kind": s["kind"], "titles": _loads(s["titles_json"]),
              "result": _loads(s["result_json"])} for s in rows.steps(store, tenant, run_id)]
    return {**summary(row), "prepare": _loads(row["prepare_json"]), "steps": steps}


def recent(store, tenant: str, limit: int) -> list[dict]:
    """The tenant's latest runs, newest first, without their steps."""
    return [summary(row) for row in rows.runs(store, tenant, limit)]


def summary(row: dict) -> dict:
    state = shown_state(row)
    return {"id": row["id"], "tenant": row["tenant_id"], "scenario": row["scenario"], "lang": row["lang"],
            "titles": _loads(row["titles_json"]), "createdAt": row["created_at"], "state": state,
            "problem": row["problem"], "pending": row["asked"] > row["handled"], "busy": row["busy"],
            "done": row["done"], "total": row["total"], "over": state in OVER}


def shown_state(row: dict) -> str:
    """The run's status, or `gone` when its owner stopped before the run ended."""
    return "gone" if row["status"] not in FINAL and owner_gone(row) else row["status"]


def owner_gone(row: dict) -> bool:
    """The owner's heartbeat is older than GONE_SECONDS, or the owner was a process here that no longer runs."""
    if time.time() - row["alive_at"] > GONE_SECONDS:
        return True
    here = row["owner_host"] == HOST and row["owner_pid_ns"] is not None and row["owner_pid_ns"] == PID_NAMESPACE
    return here and not running(row["owner_pid"])


# --- the rows of a new run -----------------------------------------------------------------------


def run_row(run_id: str, tenant: str, name: str, scenario: Scenario, lang: str) -> dict:
    now = _now()
    return {"tenant_id": tenant, "id": run_id, "scenario": name, "lang": lang,
            "titles_json": _dumps({code: scenario.title_in(code) for code in LANGS}),
            "owner_host": HOST, "owner_pid": os.getpid(), "owner_pid_ns": PID_NAMESPACE, "status": "preparing",
            "created_at": now, "updated_at": now, "alive_at": time.time(), "asked": 0, "handled": 0, "done": 0,
            "total": len(scenario.steps)}


def step_rows(scenario: Scenario) -> list[dict]:
    return [{"position": i, "number": s.number, "label": s.label, "kind": s.kind,
             "titles_json": _dumps({code: s.title_in(code) for code in LANGS}) if s.title else None}
            for i, s in enumerate(scenario.steps)]


# --- the owner: plays the run in a background thread ---------------------------------------------


class Player:
    """The thread that owns one run: prepares it, then serves the requests queued for it."""

    def __init__(self, store, tenant: str, run_id: str, scenario: Scenario, target: str, data_dir: Path | str,
                 lang: str, *, token: dict | None = None, host: str | None = None, access=None,
                 seeding: dict | None = None):
        self.store, self.tenant, self.run_id = store, tenant, run_id
        self.run = ScenarioRun(scenario, target, data_dir, tenant, lang=lang, progress=self._progress,
                               token=token["token"] if token else None)
        if host:
            self.run.http.headers["Host"] = host  # the address the gate knows, whatever socket the run reaches
        self.token, self.access, self.seeding = token, access, seeding
        self.handled = 0  # the last request's seq
        self._written: set[int | str] = set()  # results in the run's rows ("prepare" or a step's index)

    def __call__(self) -> None:
        try:
            if self.seeding:  # a reset's reseed: the scenario meets the tenant seeded
                jobs.wait(self.store, self.tenant, self.seeding["id"], SEED_WAIT_SECONDS)
            item = self.run.prepare()
            self._save(status="ready" if item.status == "passed" else "error", problem=item.why or None)
            if item.status == "passed":
                self._serve()
        except RunRemoved:
            log.info("trainer run %s removed (its tenant was reset or deleted)", self.run_id)
        except Exception as exc:  # a fault of the runner or the database: the page says so, the server goes on
            log.exception("trainer run %s failed", self.run_id)
            with suppress(RunRemoved, StoreUnavailable):
                self._save(status="error", problem=f"{type(exc).__name__}: {exc}"[:600], busy=None)
        finally:
            self.run.close()
            if self.token:
                with suppress(Exception):  # the database away: the token stays until revoked by hand
                    self.access.revoke(self.tenant, self.token["id"])
            with _owned_lock:
                _owned.pop(self.run_id, None)

    def _serve(self) -> None:
        beat = idle_since = time.monotonic()
        while True:
            request = self._next_request()
            now = time.monotonic()
            if request is None:
                if now - idle_since > IDLE_LIMIT_SECONDS:
                    self._save(status="expired")
                    return
                if now - beat > HEARTBEAT_SECONDS:
                    self._save()  # RunRemoved once the tenant's reset took the run
                    beat = now
                time.sleep(POLL_SECONDS)
                continue
            self._save(status="running", busy=request["seq"])
            self._do(request["action"])
            done = request["action"] == "stop" or all(r is not None for r in self.run.results)
            final = "stopped" if request["action"] == "stop" else "finished" if done else "ready"
            self.handled = request["seq"]
            self._save(status=final, busy=None, handled=self.handled)
            beat = idle_since = time.monotonic()
            if final in FINAL:
                return

    def _next_request(self) -> dict | None:
        try:
            return rows.next_request(self.store, self.tenant, self.run_id, self.handled)
        except StoreUnavailable:  # busy for a moment: look again at the next poll
            return None

    def _do(self, action: str) -> None:
        if action == "next":
            index = next((i for i, r in enumerate(self.run.results) if r is None), None)
            if index is not None:
                self.run.run_step(index)
        elif action == "all":
            self.run.run_all()

    def _progress(self, _line: str) -> None:
        self._save()  # after the preparation and after each step: the page shows it at once

    def _save(self, **values) -> None:
        """Write `values`, the heartbeat and the results not yet written; RunRemoved if the run's rows are gone."""
        run = self.run
        values.update(alive_at=time.time(), updated_at=_now())
        if run.preparation is not None and "prepare" not in self._written:
            values["prepare_json"] = _dumps(item_json(run.preparation, run.localized("prepare")))
        results = {i: _dumps(item_json(r, run.localized(i))) for i, r in enumerate(run.results)
                   if r is not None and i not in self._written}
        if results:
            values["done"] = sum(1 for r in run.results if r is not None)
        if not rows.save(self.store, self.tenant, self.run_id, values, results):
            raise RunRemoved(self.run_id)
        self._written.update(results)
        if "prepare_json" in values:
            self._written.add("prepare")


def item_json(item, localized: dict | None = None) -> dict:
    """A result as the run keeps it: `why` and `evidence` in the run's language, `texts` in every language,
    the messages sent and received cut to KEEP_CHARS."""
    texts = {lang: {"why": t["why"], "evidence": t["evidence"][:KEEP_EVIDENCE]} for lang, t in (localized or {}).items()}
    return {"status": item.status, "why": item.why, "seconds": item.seconds, "evidence": list(item.evidence)[:KEEP_EVIDENCE],
            "texts": texts, "sent": _cut(item.sent), "received": _cut(item.received)}


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= KEEP_CHARS:
        return text
    return text[:KEEP_CHARS] + f"\n… ({len(text) - KEEP_CHARS} more characters)"


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str | None):
    return json.loads(text) if text else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
