"""A document's nonXMLBody as read (`mock_kanta.wire.body.decode`): its display form and its structured
form decoded from Base64, the XHTML display form parsed, so that the checks look at values, not at XML."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Xhtml:
    """What the checks ask of an XHTML display form that parsed: its root element, and the first active
    content (script, iframe, object, embed or an on* event handler) if it has any."""

    tag: str  # Clark notation, e.g. {http://www.w3.org/1999/xhtml}div
    class_attr: str | None
    id: str | None
    active: str | None  # "script", "img@onerror", ... or None


@dataclass(frozen=True)
class DecodedBody:
    display: bytes | None  # the display form's bytes; None when absent or not valid Base64
    xhtml: Xhtml | None  # the display form parsed, when its media type says XHTML and it parses
    xhtml_error: str | None  # why a decoded XHTML display form did not parse
    structured: Any  # the structured form's JSON value; None when absent, not Base64 or not JSON
    structured_error: str | None  # why a present structured form could not be read
