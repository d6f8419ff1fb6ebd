"""Rules: import the modules so every rule registers itself, in catalogue order (the order below)."""
# isort: skip_file
from mock_kanta.rules import registry
from mock_kanta.rules.archive import transport, frame, consistency, header, identity, codes, body  # noqa: F401
from mock_kanta.rules.archive import signature, register, context, visibility, versions, storing  # noqa: F401
from mock_kanta.rules.read import access  # noqa: F401
from mock_kanta.core.findings import Finding, Severity
from mock_kanta.rules.registry import REGISTRY, Context, evaluate, finding

__all__ = ["REGISTRY", "Context", "Finding", "Severity", "evaluate", "finding", "registry"]
