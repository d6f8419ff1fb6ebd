"""A message of the traffic log: /ui/messages/<seq>.

The frame and the document side by side (pretty-printed, escaped, numbered lines), every
finding with its rule id, its rule's basis, texts in the page's language, fix and source, and the place its
XPath names marked in the XML (a finding's link moves the focus to that line). Below: the
document's display form (only in a sandboxed iframe, from `/ui/messages/<seq>/display`, with
the display form's own Content-Security-Policy), its structured content (the JSON form) and
its signatures, each checked again: the card or certificate (subject, serial, kind), its chain
and the checks (digests, value, trust at the message's arrival).

The message is untrusted input: it is parsed only with `wire.safexml` (within the sandbox's bounds),
its JSON only with `wire.safejson`, shown as escaped text, and its raw parts are served as text/plain
under the sandbox policy. A huge part is shown only in part (MAX_PAGE_BYTES, MAX_LINES), with a link
to its raw bytes.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cryptography.x509.oid import NameOID
from flask import abort
from lxml import etree

from mock_kanta.archivist import service as archivist
from mock_kanta.signing.pki import policy_oids
from mock_kanta.signing.xmldsig.verify import verify_document
from mock_kanta.traffic import service as traffic
from mock_kanta.traffic.pages import flow
from mock_kanta.ui import context, display, i18n
from mock_kanta.wire import safejson, safexml
from mock_kanta.wire.paths import NS

MAX_SEQ = 2**63 - 1
LONG_TEXT = 240  # characters: longer text nodes (Base64) are shortened on the page
KEEP_TEXT = 64
MAX_JSON_CHARS = 200_000
MAX_PAGE_BYTES = 512 * 1024  # of a part shown on the page; the rest only through its raw link
MAX_LINES = 5_000  # of a part shown on the page
DVV_POLICY_ARC = "1.2.246.517."
PARTS = {"frame": "frame_xml", "document": "document_xml"}


def register(bp) -> None:
    bp.add_url_rule("/messages/<int:seq>", "message", page)
    bp.add_url_rule("/messages/<int:seq>/<part>.xml", "message_part", raw_part)
    bp.add_url_rule("/messages/<int:seq>/display", "message_display", display_form)


# --- the pages ---------------------------------------------------------------------------------


def page(seq: int):
    tenant = context.tenant()
    row = _row(tenant, seq)
    reads = row["channel"] in ("query", "retrieve")
    note = i18n.t("message.shortened", n="{n}")
    views = {part: xml_view(part, row[column], note) for part, column in PARTS.items() if row[column]}
    stored = json.loads(row.get("findings_json") or "[]")  # as stored: with each finding's basis
    findings = [finding_view(i, f, views, reads, basis=raw.get("basis"))
                for i, (f, raw) in enumerate(zip(traffic.findings_json(row), stored), 1)]
    for f in findings:
        for line in f["lines"]:
            views[f["part"]].marks.setdefault(line, []).append(f["id"])
    document = row["document_xml"]
    tree, unreadable = _parse(document) if document else (None, None)  # parsed once: the body and the signatures
    body = display.body_of(tree)
    body_text, body_cut = _cut_text(row["body"]) if row.get("body") else (None, None)
    return context.render(
        "message.html", row=row, seq=seq, views=views, findings=findings, reads=reads, names=context.names(),
        person=_person(row.get("person_id")), client=context.mask(row.get("client_id")),
        returned=json.loads(row["document_ids"]) if row.get("document_ids") else None,
        rules=json.loads(row["rule_ids"] or "[]"), verdict_class=flow.VERDICT_LOOK.get(row["verdict"], ("bad",))[0],
        body_text=body_text, body_cut=body_cut,
        archived=row["channel"] == "archive" and row["verdict"] == "AA" and row.get("register_oid"),
        structured=structured(body) if document else None,
        signatures=signatures(tree, unreadable, row["at"]) if document and row["channel"] != "query" else None,
        has_display=bool(body and body.display_b64))


def raw_part(seq: int, part: str):
    """The frame or the document as received, as plain text that nothing can run."""
    row = _row(context.tenant(), seq)
    if part not in PARTS or not row[PARTS[part]]:
        abort(404, i18n.t("message.no_part", seq=seq, part=part[:20]))
    return display.sandboxed_text(row[PARTS[part]])


def display_form(seq: int):
    """The document's display form, sandboxed as the archivist's view serves it (`display.display_response`)."""
    row = _row(context.tenant(), seq)
    if not row["document_xml"]:
        abort(404, i18n.t("message.no_part", seq=seq, part="document"))
    return display.display_response(row["document_xml"])


def _row(tenant: str, seq: int) -> dict:
    row = traffic.entry(context.store(), tenant, seq) if 0 < seq <= MAX_SEQ else None
    if row is None:
        abort(404, i18n.t("message.no_message", seq=seq, tenant=tenant))
    return row


# --- the XML, pretty and numbered, with the findings' places ------------------------------------


@dataclass
class XmlView:
    """One part as numbered lines; `marks` maps a line to the findings that point at it."""

    part: str
    lines: list[str]
    tree: etree._Element | None = None  # the pretty text parsed again: its elements know their lines
    problem: str | None = None  # why the part is not readable XML
    shortened: bool = False
    marks: dict[int, list[str]] = field(default_factory=dict)
    cut: str | None = None  # shown only in part: what the page shows of how much (message.cut)


def xml_view(part: str, data: bytes, note: str = "… ({n} characters)") -> XmlView:
    """The part pretty-printed as lines; a text longer than LONG_TEXT is cut and ends with `note` ({n}: its length).
    A part larger than MAX_PAGE_BYTES is shown as its first bytes, unparsed; at most MAX_LINES lines are shown."""
    if len(data) > MAX_PAGE_BYTES:
        text, cut = _cut_text(data)
        return XmlView(part, text.splitlines() or [""], cut=cut)
    try:
        root = safexml.parse(data)
    except safexml.XMLInputError as exc:
        return XmlView(part, data.decode("utf-8", "replace").splitlines()[:MAX_LINES] or [""], problem=exc.detail)
    shortened = _tidy(root, note)
    pretty = etree.tostring(root, pretty_print=True, encoding="unicode")
    try:
        tree = safexml.parse(pretty.encode("utf-8"))
    except safexml.XMLInputError:  # cannot happen for lxml's own output; never fail the page on it
        tree = None
    lines = pretty.splitlines()
    cut = i18n.t("message.cut", shown=MAX_LINES, total=len(lines)) if len(lines) > MAX_LINES else None
    return XmlView(part, lines[:MAX_LINES], tree, shortened=shortened, cut=cut)


def _cut_text(data: bytes) -> tuple[str, str | None]:
    """Bytes as text for the page: the first MAX_PAGE_BYTES (and MAX_LINES), and what was left out (or None)."""
    shown = data[:MAX_PAGE_BYTES].decode("utf-8", "replace")
    lines = shown.splitlines(keepends=True)
    if len(lines) > MAX_LINES:
        shown = "".join(lines[:MAX_LINES])
    if len(shown) == len(data) and len(lines) <= MAX_LINES:
        return shown, None
    return shown, i18n.t("message.cut", shown=f"{len(shown.encode('utf-8', 'replace')):,} B", total=f"{len(data):,} B")


def _tidy(root: etree._Element, note: str) -> bool:
    """Drop whitespace-only text (so the tree pretty-prints) and shorten long texts; True if any was shortened."""
    shortened = False
    for el in root.iter():
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
        if el.text is not None and len(el.text) > LONG_TEXT and not isinstance(el, etree._Comment):
            el.text = el.text[:KEEP_TEXT] + note.replace("{n}", str(len(el.text)))
            shortened = True
    return shortened


def finding_view(index: int, found: dict, views: dict[str, XmlView], reads: bool, basis: str | None = None) -> dict:
    """One finding as the page shows it; `basis` is its rule's basis when it was judged (None: a row stored
    before findings carried it)."""
    part = found["part"]
    view = views.get(part)
    lines, exact = place(view.tree, found["xpath"]) if view is not None and view.tree is not None else ([], False)
    if part == "message":
        where = "whole"
    elif not lines:
        where = "missing"
    else:
        where = "found" if exact else "parent"
    part_key = "request" if reads and part == "frame" else part
    return {
        "id": f"f{index}", "rule": found["rule"], "severity": found["severity"], "title": i18n.pick(found.get("title")),
        "text": i18n.pick(found.get("text")), "fix": i18n.pick(found.get("fix")), "source": found.get("source"),
        "xpath": found["xpath"], "part": part, "part_text": i18n.t(f"message.part_{part_key}"), "lines": lines,
        "where": where, "basis": basis,
    }


def place(tree: etree._Element, xpath: str) -> tuple[list[int], bool]:
    """The lines the XPath selects (an attribute or text: its element's line), and whether the whole
    path matched; else the lines of its longest prefix that does (the nearest element that is there)."""
    steps = _steps(xpath)
    for keep in range(len(steps), 1, -1):
        candidate = "/".join(steps[:keep])
        try:
            found = tree.xpath(candidate, namespaces=NS)
        except (etree.XPathError, TypeError):
            continue
        lines = sorted({n for n in map(_line_of, found if isinstance(found, list) else []) if n})
        if lines:
            return lines, keep == len(steps)
    return [], False


def _steps(xpath: str) -> list[str]:
    """An absolute XPath split at the slashes outside predicates: "/a/b[c/d]" -> ["", "a", "b[c/d]"]."""
    steps, depth, current = [], 0, []
    for ch in xpath:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "/" and depth == 0:
            steps.append("".join(current))
            current = []
        else:
            current.append(ch)
    steps.append("".join(current))
    return steps if len(steps) > 1 and steps[0] == "" else []


def _line_of(node) -> int | None:
    if isinstance(node, etree._Element):
        return node.sourceline
    parent = getattr(node, "getparent", None)
    owner = parent() if parent else None
    return owner.sourceline if owner is not None else None


# --- the document's body and signatures ---------------------------------------------------------


def _parse(document_xml: bytes) -> tuple[etree._Element | None, str | None]:
    """The document's tree, or None and why it is not readable XML."""
    try:
        return safexml.parse(document_xml), None
    except safexml.XMLInputError as exc:
        return None, str(exc)[:300]


def structured(body) -> dict:
    """{"text": pretty JSON} or {"problem": why} or {} when the document has none."""
    if body is None or not body.json_b64:
        return {}
    try:  # bounded: depth, numbers, no lone surrogate (json.dumps and the page's encoding take the result)
        data = safejson.loads(base64.b64decode(body.json_b64, validate=False))
    except (binascii.Error, ValueError) as exc:
        return {"problem": str(exc)[:300]}
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return {"text": text[:MAX_JSON_CHARS] + ("\n…" if len(text) > MAX_JSON_CHARS else "")}


def signatures(tree: etree._Element | None, unreadable: str | None, arrived: str) -> dict:
    """{"items": [...], "problem": why not checked}: each signature with its card, chain and checks."""
    if tree is None:  # unreadable bytes: say why, never fail the page
        return {"items": [], "problem": unreadable}
    services = context.services()
    try:
        results = verify_document(tree)
    except Exception as exc:  # a hostile document: say why, never fail the page
        return {"items": [], "problem": str(exc)[:300]}
    trust = services.archive.trust
    at = context.as_datetime(arrived) or datetime.now(timezone.utc)
    items = []
    for result in results:
        item = archivist.signer_summary(result, services.codes)
        item["checks"] = [("check_body", result.body_digest_ok), ("check_timestamp", result.timestamp_digest_ok),
                          ("check_value", result.value_ok)]
        cert = result.certificate
        if cert is not None:
            item["cardType"] = card_type(services.pki, cert)
            item["chain"] = chain(services.pki, trust.extra, cert)
            try:
                problems = [f"{p.kind}: {p.detail}" for p in trust.problems(cert, signed_at=result.signed_at, arrival=at)]
            except (OverflowError, ValueError) as exc:  # a signing time at the calendar's edge (9999-12-31...)
                problems = [f"signing time {result.signed_at}: {exc}"]
            policy = trust.policy_problem(cert, result.description_code)
            item["trustProblems"] = problems + ([f"policy: {policy}"] if policy else [])
        items.append(item)
    return {"items": items, "problem": None, "at": at}


def card_type(pki, cert) -> str:
    """The certificate profile whose DVV policy the certificate carries (professional, staff, actor,
    system-signature, ...), else "unknown"."""
    found = policy_oids(cert)
    for name, profile in pki.profiles.items():
        if found & {o for o in profile.policies if o.startswith(DVV_POLICY_ARC)}:
            return name
    return "unknown"


def chain(pki, extra, cert) -> list[dict]:
    """The issuers up to the sandbox root, each {"name", "kind"}: "ca" (a sandbox CA), "extra" (an extra
    trusted certificate, MOCK_KANTA_EXTRA_TRUST) or "none" (an issuer nothing vouches for)."""
    out, link = [], cert
    for _ in range(8):
        ca = pki.ca_for(link)
        if ca is None:
            break
        out.append({"name": _common_name(ca.certificate), "kind": "ca"})
        if ca.certificate.issuer == ca.certificate.subject:  # the root
            return out
        link = ca.certificate
    pinned = next((c for c in extra if c == link or c.subject == link.issuer), None)
    out.append({"name": _common_name(pinned), "kind": "extra"} if pinned is not None
               else {"name": link.issuer.rfc4514_string(), "kind": "none"})
    return out


def _common_name(cert) -> str:
    found = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else cert.subject.rfc4514_string()


# --- small helpers -------------------------------------------------------------------------------


def _person(value: str | None) -> str:
    """A registration number as it is; a henkilötunnus masked."""
    if not value:
        return "–"
    return context.mask(value) if context.HETU_SHAPE.match(value) else value
