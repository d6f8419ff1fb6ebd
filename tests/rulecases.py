"""What the rule tests (tests/integration/test_rules_*.py) share: a correct document built with the
client library, minimal edits of its XML (frame or document), a new signature over the edited
document, the shared sandbox's answer, and assertions on the rule ids in it.

A test module takes the `desk` fixture by importing it (`from tests.rulecases import desk`).
An edit names what it changes by XPath on the wire form, the public face that outlives a
refactoring of the model; each edit must match something, so a test cannot pass by editing nothing.
"""
from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from mock_kanta.client import (
    Answer,
    Client,
    KantaClient,
    Professional,
    TaskGrant,
    client_document,
    client_relationship_document,
    document_bytes,
    frame_bytes,
    frame_for,
    new_document_id,
)
from mock_kanta.client.sender import Detail
from tests.helpers import fresh_hetu
from tests.parties import HELSINKI, HELSINKI_UNIT
from tests.signing import issue_signer, resign

NS = {"hl7": "urn:hl7-org:v3", "hl7fi": "urn:hl7finland", "ds": "http://www.w3.org/2000/09/xmldsig#"}
DOC = "/hl7:ClinicalDocument"
LSH = f"{DOC}/hl7fi:localSocialHeader"
BODY = f"{DOC}/hl7:component/hl7:nonXMLBody"
FRAME = "/hl7:RCMR_IN200002FI01"
FRAME_DOC = f"{FRAME}/hl7:controlActProcess/hl7:subject/hl7:clinicalDocument"
SIGNATURE = f"{LSH}/hl7fi:signatureCollection/hl7fi:signature"

AUTHOR = Professional("25100000931", "Sanna", "Sääntö", title="sosiaaliohjaaja")  # no role needed to archive

Edit = Callable[[etree._Element], None]


# --- editing the XML ---------------------------------------------------------------------------


def _select(root: etree._Element, xpath: str) -> list:
    found = root.xpath(xpath, namespaces=NS)
    assert found, f"the edit matches nothing: {xpath}"
    return found


def drop(xpath: str) -> Edit:
    """Remove every element, or attribute (an XPath ending in /@name), the XPath selects."""

    def edit(root):
        for node in _select(root, xpath):
            if isinstance(node, etree._Element):
                node.getparent().remove(node)
            else:
                del node.getparent().attrib[node.attrname]

    return edit


def put(xpath: str, **attributes: str) -> Edit:
    """Set attributes on every element the XPath selects."""

    def edit(root):
        for el in _select(root, xpath):
            for name, value in attributes.items():
                el.set(name, value)

    return edit


def text(xpath: str, value: str) -> Edit:
    """Replace the text of every element the XPath selects."""

    def edit(root):
        for el in _select(root, xpath):
            el.text = value

    return edit


def payload(xpath: str, change: Callable[[bytes], bytes]) -> Edit:
    """Decode the Base64 text of the selected element, change the bytes, encode them again."""

    def edit(root):
        for el in _select(root, xpath):
            el.text = base64.b64encode(change(base64.b64decode("".join(el.text.split())))).decode("ascii")

    return edit


def edited(data: bytes, *edits: Edit) -> bytes:
    if not edits:
        return data
    root = etree.fromstring(data)
    for edit in edits:
        edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- building, signing and sending ---------------------------------------------------------------

_BIRTHS = itertools.count()


def fresh_client() -> Client:
    """An adult client of its own (a birth date per call and an unused test number 900-999)."""
    born = date(1961, 2, 1) + timedelta(days=next(_BIRTHS))
    return Client(fresh_hetu(born), "Testi", "Sääntöasiakas")


