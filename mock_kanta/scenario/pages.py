"""Trainer controls /ui/trainer: reset the tenant to its seed, move the clock, play a built-in scenario step by step.

The Flask face only: routes, forms, CSRF and rendering. A run is made, steered and read through
`mock_kanta.scenario.trainer`: it is played by a background thread of the server process that served
"Start", and its state is in the database, so any worker process (or instance on the same database) may
serve the next click: the click is queued for the run's owner, and the page waits for its result.
A page shows the titles and results in its own language.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request

from mock_kanta.scenario import ScenarioError, builtin_scenarios, load_scenario, trainer
from mock_kanta.tenants import service as tenants
from mock_kanta.ui import context, i18n, security

LIST_RUNS = 10

_titles: dict[tuple[str, float], dict] = {}  # built-in scenario file (path, mtime) -> its titles


def register(bp) -> None:
    bp.add_url_rule("/trainer", "trainer", page)
    bp.add_url_rule("/trainer/reset", "trainer_reset", reset, methods=["GET", "POST"])
    bp.add_url_rule("/trainer/runs", "trainer_start", start, methods=["POST"])
    bp.add_url_rule("/trainer/runs/<run_id>", "trainer_run", run_page, methods=["GET", "POST"])


def page():
    tenant = context.tenant()
    runs = [view(run) for run in trainer.recent(context.store(), tenant, LIST_RUNS)]
    return context.render("trainer.html", scenarios=scenario_choices(), runs=runs)


def reset():
    """GET: the confirm step; POST (confirmed): reset the tenant to its fixtures and seed (its runs go too)."""
    tenant = context.tenant()
    if request.method == "GET":
        return context.render("trainer.html", confirm_reset=True, scenarios=[], runs=[])
    security.require_csrf()
    _same_tenant(tenant)
    deleted, _seeding = tenants.reset(context.services(), tenant)  # a seed loads again in a background job
    flash(i18n.t("trainer.reset_done", tenant=tenant, rows=sum(deleted.values())))
    return redirect("/ui/trainer", code=303)


def start():
    """Prepare a built-in scenario in the page's tenant (reset first when asked) and play it in this process."""
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
    try:
        run_id = trainer.start(context.services(), tenant, name, scenario, target_url(), i18n.current_lang(),
                               reset_first=request.form.get("reset_first") == "1", **run_access())
    except trainer.TooManyRuns as exc:
        abort(409, i18n.t("trainer.too_many", n=exc.n))
    trainer.wait(context.store(), tenant, run_id, trainer.WAIT_SECONDS["start"])
    return redirect(f"/ui/trainer/runs/{run_id}", code=303)


def run_page(run_id: str):
    """GET: the run; POST: a click (next, all, stop) queued for the run's owner, then its result shown."""
    tenant = context.tenant()
    if request.method == "POST":
        security.require_csrf()
        _same_tenant(tenant)
    store = context.store()
    run = trainer.run_of(store, tenant, run_id)
    if run is None:
        abort(404, i18n.t("trainer.no_run", run=run_id[:40], tenant=tenant))
    if request.method == "GET":
        return context.render("trainer.html", run=view(run), scenarios=[], runs=[])
    action = request.form.get("action", "")
    if action not in trainer.ACTIONS:
        abort(400, i18n.t("trainer.bad_action", value=action[:40]))
    asked = None if run["over"] else trainer.ask(store, tenant, run_id, action)
    if asked is None:  # over already, or ended meanwhile
        over = trainer.run_of(store, tenant, run_id) or run
        abort(409, i18n.t("trainer.run_over", state=i18n.t(f"trainer.state_{over['state']}")))
    trainer.wait(store, tenant, run_id, trainer.WAIT_SECONDS[action], asked)
    return redirect(f"/ui/trainer/runs/{run_id}", code=303)


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


def run_access() -> dict:
    """With access control on: the access service (the run gets a trainer token of its own) and the Host this
    request was accepted with (the run's requests go to the socket, under the same name)."""
    if not context.services().settings.auth_on:
        return {}
    return {"access": current_app.config["ACCESS"], "host": request.host}


def target_url() -> str:
    """This server's own address, as the socket that took the request sees it (not the Host header)."""
    host, port = request.environ.get("SERVER_NAME"), request.environ.get("SERVER_PORT")
    if host and port and port != "0":
        return f"{request.scheme}://{f'[{host}]' if ':' in host else host}:{port}"
    return context.services().settings.base_url


# --- what a page shows of a run ------------------------------------------------------------------


def view(run: dict) -> dict:
    """A run (`trainer.run_of`, or a listed one without steps) as the page shows it: texts in the page's
    language, henkilötunnus masked, the next step, whether the page should refresh itself."""
    steps = [{**s, "title": _in_lang(s["titles"], None), "result": _masked(s["result"])} for s in run.get("steps", [])]
    shown = run["state"]
    return {
        **run, "title": _in_lang(run["titles"], run["scenario"]), "steps": steps, "prepare": _masked(run.get("prepare")),
        "shownState": shown, "stateText": i18n.t(f"trainer.state_{shown}"),
        "waiting": not run["over"] and (shown in ("preparing", "running") or run["pending"]),
        "next": next((i for i, s in enumerate(steps) if s["result"] is None), None),
        "created": context.fmt_datetime(run["createdAt"]),
    }


def _masked(result: dict | None) -> dict | None:
    """A result as the page lists it: every henkilötunnus in its explanation and evidence masked
    (the messages sent and received stay as they were, like the message page's XML)."""
    if result is None:
        return None
    texts = result.get("texts")  # {fi, sv, en}: the page's language (a result without them has one language)
    said = (texts.get(i18n.current_lang()) if texts else None) or result
    return {**result, "why": context.mask_text(said.get("why")),
            "evidence": [context.mask_text(e) for e in said.get("evidence") or []]}


def _in_lang(titles: dict | None, fallback):
    """A title in the page's language from its {fi, sv, en}, else `fallback`."""
    return (titles or {}).get(i18n.current_lang()) or fallback
