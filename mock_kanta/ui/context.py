"""What every UI page shares: the tenant, the sandbox clock, the navigation, formatting, error pages."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from mock_kanta.api.common import hl7_ts_iso
from mock_kanta.ui import i18n, security

HELSINKI = ZoneInfo("Europe/Helsinki")
TENANT_HEADER = "X-Mock-Kanta-Tenant"
TENANT_COOKIE = "mk_tenant"
PRINCIPAL = "mock_kanta.principal"  # the scope key access.gate sets (this package imports no area)
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_HETU = r"(\d{6}[-+A-FU-Y])(\d)\d\d([0-9A-Y])"  # groups: birth date and sign, first digit, check character
HETU_SHAPE = re.compile(rf"^{_HETU}$")
HETU_IN_TEXT = re.compile(rf"(?<![\w.]){_HETU}(?!\w)")
HETU_PROBLEMS = ("format", "date", "individual", "check")  # HetuError.reason values with a UI text hetu.<reason>

# The navigation bar: every page, including those other modules add (text key, path).
# A message page belongs to the live flow (its rows link there).
NAV_ALSO = {"/ui/flow": ("/ui/messages/",)}
NAV = (
    ("nav.overview", "/ui/"),
    ("nav.flow", "/ui/flow"),
    ("nav.registers", "/ui/registers"),
    ("nav.omakanta", "/ui/omakanta"),
    ("nav.archivist", "/ui/archivist"),
    ("nav.rehearsals", "/ui/rehearsals"),
    ("nav.trainer", "/ui/trainer"),
    ("nav.faults", "/ui/faults"),
)

log = logging.getLogger(__name__)


def services():
    return current_app.config["SERVICES"]


def store():
    return services().store


def tenant() -> str:
    """The request's tenant: query `tenant` (then remembered), header, cookie, else the default; 404 if unknown."""
    if "tenant" not in g:
        asked = request.args.get("tenant")
        name = asked or request.headers.get(TENANT_HEADER) or request.cookies.get(TENANT_COOKIE) \
            or services().settings.default_tenant
        if not TENANT_ID.match(name) or store().tenant(name) is None:
            raise NotFound(i18n.t("error.no_tenant", tenant=name[:80]))
        g.tenant = name
        g.tenant_changed = bool(asked) and asked != request.cookies.get(TENANT_COOKIE)
    return g.tenant


def clock_now() -> datetime:
    return services().clock.now(tenant())


class Names:
    """The tenant's organisation and unit names by OID (a message's sender, unit and register; a document's)."""

    def __init__(self, orgs: dict[str, str], units: dict[str, str]):
        self.orgs, self.units = orgs, units

    @classmethod
    def of(cls, store, tenant: str) -> "Names":
        return cls({o["oid"]: o["name"] for o in store.organisations(tenant)},
                   {u["oid"]: u["name"] for u in store.service_units(tenant)})

    def knows(self, row: dict) -> bool:
        return all(oid is None or oid in self.orgs or oid in self.units
                   for oid in (row.get("sender_oid"), row.get("unit_oid"), row.get("register_oid")))


def names() -> Names:
    """The request tenant's names."""
    return Names.of(store(), tenant())


def render(template: str, status: int = 200, **values):
    return render_template(template, **values), status


def mask(hetu: str | None) -> str:
    """A henkilötunnus as lists show it: birth date, century sign, first digit of the individual number,
    then ** and the check character (120512A9**X). Anything else: its first three characters and ***."""
    if not hetu:
        return "–"
    m = HETU_SHAPE.match(hetu)
    return _masked(m) if m else hetu[:3] + "***"


def mask_text(text: str | None) -> str | None:
    """Free text (a step's evidence, a rehearsal item's explanation) with every henkilötunnus in it masked."""
    if not text:
        return text
    return HETU_IN_TEXT.sub(_masked, str(text))


def _masked(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}**{m.group(3)}"


def bad_hetu(value: str, exc: Exception):
    """400: `value` is not a valid henkilötunnus, saying why in the page's language."""
    reason = getattr(exc, "reason", None)
    key = f"hetu.{reason}" if reason in HETU_PROBLEMS else "hetu.other"
    abort(400, i18n.t("error.bad_hetu", value=value[:20], why=i18n.t(key)))


