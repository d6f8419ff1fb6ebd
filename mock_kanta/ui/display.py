"""An archived document's display form (näyttömuoto) and raw XML, served so nothing in them can run.

An archived document is untrusted input: its XHTML may carry <script>, event handlers or
links. The display form is only ever shown inside `<iframe sandbox>` (no allow-scripts, no
allow-same-origin) and served with `Content-Security-Policy: sandbox; default-src 'none'`,
so even opened on its own it runs nothing and loads nothing (pictures only as data: URLs).
The raw frame and document are served as plain text under the same policy.
"""
from __future__ import annotations

import base64
import binascii

from flask import Response, abort
from lxml import etree
from lxml.builder import ElementMaker

from mock_kanta.ui import context, i18n
from mock_kanta.wire import cda, safexml

DISPLAY_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XHTML = "application/xhtml+xml"
PDF = "application/pdf"
_E = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS})
# The THL template's classes (soc-*) laid out plainly: readable on a projector.
DISPLAY_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 18px; line-height: 1.45; color: #111; background: #fff;
       margin: 0.8em 1.2em; }
.soc-header { display: flex; flex-wrap: wrap; gap: 0.4em 1.5em; border-bottom: 2px solid #444; padding-bottom: 0.4em; }
.soc-hdr1 { font-weight: bold; } .soc-fulltitle { font-size: 1.5em; margin: 0.6em 0 0.3em; }
.soc-title { font-size: 1.15em; margin: 0.8em 0 0.2em; } .soc-footer { border-top: 1px solid #888; margin-top: 1em; }
"""


def register(bp) -> None:
    bp.add_url_rule("/archivist/<register_oid>/<document_id>/display", "display_form", display_form)
    bp.add_url_rule("/archivist/<register_oid>/<document_id>/<part>.xml", "raw_xml", raw_xml)


def document_row(register_oid: str, document_id: str) -> dict:
    """The tenant's stored document in that register; 404 if there is none."""
    row = context.store().document(context.tenant(), document_id)
    if row is None or row["register_oid"] != register_oid:
        abort(404, i18n.t("archivist.no_document", document=document_id[:120], register=register_oid[:120]))
    return row


def _sandboxed(body: bytes, content_type: str) -> Response:
    response = Response(body, status=200, content_type=content_type)
    response.headers["Content-Security-Policy"] = DISPLAY_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def display_form(register_oid: str, document_id: str):
    """The archived document's display form (see `display_response`)."""
    return display_response(document_row(register_oid, document_id)["document_xml"])


def display_response(document_xml: bytes) -> Response:
    """A document's display form as a sandboxed XHTML page (wrapped with a plain stylesheet), or a note saying
    why there is none: no display form, unreadable Base64 or XHTML, a PDF. Never fails on the bytes."""
    body = body_of(safe_parse(document_xml))
    if body is None or not body.display_b64:
        return _sandboxed(_page(_note(i18n.t("display.none"))), XHTML)
    try:
        raw = base64.b64decode(body.display_b64, validate=False)
    except (binascii.Error, ValueError):
        return _sandboxed(_page(_note(i18n.t("display.unreadable"))), XHTML)
    if body.display_media_type == PDF:
        return _sandboxed(_page(_note(i18n.t("display.pdf", size=len(raw)))), XHTML)
    try:
        content = safexml.parse(raw)
    except safexml.XMLInputError as exc:
        return _sandboxed(_page(_note(i18n.t("display.unreadable")), _E.pre(raw.decode("utf-8", "replace")[:200_000]),
                                _E.p(str(exc.detail))), XHTML)
    return _sandboxed(_page(content), XHTML)


def safe_parse(document_xml: bytes):
    """The document's tree, or None when the bytes are not readable XML (stored or refused bytes may be anything)."""
    try:
        return safexml.parse(document_xml)
    except safexml.XMLInputError:
        return None


def body_of(tree):
    """The CDA body (display form, structured content) of a parsed document, or None when it has none."""
    if tree is None:
        return None
    try:
        return cda.document_from_tree(tree).body
    except Exception:  # a refused document may be anything; never fail the page on it
        return None


def sandboxed_text(data: bytes) -> Response:
    """Raw XML as plain text under the display policy: nothing in it can run."""
    return _sandboxed(data, "text/plain; charset=utf-8")


def raw_xml(register_oid: str, document_id: str, part: str):
    if part not in ("frame", "document"):
        abort(404, i18n.t("display.no_part", part=part[:20]))
    return sandboxed_text(document_row(register_oid, document_id)[f"{part}_xml"])


def _note(text: str):
    return _E.p({"class": "mk-note"}, text)


def _page(*content) -> bytes:
    page = _E.html({"lang": i18n.current_lang()},
                   _E.head(_E.title(i18n.t("display.title")), _E.style(DISPLAY_STYLE)),
                   _E.body(*content))
    return etree.tostring(page, xml_declaration=True, encoding="UTF-8")
