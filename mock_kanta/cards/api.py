"""Control API: virtual cards and system keys, their PKCS#12 export and PKCS#11 route (api/cards.yaml,
mounted at /api/v1/cards). The cards live in the data directory and are shared by every tenant."""
from __future__ import annotations

from flask import Response, abort

from mock_kanta.api.common import JSON, current_services
from mock_kanta.cards import export
from mock_kanta.signing.cards import DEFAULT_SYSTEM_NAME, CardError, CardLocked, CardStore, UnknownCard, WrongPin
from mock_kanta.signing.pki import ProfileError

PKCS12 = "application/x-pkcs12"


def _cards() -> CardStore:
    services = current_services()
    return CardStore(services.settings.data_dir, services.pki)


def _refused(error: Exception):
    """The HTTP answer to a card error: 404 unknown, 403 PIN, 409 not exportable or exists, 400 otherwise."""
    if isinstance(error, UnknownCard):
        abort(404, str(error))
    if isinstance(error, (WrongPin, CardLocked)):
        abort(403, str(error))
    if isinstance(error, CardError):  # NotExportable, or a system key that exists
        abort(409, str(error))
    abort(400, str(error))


def list_cards():
    return [c.to_json() for c in _cards().list()], 200, JSON


def get_card(cardId: str):
    try:
        return _cards().get(cardId).to_json(with_certificate=True), 200, JSON
    except UnknownCard as error:
        _refused(error)


def issue_card(body: dict):
    try:
        card = _cards().issue(body["type"], body["given"].strip(), body["family"].strip(),
                              registration_number=body.get("registrationNumber"), title=body.get("title"),
                              pin=body.get("pin", "1234"), exportable=body.get("exportable", False))
    except (ProfileError, ValueError) as error:
        abort(400, str(error))
    return card.to_json(), 201, JSON


def export_card(cardId: str, body: dict):
    try:
        data = export.card_pkcs12(_cards(), cardId, body["pin"], body["password"])
    except (CardError, export.ExportError) as error:
        _refused(error)
    return _pkcs12(data, f"mock-kanta-TEST-card-{cardId}.p12")


def card_pkcs11(cardId: str):
    try:
        return export.card_pkcs11(_cards(), cardId), 200, JSON
    except UnknownCard as error:
        _refused(error)


def list_systems():
    return [k.to_json() for k in _cards().system_keys()], 200, JSON


def get_system(orgOid: str):
    try:
        return _cards().system_key(orgOid).to_json(with_certificate=True), 200, JSON
    except UnknownCard as error:
        _refused(error)


def issue_system_key(body: dict):
    try:
        key = _cards().issue_system_key(body["orgOid"], body["orgName"], body.get("systemName") or DEFAULT_SYSTEM_NAME,
                                        exportable=body.get("exportable", False), replace=body.get("replace", False))
    except (CardError, ProfileError, ValueError) as error:
        _refused(error)
    return key.to_json(), 201, JSON


def export_system(orgOid: str, body: dict):
    try:
        data = export.system_pkcs12(_cards(), orgOid, body["password"])
    except (CardError, export.ExportError) as error:
        _refused(error)
    return _pkcs12(data, f"mock-kanta-TEST-system-{orgOid}.p12")


def system_pkcs11(orgOid: str):
    try:
        return export.system_pkcs11(_cards(), orgOid), 200, JSON
    except UnknownCard as error:
        _refused(error)


def _pkcs12(data: bytes, filename: str) -> Response:
    return Response(data, status=200, content_type=PKCS12,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})
