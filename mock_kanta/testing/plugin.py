"""The mock-kanta pytest plugin (entry point `pytest11`: loaded by every pytest run where mock-kanta is installed).

Fixtures: `kanta_sandbox` (session), `kanta_tenant`, `kanta_clock`, `kanta_client`, `kanta_signers`,
`kanta_professional_signer`, `kanta_system_signer`; scenario files (`scenario-*.yaml`, `*.scenario.yaml`, or the
ini option `mock_kanta_scenarios`) become test items. docs/pytest.md says how to use them.

Until a fixture or a scenario item is used this module starts nothing and imports nothing of the sandbox: its
parts are imported on first use (`_part`), so test suites that do not use it pay nothing.
"""
from __future__ import annotations

import fnmatch
import importlib
import os
from pathlib import Path

import pytest

DEFAULT_SCENARIO_GLOBS = ("scenario-*.yaml", "scenario-*.yml", "*.scenario.yaml", "*.scenario.yml")


def _part(name: str):
    """`mock_kanta.testing.<name>`, imported on first use (the plugin's own import stays light)."""
    return importlib.import_module(f"mock_kanta.testing.{name}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-kanta", "mock-kanta sandbox (docs/pytest.md)")
    group.addoption("--mock-kanta-inprocess", action="store_true", default=None,
                    help="Run the sandbox's app in the test process (Starlette's test client) instead of a "
                         "`mock-kanta serve` process. Ini: mock_kanta_inprocess = true.")
    group.addoption("--mock-kanta-url", default=None, metavar="URL",
                    help="Use the sandbox already running at URL (started by you; never stopped by the plugin). "
                         "Ini: mock_kanta_url.")
    group.addoption("--mock-kanta-data-dir", default=None, metavar="DIR",
                    help="With --mock-kanta-url: that sandbox's data directory, where signers get their virtual "
                         "cards and scenarios their keys. Ini: mock_kanta_data_dir.")
    group.addoption("--mock-kanta-token", default=None, metavar="TOKEN",
                    help="With --mock-kanta-url, a sandbox with access control on: an admin token (to make and "
                         "delete tenants). Default: env MOCK_KANTA_TOKEN. Ini: mock_kanta_token.")
    group.addoption("--mock-kanta-keep-tenants", action="store_true", default=None,
                    help="Keep each test's tenant (and a started sandbox's data directory) to look at afterwards. "
                         "Ini: mock_kanta_keep_tenants = true.")
    parser.addini("mock_kanta_inprocess", "Run the sandbox's app in the test process.", type="bool", default=False)
    parser.addini("mock_kanta_url", "The URL of an already running sandbox to use.", default="")
    parser.addini("mock_kanta_data_dir", "The data directory of the sandbox at mock_kanta_url.", default="")
    parser.addini("mock_kanta_token", "With mock_kanta_url: an admin token (better: env MOCK_KANTA_TOKEN).", default="")
    parser.addini("mock_kanta_keep_tenants", "Keep each test's tenant afterwards.", type="bool", default=False)
    parser.addini("mock_kanta_scenarios", "Globs of scenario files collected as tests (default: scenario-*.yaml, "
                  "*.scenario.yaml); an empty value turns collection off.", type="args",
                  default=list(DEFAULT_SCENARIO_GLOBS))


def _setting(config: pytest.Config, name: str):
    given = config.getoption(f"--{name.replace('_', '-')}")
    return config.getini(name) if given is None else given


