"""The code data (mock_kanta/core/codes/codesystems.yaml): editions, sources, overrides, and its page
(docs/codes.md). The verdicts on real messages are tested in tests/integration/test_code_lists.py."""
import re
from pathlib import Path

import pytest

from mock_kanta.core.codes import CodeSystemError, CodeSystems

DOCS = Path(__file__).resolve().parents[3] / "docs" / "codes.md"
SERVICE_TASKS = "1.2.246.537.6.1221.201601"
OLDER_TASKS = ("1.2.246.537.6.1259.201601", "1.2.246.537.6.1283.201101")


@pytest.fixture(scope="module")
def builtin():
    return CodeSystems.load()


def test_every_system_names_its_classification_and_edition(builtin):
    for oid, system in builtin.systems.items():
        assert system.classification and system.edition, oid
        if system.edition != "-":  # an HL7 vocabulary has no Kanta edition
            assert oid == f"{system.classification}.{system.edition}", oid


def test_every_code_has_a_display_name_and_a_source(builtin):
    for oid, system in builtin.systems.items():
        assert system.source.strip(), oid
        for code in system.codes.values():
            assert code.display.strip() and code.source, (oid, code.code)


def test_a_verified_code_cites_public_material_and_a_modelled_one_says_so(builtin):
    for oid, system in builtin.systems.items():
        for code in system.codes.values():
            if code.verified:
                assert not code.source.startswith("[I]"), (oid, code.code)
            else:
                assert "[I]" in code.source, (oid, code.code)


def test_a_complete_list_cites_a_source_that_shows_the_whole_list(builtin):
    for oid, system in builtin.systems.items():
        if system.complete:  # only a public source that gives every code makes a list complete
            assert system.verified and "[I]" not in system.source, oid
            assert all(code.verified for code in system.codes.values()), oid


def test_the_service_task_accepts_its_older_editions(builtin):
    assert builtin.accepted(SERVICE_TASKS) == (SERVICE_TASKS, *OLDER_TASKS)
    for oid in OLDER_TASKS:  # each edition has its own list
        assert builtin.accepted(oid) == (oid,)
        assert builtin[oid].complete is False
    assert builtin.accepted("1.2.246.537.6.9999") == ("1.2.246.537.6.9999",)  # unknown: only itself


def test_an_override_completes_a_list_and_keeps_its_edition(tmp_path):
    (tmp_path / "tasks.yaml").write_text(
        f"{SERVICE_TASKS}:\n  complete: true\n  source: official list (test)\n"
        "  codes:\n    '25': {display: Iäkkäiden palvelut, verified: true}\n", encoding="utf-8")
    tasks = CodeSystems.load(tmp_path)[SERVICE_TASKS]
    assert tasks.complete and tasks.source == "official list (test)"
    assert list(tasks.codes) == ["24", "25"] and tasks.edition == "201601"
    assert tasks.accepts == OLDER_TASKS


def test_an_override_naming_an_unknown_edition_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text(f"{SERVICE_TASKS}:\n  accepts: [1.2.246.537.6.1221.209901]\n", encoding="utf-8")
    with pytest.raises(CodeSystemError, match="1.2.246.537.6.1221.209901"):
        CodeSystems.load(tmp_path)


def test_a_list_marked_complete_needs_a_source(tmp_path):
    (tmp_path / "new.yaml").write_text("1.2.246.999.1.2020:\n  complete: true\n  codes: {}\n", encoding="utf-8")
    with pytest.raises(CodeSystemError, match="without a source"):
        CodeSystems.load(tmp_path)


def test_the_page_covers_every_system(builtin):
    page = DOCS.read_text(encoding="utf-8")
    for oid, system in builtin.systems.items():
        row = next((line for line in page.splitlines() if line.startswith(f"| `{oid}`")), None)
        assert row is not None, f"docs/codes.md has no row for {oid}"
        assert ("yes" if system.complete else "no") in row.split("|")[4], oid
        assert re.search(rf"\|\s*{len(system.codes)}\s*\|", row), f"docs/codes.md counts the codes of {oid} wrong"
