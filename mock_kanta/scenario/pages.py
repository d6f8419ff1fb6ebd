"""Trainer controls /ui/trainer: reset the tenant to its seed, move the clock, play a built-in scenario step by step.

A scenario plays in a background thread of the server process whose worker served "Start":
the scenario runner (`mock_kanta.scenario.ScenarioRun`) calls this very server over HTTP in the
page's tenant, as a vendor's system would, so its messages appear in that tenant's live flow.
The server may run several worker processes and any of them may serve the next click, so a
run is steered through its state file `<data-dir>/trainer/<run-id>.json`: a click appends a
request ({"n", "action"}) under the directory's lock; the owning thread polls the file, runs
the step and writes the results back; every page shows what the file says. A run whose owner
stopped (the process ended) is reported as gone once its heartbeat is older than GONE_SECONDS.
The file keeps titles and step results in Finnish, Swedish and English; a page shows its own language.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import abort, flash, redirect, request

from mock_kanta.scenario import ScenarioError, ScenarioRun, builtin_scenarios, load_scenario
from mock_kanta.signing.pki import atomic_write, file_lock
from mock_kanta.tenants import service as tenants
from mock_kanta.ui import context, i18n, security

TRAINER_DIR = "trainer"
RUN_ID = re.compile(r"^run-[0-9a-f]{12}$")
ACTIONS = ("next", "all", "stop")
FINAL = ("finished", "stopped", "error", "expired")
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 5.0
GONE_SECONDS = 30.0
IDLE_LIMIT_SECONDS = 2 * 3600.0
WAIT_SECONDS = {"start": 30.0, "next": 30.0, "all": 3.0, "stop": 5.0}  # a click waits this long for its result
MAX_RUNS_PER_PROCESS = 4
KEEP_CHARS = 6000  # of a step's sent and received messages kept in the state file
KEEP_EVIDENCE = 30
LIST_RUNS = 10

log = logging.getLogger(__name__)
_owned: dict[str, threading.Thread] = {}  # runs this process plays
_owned_lock = threading.Lock()
_titles: dict[tuple[str, float], dict] = {}  # built-in scenario file (path, mtime) -> its titles


def register(bp) -> None:
    bp.add_url_rule("/trainer", "trainer", page)
    bp.add_url_rule("/trainer/reset", "trainer_reset", reset, methods=["GET", "POST"])
    bp.add_url_rule("/trainer/runs", "trainer_start", start, methods=["POST"])
    bp.add_url_rule("/trainer/runs/<run_id>", "trainer_run", run_page, methods=["GET", "POST"])


# --- pages ---------------------------------------------------------------------------------------


def page():
    tenant = context.tenant()
    runs = [view(s) for s in RunFiles.here().of_tenant(tenant, LIST_RUNS)]
    return context.render("trainer.html", scenarios=scenario_choices(), runs=runs)


def reset():
    """GET: the confirm step; POST (confirmed): reset the tenant to its fixtures and seed."""
    tenant = context.tenant()
    if request.method == "GET":
        return context.render("trainer.html", confirm_reset=True, scenarios=[], runs=[])
    security.require_csrf()
    _same_tenant(tenant)
    deleted, _seeded = tenants.reset(context.services(), tenant)
    flash(i18n.t("trainer.reset_done", tenant=tenant, rows=sum(deleted.values())))
    return redirect("/ui/trainer", code=303)


def start():
    """Prepare a built-in scenario in the page's tenant (reset first when asked) and play it here."""
    security.require_csrf()
    tenant = context.tenant()
    _same_tenant(tenant)
    name = request.form.get("scenario", "")
    paths = {p.stem: p for p in builtin_scenarios()}
    if name not in paths:
        abort(400, i18n.t("trainer.unknown_scenario", value=name[:80]))
    try:
        scenario = load_scenario(paths[name])
    except ScenarioError as exc:
        abort(400, i18n.t("trainer.bad_scenario", name=name, why=str(exc)[:600]))
    services = context.services()
    files = RunFiles.here()
    with _owned_lock:
        if len(_owned) >= MAX_RUNS_PER_PROCESS:
            abort(409, i18n.t("trainer.too_many", n=len(_owned)))
        if request.form.get("reset_first") == "1":
            tenants.reset(services, tenant)
        lang = i18n.current_lang()
        run_id = f"run-{secrets.token_hex(6)}"
        files.create(run_id, initial_state(run_id, tenant, name, scenario, lang))
        player = Player(files, run_id, scenario, target_url(), services.settings.data_dir, tenant, lang)
        thread = threading.Thread(target=player, name=f"trainer-{run_id}", daemon=True)
        _owned[run_id] = thread
        thread.start()
    files.wait(run_id, lambda s: s["state"] != "preparing", WAIT_SECONDS["start"])
    return redirect(f"/ui/trainer/runs/{run_id}", code=303)


