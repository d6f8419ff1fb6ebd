"""A complete code list, through a real server: SH-COD-002 refuses a code the list does not hold.

Every built-in list is partial (docs/codes.md), so a list becomes complete the way a user with the official
list makes it so: a YAML file in <data-dir>/codes/. This module's `sandbox` (which the `desk` fixture sends
to) is a server of its own that starts with such a file; its list is test data standing in for the official one.
"""
import pytest

from tests.conftest import Sandbox
from tests.rulecases import LSH, clean, desk, put, refused_by, warned_by  # noqa: F401

FUNCTION_CODE = f"{LSH}/hl7fi:functionCode"
SERVICE_TASKS = "1.2.246.537.6.1221.201601"
SERVICE_TASKS_2011 = "1.2.246.537.6.1283.201101"  # an older edition the service task accepts

# The current edition's list, complete; the 2011 edition's list stays partial.
OFFICIAL_LIST = f"""
{SERVICE_TASKS}:
  complete: true
  source: test stand-in for the official list of the national code service
  codes:
    "24": {{display: Lapsiperheiden palvelut, verified: true}}
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A server whose data directory holds an official service-task list marked complete."""
    data_dir = tmp_path_factory.mktemp("official") / "var"
    (data_dir / "codes").mkdir(parents=True)
    (data_dir / "codes" / "service-tasks.yaml").write_text(OFFICIAL_LIST, encoding="utf-8")
    box = Sandbox(data_dir)
    box.start()
    yield box
    box.stop()


def test_a_code_of_a_complete_list_passes(desk):  # noqa: F811
    clean(desk.send(desk.plan()))


def test_a_code_missing_from_a_complete_list_is_refused(desk, reusable_plan):  # noqa: F811
    d = refused_by(desk.send(reusable_plan, document=(put(FUNCTION_CODE, code="99"),)), "SH-COD-002",
                   "hl7fi:functionCode/@code")
    assert "99" in d.text and SERVICE_TASKS in d.text and "test stand-in" in d.text  # the list's source


def test_an_older_edition_is_judged_against_its_own_list(desk):  # noqa: F811
    """The current edition's list is complete, the 2011 edition's is not: a code named in the 2011 edition
    is only a warning, whatever the current list holds."""
    answer = desk.send(desk.plan(), document=(put(FUNCTION_CODE, code="99", codeSystem=SERVICE_TASKS_2011),))
    warned_by(answer, "SH-COD-003", "hl7fi:functionCode/@code")
    assert "SH-COD-002" not in answer.rule_ids