def as_datetime(value) -> datetime | None:
    """An instant from a datetime, an ISO string or an HL7 TS; None when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=HELSINKI)
    text = str(value)
    if text[:8].isdigit() and "-" not in text[:8]:
        text = hl7_ts_iso(text) or text
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=HELSINKI)


def fmt_date(value) -> str:
    """31.8.2026 (fi, sv) or 2026-08-31 (en); '–' for nothing."""
    if isinstance(value, datetime) or (isinstance(value, str) and len(value) > 10):
        at = as_datetime(value)
        value = at.astimezone(HELSINKI).date() if at else value
    elif isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value or "–"
    if not isinstance(value, date):
        return "–"
    return value.isoformat() if i18n.current_lang() == "en" else f"{value.day}.{value.month}.{value.year}"


def fmt_datetime(value) -> str:
    """Helsinki time: 31.8.2026 klo 12.00 (fi), 31.8.2026 kl. 12.00 (sv), 2026-08-31 12:00 (en)."""
    at = as_datetime(value)
    if at is None:
        return str(value) if value else "–"
    try:
        local = at.astimezone(HELSINKI)
    except OverflowError:  # e.g. 9999-12-31T23:59:59Z: past the calendar's edge in Helsinki time; shown as given
        return str(value)
    lang = i18n.current_lang()
    if lang == "en":
        return local.strftime("%Y-%m-%d %H:%M")
    word = "klo" if lang == "fi" else "kl."
    return f"{local.day}.{local.month}.{local.year} {word} {local:%H.%M}"


def nav_items() -> list[dict]:
    path = request.path
    items = []
    for key, href in NAV:
        current = path == href if href == "/ui/" else path == href or path.startswith(href + "/")
        current = current or path.startswith(NAV_ALSO.get(href, ()))
        items.append({"href": href, "text": i18n.t(key), "current": current, "key": key})
    return items


def lang_links() -> list[dict]:
    """The same page in each language (other query arguments kept)."""
    links = []
    for lang in i18n.LANGS:
        args = {**request.args.to_dict(), "lang": lang}
        links.append({"lang": lang, "href": f"{request.path}?{urlencode(args)}", "label": i18n.t(f"lang.{lang}"),
                      "current": lang == i18n.current_lang()})
    return links


def principal():
    """Who the request acts as when access control is on (mock_kanta.access.tokens.Principal), else None."""
    return request.environ.get("asgi.scope", {}).get(PRINCIPAL)


def page_values() -> dict:
    """The values every template sees (computed without failing: error pages use them too)."""
    who = principal()
    try:
        if services().settings.auth_on and who is None:
            raise NotFound()  # not signed in: no tenant, no clock
        name = tenant()
        state = services().clock.state(name)
    except HTTPException:
        name, state = None, None
    return {
        "t": i18n.t, "pick": i18n.pick, "lang": i18n.current_lang(), "langs": lang_links(), "nav": nav_items(),
        "tenant": name, "default_tenant": services().settings.default_tenant, "clock": state,
        "csrf_token": security.csrf_token, "mask": mask, "principal": who, "here": request.full_path.rstrip("?"),
    }


def configure(bp) -> None:
    bp.add_app_template_filter(fmt_date, "date")
    bp.add_app_template_filter(fmt_datetime, "datetime")
    bp.add_app_template_filter(mask, "mask")

    @bp.app_context_processor
    def shared():
        return page_values() if request.path.startswith("/ui") else {}

    @bp.after_app_request
    def remember_tenant(response):
        if g.get("tenant_changed") and request.path.startswith("/ui"):
            response.set_cookie(TENANT_COOKIE, g.tenant, samesite="Lax", httponly=True)
        return response

    bp.register_error_handler(HTTPException, error_page)
    bp.register_error_handler(Exception, unexpected)
    for code in (404, 405):  # an address no route matches is the app's, not the blueprint's
        bp.app_errorhandler(code)(unrouted)


def error_page(exc: HTTPException):
    """A readable HTML error page in the UI's language (connexion would answer problem+json)."""
    return render("error.html", status=exc.code or 500, code=exc.code, detail=exc.description)


def unrouted(exc: HTTPException):
    """Under /ui: the readable page (not the control API's problem+json); elsewhere the app's own handler."""
    if request.path == "/ui" or request.path.startswith("/ui/"):
        if request.url_rule is not None:  # a page that said why (abort(404, detail))
            return error_page(exc)
        detail = i18n.t("error.no_page", path=request.path[:200]) if exc.code == 404 else i18n.t("error.bad_method")
        return render("error.html", status=exc.code, code=exc.code, detail=detail)
    fallback = current_app.error_handler_spec[None][None].get(HTTPException)
    if fallback is None:
        return exc
    return fallback(exc)


def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return error_page(exc)
    log.exception("UI page %s failed", request.path)
    return render("error.html", status=500, code=500, detail=i18n.t("error.unexpected"))