class SessionSandbox:
    """The session's one sandbox, opened on first use (by a fixture or a scenario item), closed at the session's end."""

    def __init__(self, config: pytest.Config):
        url = _setting(config, "mock_kanta_url") or None
        data_dir = _setting(config, "mock_kanta_data_dir") or None
        self.mode = "url" if url else "inprocess" if _setting(config, "mock_kanta_inprocess") else "process"
        self.url, self.keep = url, bool(_setting(config, "mock_kanta_keep_tenants"))
        self.token = _setting(config, "mock_kanta_token") or None
        self.data_dir = Path(data_dir).expanduser().resolve() if data_dir else None
        self._sandbox = None
        self._failure: Exception | None = None  # a sandbox that did not start is not tried again for every test

    def __call__(self):
        if self._failure is not None:
            raise self._failure
        if self._sandbox is None:
            try:
                self._sandbox = self._open()
            except Exception as exc:
                self._failure = exc
                raise
        return self._sandbox

    def _open(self):
        if self.mode == "inprocess":
            return _part("inprocess").InProcessSandbox(keep=self.keep)
        if self.mode == "url":
            return _part("sandbox").RunningSandbox(self.url, self.data_dir, self.token)
        return _part("sandbox").start_process(keep=self.keep)

    def close(self) -> None:
        if self._sandbox is not None:
            sandbox, self._sandbox = self._sandbox, None
            sandbox.close()


_SESSION = pytest.StashKey[SessionSandbox]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SESSION] = SessionSandbox(config)
    config.addinivalue_line("markers", "mock_kanta_scenario: a scenario file run as a test (mock-kanta plugin)")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the sandbox before other plugins look for processes left running; also after failed or interrupted
    runs (a killed run's server gets SIGTERM from the kernel: LocalSandbox's parent-death signal)."""
    session.config.stash[_SESSION].close()


def pytest_unconfigure(config: pytest.Config) -> None:
    holder = config.stash.get(_SESSION, None)
    if holder is not None:  # a session that ended before pytest_sessionfinish
        holder.close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    globs = parent.config.getini("mock_kanta_scenarios")
    if file_path.suffix not in (".yaml", ".yml") or not globs:
        return None
    relative = os.path.relpath(file_path, parent.config.rootpath)
    if any(fnmatch.fnmatch(file_path.name, g) or fnmatch.fnmatch(relative, g) for g in globs):
        return _part("items").ScenarioFile.from_parent(parent, path=file_path, sandbox=parent.config.stash[_SESSION],
                                                       keep_tenant=parent.config.stash[_SESSION].keep)
    return None


# --- fixtures ---


@pytest.fixture(scope="session")
def kanta_sandbox(pytestconfig: pytest.Config):
    """The session's sandbox: `.url`, `.http` (httpx client), `.data_dir`, `.mode` (process, inprocess or url)."""
    return pytestconfig.stash[_SESSION]()


@pytest.fixture
def kanta_tenant(kanta_sandbox, request: pytest.FixtureRequest):
    """A fresh tenant for this test (the fixture organisations, its own clock and registers), deleted afterwards."""
    tenant = _part("tenant").Tenant.create(kanta_sandbox, request.node.name)
    yield tenant
    if not request.config.stash[_SESSION].keep:
        tenant.delete()


@pytest.fixture
def kanta_clock(kanta_tenant):
    """The test tenant's clock: `.now()`, `.set(at)` (frozen), `.advance(days=...)`, `.freeze()`, `.reset()`."""
    return kanta_tenant.clock


@pytest.fixture
def kanta_client(kanta_tenant):
    """A `mock_kanta.client.KantaClient` bound to the test's tenant: `.archive(frame, signed)`, `.validate(...)`."""
    return kanta_tenant.client


@pytest.fixture
def kanta_signers(kanta_sandbox, kanta_tenant):
    """Signers valid at the tenant's clock time: `.professional(person=None, at=None)`, `.system(org=None, at=None)`."""
    return _part("signers").Signers(kanta_sandbox.keys, kanta_tenant.clock)


@pytest.fixture
def kanta_professional_signer(kanta_signers):
    """A fictional professional's virtual card, valid a year either side of the tenant's clock time."""
    return kanta_signers.professional()


@pytest.fixture
def kanta_system_signer(kanta_signers):
    """The fixture organiser's system signature key, valid at the tenant's clock time."""
    return kanta_signers.system()
