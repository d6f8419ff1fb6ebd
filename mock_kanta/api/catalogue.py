"""Control API: the rules catalogue, each tenant's rule modes (report-only) and verdict profile (organiser
profiles turned on, strict: docs/verdicts.md), the organiser profiles, and the code systems."""
from __future__ import annotations

from dataclasses import asdict

from flask import abort

from mock_kanta.api.common import JSON, current_services, current_store, current_tenant
from mock_kanta.core.findings import LANGS
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.registry import Rule


def list_rules():
    return {"rules": [_rule_json(r) for r in REGISTRY.values()]}, 200, JSON


def get_rule(ruleId: str):
    rule = REGISTRY.get(ruleId)
    if rule is None:
        abort(404, f"No rule {ruleId}.")
    return _rule_json(rule), 200, JSON


def list_rule_modes():
    return {"modes": current_store().rule_modes(current_tenant())}, 200, JSON


def set_rule_mode(selector: str, body: dict):
    tenant = current_tenant()
    if selector not in REGISTRY and not any(rid.startswith(selector + "-") for rid in REGISTRY):
        abort(404, f"No rule or rule family {selector}.")
    current_store().set_rule_mode(tenant, selector, body["mode"])
    return {"modes": current_store().rule_modes(tenant)}, 200, JSON


def clear_rule_mode(selector: str):
    tenant = current_tenant()
    current_store().set_rule_mode(tenant, selector, None)
    return {"modes": current_store().rule_modes(tenant)}, 200, JSON


def get_verdict_profile():
    return _verdict_json(current_tenant()), 200, JSON


def set_verdict_profile(body: dict):
    tenant = current_tenant()
    organisers = body.get("organisers") or []
    unknown = current_services().archive.verdicts.profiles.unknown(organisers)
    if unknown:
        abort(400, unknown)
    current_store().set_verdict_profile(tenant, bool(body.get("strict")), organisers)
    return _verdict_json(tenant), 200, JSON


def clear_verdict_profile():
    tenant = current_tenant()
    current_store().set_verdict_profile(tenant, False, ())
    return _verdict_json(tenant), 200, JSON


def list_organiser_profiles():
    profiles = current_services().archive.verdicts.profiles.profiles.values()
    return {"profiles": [_profile_json(p) for p in profiles]}, 200, JSON


def list_code_systems():
    systems = current_services().codes.systems.values()
    return {"codeSystems": [_code_system_json(s) for s in systems]}, 200, JSON


def get_code_system(oid: str):
    system = current_services().codes.get(oid)
    if system is None:
        abort(404, f"No code system {oid}.")
    return _code_system_json(system), 200, JSON


# --- mapping -------------------------------------------------------------------------------


def _rule_json(r: Rule) -> dict:
    return {
        "id": r.id,
        "severity": r.severity.value,
        "stage": r.stage.value,
        "title": _text(r.title),
        "message": _text(r.message),
        "fix": _text(r.fix),
        "source": r.source,
        "basis": r.basis.value,
        "kantaVerified": r.kanta_verified,  # derived from the catalogue's basis
    }


def _verdict_json(tenant: str) -> dict:
    stored = current_store().verdict_profile(tenant) or {}
    return {"strict": bool(stored.get("strict")), "organisers": list(stored.get("organisers") or [])}


def _profile_json(p) -> dict:
    return {"organiser": p.oid, "name": p.name, "rules": [{"rule": rid, "source": passage} for rid, passage in p.rules.items()]}


def _code_system_json(s) -> dict:
    return {
        "oid": s.oid,
        "name": s.name,
        "en": s.en,
        "complete": s.complete,
        "verified": s.verified,
        "source": s.source,
        "codes": [asdict(c) for c in s.codes.values()],
    }


def _text(t) -> dict[str, str]:
    return {lang: getattr(t, lang) for lang in LANGS}
