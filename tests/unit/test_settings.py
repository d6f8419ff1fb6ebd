"""Settings a command reads from the data directory that serve or init kept there."""
from mock_kanta.settings import Settings


def test_the_database_serve_used_is_kept_owner_only_and_found_by_later_commands(tmp_path, monkeypatch):
    monkeypatch.delenv("MOCK_KANTA_DATABASE_URL", raising=False)
    url = "postgresql://mk:secret@127.0.0.1:5432/mockkanta"
    Settings(data_dir=tmp_path, database_url=url).remember_base_url()
    kept = tmp_path / "database-url"
    assert kept.stat().st_mode & 0o777 == 0o600  # it may hold a password
    assert Settings(data_dir=tmp_path).database_url == url  # a later command finds the same database
    monkeypatch.setenv("MOCK_KANTA_DATABASE_URL", "postgresql://other/db")
    assert Settings(data_dir=tmp_path).database_url == "postgresql://other/db"  # the environment still wins


def test_an_embedded_sandbox_keeps_no_database_url(tmp_path, monkeypatch):
    monkeypatch.delenv("MOCK_KANTA_DATABASE_URL", raising=False)
    Settings(data_dir=tmp_path).remember_base_url()
    assert not (tmp_path / "database-url").exists()
    assert Settings(data_dir=tmp_path).db_url.startswith("sqlite:///")
