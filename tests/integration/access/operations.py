"""Every control API operation, read from the specs (mock_kanta/api/*.yaml), and request values for them."""
from __future__ import annotations

import random
from dataclasses import dataclass

import yaml

from mock_kanta.core.resources import package_file

SPEC_DIR = package_file("api", "openapi.yaml").parent
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str  # with {placeholders}, mounted
    params: tuple  # resolved parameter objects
    body: dict | None  # the JSON body's schema, resolved

    def url(self, values: dict) -> str:
        path = self.path
        for p in self.params:
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", str(values(p["name"], p.get("schema", {}))))
        return path


def _resolve(doc: dict, node):
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/"):
            target = doc
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return _resolve(doc, target)
        return {k: _resolve(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(doc, v) for v in node]
    return node


def operations() -> list[Operation]:
    found = []
    for spec in sorted(SPEC_DIR.glob("*.yaml")):
        doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
        base = "/api/v1" if spec.stem == "openapi" else f"/api/v1/{spec.stem}"
        for path, item in doc.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method not in item:
                    continue
                op = item[method]
                params = tuple(_resolve(doc, p) for p in shared + op.get("parameters", []))
                content = _resolve(doc, op.get("requestBody", {})).get("content", {})
                body = content.get("application/json", {}).get("schema")
                found.append(Operation(op["operationId"], method.upper(), base + path, params, body))
    return found


def sample(schema: dict | None, values, key: str = ""):
    """A value of `schema` (examples and enums first; `values(name, schema)` for names it knows)."""
    if not schema:
        return None
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged["type"] = part.get("type", merged.get("type"))
        return sample(merged, values, key)
    known = values(key, schema) if key else None
    if known is not None:
        return known
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "object":
        return {k: sample(v, values, k) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), values, key)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-09-01"
    if schema.get("format") == "date-time":
        return "2026-09-01T08:00:00+03:00"
    return "fuzz"


def random_value(schema: dict) -> object:
    if schema.get("type") == "integer":
        return random.randint(1, 10**6)
    return random.choice(["zz-nobody", "1.2.246.10.1.1", "tok-000000000000", "x" * 64, "SH-REG-004", "..", "%2e"])
