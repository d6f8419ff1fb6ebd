"""Rules: the catalogue (families/*.yaml, one entry a rule) and the check functions (`@check`) of the
archive path (`rules.archive`, over a `Context`) and of the read side (`rules.read`, over a `ReadContext`).
Importing the package loads both and refuses an incomplete registry (`registry.complete`); the check modules
are imported for their `@check` declarations only, the catalogue fixes the order."""
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.rules import registry
from mock_kanta.rules.archive import (  # noqa: F401 (imported for their @check declarations)
    body,
    codes,
    consistency,
    context_data,
    frame,
    header,
    identity,
    register,
    signature,
    storing,
    transport,
    versions,
    visibility,
)
from mock_kanta.rules.context import Context, Problem, ProblemKind, WriteOutcome
from mock_kanta.rules.read import card, documents, message, reader, scope  # noqa: F401 (for their @check declarations)
from mock_kanta.rules.registry import REGISTRY, after_write, evaluate, finding, unread

registry.complete()

__all__ = ["REGISTRY", "Context", "Finding", "Problem", "ProblemKind", "Severity", "WriteOutcome", "after_write",
           "evaluate", "finding", "registry", "unread"]
