"""The UI's session cookie after a login with a token: `<token id>.<hash prefix>.<issued>.<signature>`.

Signed with a key derived from the admin token's hash (never sent anywhere), so a new admin token ends every
session; the token's hash prefix ties the session to that very token, so revoking it ends its sessions too.
The cookie holds no secret: stolen, it only works until it expires or its token is revoked."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

COOKIE = "mk_auth"
MAX_AGE = 12 * 3600


def _key(admin_hash: str) -> bytes:
    return hashlib.sha256(b"mock-kanta session\0" + admin_hash.encode()).digest()


def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def cookie_value(admin_hash: str, token_id: str, hash_prefix: str, now: float | None = None) -> str:
    payload = f"{token_id}.{hash_prefix}.{int(now if now is not None else time.time())}"
    return f"{payload}.{_sign(_key(admin_hash), payload)}"


def read_cookie(admin_hash: str, value: str, now: float | None = None) -> tuple[str, str] | None:
    """(token id, hash prefix) of a valid, unexpired cookie value; None otherwise."""
    parts = value.split(".")
    if len(parts) != 4 or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(_key(admin_hash), payload), parts[3]):
        return None
    age = (now if now is not None else time.time()) - int(parts[2])
    if not 0 <= age <= MAX_AGE:
        return None
    return parts[0], parts[1]


def cookie_header(value: str, *, secure: bool, max_age: int = MAX_AGE) -> str:
    """A Set-Cookie header value: HttpOnly, SameSite=Strict, Path=/, Secure under TLS."""
    return (f"{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict"
            + ("; Secure" if secure else ""))
