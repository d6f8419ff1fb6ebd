"""The UI's defences: the session secret, CSRF checks on every POST, and response headers.

A POST is accepted only when it comes from the same origin (Origin, else Referer, must
name this host; `Sec-Fetch-Site`, when sent, must be same-origin) and carries the
session's token in the form field `csrf`. The session is Flask's signed cookie; its key
lives in the data directory (`ui-secret.key`, made once), so every worker process shares it.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, request, session

from mock_kanta.ui import i18n

SECRET_FILE = "ui-secret.key"
SESSION_COOKIE = "mk_session"
# The pages' own policy: scripts and styles from /ui/static only (inline style attributes allowed),
# frames only from this origin (the sandboxed display form).
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
            "object-src 'none'")


def configure(flask_app, bp) -> None:
    services = flask_app.config.get("SERVICES")
    if not flask_app.secret_key:
        flask_app.secret_key = _shared_secret(services.settings.data_dir) if services else secrets.token_hex(32)
    shared = bool(services and services.settings.auth_on)  # access control on: the stricter cookie
    flask_app.config.update(SESSION_COOKIE_NAME=SESSION_COOKIE, SESSION_COOKIE_HTTPONLY=True,
                            SESSION_COOKIE_SAMESITE="Strict" if shared else "Lax",
                            SESSION_COOKIE_SECURE=bool(shared and flask_app.config.get("ACCESS_SECURE_COOKIE")))

    @bp.after_app_request
    def headers(response):
        if request.path.startswith("/ui"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response


def csrf_token() -> str:
    """The session's token (made on first use) for a form's hidden `csrf` field."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def require_csrf() -> None:
    """403 unless the POST is same-origin and carries the session's token."""
    problem = _origin_problem() or _token_problem()
    if problem:
        abort(403, problem)


def _origin_problem() -> str | None:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site != "same-origin":
        return i18n.t("csrf.other_site", value=fetch_site[:40])
    source = request.headers.get("Origin")
    if not source or source == "null":
        source = request.headers.get("Referer")
    if not source:
        return i18n.t("csrf.no_origin")
    if urlsplit(source).netloc != request.host:
        return i18n.t("csrf.wrong_origin", source=(urlsplit(source).netloc or source)[:100], host=request.host[:100])
    return None


def _token_problem() -> str | None:
    expected, given = session.get("csrf"), request.form.get("csrf", "")
    if not expected:
        return i18n.t("csrf.no_session")
    if not hmac.compare_digest(expected, given):
        return i18n.t("csrf.bad_token")
    return None


def _shared_secret(data_dir: Path) -> str:
    """The key in `<data_dir>/ui-secret.key`, written once (atomically: the first worker wins)."""
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