@dataclass
class Desk:
    """Helsinki's professional AUTHOR archiving into Helsinki's own register (usage situation 1), with a
    card certificate for AUTHOR and Helsinki's system signature certificate, both from the sandbox CA."""

    kanta: KantaClient
    card: object
    system: object

    def plan(self, **kwargs):
        """A correct client plan (document group 5) of a fresh client in Helsinki's unit, dated now; `kwargs`
        go to `client_document` (custodian=, unit=, ... override the defaults)."""
        defaults = {"custodian": HELSINKI, "unit": HELSINKI_UNIT, "author": AUTHOR, "effective_time": datetime.now(timezone.utc)}
        kwargs.setdefault("client", fresh_client())
        return client_document(**(defaults | kwargs))

    def relationship(self, **kwargs):
        """A correct client-relationship document (document group 1) of a fresh client, dated now."""
        now = datetime.now(timezone.utc)
        kwargs.setdefault("client", fresh_client())
        return client_relationship_document(
            organiser=HELSINKI, relationship_id=new_document_id(HELSINKI.oid), effective_time=now,
            tasks=[TaskGrant("24", HELSINKI_UNIT, ["45"], now.date(), provider_unit=False)], **kwargs)

    def frame(self, doc, *edits: Edit, **kwargs) -> bytes:
        kwargs.setdefault("sender_oid", HELSINKI.oid)
        frame = frame_for(doc, author_person=AUTHOR.frame_person(), author_org=HELSINKI_UNIT.ref(), **kwargs)
        return edited(frame_bytes(frame), *edits)

    def signer(self, doc, kind: str | None = None) -> tuple[object, str]:
        """(signer, kind): the card for a client document, the system key for a client-relationship document."""
        kind = kind or ("system" if doc.local.document_group.code == "1" else "professional")
        return (self.system if kind == "system" else self.card), kind

    def document(self, doc, *edits: Edit, signers: list | None = None) -> bytes:
        """The document with `edits` made before it is signed (by `signers`, default the usual one)."""
        return resign(edited(document_bytes(doc), *edits), signers if signers is not None else [self.signer(doc)])

    def send(self, doc, *, frame: tuple[Edit, ...] = (), document: tuple[Edit, ...] = (), signed: tuple[Edit, ...] = (),
             signers: list | None = None, **frame_kwargs) -> Answer:
        """Archive `doc`: `frame` edits the frame, `document` the document before it is signed, `signed` after."""
        document_part = edited(self.document(doc, *document, signers=signers), *signed)
        return self.kanta.archive(self.frame(doc, *frame, **frame_kwargs), document_part)


@pytest.fixture(scope="module")
def desk(sandbox):
    card = issue_signer(sandbox.pki, "professional", (AUTHOR.given, AUTHOR.family, AUTHOR.registration_number))
    system = issue_signer(sandbox.pki, "system", (HELSINKI.name, HELSINKI.oid))
    with KantaClient(sandbox.url) as kanta:
        yield Desk(kanta, card, system)


# --- reading the answer ----------------------------------------------------------------------------


def _shown(answer: Answer) -> str:
    return f"{answer.ack} {[(d.type_code, d.rule, d.location) for d in answer.details]}"


def detail(answer: Answer, rule: str) -> Detail:
    found = [d for d in answer.details if d.rule == rule]
    assert found, f"{rule} not in the answer: {_shown(answer)}"
    return found[0]


def _located(d: Detail, where: tuple[str, ...], answer: Answer) -> Detail:
    for fragment in where:
        assert fragment in d.location, f"{d.rule} points at {d.location}, not at {fragment}: {_shown(answer)}"
    return d


def refused_by(answer: Answer, rule: str, *where: str) -> Detail:
    """The document was refused (AE) and `rule` is among the errors, pointing at each of `where`."""
    d = detail(answer, rule)
    assert (answer.ack, d.type_code) == ("AE", "E"), _shown(answer)
    return _located(d, where, answer)


def warned_by(answer: Answer, rule: str, *where: str) -> Detail:
    """The document was accepted (AA) with no error and `rule` among the warnings, pointing at each of `where`."""
    d = detail(answer, rule)
    assert (answer.ack, d.type_code, answer.errors) == ("AA", "W", []), _shown(answer)
    return _located(d, where, answer)


# What a warning says when its rule's error is lowered by its basis (mock_kanta.rules.verdicts, docs/verdicts.md).
MODELLED_NOTE = "[Kanta is not known to refuse this; modelled by the sandbox.]"


def warned_as_modelled(answer: Answer, rule: str, *where: str) -> Detail:
    """Accepted (AA) with no error: `rule`, an error of basis modelled, is a warning by default and says so
    (the document is stored: send a fresh one, not `reusable_plan`)."""
    d = warned_by(answer, rule, *where)
    assert MODELLED_NOTE in d.text and "[basis] modelled" in d.text, _shown(answer)
    return d


def clean(answer: Answer) -> None:
    """Accepted with nothing to say."""
    assert (answer.ack, answer.details) == ("AA", ()), _shown(answer)
