"""Coded values against the built-in code lists, through the shared server: SH-COD-001 (code system) and
SH-COD-003 (a code missing from a partial list: a warning). Every built-in list is partial (no public source
gives a whole one, docs/codes.md); test_code_lists_official.py installs a complete list and meets SH-COD-002.
"""
from tests.rulecases import LSH, clean, desk, put, refused_by, warned_by  # noqa: F401

FUNCTION_CODE = f"{LSH}/hl7fi:functionCode"
SERVICE_TASKS = "1.2.246.537.6.1221.201601"
SERVICE_TASKS_2011 = "1.2.246.537.6.1283.201101"  # an older edition the service task accepts


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
