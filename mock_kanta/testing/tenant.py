"""A fresh tenant per test, made and deleted through the control API, with its clock and a client bound to it."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

import httpx

from mock_kanta.client import KantaClient
from mock_kanta.client.sender import TENANT_HEADER
from mock_kanta.testing.sandbox import Sandbox, SandboxError

TENANTS_PATH = "/api/v1/tenants"


def tenant_id_for(label: str) -> str:
    """t-<label as lower-case words>-<6 hex>: within the tenants API's [a-z0-9][a-z0-9-]{0,62}."""
    stem = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:48] or "test"
    return f"t-{stem}-{secrets.token_hex(3)}"


class TenantClock:
    """The tenant's sandbox clock: read it, set it (frozen unless told), move it on, back to real time."""

    def __init__(self, client: KantaClient):
        self._client = client

    def state(self) -> dict:
        """{"now", "mode", ...} as GET /api/v1/clock answers."""
        return self._client.clock()

    def now(self) -> datetime:
        return datetime.fromisoformat(self.state()["now"])

    def set(self, at: datetime | str, *, frozen: bool = True) -> datetime:
        """Set the time (an aware datetime or ISO 8601 text); frozen there unless `frozen=False`. The new now."""
        return datetime.fromisoformat(self._client.clock_set(at, frozen=frozen)["now"])

    def freeze(self) -> datetime:
        """Stop the clock where it is now."""
        return self.set(self.now(), frozen=True)

    def advance(self, **delta: float) -> datetime:
        """Move the time on (days=, hours=, minutes=, seconds=; negative values move it back). The new now."""
        return datetime.fromisoformat(self._client.clock_advance(**delta)["now"])

    def reset(self) -> datetime:
        """Back to real time."""
        return datetime.fromisoformat(self._client.clock_reset()["now"])


class Tenant:
    """One tenant of the sandbox: `id`, `client` (archive, validate), `clock`, and `api()` for control calls in it."""

    def __init__(self, sandbox: Sandbox, tenant_id: str):
        self.sandbox, self.id = sandbox, tenant_id
        self.url = sandbox.url
        self.client = KantaClient(sandbox.url, tenant=tenant_id, http=sandbox.http)
        self.clock = TenantClock(self.client)

    @classmethod
    def create(cls, sandbox: Sandbox, label: str) -> "Tenant":
        """A new tenant (the fixture organisations, units and matters; a real-time clock; empty registers)."""
        tenant_id = tenant_id_for(label)
        response = sandbox.http.post(TENANTS_PATH, json={"id": tenant_id, "name": label[:200] or tenant_id})
        if response.status_code != 201:
            hint = (" (the sandbox wants an admin token: give --mock-kanta-token or env MOCK_KANTA_TOKEN)"
                    if response.status_code in (401, 403) else "")
            raise SandboxError(f"could not create tenant {tenant_id}: HTTP {response.status_code} "
                               f"{response.text[:300]}{hint}")
        return cls(sandbox, tenant_id)

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        """A control API call in this tenant, e.g. `tenant.api("GET", "/api/v1/traffic")`."""
        headers = {**kwargs.pop("headers", {}), TENANT_HEADER: self.id}
        return self.sandbox.http.request(method, path, headers=headers, **kwargs)

    def exists(self) -> bool:
        return self.sandbox.http.get(f"{TENANTS_PATH}/{self.id}").status_code == 200

    def delete(self) -> None:
        """Delete the tenant and everything in it (gone already is fine)."""
        response = self.sandbox.http.delete(f"{TENANTS_PATH}/{self.id}")
        if response.status_code not in (204, 404):
            raise SandboxError(f"could not delete tenant {self.id}: HTTP {response.status_code} {response.text[:300]}")

    def __repr__(self) -> str:
        return f"<mock-kanta tenant {self.id} at {self.url}>"