def run_page(run_id: str):
    if request.method == "POST":
        security.require_csrf()
    tenant = context.tenant()
    files = RunFiles.here()
    state = files.read(run_id) if RUN_ID.match(run_id) else None
    if state is None or state["tenant"] != tenant:
        abort(404, i18n.t("trainer.no_run", run=run_id[:40], tenant=tenant))
    if request.method == "POST":
        action = request.form.get("action", "")
        if action not in ACTIONS:
            abort(400, i18n.t("trainer.bad_action", value=action[:40]))
        shown = view(state)
        if shown["over"]:
            abort(409, i18n.t("trainer.run_over", state=shown["stateText"]))
        n = files.ask(run_id, action)
        files.wait(run_id, lambda s: s["handled"] >= n, WAIT_SECONDS[action])
        return redirect(f"/ui/trainer/runs/{run_id}", code=303)
    return context.render("trainer.html", run=view(state), scenarios=[], runs=[])


def _same_tenant(tenant: str) -> None:
    """A form names the tenant it was shown for: never act on another one the cookie switched to meanwhile."""
    form = request.form.get("tenant", "")
    if form != tenant:
        abort(400, i18n.t("trainer.wrong_tenant", form=form[:80] or "–", tenant=tenant))


def scenario_choices() -> list[dict]:
    """The built-in scenarios with their titles in the page's language (files read once per change)."""
    lang, out = i18n.current_lang(), []
    for path in builtin_scenarios():
        key = (str(path), path.stat().st_mtime)
        if key not in _titles:
            try:
                _titles[key] = load_scenario(path).title
            except ScenarioError:
                _titles[key] = {}
        title = _titles[key]
        out.append({"name": path.stem, "title": title.get(lang) or next(iter(title.values()), path.stem)})
    return out


def target_url() -> str:
    """This server's own address, as the socket that took the request sees it (not the Host header)."""
    host, port = request.environ.get("SERVER_NAME"), request.environ.get("SERVER_PORT")
    if host and port and port != "0":
        return f"{request.scheme}://{f'[{host}]' if ':' in host else host}:{port}"
    return context.services().settings.base_url


# --- the state files -----------------------------------------------------------------------------


