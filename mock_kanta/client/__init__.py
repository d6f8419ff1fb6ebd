"""The Python client library: build Kanta social welfare documents, frame, sign, send, read answers.

    from mock_kanta.client import *
    doc = client_document(custodian=org, unit=unit, author=pro, client=cli, effective_time=now)
    signed = signed_bytes(doc, [(card_signer, "professional")])
    frame = frame_for(doc, sender_oid=org.oid, author_person=pro.frame_person(), author_org=unit.ref())
    answer = KantaClient("http://127.0.0.1:8080").archive(frame, signed)

Against a sandbox with access control on, give `token=` (or set MOCK_KANTA_TOKEN): it is sent as
`Authorization: Bearer` by KantaClient and QueryClient; `auth_headers()` gives the header for other calls.
"""
from mock_kanta.client.auth import auth_headers
from mock_kanta.client.documents import (
    AUTO,
    SOFTWARE,
    STRUCTURES,
    Structure,
    client_document,
    client_relationship_document,
    document_bytes,
    frame_bytes,
    frame_for,
    replaces_of,
    signed_bytes,
)
from mock_kanta.client.ids import new_document_id, new_message_number
from mock_kanta.client.parties import Client, Org, Professional, TaskGrant, Unit, artificial_hetu
from mock_kanta.client.sender import Answer, Detail, KantaClient, KantaClientError, ValidationAnswer, parse_answer

__all__ = [
    "AUTO", "Answer", "auth_headers", "Client", "Detail", "KantaClient", "KantaClientError", "Org", "Professional", "SOFTWARE", "STRUCTURES",
    "Structure", "TaskGrant", "Unit", "ValidationAnswer", "artificial_hetu", "client_document",
    "client_relationship_document", "document_bytes", "frame_bytes", "frame_for", "new_document_id",
    "new_message_number", "parse_answer", "replaces_of", "signed_bytes",
]
