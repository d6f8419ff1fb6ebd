"""The catalogue as data (mock_kanta/rules/families/*.yaml) and its joining with the checks: every rule id
has exactly one entry and one check (or names who raises it), every text is in fi, sv and en with the
same placeholders, and a broken catalogue or check declaration is refused at load time, naming where."""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml

from mock_kanta.rules import REGISTRY, Problem, ProblemKind, unread
from mock_kanta.rules.context import Context, parts
from mock_kanta.rules.entries import FAMILIES_DIR, INDEX, Basis, CatalogueError, load
from mock_kanta.rules.read.context import ReadContext
from mock_kanta.rules.registry import check, complete, context_of

RULES = list(REGISTRY.values())


def test_each_rule_has_one_check_or_names_who_raises_it():
    for r in RULES:
        assert (r.check is None) == bool(r.raised_by), r.id
        assert r.check is None or set(r.needs) <= set(parts(context_of(r.id))), r.id
    assert {r.id for r in RULES if r.raised_by} == {"SH-SYS-001", "SH-XML-005", "SH-XML-006", "SH-XML-007", "SH-LSH-013",
                                                   "SH-LSH-014", "SH-SIG-021", "SH-SIG-022"}  # the archive's bounds
    read_side = {r.id for r in RULES if r.id.startswith(("SH-QRY-", "SH-ACC-"))}
    assert len(read_side) == 25 and {r.id for r in RULES if context_of(r.id) is ReadContext} == read_side
    assert {context_of(r.id) for r in RULES if r.check and r.id not in read_side} == {Context}
    assert len({r.check for r in RULES if r.check}) == len([r for r in RULES if r.check])  # no function serves two


def test_order_is_the_index_then_ascending_ids():
    families = yaml.safe_load((FAMILIES_DIR / INDEX).read_text(encoding="utf-8"))
    assert [r.id for r in RULES] == [r.id for r in load()]
    seen = [r.id.split("-")[1].lower() for r in RULES]
    assert list(dict.fromkeys(seen)) == families
    for a, b in itertools.pairwise(RULES):
        if a.id.split("-")[1] == b.id.split("-")[1]:
            assert a.id < b.id


def test_kanta_verified_is_derived_from_the_basis():
    assert {r.basis for r in RULES} == {Basis.KANTA, Basis.ORGANISER, Basis.MODELLED}
    assert all(r.kanta_verified is (r.basis is Basis.KANTA) for r in RULES)
    assert REGISTRY["SH-XML-001"].kanta_verified and not REGISTRY["SH-XML-002"].kanta_verified


def test_every_reading_problem_is_some_rule():
    for kind in ProblemKind:
        found = unread(Problem(kind, "frame", detail="d", size=2, limit=1, found="x", expected="y"))
        assert len(found) == 1 and found[0].location == "/", kind
    [tls] = unread(Problem.client_certificate("expired"))
    assert tls.rule_id == "SH-TRN-006" and "expired" in tls.message["en"]
    [large] = unread(Problem.too_large(5, 4))
    assert large.rule_id == "SH-XML-003" and large.message["en"] == "HTTP body: size 5 bytes exceeds the limit of 4 bytes."


# --- a broken catalogue is refused, naming where --------------------------------------------


