"""A finding's effective severity: the one home of the verdict layers (docs/verdicts.md).

1. The catalogue severity (rules/families/*.yaml): error refuses, warning and info keep AA.
2. The basis: a `kanta` rule keeps its severity. An `organiser` rule's error refuses only in the register of
   an organiser (the document's custodian) whose profile names the rule and which the tenant turned on
   (`VerdictProfile.organisers`); elsewhere it warns. A `modelled` rule's error warns. A warning lowered so
   says why in each language.
3. `strict` (the tenant's profile): every finding is an error.
4. Report-only (the tenant's rule modes, /api/v1/rule-modes): the errors of the chosen rules or families
   become warnings marked "would refuse". Applied last: it is the tenant's explicit word on one rule.

The settings are read once per message (the store's cached tenant view); `judge` does only dictionary work
per finding. Not judged, so refused whatever the basis: the findings of a message that could not be read and
the store's answer to a refused write (there is nothing the sandbox could accept), and a rule the catalogue
marks as a limit of the sandbox itself (`sandbox_limit`: it holds test identities only; a check that crashed).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mock_kanta.core.findings import Basis, Finding, Severity
from mock_kanta.core.texts import LANGS, fill
from mock_kanta.rules.profiles import OrganiserProfiles
from mock_kanta.rules.registry import REGISTRY

REPORT_ONLY = "report-only"
_WOULD_REFUSE = {"fi": "[hylättäisiin]", "sv": "[skulle avvisas]", "en": "[would refuse]"}
_NOTES = {
    Basis.MODELLED: {"fi": "[Kannan ei tiedetä hylkäävän tätä; hiekkalaatikon oma mallinnus.]",
                     "sv": "[Det är inte känt att Kanta avvisar detta; sandlådans egen modell.]",
                     "en": "[Kanta is not known to refuse this; modelled by the sandbox.]"},
    Basis.ORGANISER: {"fi": "[Kannan ei tiedetä hylkäävän tätä; {organiser} edellyttää sitä ohjeessaan.]",
                      "sv": "[Det är inte känt att Kanta avvisar detta; {organiser} kräver det i sin anvisning.]",
                      "en": "[Kanta is not known to refuse this; {organiser}'s guide demands it.]"},
}
_SOME_ORGANISER = {"fi": "palvelunjärjestäjä", "sv": "en tjänsteanordnare", "en": "an organiser"}
_STRICT = {"fi": "[Tiukka profiili: jokainen havainto hylkää.]", "sv": "[Strikt profil: varje fynd avvisar.]",
           "en": "[Strict profile: every finding refuses.]"}


@dataclass(frozen=True)
class VerdictProfile:
    """A tenant's verdict settings: the organisers whose profiles it turned on, and strict."""

    strict: bool = False
    organisers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, stored: Mapping | None) -> VerdictProfile:
        """From the store's row (`Store.verdict_profile`); the default when there is none."""
        if not stored:
            return DEFAULT
        return cls(bool(stored.get("strict")), frozenset(stored.get("organisers") or ()))


DEFAULT = VerdictProfile()
LIMITS = frozenset(r.id for r in REGISTRY.values() if r.sandbox_limit)  # refused as the catalogue says
_NO_MODES: Mapping[str, str] = MappingProxyType({})


class Verdicts:
    """Judges a message's findings by the organiser profiles it was made with (`rules.profiles`)."""

    def __init__(self, profiles: OrganiserProfiles):
        self.profiles = profiles

    def judge(self, findings: list[Finding], *, register: str | None, profile: VerdictProfile = DEFAULT,
              modes: Mapping[str, str] = _NO_MODES) -> list[Finding]:
        """The findings with their effective severity in `register` (the document's custodian), for a tenant with
        `profile` and report-only `modes` (selector -> mode)."""
        if not findings:
            return findings
        return [self._judged(f, register, profile, modes) for f in findings]

    def _judged(self, f: Finding, register: str | None, profile: VerdictProfile, modes: Mapping[str, str]) -> Finding:
        if f.rule_id in LIMITS:
            return f
        severity, note = f.severity, None
        if severity is Severity.ERROR and not self.refuses_in(f.rule_id, f.basis, register, profile):
            severity, note = Severity.WARNING, self._lowered(f, register)
        if profile.strict and severity is not Severity.ERROR:
            severity, note = Severity.ERROR, _STRICT
        message = f.message
        if note is not None:
            message = {lang: f"{text} {note[lang]}" for lang, text in message.items()}
        if severity is Severity.ERROR and report_only(f.rule_id, modes):
            severity = Severity.WARNING
            message = {lang: f"{_WOULD_REFUSE[lang]} {text}" for lang, text in message.items()}
        if severity is f.severity and message is f.message:
            return f
        return dataclasses.replace(f, severity=severity, message=message)

    def refuses_in(self, rule_id: str, basis: Basis, register: str | None, profile: VerdictProfile) -> bool:
        """Whether an error of this basis refuses in `register` by the tenant's profile (before strict and
        report-only)."""
        if basis is Basis.KANTA:
            return True
        if basis is not Basis.ORGANISER or register not in profile.organisers:
            return False
        own = self.profiles.get(register)
        return own is not None and rule_id in own.rules

    def _lowered(self, f: Finding, register: str | None) -> dict[str, str]:
        """The note of an error lowered to a warning by its basis."""
        if f.basis is not Basis.ORGANISER:
            return _NOTES[Basis.MODELLED]
        demanding = self.profiles.demanding(f.rule_id)
        own = [p for p in demanding if p.oid == register]
        names = ", ".join(p.name for p in own or demanding)
        return {lang: fill(_NOTES[Basis.ORGANISER][lang], organiser=names or _SOME_ORGANISER[lang]) for lang in LANGS}


def report_only(rule_id: str, modes: Mapping[str, str]) -> bool:
    """Whether the tenant switched the rule, or its family (SH-REG), to report-only."""
    return bool(modes) and modes.get(rule_id, modes.get(rule_id.rsplit("-", 1)[0])) == REPORT_ONLY