class RunFiles:
    """`<data-dir>/trainer/<run-id>.json`, written atomically under one lock for the directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.lock = directory / ".lock"

    @classmethod
    def here(cls) -> "RunFiles":
        return cls(Path(context.services().settings.data_dir) / TRAINER_DIR)

    def path(self, run_id: str) -> Path:
        return self.directory / f"{run_id}.json"

    def read(self, run_id: str) -> dict | None:
        try:
            return json.loads(self.path(run_id).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def create(self, run_id: str, state: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock):
            atomic_write(self.path(run_id), _dump(state))

    def update(self, run_id: str, change) -> dict | None:
        with file_lock(self.lock):
            state = self.read(run_id)
            if state is None:
                return None
            change(state)
            state["updatedAt"] = _now()
            atomic_write(self.path(run_id), _dump(state))
            return state

    def ask(self, run_id: str, action: str) -> int:
        """Append a request for the owner; its number."""
        box = {}

        def add(state):
            box["n"] = len(state["requests"]) + 1
            state["requests"].append({"n": box["n"], "action": action, "at": _now()})

        self.update(run_id, add)
        return box["n"]

    def wait(self, run_id: str, done, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.read(run_id)
            if state is None or done(state) or state["state"] in FINAL:
                return
            time.sleep(0.1)

    def of_tenant(self, tenant: str, limit: int) -> list[dict]:
        if not self.directory.is_dir():
            return []
        newest = sorted(self.directory.glob("run-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:200]
        states = [s for s in (self.read(p.stem) for p in newest) if s and s.get("tenant") == tenant]
        return sorted(states, key=lambda s: s["createdAt"], reverse=True)[:limit]


def initial_state(run_id: str, tenant: str, name: str, scenario, lang: str) -> dict:
    return {
        "id": run_id, "tenant": tenant, "scenario": name, "title": scenario.title_in(lang), "lang": lang,
        "titles": {code: scenario.title_in(code) for code in i18n.LANGS},
        "owner": {"pid": os.getpid(), "host": socket.gethostname()}, "createdAt": _now(), "updatedAt": _now(),
        "aliveAt": time.time(), "state": "preparing", "problem": None, "requests": [], "handled": 0, "busy": None,
        "prepare": None,
        "steps": [{"number": s.number, "label": s.label, "title": s.title_in(lang),
                   "titles": {code: s.title_in(code) for code in i18n.LANGS} if s.title else None, "kind": s.kind,
                   "result": None}
                  for s in scenario.steps],
    }


# --- the owner: plays the run in a background thread ---------------------------------------------


class Player:
    """The thread that owns one run: prepares it, then serves the requests the state file collects."""

    def __init__(self, files: RunFiles, run_id: str, scenario, target: str, data_dir, tenant: str, lang: str):
        self.files, self.run_id = files, run_id
        self.run = ScenarioRun(scenario, target, data_dir, tenant, lang=lang, progress=self._progress)

    def __call__(self) -> None:
        try:
            item = self.run.prepare()
            self._save(state="ready" if item.status == "passed" else "error", problem=item.why or None)
            if item.status == "passed":
                self._serve()
        except Exception as exc:  # a fault of the runner: the page says so, the server goes on
            log.exception("trainer run %s failed", self.run_id)
            self._save(state="error", problem=f"{type(exc).__name__}: {exc}"[:600], busy=None)
        finally:
            self.run.close()
            with _owned_lock:
                _owned.pop(self.run_id, None)

    def _serve(self) -> None:
        beat = idle_since = time.monotonic()
        while True:
            state = self.files.read(self.run_id)
            if state is None:
                return
            pending = [r for r in state["requests"] if r["n"] > state["handled"]]
            now = time.monotonic()
            if not pending:
                if now - idle_since > IDLE_LIMIT_SECONDS:
                    self._save(state="expired")
                    return
                if now - beat > HEARTBEAT_SECONDS:
                    self._save()
                    beat = now
                time.sleep(POLL_SECONDS)
                continue
            request_ = pending[0]
            self._save(state="running", busy=request_["n"])
            self._do(request_["action"])
            done = request_["action"] == "stop" or all(r is not None for r in self.run.results)
            final = "stopped" if request_["action"] == "stop" else "finished" if done else "ready"
            self._save(state=final, busy=None, handled=request_["n"])
            beat = idle_since = time.monotonic()
            if final in FINAL:
                return

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
        run = self.run

        def change(state):
            state.update(values)
            state["aliveAt"] = time.time()
            state["prepare"] = item_json(run.preparation, run.localized("prepare")) if run.preparation else None
            for index, (step, result) in enumerate(zip(state["steps"], run.results)):
                step["result"] = item_json(result, run.localized(index)) if result is not None else None

        self.files.update(self.run_id, change)


def item_json(item, localized: dict | None = None) -> dict:
    """A result for the state file: `why` and `evidence` in the run's language, `texts` in every language."""
    texts = {lang: {"why": t["why"], "evidence": t["evidence"][:KEEP_EVIDENCE]} for lang, t in (localized or {}).items()}
    return {"status": item.status, "why": item.why, "seconds": item.seconds, "evidence": list(item.evidence)[:KEEP_EVIDENCE],
            "texts": texts, "sent": _cut(item.sent), "received": _cut(item.received)}


def view(state: dict) -> dict:
    """The state as the page shows it: the next step, whether the owner is gone, texts."""
    gone = state["state"] not in FINAL and time.time() - state.get("aliveAt", 0) > GONE_SECONDS
    shown = "gone" if gone else state["state"]
    pending = any(r["n"] > state["handled"] for r in state["requests"])
    steps = [{**s, "title": _in_lang(s.get("titles"), s.get("title")), "result": _masked(s["result"])}
             for s in state["steps"]]
    next_index = next((i for i, s in enumerate(steps) if s["result"] is None), None)
    return {
        **state, "title": _in_lang(state.get("titles"), state["title"]), "steps": steps,
        "prepare": _masked(state.get("prepare")), "shownState": shown, "stateText": i18n.t(f"trainer.state_{shown}"), "over": shown in FINAL or gone,
        "waiting": not gone and (shown in ("preparing", "running") or pending), "next": next_index,
        "done": sum(1 for s in steps if s["result"] is not None), "total": len(steps),
        "created": context.fmt_datetime(state["createdAt"]),
    }


def _masked(result: dict | None) -> dict | None:
    """A result as the page lists it: every henkilötunnus in its explanation and evidence masked
    (the messages sent and received stay as they were, like the message page's XML)."""
    if result is None:
        return None
    texts = result.get("texts")  # {fi, sv, en}: the page's language (older state files have one language only)
    said = (texts.get(i18n.current_lang()) if texts else None) or result
    return {**result, "why": context.mask_text(said.get("why")),
            "evidence": [context.mask_text(e) for e in said.get("evidence") or []]}


def _in_lang(titles: dict | None, fallback):
    """A title in the page's language, from the state file's {fi, sv, en} (older files hold one text)."""
    return (titles or {}).get(i18n.current_lang()) or fallback


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= KEEP_CHARS:
        return text
    return text[:KEEP_CHARS] + f"\n… ({len(text) - KEEP_CHARS} more characters)"


def _dump(state: dict) -> bytes:
    return json.dumps(state, ensure_ascii=False).encode("utf-8")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
