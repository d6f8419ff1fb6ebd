"""One Settings object: defaults for the embedded sandbox, overridable by environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mock_kanta.core.resources import builtin

# The acknowledgement's sender and the HL7 code system of rule ids. The rule code
# system is a UUID-derived OID (ITU-T X.667, arc 2.25) owned by this project.
KANTA_SH_DEVICE = "1.2.246.556.18007.2"
RULES_CODE_SYSTEM = "2.25.329800735698586629295641978511506172918"


def _fixtures_default(data_dir: Path) -> Path:
    """`MOCK_KANTA_FIXTURES`, else `<data-dir>/fixtures/` when it exists, else the package's built-in fixtures."""
    if os.environ.get("MOCK_KANTA_FIXTURES"):
        return Path(os.environ["MOCK_KANTA_FIXTURES"])
    own = data_dir / "fixtures"
    return own if own.is_dir() else builtin("fixtures")


def _flag(value: str | None) -> bool | None:
    """"1"/"true"/"yes"/"on" True, "0"/"false"/"no"/"off" False, unset or empty None."""
    if not value:
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("MOCK_KANTA_DATA_DIR", "var")))
    database_url: str | None = field(default_factory=lambda: os.environ.get("MOCK_KANTA_DATABASE_URL"))
    fixtures_dir: Path | None = None  # None: see _fixtures_default
    max_body_bytes: int = field(default_factory=lambda: int(os.environ.get("MOCK_KANTA_MAX_BODY_BYTES", 16 * 1024 * 1024)))
    default_tenant: str = "default"
    sqlite_synchronous: str = field(default_factory=lambda: os.environ.get("MOCK_KANTA_SQLITE_SYNCHRONOUS", "FULL"))
    tls: bool = field(default_factory=lambda: os.environ.get("MOCK_KANTA_TLS") == "1")  # set by serve --tls
    base_url: str = field(default_factory=lambda: os.environ.get("MOCK_KANTA_BASE_URL", "http://127.0.0.1:8080"))
    # Access control (mock_kanta.access, docs/shared-sandbox.md): None until `serve` decides (on beyond loopback).
    auth: bool | None = field(default_factory=lambda: _flag(os.environ.get("MOCK_KANTA_AUTH")))
    admin_token: str | None = field(default_factory=lambda: os.environ.get("MOCK_KANTA_ADMIN_TOKEN") or None)
    # The address(es) people and systems use, comma-separated; Host and Origin are checked against them.
    public_url: str | None = field(default_factory=lambda: os.environ.get("MOCK_KANTA_PUBLIC_URL") or None)
    # How often a worker asks the database whether tokens changed in another process (seconds).
    auth_recheck_seconds: float = field(default_factory=lambda: float(os.environ.get("MOCK_KANTA_AUTH_RECHECK", "1.0")))
    # A PEM bundle of extra trusted CA or pinned end-entity certificates (e.g. DVV TEST material).
    extra_trust_path: Path | None = field(
        default_factory=lambda: Path(os.environ["MOCK_KANTA_EXTRA_TRUST"]) if os.environ.get("MOCK_KANTA_EXTRA_TRUST") else None
    )

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.fixtures_dir = Path(self.fixtures_dir) if self.fixtures_dir else _fixtures_default(self.data_dir)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mock-kanta.sqlite3').resolve()}"

    @property
    def auth_on(self) -> bool:
        return bool(self.auth)

    @property
    def public_urls(self) -> list[str]:
        """The sandbox's public addresses: MOCK_KANTA_PUBLIC_URL (comma-separated), else MOCK_KANTA_BASE_URL."""
        given = self.public_url or self.base_url
        return [u.strip().rstrip("/") for u in given.split(",") if u.strip()]

    @property
    def tls_dir(self) -> Path:
        return self.data_dir / "tls"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def codes_override_dir(self) -> Path:
        return self.data_dir / "codes"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
