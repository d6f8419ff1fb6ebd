"""The sandbox's app in the test process (`--mock-kanta-inprocess`): `create_app` behind Starlette's test client,
no port and no server process. Kept apart from `sandbox.py` so the other modes never import the web stack."""
from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

from mock_kanta.settings import Settings
from mock_kanta.testing.sandbox import Sandbox

with warnings.catch_warnings():  # the web stack's deprecation notes (starlette's test client, jsonschema) are not
    warnings.simplefilter("ignore")  # the vendor's to fix: kept out of their test report
    from starlette.testclient import TestClient

    from mock_kanta.app import create_app


class InProcessSandbox(Sandbox):
    """`url` is the test client's `http://testserver`; `http` is that test client (an httpx.Client)."""

    mode = "inprocess"

    def __init__(self, *, keep: bool = False):
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="mock-kanta-pytest-"))
        try:
            app = create_app(Settings(data_dir=self.root / "var", database_url=None, tls=False))
            client = TestClient(app, raise_server_exceptions=False)
            client.__enter__()  # one event loop (and the app's lifespan) for the whole session
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        super().__init__(str(client.base_url), client, self.root / "var")

    def close(self) -> None:
        try:
            self.http.__exit__(None, None, None)
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)

