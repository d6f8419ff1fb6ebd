"""Fixtures of the integration tests beyond tests/conftest.py: `desk` for the rule tests (test_rules_*.py),
one per test module (tests/rulecases.py)."""
from tests.rulecases import desk  # noqa: F401
