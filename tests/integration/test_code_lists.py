"""Coded values against the code lists, through a real server: SH-COD-001 (code system), SH-COD-002 (a code
missing from a complete list: refused) and SH-COD-003 (a code missing from a partial list: a warning).

The built-in lists are partial (no public source gives a whole list, docs/codes.md), so a list becomes
complete the way a user with the official list makes it so: a YAML file in <data-dir>/codes/. The `official`
server below starts with such a file; its lists are test data standing in for the official ones.
"""
import pytest

from mock_kanta.client import KantaClient
from tests.conftest import Sandbox
from tests.parties import HELSINKI
from tests.rulecases import AUTHOR, LSH, Desk, clean, desk, put, refused_by, warned_by  # noqa: F401
from tests.signing import issue_signer

FUNCTION_CODE = f"{LSH}/hl7fi:functionCode"
SERVICE_TASKS = "1.2.246.537.6.1221.201601"
SERVICE_TASKS_2011 = "1.2.246.537.6.1283.201101"  # an older edition the service task accepts

# The user's "official" lists: the current edition's list complete, the 2011 edition's left partial.
OFFICIAL_LIST = f"""
{SERVICE_TASKS}:
  complete: true
  source: test stand-in for the official list of the national code service
  codes:
    "24": {{display: Lapsiperheiden palvelut, verified: true}}
"""


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """A server whose data directory holds an official service-task list marked complete."""
    data_dir = tmp_path_factory.mktemp("official") / "var"
    (data_dir / "codes").mkdir(parents=True)
    (data_dir / "codes" / "service-tasks.yaml").write_text(OFFICIAL_LIST, encoding="utf-8")
    box = Sandbox(data_dir)
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def official_desk(official):
    card = issue_signer(official.pki, "professional", (AUTHOR.given, AUTHOR.family, AUTHOR.registration_number))
    system = issue_signer(official.pki, "system", (HELSINKI.name, HELSINKI.oid))
    with KantaClient(official.url) as kanta:
        yield Desk(kanta, card, system)


# --- the built-in, partial lists --------------------------------------------------------------------------


def test_codes_from_the_lists_pass(desk):  # noqa: F811
    clean(desk.send(desk.plan()))
    clean(desk.send(desk.relationship()))


def test_a_code_missing_from_a_partial_list_is_a_warning(desk):  # noqa: F811
    d = warned_by(desk.send(desk.plan(), document=(put(FUNCTION_CODE, code="99"),)), "SH-COD-003",
                  "hl7fi:functionCode/@code")
    assert "99" in d.text and "201601" in d.text


def test_an_older_edition_of_the_service_task_is_accepted(desk):  # noqa: F811
    """Named with its own OID, a code of the 2011 edition is judged against that edition's list (partial)."""
    answer = desk.send(desk.plan(), document=(put(FUNCTION_CODE, code="24", codeSystem=SERVICE_TASKS_2011,
                                                  codeSystemName="Sosiaalihuolto - Palvelutehtävä 2011"),))
    d = warned_by(answer, "SH-COD-003", "hl7fi:functionCode/@code")
    assert SERVICE_TASKS_2011 in d.text
    assert "SH-COD-001" not in answer.rule_ids


def test_an_unknown_code_system_is_refused(desk, reusable_plan):  # noqa: F811
    d = refused_by(desk.send(reusable_plan, document=(put(FUNCTION_CODE, codeSystem="1.2.246.537.6.1221"),)),
                   "SH-COD-001", "hl7fi:functionCode/@codeSystem")
    assert SERVICE_TASKS in d.text and SERVICE_TASKS_2011 in d.text  # every accepted edition is named


# --- a complete list ---------------------------------------------------------------------------------------


def test_a_code_of_a_complete_list_passes(official_desk):
    clean(official_desk.send(official_desk.plan()))


def test_a_code_missing_from_a_complete_list_is_refused(official_desk):
    d = refused_by(official_desk.send(official_desk.plan(), document=(put(FUNCTION_CODE, code="99"),)),
                   "SH-COD-002", "hl7fi:functionCode/@code")
    assert "99" in d.text and SERVICE_TASKS in d.text


def test_an_older_edition_is_judged_against_its_own_list(official_desk):
    """The current edition's list is complete, the 2011 edition's is not: a code named in the 2011 edition
    is only a warning, whatever the current list holds."""
    answer = official_desk.send(official_desk.plan(), document=(put(FUNCTION_CODE, code="99", codeSystem=SERVICE_TASKS_2011),))
    warned_by(answer, "SH-COD-003", "hl7fi:functionCode/@code")
    assert "SH-COD-002" not in answer.rule_ids
