"""Readers of a document's structured form (the decoded hl7fi:json, a Sosmeta structure): the values
the checks and the registers look for, wherever the structure puts them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mock_kanta.core.dates import iso_date


def code_of(coded: Any) -> str | None:
    """The code of a coded value ({"system", "code", "display"}), as text; None if it has none."""
    return str(coded.get("code")) if isinstance(coded, dict) and coded.get("code") is not None else None


def value_of(ident: Any) -> str | None:
    """The value of an identifier ({"system", "value"}), as text; None if it has none."""
    return str(ident.get("value")) if isinstance(ident, dict) and ident.get("value") else None


def social_services(structured: Any) -> list[str]:
    """Every sosiaalipalvelu code anywhere in a structured form."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sosiaalipalvelu":
                    found.extend(c for c in map(code_of, value if isinstance(value, list) else [value]) if c)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(structured)
    return found


def client_ids(structured: Any) -> set[str]:
    """The henkilotunnus values under `asiakas` anywhere in a structured form."""
    found: set[str] = set()

    def walk(node, under_client):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "henkilotunnus" and under_client and isinstance(value, dict) and value.get("value"):
                    found.add(str(value["value"]))
                walk(value, under_client or key == "asiakas")
        elif isinstance(node, list):
            for item in node:
                walk(item, under_client)

    walk(structured, False)
    return found


@dataclass(frozen=True)
class ProviderGrant:
    """One `sosiaalihuollon_palvelutehtava[].palveluntuottaja[]` entry of a client-relationship document
    (asiakkuusasiakirja): the organiser names a provider's service unit within a service task, with its
    social services and the client relationship's start and end in that unit."""

    function_code: str | None  # the enclosing task's palvelutehtava
    unit: str | None  # palveluyksikon_nimi.code: a SOTE organisation register OID
    services: tuple[str, ...]  # sosiaalipalvelu[] codes; () = none named
    start: date | None  # asiakkuuden_alkamispvm, else the relationship's own start
    end: date | None  # asiakkuuden_paattymispvm


def relationship_body(structured: Any) -> dict | None:
    """The `asiakkuusasiakirja` structure of a decoded JSON, or None when it is not one."""
    body = structured.get("asiakkuusasiakirja") if isinstance(structured, dict) else None
    return body if isinstance(body, dict) else None


def provider_grants(body: dict) -> list[ProviderGrant]:
    """Every provider entry of a client-relationship structure (`relationship_body`), in document order;
    entries of a shape other than the structure's are skipped."""
    relationship = body.get("sosiaalihuollon_asiakkuus")
    default_start = iso_date(relationship.get("asiakkuuden_alkamispvm")) if isinstance(relationship, dict) else None
    grants = []
    for task in _dicts(body.get("sosiaalihuollon_palvelutehtava")):
        function_code = code_of(task.get("palvelutehtava"))
        for provider in _dicts(task.get("palveluntuottaja")):
            services = provider.get("sosiaalipalvelu")
            grants.append(ProviderGrant(
                function_code, code_of(provider.get("palveluyksikon_nimi")),
                tuple(c for c in map(code_of, services if isinstance(services, list) else [services]) if c),
                iso_date(provider.get("asiakkuuden_alkamispvm")) or default_start,
                iso_date(provider.get("asiakkuuden_paattymispvm"))))
    return grants


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
