"""The document body's rules (SH-BODY, SH-CTX-003) fired through the archive interface: a correct document
of the client library with its nonXMLBody (display form, structured JSON form) or the local header's
format codes edited, signed again and sent. Only SH-BODY-001 is of basis kanta (the CDA R2 schema); the others
are the sandbox's reading of the standard, known from its contents list only: warnings (docs/verdicts.md)."""
from __future__ import annotations

import json

import pytest

from tests.rulecases import (
    BODY,
    LSH,
    Edit,
    clean,
    drop,
    fresh_client,
    payload,
    put,
    refused_by,
    text,
    warned_as_modelled,
    warned_by,
)

DISPLAY, STRUCTURED = f"{BODY}/hl7:text", f"{BODY}/hl7fi:json"


def structured(change) -> Edit:
    """An edit of the structured form: `change` gets the decoded JSON and returns the new one."""
    return payload(STRUCTURED, lambda raw: json.dumps(change(json.loads(raw)), ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("kind", ["plan", "relationship"])
def test_the_correct_bodies_raise_no_finding(desk, kind):
    clean(desk.send(getattr(desk, kind)()))


def test_document_that_lost_its_body_after_signing_is_refused(desk, reusable_plan):
    """Signing needs the body, so it is taken out of the signed document (the signature breaks with it)."""
    refused_by(desk.send(reusable_plan, signed=(drop(BODY),)), "SH-BODY-001", "nonXMLBody")


@pytest.mark.parametrize("attribute, value", [("mediaType", "text/html"), ("representation", "TXT")])
def test_display_form_of_another_type_is_accepted_with_a_warning(desk, attribute, value):
    d = warned_as_modelled(desk.send(desk.plan(), document=(put(DISPLAY, **{attribute: value}),)), "SH-BODY-003", "text")
    assert value in d.text


def test_display_form_that_is_not_base64_is_accepted_with_a_warning(desk):
    answer = desk.send(desk.plan(), document=(text(DISPLAY, "Tämä ei ole Base64-koodattu näyttömuoto!"),))
    warned_as_modelled(answer, "SH-BODY-004", "text")


@pytest.mark.parametrize("change, shown", [
    (lambda xhtml: xhtml.replace(b'class="soc-document"', b'class="document"', 1), 'class=document'),
    (lambda xhtml: xhtml.replace(b' id="OID', b' id="X', 1), "id=X"),
], ids=["root class", "root id"])
def test_display_form_outside_the_thl_template_is_accepted_with_a_warning(desk, change, shown):
    d = warned_by(desk.send(desk.plan(), document=(payload(DISPLAY, change),)), "SH-BODY-006", "text")
    assert shown in d.text


def test_pdf_display_form_that_is_not_a_pdf_is_accepted_with_a_warning(desk):
    answer = desk.send(desk.plan(display_format="pdf", pdf=b"GIF89a: a picture, not a PDF"))
    warned_as_modelled(answer, "SH-BODY-007", "text")


@pytest.mark.parametrize("kind", ["plan", "relationship"])
def test_document_without_its_structured_form_is_accepted_with_a_warning(desk, kind):
    """A client document always needs it; a client-relationship document because its structuredFileFormat says JSON."""
    warned_as_modelled(desk.send(getattr(desk, kind)(), document=(drop(STRUCTURED),)), "SH-BODY-010", "json")


def test_structured_form_with_two_roots_is_accepted_with_a_warning(desk):
    d = warned_by(desk.send(desk.plan(), document=(structured(lambda data: {**data, "liite": {}}),)), "SH-BODY-012", "json")
    assert "liite" in d.text


def test_structured_form_about_another_client_is_accepted_with_a_warning(desk):
    doc, other = desk.plan(), fresh_client().hetu
    shown = doc.client.id.extension
    answer = desk.send(doc, document=(payload(STRUCTURED, lambda raw: raw.replace(shown.encode(), other.encode())),))
    d = warned_by(answer, "SH-BODY-013", "json")
    assert other in d.text and shown in d.text


def test_structured_form_without_its_format_code_is_accepted_with_a_warning(desk):
    answer = desk.send(desk.plan(), document=(drop(f"{LSH}/hl7fi:structuredFileFormat"),))
    warned_as_modelled(answer, "SH-BODY-015", "structuredFileFormat")


def test_social_service_outside_the_sandboxs_list_is_accepted_with_a_warning(desk):
    d = warned_by(desk.send(desk.plan(social_services=[("9999", "Tuntematon palvelu")])), "SH-CTX-003", "json")
    assert "9999" in d.text
