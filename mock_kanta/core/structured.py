"""Readers of a document's structured form (the decoded hl7fi:json, a Sosmeta structure): the values
the checks and the registers look for, wherever the structure puts them."""
from __future__ import annotations

from typing import Any


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
