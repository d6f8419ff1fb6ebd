"""Data for the UI tests, built with `mock_kanta.client` in the tenant `ui-tests` (fresh clients only).

Helsinki's own documents (no provider timeline: any day works) and Keusote's
client-relationship documents (need the tenant's clock on or after 1.9.2026).
"""
from __future__ import annotations

import base64
import dataclasses
import itertools
from datetime import date, datetime

from mock_kanta.client import (
    Client,
    Professional,
    TaskGrant,
    Unit,
    artificial_hetu,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
    replaces_of,
    signed_bytes,
)
from tests.parties import HELSINKI, HELSINKI_UNIT, HKI, HYVINKAA, KEUSOTE, KEUSOTE_UNIT, TUUSULA  # noqa: F401 (re-exported)

WORKER = Professional("25100000911", "Ulla", "Käyttöliittymä", title="sosiaalityöntekijä")
OFFICER = Professional("25100000912", "Kalle", "Keusotelainen", title="sosiaalityöntekijä")
PROHIBITED = ("2", "Alaikäinen kieltää asiakirjan luovuttamisen huoltajille")
# Individual numbers 900-999: the tenant is the UI tests' alone, so counting up from 900 is enough.
_NUMBERS = itertools.count(900)


def person(born: date, given: str, family: str) -> Client:
    return Client(artificial_hetu(born, next(_NUMBERS)), given, family)


def helsinki_plan(client: Client, *, when: datetime | None = None, **kwargs):
    return client_document(custodian=HELSINKI, unit=HELSINKI_UNIT, author=WORKER, client=client,
                           effective_time=when or datetime.now(HKI), **kwargs)


def archive_helsinki(ui, doc):
    """Archive a Helsinki document signed by the worker's key; AA expected."""
    frame = frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(), author_org=HELSINKI_UNIT.ref())
    answer = ui.kanta.archive(frame, signed_bytes(doc, [ui.worker]))
    assert (answer.ack, list(answer.errors)) == ("AA", []), answer.details
    return doc


def grant_keusote(ui, client: Client, grants: list[tuple[Unit, date, date | None]], *, when: datetime):
    """Keusote archives the client's client-relationship document naming provider units; AA expected."""
    tasks = [TaskGrant("24", KEUSOTE_UNIT, ["45"], grants[0][1], provider_unit=False)]
    tasks += [TaskGrant("24", unit, ["45"], start, end) for unit, start, end in grants]
    doc = client_relationship_document(organiser=KEUSOTE, client=client, effective_time=when,
                                       relationship_id=new_document_id(KEUSOTE.oid), tasks=tasks)
    frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref())
    answer = ui.kanta.archive(frame, signed_bytes(doc, [ui.keusote]))
    assert (answer.ack, list(answer.errors)) == ("AA", []), answer.details
    return doc


def with_display(doc, xhtml: bytes):
    """The document with another XHTML display form (before signing)."""
    return dataclasses.replace(doc, body=dataclasses.replace(doc.body, display_b64=base64.b64encode(xhtml).decode("ascii")))


def hostile_display(document_id: str) -> bytes:
    """A display form that tries to run code three ways: a script, an onerror handler, a javascript: link."""
    act = "document.title='pwned';document.documentElement.setAttribute('data-pwned','{how}');fetch('/healthz?pwned={how}')"
    return (
        '<div xmlns="http://www.w3.org/1999/xhtml" class="soc-document" id="OID' + document_id + '">'
        '<div class="soc-header"><div class="soc-logo"></div><div class="soc-hdr1">Helsingin sosiaali- ja terveystoimi</div>'
        '<div class="soc-hdr2">Asiakassuunnitelma</div><div class="soc-hdr3">1.1.2026</div></div>'
        '<div class="soc-main-wrapper"><h1 class="soc-fulltitle">Näyttömuoto, jossa on skripti</h1>'
        f'<script>{act.format(how="script")}</script>'
        f'<img src="x" alt="kuva" onerror="{act.format(how="onerror")}"/>'
        f'<p><a id="js-link" href="javascript:{act.format(how="link")}">linkki</a></p>'
        '</div><div class="soc-footer"></div></div>'
    ).encode("utf-8")


def replace(ui, previous, client: Client):
    return archive_helsinki(ui, helsinki_plan(client, matter_id=previous.matter.id.root, replaces=replaces_of(previous)))
