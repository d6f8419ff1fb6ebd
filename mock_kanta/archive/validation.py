"""The validation service clone (SHARK-validointi): Kela's JSON request and answer shape.

Request:  {"messageId", "palveluPyynto", "level", "siirtokehysXml", "asiakirjaXml"}
Answer:   HTTP 200 with an empty body when valid; otherwise HTTP 400 with
          {"messageId", "code", "language", "description": "1: ...; 2: ...;", "findings": [...]}; the description
          in one language, the best of fi, sv and en by the request's Accept-Language (Finnish by default).
"""
from __future__ import annotations

from mock_kanta.core.clock import utc_now
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.rules import Problem, unread
from mock_kanta.traffic import service as traffic
from mock_kanta.wire import safejson

FIELDS = ("messageId", "palveluPyynto", "level", "siirtokehysXml", "asiakirjaXml")
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"


def language(accept_language: str | None) -> str:
    """The answer's language from an Accept-Language header: the supported one of highest q (the first of
    equals), Finnish when none is supported or the header is missing or unreadable."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def description(findings: list[Finding], lang: str = "fi") -> str:
    """Kela's numbered description: '1: ...; 2: ...;' (errors first)."""
    ordered = sorted(findings, key=lambda f: f.severity is not Severity.ERROR)
    return " ".join(
        f"{i}: [{f.rule_id}] {f.message[lang].replace(';', ',')} ({f.location});" for i, f in enumerate(ordered, 1)
    )


def failure(message_id: str | None, findings: list[Finding], lang: str = DEFAULT_LANGUAGE) -> dict:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return {
        "messageId": message_id,
        "code": errors[0].rule_id if errors else None,
        "language": lang,
        "description": description(findings, lang),
        "findings": [f.to_json() for f in findings],  # machine-readable: every text in fi, sv and en
    }


def validate(archive, body: bytes, tenant: str | None = None, content_type: str | None = None,
             lang: str = DEFAULT_LANGUAGE) -> tuple[int, dict | None]:
    """Validate one request body; (HTTP status, JSON payload or None for an empty 200), its texts in `lang`
    (see language()). Each call is recorded in the tenant's traffic log (valid | invalid); UnknownTenant
    (mock_kanta.store.db) for a tenant that does not exist."""
    tenant = tenant or archive.settings.default_tenant
    if archive.store is not None:
        archive.store.view(tenant)  # UnknownTenant before anything is written
    request, problem = _request(body)
    if problem:
        findings = unread(Problem.bad_request(problem))
        _record(archive, tenant, None, findings, body=body, content_type=content_type)
        return 400, failure(None, findings, lang)
    parsed = archive.read_parts(request["siirtokehysXml"].encode("utf-8"), request["asiakirjaXml"].encode("utf-8"), "shark-json")
    findings = archive.check(parsed, tenant, requested_service=request["palveluPyynto"])
    _record(archive, tenant, parsed, findings, content_type=content_type)
    if any(f.severity is Severity.ERROR for f in findings):
        return 400, failure(request.get("messageId"), findings, lang)
    return 200, None


def _record(archive, tenant: str, parsed, findings: list[Finding], **raw) -> None:
    """One traffic row: the parts as received (the raw body when it was not a valid request)."""
    if archive.store is None:
        return
    now = parsed.context.now if parsed is not None and parsed.context else None
    verdict = "invalid" if any(f.severity is Severity.ERROR for f in findings) else "valid"
    traffic.write(archive.store, traffic.message_row(
        tenant, "validate", verdict, at=now or (archive.clock.now(tenant) if archive.clock else utc_now()),
        parsed=parsed, findings=findings, **raw))


def _request(body: bytes) -> tuple[dict | None, str | None]:
    try:  # bounded: depth, numbers, no lone surrogate (a string that cannot be encoded back)
        data = safejson.loads(body)
    except safejson.JSONInputError as exc:
        return None, f"the body is not acceptable JSON: {exc}"
    if not isinstance(data, dict):
        return None, "the body must be a JSON object"
    missing = [k for k in ("palveluPyynto", "siirtokehysXml", "asiakirjaXml") if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        return None, f"missing or empty string fields: {', '.join(missing)} (expected {', '.join(FIELDS)})"
    wrong = [k for k in ("messageId", "level") if data.get(k) is not None and not isinstance(data[k], (str, int))]
    if wrong:
        return None, f"{', '.join(wrong)} must be a string or a number"
    return data, None
