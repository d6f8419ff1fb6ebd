"""`Access`: the admin token, the tenants' tokens and the per-process cache the gate asks.

A request costs one hash and one dict lookup. Each worker keeps every active token's hash in a dict and
re-reads it only when the tokens' generation (one row, bumped by every change) has moved: asked at most once per
`auth_recheck_seconds` for a known token, and at once for an unknown one (at most every `MISS_RECHECK` seconds),
so a token made in another process works at once and a revoked one stops within the recheck interval (at once in
the process that revoked it)."""
from __future__ import annotations

import hmac
import os
import threading
import time
from pathlib import Path

from mock_kanta.access.tokens import TENANT_ROLES, Principal, Role, hash_of, new_secret, new_token_id
from mock_kanta.store.queries import access as rows

ADMIN_TOKEN_FILE = "admin-token"
ADMIN = Principal(Role.admin, None, "admin")
MISS_RECHECK = 0.05
MIN_ADMIN_TOKEN = 16


class AccessError(ValueError):
    """A token request that cannot be met (unknown tenant, wrong role): the face answers 400 or 404."""


def ensure_admin_token(settings) -> tuple[str, bool]:
    """(the admin token, whether it was made now): MOCK_KANTA_ADMIN_TOKEN, else `<data-dir>/admin-token`
    (mode 0600), made at the first start (atomically: the first process wins)."""
    if settings.admin_token:
        if len(settings.admin_token) < MIN_ADMIN_TOKEN:
            raise AccessError(f"MOCK_KANTA_ADMIN_TOKEN is too short: give at least {MIN_ADMIN_TOKEN} characters")
        return settings.admin_token, False
    path = Path(settings.data_dir) / ADMIN_TOKEN_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = new_secret()
    tmp = path.with_name(f".{ADMIN_TOKEN_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    try:
        os.link(tmp, path)
        made = True
    except FileExistsError:
        made = False
    finally:
        tmp.unlink()
    return (secret, True) if made else (path.read_text(encoding="utf-8").strip(), False)


def current_admin_token(settings) -> str | None:
    """The admin token without making one: MOCK_KANTA_ADMIN_TOKEN, else the file if there is one."""
    path = Path(settings.data_dir) / ADMIN_TOKEN_FILE
    return settings.admin_token or (path.read_text(encoding="utf-8").strip() if path.exists() else None)


class Access:
    def __init__(self, store, settings):
        """With auth on, the admin token is made if there is none; with auth off, none is made (and no secret
        matches the admin hash then)."""
        self.store, self.settings = store, settings
        admin = ensure_admin_token(settings)[0] if settings.auth_on else current_admin_token(settings)
        self.admin_hash = hash_of(admin) if admin else "!" + new_secret()
        self._by_hash: dict[str, Principal] = {}
        self._hash_by_id: dict[str, str] = {}
        self._generation: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    # --- the gate's questions ---

    def cached(self, secret: str) -> tuple[Principal | None, bool]:
        """(the principal of `secret` as cached, whether the cache should be refreshed before believing it)."""
        digest = hash_of(secret)
        if hmac.compare_digest(digest, self.admin_hash):
            return ADMIN, False
        found = self._by_hash.get(digest)
        age = time.monotonic() - self._checked
        return found, age >= (self.settings.auth_recheck_seconds if found else MISS_RECHECK)

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of a bearer token, or None (refreshing the cache when due)."""
        found, stale = self.cached(secret)
        if stale:
            self.refresh()
            found, _ = self.cached(secret)
        return found

    def session_principal(self, token_id: str, hash_prefix: str) -> Principal | None:
        """The principal a UI session stands for, if its token is still active (and the same token)."""
        if time.monotonic() - self._checked >= self.settings.auth_recheck_seconds:
            self.refresh()
        digest = self.admin_hash if token_id == ADMIN.token_id else self._hash_by_id.get(token_id)
        if not digest or not hmac.compare_digest(digest[:len(hash_prefix)], hash_prefix) or len(hash_prefix) < 16:
            return None
        principal = ADMIN if token_id == ADMIN.token_id else self._by_hash.get(digest)
        return Principal(principal.role, principal.tenant, principal.token_id, "session") if principal else None

    def hash_prefix(self, secret: str) -> str:
        return hash_of(secret)[:16]

    def refresh(self) -> None:
        """Re-read the active tokens if their generation moved (one small query otherwise)."""
        with self._lock:
            generation = rows.generation(self.store)
            if generation != self._generation:
                found = rows.active_tokens(self.store)
                self._by_hash = {r["hash"]: Principal(Role(r["role"]), r["tenant"], r["id"]) for r in found}
                self._hash_by_id = {r["id"]: r["hash"] for r in found}
                self._generation = generation
            self._checked = time.monotonic()

    def _changed(self) -> None:
        self._checked = float("-inf")

    # --- token management (the control API and the CLI) ---

    def create_token(self, tenant: str, role: str, label: str = "") -> dict:
        """A new token of `tenant`: {id, tenant, role, label, token}; the secret is shown only here."""
        try:
            chosen = Role(role)
        except ValueError:
            raise AccessError(f"role {role!r} is not one of {', '.join(r.value for r in TENANT_ROLES)}") from None
        if chosen not in TENANT_ROLES:
            raise AccessError(f"a tenant's token is {' or '.join(r.value for r in TENANT_ROLES)}, not {role}")
        row = self.store.tenant(tenant)
        if row is None:
            raise LookupError(f"No tenant {tenant}.")
        secret, token_id = new_secret(), new_token_id()
        rows.add_token(self.store, {"id": token_id, "tenant": tenant, "tenant_created_at": row["created_at"],
                                    "role": chosen.value, "label": label[:200], "hash": hash_of(secret)})
        self._changed()
        return {**rows.token(self.store, tenant, token_id), "token": secret}

    def tokens(self, tenant: str) -> list[dict]:
        return rows.tokens(self.store, tenant)

    def token(self, tenant: str, token_id: str) -> dict | None:
        return rows.token(self.store, tenant, token_id)

    def revoke(self, tenant: str, token_id: str | None = None) -> int:
        """Revoke one token of the tenant (None: all); how many were revoked."""
        count = rows.revoke(self.store, tenant, token_id)
        self._changed()
        return count
