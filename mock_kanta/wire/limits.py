"""The sandbox's bounds on the shape of one XML part: elements, attributes, depth, and the CDA local header.

Each is a setting (environment variable, read when `Limits.from_env()` is called); the defaults are far above
what real Kanta messages use (the public samples: under 130 elements, depth 9, a header of 71 elements and
depth 7, two signatures of two references each). A part past a bound is refused before anything else reads it,
so the work and memory of one request stay proportional to what the bounds allow.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, fields

from lxml import etree

from mock_kanta.wire.paths import NS

LSH = f"{{{NS['hl7fi']}}}localSocialHeader"
LSH_PATH = "/hl7:ClinicalDocument/hl7fi:localSocialHeader"

# field -> environment variable
ENV = {
    "elements": "MOCK_KANTA_MAX_ELEMENTS",
    "attributes": "MOCK_KANTA_MAX_ATTRIBUTES",
    "depth": "MOCK_KANTA_MAX_DEPTH",
    "header_elements": "MOCK_KANTA_MAX_HEADER_ELEMENTS",
    "header_depth": "MOCK_KANTA_MAX_HEADER_DEPTH",
    "signatures": "MOCK_KANTA_MAX_SIGNATURES",
    "references": "MOCK_KANTA_MAX_REFERENCES",
}


@dataclass(frozen=True)
class Limits:
    elements: int = 50_000  # per XML part (frame, document, query)
    attributes: int = 100_000  # per XML part
    depth: int = 64  # element nesting of a part (libxml2 stops at 256 whatever this says)
    header_elements: int = 5_000  # elements inside hl7fi:localSocialHeader
    header_depth: int = 24  # nesting below hl7fi:localSocialHeader
    signatures: int = 8  # hl7fi:signature elements per document
    references: int = 4  # ds:Reference elements per ds:SignedInfo

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        """The defaults overridden by MOCK_KANTA_MAX_*; a value that is not a positive integer is an error."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(ENV[f.name])
            if raw is None or raw == "":
                continue
            if not raw.strip().isdigit() or int(raw) < 1:
                raise ValueError(f"{ENV[f.name]}={raw!r} is not a positive integer")
            values[f.name] = int(raw)
        return cls(**values)


@functools.lru_cache(maxsize=1)
def default() -> Limits:
    """The environment's limits, read once per process."""
    return Limits.from_env()


@dataclass(frozen=True)
class Excess:
    """One bound exceeded: what (a field of Limits), where (an XPath), how many were found, the limit."""

    what: str
    location: str
    count: int
    limit: int

    @property
    def setting(self) -> str:
        return ENV[self.what]


def shape_excess(root: etree._Element, limits: Limits) -> Excess | None:
    """The first bound the parsed part breaks besides its element count: attributes, then depth."""
    attributes = int(_ATTRIBUTES(root))
    if attributes > limits.attributes:
        return Excess("attributes", "/", attributes, limits.attributes)
    if _deeper(root, limits.depth):
        return Excess("depth", "/", limits.depth + 1, limits.depth)
    return None


def header_excess(root: etree._Element, limits: Limits) -> Excess | None:
    """The local header's bound it breaks (its elements, then its depth), None when within them."""
    header = next(root.iterchildren(LSH), None)
    if header is None:
        return None
    elements = int(_DESCENDANTS(header))
    if elements > limits.header_elements:
        return Excess("header_elements", LSH_PATH, elements, limits.header_elements)
    if elements > limits.header_depth and _deeper(header, limits.header_depth, relative=True):
        return Excess("header_depth", LSH_PATH, limits.header_depth + 1, limits.header_depth)
    return None


_ATTRIBUTES = etree.XPath("count(//@*)")
_DESCENDANTS = etree.XPath("count(descendant::*)")


def _deeper(el: etree._Element, depth: int, relative: bool = False) -> bool:
    """True when an element lies deeper than `depth` levels (the root, or `el`'s children, at level 1)."""
    return bool(_depth_probe(depth + 1, relative)(el))


@functools.lru_cache(maxsize=16)
def _depth_probe(levels: int, relative: bool) -> etree.XPath:
    """An XPath that is true when there is an element `levels` deep: evaluated level by level (linear)."""
    steps = "/".join(["*"] * levels)
    return etree.XPath(f"boolean({steps if relative else '/' + steps})")
