"""The UI's login and logout (GET/POST /ui/login, POST /ui/logout) when access control is on.

A person pastes a token; the page answers with the session cookie (HttpOnly, SameSite=Strict, Secure under
TLS) and sends them on. The form is CSRF-checked like every UI form (ui/security.py), and a login starts a
new Flask session (a new CSRF token), so a session fixed before the login is worth nothing after it."""
from __future__ import annotations

from flask import current_app, redirect, request, session

from mock_kanta.access import sessions
from mock_kanta.ui import context, i18n, security

MAX_TOKEN = 200


def register(bp) -> None:
    bp.add_url_rule("/login", "login", login_page, methods=["GET"])
    bp.add_url_rule("/login", "login_post", login, methods=["POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])


def _access():
    return current_app.config["ACCESS"]


def _next() -> str:
    """Where to go after the login: a UI path of this sandbox only (never another site)."""
    target = request.values.get("next", "/ui/")
    if not target.startswith("/ui") or target.startswith("//") or "\\" in target or "\n" in target:
        return "/ui/"
    return target


def login_page(status: int = 200, problem: str | None = None):
    auth_on = context.services().settings.auth_on
    return context.render("login.html", status=status, next=_next(), problem=problem, auth_on=auth_on)


def login():
    security.require_csrf()
    secret = request.form.get("token", "").strip()
    who = _access().authenticate(secret) if 0 < len(secret) <= MAX_TOKEN else None
    if who is None:
        return login_page(401, i18n.t("login.bad_token"))
    value = sessions.cookie_value(_access().admin_hash, who.token_id, _access().hash_prefix(secret))
    session.clear()  # a new CSRF token for the signed-in session
    response = redirect(_next(), code=303)
    response.headers.add("Set-Cookie", sessions.cookie_header(value, secure=_secure()))
    return response


def logout():
    security.require_csrf()
    session.clear()
    response = redirect("/ui/login", code=303)
    response.headers.add("Set-Cookie", sessions.cookie_header("", secure=_secure(), max_age=0))
    return response


def _secure() -> bool:
    return request.scheme == "https" or current_app.config.get("ACCESS_SECURE_COOKIE", False)