@pytest.fixture
def catalogue(tmp_path) -> Path:
    """A copy of the real catalogue to break."""
    return Path(shutil.copytree(FAMILIES_DIR, tmp_path / "families"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_copy_loads(catalogue):
    assert [r.id for r in load(catalogue)] == [r.id for r in RULES]


@pytest.mark.parametrize(("file", "old", "new", "said"), [
    ("frm.yaml", "    sv: Fel interaktion\n", "", "title must give exactly fi, sv and en"),
    ("frm.yaml", "    sv: Ramen är {found}; arkiveringsgränssnittet tar emot {expected}.",
     "    sv: Ramen är {found}; arkiveringsgränssnittet tar emot {wanted}.", "same placeholders"),
    ("frm.yaml", "  source: Kanta HL7", "  source: ''\n  x: Kanta HL7", "needs exactly"),
    ("frm.yaml", "- id: SH-FRM-002\n  severity: error", "- id: SH-FRM-002\n  severity: fatal", "'fatal' is not a valid Severity"),
    ("frm.yaml", "- id: SH-FRM-002\n  severity: error\n  stage: frame\n  basis: kanta",
     "- id: SH-FRM-002\n  severity: error\n  stage: frame\n  basis: verified", "'verified' is not a valid Basis"),
    ("frm.yaml", "- id: SH-FRM-002\n", "- id: SH-FRM-001\n", "out of order"),
    ("frm.yaml", "- id: SH-FRM-002\n", "- id: SH-CON-011\n", "not an id of family SH-FRM"),
    ("frm.yaml", "- id: SH-FRM-002\n  severity: error\n", "- id: SH-FRM-002\n  severity: error\n  severity: warning\n",
     "severity given twice"),
    ("index.yaml", "- frm\n", "", "the folder has"),
    ("frm.yaml", "    fi: Väärä vuorovaikutus", "    fi: Väärä {vuorovaikutus", "title"),
    ("frm.yaml", "    fi: Väärä vuorovaikutus", "    fi: ' '", "title must be a non-empty text"),
    ("sys.yaml", "  sandbox_limit: 'a check crashed", "  sandbox_limit: ''\n  x: 'a check crashed", "needs exactly"),
    ("sys.yaml", "  sandbox_limit: 'a check crashed: the sandbox could not judge the message'", "  sandbox_limit: ' '",
     "sandbox_limit says why an error is always refused"),
])
def test_a_broken_catalogue_is_refused(catalogue, file, old, new, said):
    _edit(catalogue / file, old, new)
    with pytest.raises(CatalogueError, match=said) as refused:
        load(catalogue)
    assert file in str(refused.value) or file == "index.yaml"


def test_the_same_id_twice_is_refused(catalogue):
    """Ids are unique: each family has one file, listed once, and its ids ascend."""
    text = (catalogue / "arc.yaml").read_text(encoding="utf-8")
    entry = text[text.index("- id: SH-ARC-001"):]
    (catalogue / "arc.yaml").write_text(text + "\n" + entry, encoding="utf-8")
    with pytest.raises(CatalogueError, match="arc.yaml: SH-ARC-001 is out of order"):
        load(catalogue)
    _edit(catalogue / "index.yaml", "- acc\n", "- acc\n- arc\n")
    with pytest.raises(CatalogueError, match="index.yaml: lists"):
        load(catalogue)


def test_an_entry_without_a_check_is_refused(catalogue):
    unchecked = {r.id: r for r in load(catalogue)}  # entries only: no check attached
    with pytest.raises(CatalogueError, match="no check for SH-XML-001, SH-XML-002"):
        complete(unchecked)
    complete(REGISTRY)


# --- a broken check declaration is refused ---------------------------------------------------


def _noop(ctx):
    return iter(())


@pytest.mark.parametrize(("rule_id", "needs", "said"), [
    ("SH-NOPE-001", (), "SH-NOPE-001 is not in the catalogue"),
    ("SH-FRM-001", ("frame", "xml"), r"needs \['xml'\], not parts of the Context"),
    ("SH-FRM-001", ("frame",), "SH-FRM-001 has two checks: mock_kanta.rules.archive.frame.interaction and"),
    ("SH-SYS-001", (), "the catalogue says mock_kanta.rules.registry.evaluate raises it"),
    ("SH-ACC-001", ("request",), r"needs \['request'\], not parts of the Context"),
])
def test_a_broken_check_declaration_is_refused(rule_id, needs, said):
    before = dict(REGISTRY)
    with pytest.raises(CatalogueError, match=said):
        check(rule_id, needs=needs)(_noop)
    assert REGISTRY == before
