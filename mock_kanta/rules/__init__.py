"""Rules: import the modules so every rule registers itself, in catalogue order."""
from mock_kanta.rules import registry
from mock_kanta.rules import transport, frame, consistency, header, identity, codes, body, signature, register, context, visibility, versions, archive, access  # noqa: F401
from mock_kanta.rules.registry import REGISTRY, Context, Finding, Severity, evaluate, finding

__all__ = ["REGISTRY", "Context", "Finding", "Severity", "evaluate", "finding", "registry"]
