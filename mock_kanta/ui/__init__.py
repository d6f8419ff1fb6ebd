"""The web UI for trainers, archivists and vendors: server-rendered pages on the control Flask app.

`register(flask_app)` mounts one blueprint `ui` at /ui (templates in `templates/`, plain
CSS and JS in `static/`, no build step) and redirects `/` to the overview `/ui/`.

Each page group is one module exposing `register(blueprint)`; the modules in
`OPTIONAL_PAGES` are loaded only when present (the live flow, the message page, the
trainer controls and the rehearsal pages are added that way), and a module may expose its
own Flask `blueprint` instead. What every page gets (see `context.py`):

- `render(template, **values)`: renders with the shared context: `t(key)` (texts.yaml in
  fi/sv/en), `lang`, `tenant`, `clock`, `nav`, `csrf_token()`, `mask(hetu)`, date filters;
- `tenant()`: the tenant of the request (query `tenant`, header `X-Mock-Kanta-Tenant`,
  cookie `mk_tenant`, else the default), `services()`: the process's `Services`;
- `security.require_csrf()`: call first in every POST handler (same origin and the
  session's token, else a 403 page and nothing changes).

Pages send a Content-Security-Policy without inline scripts: put JavaScript in static files.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Blueprint, Flask, redirect

from mock_kanta.ui import context, i18n, security

HERE = Path(__file__).parent
OWN_PAGES = ("overview", "clock", "registers", "omakanta", "archivist", "display")
OPTIONAL_PAGES = ("flow", "messages", "trainer", "rehearsals")


def register(flask_app: Flask) -> Blueprint:
    """Mount the UI on `flask_app` (whose config holds SERVICES)."""
    bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static",
                   static_url_path="/static")
    security.configure(flask_app, bp)
    i18n.configure(bp)
    context.configure(bp)
    extra_blueprints = []
    for name in OWN_PAGES + OPTIONAL_PAGES:
        module = _page_module(name, optional=name in OPTIONAL_PAGES)
        if module is None:
            continue
        if hasattr(module, "register"):
            module.register(bp)
        if isinstance(getattr(module, "blueprint", None), Blueprint):
            extra_blueprints.append(module.blueprint)
    flask_app.register_blueprint(bp)
    for extra in extra_blueprints:
        flask_app.register_blueprint(extra)
    # Explicit routes: connexion turns Flask's trailing-slash redirect into a bare 308 without Location.
    flask_app.add_url_rule("/", "ui_root", lambda: redirect("/ui/", code=302))
    flask_app.add_url_rule("/ui", "ui_bare", lambda: redirect("/ui/", code=302), strict_slashes=True)
    return bp


def _page_module(name: str, *, optional: bool):
    full = f"{__name__}.{name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if optional and exc.name == full:
            return None
        raise
