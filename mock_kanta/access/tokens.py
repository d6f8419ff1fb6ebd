"""Roles, the principal a request acts as, and the token secrets (only their SHA-256 hashes are kept)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum

TOKEN_PREFIX = "mkt_"  # so a token is recognisable in a log or a secret scanner


class Role(str, Enum):
    admin = "admin"  # every tenant; tenant create and delete, audit purge, every token
    trainer = "trainer"  # its tenant: archive, reset, clock, trainer controls, its viewer tokens
    viewer = "viewer"  # its tenant, read only

    @property
    def changes(self) -> bool:
        return self is not Role.viewer


TENANT_ROLES = (Role.trainer, Role.viewer)


@dataclass(frozen=True)
class Principal:
    role: Role
    tenant: str | None  # None: every tenant (admin)
    token_id: str  # "admin" for the admin token; "mtls:<org>" for a client certificate
    via: str = "token"  # token | session | mtls

    @property
    def admin(self) -> bool:
        return self.role is Role.admin

    def reaches(self, tenant: str) -> bool:
        return self.tenant is None or self.tenant == tenant


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_token_id() -> str:
    return "tok-" + secrets.token_hex(6)


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
