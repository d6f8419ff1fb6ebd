"""Fixtures of the integration tests beyond tests/conftest.py, for the rule tests (test_rules_*.py):
`desk` (tests/rulecases.py) and `reusable_plan`, one of each per test module."""
import pytest

from tests.rulecases import desk  # noqa: F401


@pytest.fixture(scope="module")
def reusable_plan(desk):  # noqa: F811
    """One correct client plan for the cases that are refused: a refused document is not stored, so it can be sent again."""
    return desk.plan()
