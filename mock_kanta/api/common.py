"""What every control API handler shares: the request's services, store and tenant, JSON mapping of rows,
and the errors connexion would otherwise answer with a 500. Handlers live in their areas (`<area>/api.py`);
errors are raised as werkzeug HTTP exceptions, which connexion turns into application/problem+json.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from connexion.problem import problem
from flask import Response, abort, current_app, request

BASE_PATH = "/api/v1"  # app.py mounts the API here
TENANT_HEADER = "X-Mock-Kanta-Tenant"
JSON = {"Content-Type": "application/json"}
XML = "application/xml"
OCTET = "application/octet-stream"
REPORT_HTML = "text/html; charset=utf-8"
INERT_TYPES = frozenset({XML, OCTET, REPORT_HTML})  # never the sender's own type
# Stored and received bytes are untrusted. Under `sandbox` a browser opening them, even on their own at the
# sandbox's origin, gives them a unique origin and runs no script, form, plugin or refresh; `default-src 'none'`
# loads nothing. Reports are our own self-contained HTML: inline styles only, framed by the UI's pages.
INERT_CSP = "sandbox; default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
REPORT_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'self'")


# --- request context -------------------------------------------------------------------


def current_services():
    return current_app.config["SERVICES"]


def current_store():
    return current_services().store


def current_tenant() -> str:
    """The tenant named by the header (or the default); 404 if it does not exist."""
    tenant = request.headers.get(TENANT_HEADER) or current_services().settings.default_tenant
    if current_store().tenant(tenant) is None:
        abort(404, f"No tenant {tenant}.")
    return tenant


def iso_date_param(value) -> date | None:
    """A date given as YYYY-MM-DD in a query or body (None when not given); 400 otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{value!r} is not an ISO date (YYYY-MM-DD)")


# --- untrusted bytes -------------------------------------------------------------------


def inert_bytes(data: bytes | str, media_type: str = OCTET, *, filename: str | None = None, download: bool = False,
                report: bool = False) -> Response:
    """Stored or received bytes (or a report built from them) as a response nothing in which runs: a fixed media
    type of INERT_TYPES (never the sender's), the sandbox policy, no sniffing, no caching, no embedding elsewhere.
    `filename` names the file when saved (`download` asks the browser to save rather than show it)."""
    if media_type not in INERT_TYPES:
        raise ValueError(f"{media_type!r} is not an inert media type ({', '.join(sorted(INERT_TYPES))})")
    headers = {"Content-Security-Policy": REPORT_CSP if report else INERT_CSP, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "no-store", "Cross-Origin-Resource-Policy": "same-origin"}
    if filename or download:
        headers["Content-Disposition"] = ("attachment" if download else "inline") + (
            f'; filename="{safe_filename(filename)}"' if filename else "")
    # A Response object keeps the media type exactly as given (no charset added to application/xml: the
    # bytes carry their own XML encoding declaration).
    return Response(data, status=200, content_type=media_type, headers=headers)


def safe_filename(name: str) -> str:
    """A file name fit for a quoted Content-Disposition: ASCII letters, digits, '.', '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120] or "download"


# --- mapping ---------------------------------------------------------------------------

_HIDDEN = {"tenant_id", "seq", "findings_json", "frame_xml", "document_xml"}


def row_json(row: dict) -> dict:
    """A store row as JSON: camelCase keys, ISO dates, internal columns dropped."""
    return {camel(k): v.isoformat() if isinstance(v, date) else v for k, v in row.items() if k not in _HIDDEN}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_HL7_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d{2})?(\d{2})?$")


def hl7_ts_iso(value: str | None) -> str | None:
    """HL7 TS (YYYYMMDDHHMMSS.fff+ZZZZ, any precision) as ISO 8601; other text unchanged."""
    m = _HL7_TS.match(value or "")
    if not m:
        return value
    y, mo, d, h, mi, s, frac, tzh, tzm = m.groups()
    out = "-".join(p for p in (y, mo, d) if p)
    if h:
        out += f"T{h}:{mi or '00'}" + (f":{s}{frac or ''}" if s else "")
        if tzh:
            out += f"{tzh}:{tzm or '00'}"
    return out


def names_of(rows: list[dict]) -> dict[str, str]:
    return {r["oid"]: r["name"] for r in rows}


def name_lookups(tenant: str) -> tuple[dict, dict]:
    """Unit and organisation names by OID (small tables: read whole, once per request)."""
    store = current_store()
    return names_of(store.service_units(tenant)), names_of(store.organisations(tenant))


def register_path(register_oid: str) -> str:
    return f"{BASE_PATH}/registers/{quote(register_oid, safe='')}/documents"


# --- errors connexion would answer with a 500 (app.py registers these) -------------------


def undecodable_body(request, exc):
    """A JSON body that is not UTF-8 is the client's error: 400 with the byte that is wrong, not a 500."""

    where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
    return problem(400, "Bad Request", f"The request body is not UTF-8 text{where}; send JSON in UTF-8.")


def store_refused(request, exc):
    """A write the database refused. Every foreign key points at the tenant, so a foreign key failure
    means the tenant was deleted while the request ran (404, nothing was written); anything else
    is a conflict with what is stored (409, the transaction was rolled back)."""

    tenant = request.headers.get(TENANT_HEADER) or "default"
    if "FOREIGN KEY" in str(getattr(exc, "orig", exc)).upper():
        return problem(404, "Not Found", f"No tenant {tenant}: it was deleted while the request ran; nothing was written.")
    return problem(409, "Conflict", "The change conflicts with what is stored (another request changed it at the same "
                                    "time); nothing was written. Try again.")
