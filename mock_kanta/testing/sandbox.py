"""The test session's sandbox: a real `mock-kanta serve` process (the default) or one already running at a URL
(`inprocess.py`: the app in this process). Each offers `url`, `http` (an httpx client for that URL), `data_dir`
(where its virtual cards and CA live; None for a running sandbox not given one) and `close()`."""
from __future__ import annotations

from pathlib import Path

import httpx

from mock_kanta.scenario.keys import Keys
from mock_kanta.scenario.run import bearer
from mock_kanta.scenario.sandbox import LocalSandbox

TIMEOUT = 60.0


class SandboxError(RuntimeError):
    """The sandbox could not be started or reached, or lacks what a fixture needs (the message says what)."""


class Sandbox:
    mode = ""

    def __init__(self, url: str, http: httpx.Client, data_dir: Path | None):
        self.url, self.http, self.data_dir = url.rstrip("/"), http, data_dir
        self._keys: Keys | None = None

    @property
    def keys(self) -> Keys:
        """The virtual cards and system keys of the sandbox's data directory (mock_kanta.scenario.keys)."""
        if self._keys is None:
            if self.data_dir is None:
                raise SandboxError(f"signers and scenarios need the data directory of the sandbox at {self.url} (its "
                                   "virtual cards and CA live there): give --mock-kanta-data-dir or the ini option "
                                   "mock_kanta_data_dir")
            self._keys = Keys(self.data_dir)
        return self._keys

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"<mock-kanta sandbox ({self.mode}) at {self.url}>"


class ProcessSandbox(Sandbox):
    """`mock-kanta serve` on a free loopback port with a temporary data directory (`LocalSandbox`). The process
    gets SIGTERM when the test run's process dies, however it died."""

    mode = "process"

    def __init__(self, *, keep: bool = False):
        self.box = LocalSandbox(keep=keep).start()
        super().__init__(self.box.url, httpx.Client(base_url=self.box.url, timeout=TIMEOUT), self.box.data_dir)

    @property
    def pid(self) -> int | None:
        return self.box.proc.pid if self.box.proc else None

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.box.stop()


class RunningSandbox(Sandbox):
    """A sandbox someone else started (`--mock-kanta-url`); never stopped by the plugin. A sandbox with access
    control on gets `token` (else MOCK_KANTA_TOKEN) as `Authorization: Bearer` on every request."""

    mode = "url"

    def __init__(self, url: str, data_dir: Path | None, token: str | None = None):
        http = httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT, headers=bearer(token))
        try:
            status = http.get("/healthz").status_code
        except httpx.TransportError as exc:
            http.close()
            raise SandboxError(f"no sandbox answers at {url} ({type(exc).__name__}: {exc})") from None
        if status != 200:
            http.close()
            raise SandboxError(f"the sandbox at {url} answers GET /healthz with HTTP {status}")
        if data_dir is not None and not (Path(data_dir) / "pki").is_dir():
            http.close()
            raise SandboxError(f"{data_dir} holds no sandbox (no pki/): give the data directory of the sandbox at {url}")
        super().__init__(url, http, Path(data_dir) if data_dir is not None else None)


def start_process(*, keep: bool = False) -> ProcessSandbox:
    try:
        return ProcessSandbox(keep=keep)
    except RuntimeError as exc:
        raise SandboxError(f"the mock-kanta sandbox did not start: {exc}") from None
