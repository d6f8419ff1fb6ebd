"""Control API: the rules catalogue, each tenant's rule modes (report-only), and the code systems."""
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
        "kantaVerified": r.kanta_verified,  # derived from the catalogue's basis
    }


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
