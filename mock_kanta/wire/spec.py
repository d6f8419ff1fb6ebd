"""The lxml reader and writer of the field declarations in `mock_kanta.wire.paths`: `read` parses an element
into a frozen dataclass of `mock_kanta.core.model` following its `F(attr, path, kind)` list, `write` builds
one back. The declarations themselves, `NS` and `xpath_of` live in `wire.paths` (lxml-free).
"""
from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache
from typing import Any

from lxml import etree

from mock_kanta.core.model import II, Coded, PersonName
from mock_kanta.wire.paths import NS, F

__all__ = ["read", "write", "field_names"]

_CD_ATTRS = (
    ("code", "code"),
    ("code_system", "codeSystem"),
    ("code_system_name", "codeSystemName"),
    ("display_name", "displayName"),
    ("null_flavor", "nullFlavor"),
)
_II_ATTRS = (("root", "root"), ("extension", "extension"), ("null_flavor", "nullFlavor"))


def _own_text(el: etree._Element) -> str:
    """Direct text of an element, comments and child elements left out."""
    parts = [el.text or ""]
    parts.extend(child.tail or "" for child in el)
    return "".join(parts)


def _read_name(el: etree._Element) -> PersonName:
    given, family, call = [], [], None
    for child in el:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        value = (child.text or "").strip()
        if local == "given":
            if child.get("qualifier") == "CL":
                call = value
            else:
                given.append(value)
        elif local == "family":
            family.append(value)
    return PersonName(tuple(given), tuple(family), call)


def _read_value(el: etree._Element, f: F) -> Any:
    return _reader(f)(el)


def _reader(f: F):
    """The function reading one element's value for field `f` (chosen once per field: see `_plan`)."""
    kind = f.kind
    if kind == "ii":
        return lambda el: II(el.get("root"), el.get("extension"), el.get("nullFlavor"))
    if kind == "cd":
        return lambda el: Coded(el.get("code"), el.get("codeSystem"), el.get("codeSystemName"), el.get("displayName"),
                                el.get("nullFlavor"))
    if kind == "value":
        return lambda el: el.get("value")
    if kind == "code":
        return lambda el: el.get("code")
    if kind == "text":
        return lambda el: _own_text(el).strip()
    if kind == "b64":
        return lambda el: "".join(_own_text(el).split())
    if kind == "name":
        return _read_name
    if kind.startswith("attr:"):
        name = kind[5:]
        return lambda el: el.get(name)
    if kind == "obj":
        cls, spec = f.cls, f.spec
        return lambda el: read(el, cls, spec)
    raise ValueError(f"unknown field kind {kind}")


@lru_cache(maxsize=None)
def _xpath(path: str) -> etree.XPath:
    """A compiled XPath per field path (lxml's own find() cache holds only 100 paths)."""
    return etree.XPath(path, namespaces=NS)


# Per spec (keyed by identity: the specs are module constants), its fields as (attr, compiled path or
# None for ".", many, reader): worked out once instead of on every read.
_PLANS: dict[int, tuple[tuple[F, ...], list]] = {}


def _plan(spec: tuple[F, ...]) -> list:
    entry = _PLANS.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _PLANS[id(spec)] = (spec, [(f.attr, None if f.path == "." else _xpath(f.path), f.many, _reader(f))
                                           for f in spec])
    return entry[1]


def read(el: etree._Element, cls: type, spec: tuple[F, ...], **extra: Any) -> Any:
    """Build an instance of `cls` from element `el` following `spec` (plus `extra` field values)."""
    values = dict(extra)
    for attr, path, many, reader in _plan(spec):
        if path is None:
            values[attr] = reader(el)
            continue
        found = path(el)
        if many:
            values[attr] = tuple(reader(x) for x in found)
        elif found:
            values[attr] = reader(found[0])
    return cls(**values)


_STEP = re.compile(r"^(?P<prefix>\w+):(?P<local>[\w.-]+)(?:\[@(?P<attr>\w+)='(?P<val>[^']*)'\])?$")


def _child(parent: etree._Element, step: str, reuse: bool) -> etree._Element:
    """Find or create the child element for one path step."""
    if reuse:
        found = parent.find(step, NS)
        if found is not None:
            return found
    m = _STEP.match(step)
    if not m:
        raise ValueError(f"cannot build path step {step!r}")
    child = etree.SubElement(parent, f"{{{NS[m['prefix']]}}}{m['local']}")
    if m["attr"]:
        child.set(m["attr"], m["val"])
    return child


def _node_for(el: etree._Element, path: str, reuse_last: bool = True) -> etree._Element:
    if path == ".":
        return el
    steps = path.split("/")
    node = el
    for i, step in enumerate(steps):
        node = _child(node, step, reuse=reuse_last or i < len(steps) - 1)
    return node


def _set_attrs(node: etree._Element, obj: Any, pairs) -> None:
    for py, xml in pairs:
        value = getattr(obj, py)
        if value is not None:
            node.set(xml, value)


def _write_name(node: etree._Element, name: PersonName) -> None:
    ns = etree.QName(node).namespace
    for g in name.given:
        etree.SubElement(node, f"{{{ns}}}given").text = g
    if name.call_name is not None:
        cl = etree.SubElement(node, f"{{{ns}}}given", qualifier="CL")
        cl.text = name.call_name
    for fam in name.family:
        etree.SubElement(node, f"{{{ns}}}family").text = fam


def _write_value(node: etree._Element, f: F, value: Any) -> None:
    kind = f.kind
    if kind == "ii":
        _set_attrs(node, value, _II_ATTRS)
    elif kind == "cd":
        _set_attrs(node, value, _CD_ATTRS)
    elif kind == "value":
        node.set("value", value)
    elif kind == "code":
        node.set("code", value)
    elif kind in ("text", "b64"):
        node.text = value
    elif kind == "name":
        _write_name(node, value)
    elif kind.startswith("attr:"):
        node.set(kind[5:], value)
    elif kind == "obj":
        write(node, value, f.spec)
    else:
        raise ValueError(f"unknown field kind {kind}")


def write(el: etree._Element, obj: Any, spec: tuple[F, ...]) -> etree._Element:
    """Write `obj`'s fields into `el` following `spec`; returns `el`."""
    for f in spec:
        value = getattr(obj, f.attr)
        if f.many:
            for item in value:
                _write_value(_node_for(el, f.path, reuse_last=False), f, item)
        elif value is not None:
            _write_value(_node_for(el, f.path), f, value)
        elif f.nullable:
            _node_for(el, f.path).set("nullFlavor", "NA")
    return el


def field_names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}
