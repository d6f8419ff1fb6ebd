"""A finding is data: rule id, severity, where (XPath), the message and its fix in Finnish, Swedish and
English, the source and the basis of its rule. The same finding renders as an HL7 acknowledgementDetail, an
item of the validation clone's answer, a line of a report and a card in the UI."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from mock_kanta.core.texts import LANGS, fill


class Severity(str, Enum):
    ERROR = "error"  # the message is refused
    WARNING = "warning"  # accepted, but worth fixing
    INFO = "info"


class Basis(str, Enum):
    """Why a rule may refuse (docs/verdicts.md): what is known of who demands it."""

    KANTA = "kanta"  # public material shows Kanta enforces it
    ORGANISER = "organiser"  # an organiser's own guide demands it (fixtures/organiser-profiles.yaml)
    MODELLED = "modelled"  # the sandbox's own inference or model of the specifications


@dataclass(frozen=True)
class Text:
    fi: str
    sv: str
    en: str

    def format(self, params: dict[str, Any]) -> dict[str, str]:
        """The text in each language with `params` filled in (a placeholder without a value kept as written)."""
        return {lang: fill(getattr(self, lang), **params) for lang in LANGS}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    location: str
    message: dict[str, str]
    fix: dict[str, str]
    source: str
    basis: Basis

    def text(self, lang: str = "fi") -> str:
        return self.message[lang]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "fix": self.fix,
            "source": self.source,
            "basis": self.basis.value,
        }
