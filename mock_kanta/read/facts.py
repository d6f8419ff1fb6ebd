"""The facts the read checks look at, gathered from outside the message: a stored document with the few values
its judgement reads from the CDA on demand, the register world with what a client relationship rests on, and
the reader's card certificate as the sandbox's trust sees it by its clock."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from functools import cached_property

from cryptography import x509
from cryptography.x509.oid import NameOID

from mock_kanta.registers.service import World
from mock_kanta.rules.read.context import Card
from mock_kanta.signing.pki import readable_name
from mock_kanta.store.queries import read as queries
from mock_kanta.wire import safexml
from mock_kanta.wire.paths import NS
from mock_kanta.wire.paths.query import ReadRequest

PROFESSIONAL_CARD = "1"  # the signature description whose policies a professional's card carries


class StoredDocument:
    """A stored row with the few values read from its CDA on demand (matter, general type)."""

    def __init__(self, row: dict):
        self.row = row
        self.document_id = row["document_id"]
        self.register_oid = row["register_oid"]
        self.function_code = row["function_code"]
        self.document_group = row["document_group"]
        self.document_type = row["document_type"]

    def __getitem__(self, key: str):
        return self.row[key]

    @cached_property
    def _root(self):
        return safexml.parse(self.row["document_xml"], max_bytes=1 << 31) if self.row.get("document_xml") else None

    @cached_property
    def matter_id(self) -> str | None:
        el = self._root.find("hl7:componentOf/hl7:encompassingEncounter/hl7:id", NS) if self._root is not None else None
        return el.get("root") if el is not None else None

    @cached_property
    def general_type(self) -> str | None:
        el = self._root.find("hl7:code", NS) if self._root is not None else None
        return el.get("code") if el is not None else None

    def types(self) -> tuple[str | None, ...]:
        specific = self.document_type
        return (specific,) if specific and specific == self.general_type else (specific, self.general_type)


class ReadWorld(World):
    """The register world of a read, with what a client relationship in an organisation's own register rests on."""

    def stored_itself(self, organisation: str, client: str) -> bool:
        return queries.stored_itself(self.store, self.tenant, organisation, client)

    def matters(self, client: str) -> list[dict]:
        return self.store.matters(self.tenant, client)


def read_card(request: ReadRequest, trust, at: datetime) -> Card:
    """The reader's card certificate (hl7fi:authenticationCertificate): its subject, serial and registration
    number, and what the sandbox's trust finds wrong with it as a professional's card at `at`."""
    b64 = request.reader.certificate_b64 if request.reader else None
    if not b64:
        return Card()
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(b64, validate=True))
    except (binascii.Error, ValueError) as exc:
        return Card(unreadable=str(exc))
    serials = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
    return Card(subject=readable_name(cert.subject), serial=f"{cert.serial_number:x}",
                registration_number=str(serials[0]) if serials else None,
                trust=tuple(trust.problems(cert, signed_at=None, arrival=at)),
                policy=trust.policy_problem(cert, PROFESSIONAL_CARD))
