"""A store on a real SQLite file, reached both ways the store knows: raw sqlite3 on its hot path (the file's
URL), and SQLAlchemy throughout (the same kind of file opened by URI, as any other database would be)."""
from __future__ import annotations

import pytest

from mock_kanta.store import Store
from mock_kanta.store.sessions import DirectDatabase, EngineDatabase


@pytest.fixture(params=["direct", "engine"])
def store(tmp_path, request) -> Store:
    path = tmp_path / "store.sqlite3"
    s = Store(f"sqlite:///{path}" if request.param == "direct" else f"sqlite:///file:{path}?uri=true")
    assert isinstance(s.hot, DirectDatabase if request.param == "direct" else EngineDatabase)
    s.create_schema()
    s.ensure_tenant("t1")
    return s
