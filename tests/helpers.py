"""Small helpers for tests: send a message, read an acknowledgement, edit a sample."""
from __future__ import annotations

import base64
import random
import re
from datetime import date

from mock_kanta.wire import soap
from mock_kanta.wire.hl7v3 import parse_ack


def post_archive(http, frame: bytes, document: bytes, transport: str = "multipart", tenant: str | None = None):
    if transport == "soap":
        body, content_type = soap.build_soap_swa(frame, document)
    else:
        body, content_type = soap.build_multipart(frame, document)
    headers = {"Content-Type": content_type}
    if tenant:
        headers["X-Mock-Kanta-Tenant"] = tenant
    return http.post("/kanta/shark/arkisto", content=body, headers=headers)


def ack_of(response) -> dict:
    """Parse an acknowledgement, unwrapping a SOAP envelope if there is one."""
    data = response.content
    m = re.search(rb"<soap:Body>(.*)</soap:Body>", data, re.S)
    return parse_ack(m.group(1) if m else data)


def codes(ack: dict, type_code: str | None = None) -> list[str]:
    return [d["code"] for d in ack["details"] if type_code is None or d["type_code"] == type_code]


def replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) >= 1, f"{old!r} not in sample"
    return data.replace(old, new, 1)


_DISPLAY = re.compile(rb'(mediaType="application/xhtml\+xml" representation="B64">)(.*?)(</text>)', re.S)


def fresh_pair(sandbox, name: str, frame: bytes, document: bytes, new_id: str) -> tuple[bytes, bytes]:
    """A sample pair with a new document id, re-signed by a stand-in for its signer (sandbox CA)."""
    from tests.signing import resign

    frame, document = renumber(frame, document, new_id)
    return frame, resign(document, [sandbox.signer_for(name)])


def renumber(frame: bytes, document: bytes, new_id: str) -> tuple[bytes, bytes]:
    """Give a sample pair a fresh document id (and setId): both parts, nonXMLBody@ID and the XHTML id."""
    old = re.search(rb'<id root="([0-9.]+)"\s*/>', document).group(1)
    new = new_id.encode()

    def recode(m: re.Match) -> bytes:
        b64 = re.sub(rb"<!--.*?-->|\s", b"", m.group(2), flags=re.S)
        xhtml = base64.b64decode(b64).replace(old, new)
        return m.group(1) + base64.b64encode(xhtml) + m.group(3)

    return frame.replace(old, new), _DISPLAY.sub(recode, document.replace(old, new))


_ISSUED_HETUS: set[str] = set()


def fresh_hetu(born: date) -> str:
    """An artificial henkilötunnus (900-999) not yet handed out in this test run: the tests share a sandbox,
    and two random numbers on one birth date would collide about once in a hundred."""
    from mock_kanta.client import artificial_hetu

    for number in random.sample(range(900, 1000), 100):
        hetu = artificial_hetu(born, number)
        if hetu not in _ISSUED_HETUS:
            _ISSUED_HETUS.add(hetu)
            return hetu
    raise RuntimeError(f"all 100 test identities born {born} are used in this run")
