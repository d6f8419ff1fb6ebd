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
    # The sandbox's public URL (CRL and CA-issuer URLs of new certificates, client defaults): see _base_url_default.
    base_url: str | None = None
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
        self.database_url = self.database_url or _kept(self.data_dir / DATABASE_URL_FILE)
        self.fixtures_dir = Path(self.fixtures_dir) if self.fixtures_dir else _fixtures_default(self.data_dir)
        self.base_url = (self.base_url or _base_url_default(self.data_dir, self.public_url)).rstrip("/")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / SQLITE_FILE).resolve()}"

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

    @property
    def base_url_file(self) -> Path:
        return self.data_dir / BASE_URL_FILE

    def remember_base_url(self) -> None:
        """Keep the public URL `serve` or `init` chose, for the commands that later open this data directory;
        and the database it uses when that is not the embedded SQLite (owner-only: it may hold a password)."""
        self.base_url_file.write_text(self.base_url + "\n", encoding="utf-8")
        if self.database_url:
            kept = self.data_dir / DATABASE_URL_FILE
            kept.touch(mode=0o600, exist_ok=True)
            kept.chmod(0o600)
            kept.write_text(self.database_url + "\n", encoding="utf-8")

    def prepare(self) -> None:
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise NoSandbox(f"{self.data_dir.resolve()} is a file, not a data directory; give --data-dir a directory")
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def sandbox_problem(self) -> str | None:
        """Why the data directory holds no sandbox (None when it holds one): a command that reads a sandbox
        never makes one; only `mock-kanta serve` and `mock-kanta init` do."""
        where = self.data_dir.resolve()
        make = f"make one with `mock-kanta init --data-dir {self.data_dir}` (or `mock-kanta serve --data-dir {self.data_dir}`)"
        if not self.data_dir.exists():
            return f"no sandbox in {where}: the directory does not exist; {make}, or give the --data-dir of yours"
        if not self.data_dir.is_dir():
            return f"{where} is a file, not a sandbox's data directory; give --data-dir a directory"
        # SQLite: its database file marks a sandbox; with another database (PostgreSQL), its CA does
        marker = self.pki_dir / "root.crt.pem" if self.database_url else self.data_dir / SQLITE_FILE
        if not marker.is_file():
            return f"no sandbox in {where} (no {marker.relative_to(self.data_dir)} there); {make}, or give the " \
                   "--data-dir of yours"
        return None

    def require_sandbox(self) -> "Settings":
        """These settings, if their data directory holds a sandbox; else NoSandbox saying how to make one."""
        problem = self.sandbox_problem()
        if problem:
            raise NoSandbox(problem)
        return self


class NoSandbox(Exception):
    """A command that reads a sandbox was given a data directory that holds none (a command line turns it into
    its plain error: click's ClickException with this text)."""


SQLITE_FILE = "mock-kanta.sqlite3"
BASE_URL_FILE = "base-url"
DATABASE_URL_FILE = "database-url"  # kept by serve/init when MOCK_KANTA_DATABASE_URL names another database


def _kept(path: Path) -> str | None:
    """The first line of a file a command kept in the data directory, or None."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None
DEFAULT_BASE_URL = "http://127.0.0.1:8080"


def _base_url_default(data_dir: Path, public_url: str | None) -> str:
    """MOCK_KANTA_BASE_URL, else the first of MOCK_KANTA_PUBLIC_URL, else the URL `serve`/`init` kept in the
    data directory, else http://127.0.0.1:8080."""
    given = os.environ.get("MOCK_KANTA_BASE_URL") or (public_url or "").split(",")[0].strip()
    if given:
        return given
    kept = data_dir / BASE_URL_FILE
    if kept.is_file():
        text = kept.read_text(encoding="utf-8").strip()
        if text:
            return text
    return DEFAULT_BASE_URL
