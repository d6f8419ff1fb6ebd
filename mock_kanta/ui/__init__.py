"""The web UI for trainers, archivists and vendors: server-rendered pages on the control Flask app.

`register(flask_app, pages)` mounts one blueprint `ui` at /ui (templates in `templates/`, plain
CSS and JS in `static/`, no build step) and redirects `/` to the overview `/ui/`.

Each page group is one module exposing `register(blueprint)`, in its area (`omakanta.pages`,
`traffic.pages.flow`, ...); `mock_kanta.app` hands them in, so this package imports no area.
A module may expose its own Flask `blueprint` instead. What every page gets (see `context.py`):

- `render(template, **values)`: renders with the shared context: `t(key)` (texts.yaml in
  fi/sv/en), `lang`, `tenant`, `clock`, `nav`, `csrf_token()`, `mask(hetu)`, date filters;
- `tenant()`: the tenant of the request (query `tenant`, header `X-Mock-Kanta-Tenant`,
  cookie `mk_tenant`, else the default), `services()`: the process's `Services`;
- `security.require_csrf()`: call first in every POST handler (same origin and the
  session's token, else a 403 page and nothing changes).

Pages send a Content-Security-Policy without inline scripts: put JavaScript in static files.
"""
from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, Flask, redirect

from mock_kanta.ui import context, display, i18n, overview, security

OWN_PAGES = (overview, display)


def register(flask_app: Flask, pages: Iterable[ModuleType] = ()) -> Blueprint:
    """Mount the UI's own pages and the areas' `pages` on `flask_app` (whose config holds SERVICES)."""
    bp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static",
                   static_url_path="/static")
    security.configure(flask_app, bp)
    i18n.configure(bp)
    context.configure(bp)
    extra_blueprints = []
    for module in (*OWN_PAGES, *pages):
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

