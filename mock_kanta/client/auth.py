"""The token a client sends to a sandbox with access control on (docs/shared-sandbox.md)."""
from __future__ import annotations

import os

TOKEN_ENV = "MOCK_KANTA_TOKEN"


def token_or_env(token: str | None) -> str | None:
    """`token`, else MOCK_KANTA_TOKEN, else None (a sandbox without access control needs none)."""
    return token or os.environ.get(TOKEN_ENV) or None


def auth_headers(token: str | None = None) -> dict:
    """{"Authorization": "Bearer <token>"} for `token` or MOCK_KANTA_TOKEN; {} when there is neither."""
    chosen = token_or_env(token)
    return {"Authorization": f"Bearer {chosen}"} if chosen else {}
