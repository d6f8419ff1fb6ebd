"""The verdict layers (mock_kanta.rules.verdicts, docs/verdicts.md) on findings the registry makes, and the
organiser profiles as data (mock_kanta.rules.profiles, fixtures/organiser-profiles.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest

from mock_kanta.core.findings import Basis, Severity
from mock_kanta.core.resources import builtin
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.profiles import FILE, OrganiserProfiles, ProfileError
from mock_kanta.rules.registry import finding
from mock_kanta.rules.verdicts import LIMITS, VerdictProfile, Verdicts

KEUSOTE, HELSINKI = "1.2.246.10.32213449.10.0", "1.2.246.10.2012566.10.40"
PROFILES = OrganiserProfiles.for_fixtures(None)
VERDICTS = Verdicts(PROFILES)


def judged(rule_id: str, *, register: str | None = KEUSOTE, modelled: bool = False, modes=None, **profile):
    f = finding(rule_id, "/", modelled=modelled)
    [out] = VERDICTS.judge([f], register=register, profile=VerdictProfile(profile.get("strict", False),
                                                                            frozenset(profile.get("organisers", ()))),
                           modes=modes or {})
    return out


def test_kanta_errors_refuse_and_keep_their_text():
    f = judged("SH-HDR-001")
    assert (f.severity, f.basis) == (Severity.ERROR, Basis.KANTA)
    assert f.message == finding("SH-HDR-001", "/").message


def test_a_modelled_error_warns_and_says_so_in_each_language():
    f = judged("SH-CON-001")
    assert (f.severity, f.basis) == (Severity.WARNING, Basis.MODELLED)
    assert f.message["fi"].endswith("[Kannan ei tiedetä hylkäävän tätä; hiekkalaatikon oma mallinnus.]")
    assert f.message["sv"].endswith("[Det är inte känt att Kanta avvisar detta; sandlådans egen modell.]")
    assert f.message["en"].endswith("[Kanta is not known to refuse this; modelled by the sandbox.]")


def test_an_organiser_error_refuses_only_in_its_register_with_its_profile_on():
    assert judged("SH-CTX-001", organisers=[KEUSOTE]).severity is Severity.ERROR
    off = judged("SH-CTX-001")
    assert off.severity is Severity.WARNING and "Keusote edellyttää sitä ohjeessaan" in off.message["fi"]
    elsewhere = judged("SH-CTX-001", register=HELSINKI, organisers=[KEUSOTE])
    assert elsewhere.severity is Severity.WARNING and "Keusote's guide demands it" in elsewhere.message["en"]
    assert judged("SH-CTX-001", register=None, organisers=[KEUSOTE]).severity is Severity.WARNING


def test_a_hit_on_modelled_data_never_refuses_by_its_basis():
    f = judged("SH-CTX-004", modelled=True, organisers=[KEUSOTE])
    assert (f.severity, f.basis) == (Severity.WARNING, Basis.MODELLED)
    assert judged("SH-HDR-001", modelled=True).severity is Severity.WARNING  # even of a kanta rule


def test_strict_makes_every_finding_an_error():
    for rule in ("SH-CON-001", "SH-CTX-003", "SH-VIS-001", "SH-HDR-001"):  # modelled error, warning, info, kanta
        f = judged(rule, strict=True)
        assert f.severity is Severity.ERROR, rule
        assert ("[Strict profile: every finding refuses.]" in f.message["en"]) is (rule != "SH-HDR-001")


def test_report_only_applies_last():
    for profile in ({"strict": True}, {"organisers": [KEUSOTE]}):
        f = judged("SH-CTX-001", modes={"SH-CTX": "report-only"}, **profile)
        assert f.severity is Severity.WARNING and f.message["en"].startswith("[would refuse] "), profile
    assert judged("SH-HDR-001", modes={"SH-HDR-001": "report-only"}).severity is Severity.WARNING
    assert judged("SH-HDR-001", modes={"SH-HDR-002": "report-only"}).severity is Severity.ERROR


def test_the_sandboxs_own_limits_are_refused_whatever_the_profile():
    assert {"SH-ID-002", "SH-SYS-001", "SH-VER-001", "SH-VER-003"} <= LIMITS
    assert LIMITS == {r.id for r in REGISTRY.values() if r.sandbox_limit}
    f = judged("SH-ID-002", modes={"SH-ID": "report-only"})
    assert (f.severity, f.basis, f.message) == (Severity.ERROR, Basis.MODELLED, finding("SH-ID-002", "/").message)


def test_no_findings_cost_nothing():
    found = []
    assert VERDICTS.judge(found, register=KEUSOTE) is found


# --- the organiser profiles as data ----------------------------------------------------------------


def test_every_organiser_rule_is_demanded_by_a_built_in_profile_with_its_passage():
    organiser_rules = {r.id for r in REGISTRY.values() if r.basis is Basis.ORGANISER}
    named = {rule for p in PROFILES.profiles.values() for rule in p.rules}
    assert organiser_rules == named
    keusote = PROFILES.get(KEUSOTE)
    assert keusote.name == "Keusote" and all(passage.startswith("[K] Keusote") for passage in keusote.rules.values())


def test_a_fixtures_folder_without_the_file_uses_the_built_in_one(tmp_path):
    assert OrganiserProfiles.for_fixtures(tmp_path).path == str(builtin("fixtures") / FILE)
    (tmp_path / FILE).write_text("", encoding="utf-8")
    assert OrganiserProfiles.for_fixtures(tmp_path).profiles == {}


def test_unknown_says_which_organisers_have_no_profile():
    assert PROFILES.unknown([KEUSOTE]) is None
    assert PROFILES.unknown([HELSINKI]) == f"no organiser profile for {HELSINKI}; known: {KEUSOTE} (Keusote)"


@pytest.mark.parametrize("text, said", [
    ("- a list\n", "must map organiser OIDs to profiles"),
    ("keusote: {name: K, rules: {SH-CTX-001: x}}\n", "keyed by the organiser's OID"),
    (f'"{KEUSOTE}": {{name: K}}\n', "needs exactly name and rules"),
    (f'"{KEUSOTE}": {{name: "", rules: {{SH-CTX-001: x}}}}\n', "name must be a text"),
    (f'"{KEUSOTE}": {{name: K, rules: {{}}}}\n', "rules must map rule ids"),
    (f'"{KEUSOTE}": {{name: K, rules: {{SH-NOPE-001: x}}}}\n', "SH-NOPE-001 is not in the catalogue"),
    (f'"{KEUSOTE}": {{name: K, rules: {{SH-CON-001: x}}}}\n', "SH-CON-001 has basis modelled in the catalogue"),
    (f'"{KEUSOTE}": {{name: K, rules: {{SH-CTX-001: " "}}}}\n', "SH-CTX-001 needs the guide's passage"),
    ("{{ not yaml", "cannot be read"),
])
def test_a_broken_profiles_file_is_refused_naming_where(tmp_path: Path, text, said):
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=said) as refused:
        OrganiserProfiles.load(path)
    assert str(path) in str(refused.value)
