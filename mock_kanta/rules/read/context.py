"""What the read checks look at, filled by the read service (`mock_kanta.read.service`) step by step, as a read
is refused at its first failing step: what reading the message met, then the parsed request with the reader's
card, then who reads (role and unit), for a retrieve the stored document asked for, then whose documents
(client, register) with the register world, and last one candidate document at a time. A check reads these
fields and sets none; `rules.read.evaluate` runs the checks that the parts filled since its last call make
runnable. The role profiles' types live here too: the checks judge by them, `mock_kanta.read.roles` loads them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.signatures import TrustProblem
from mock_kanta.rules.context import Checked, Problem, RegisterWorld
from mock_kanta.wire.paths.query import Interaction, Interactions, ReadRequest


@dataclass(frozen=True)
class RoleProfile:
    """A role (fixtures/roles.yaml, modelled on STM 825/2022): what it may read, and whether the content."""

    id: str
    name: dict[str, str]
    service_tasks: frozenset[str] | None  # None = any
    document_groups: frozenset[str] | None
    document_types: frozenset[str] | None
    content: bool
    note: str = ""

    def allows_task(self, task: str | None, narrowed: frozenset[str] | None = None) -> bool:
        """A document without a service task is judged by its group and type alone."""
        if task is None:
            return True
        return (self.service_tasks is None or task in self.service_tasks) and (narrowed is None or task in narrowed)

    def allows_type(self, group: str | None, types: tuple[str | None, ...]) -> bool:
        if self.document_groups is not None and group not in self.document_groups:
            return False
        return self.document_types is None or any(t in self.document_types for t in types if t)


@dataclass(frozen=True)
class Assignment:
    """A professional's roles in one organisation (by registration number = the card's serialNumber)."""

    registration_number: str
    organisation: str
    roles: tuple[RoleProfile, ...]
    service_tasks: frozenset[str] | None = None  # narrows the roles to the tasks the person works in
    name: str | None = None

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles)


@dataclass(frozen=True)
class Card:
    """The reader's card certificate (hl7fi:authenticationCertificate) as the service read it. All None when
    the message carries none; `unreadable` when its Base64 DER could not be read."""

    unreadable: str | None = None  # the decoder's words
    subject: str | None = None  # readable subject
    serial: str | None = None  # hex, as the access log writes it
    registration_number: str | None = None  # the subject's serialNumber
    trust: tuple[TrustProblem, ...] = ()  # chain, validity and revocation by the sandbox clock
    policy: str | None = None  # why its policy is not a professional card's

    @property
    def read(self) -> bool:
        return self.subject is not None


@dataclass(frozen=True)
class Who:
    """Who reads, as the sandbox knows them: filled once the message and the card pass."""

    assignment: Assignment | None  # the reader's roles in the sending organisation (None: none)
    unit: dict | None  # the reader's service unit in the SOTE organisation register (None: not there)


@dataclass(frozen=True)
class Stored:
    """A retrieve's document as stored (None: no document has the id)."""

    document: dict | None


@dataclass(frozen=True)
class Target:
    """Whose documents the read is about: the client and the register named (a retrieve's: its document's)."""

    client: str
    register: str | None


class ReadWorld(RegisterWorld, Protocol):
    """The register world with what a client relationship in an organisation's own register rests on
    (`mock_kanta.read.facts.ReadWorld`)."""

    def stored_itself(self, organisation: str, client: str) -> bool: ...

    def matters(self, client: str) -> list[dict]: ...


class StoredDocument(Protocol):
    """A stored document as the document checks judge it (`mock_kanta.read.facts.StoredDocument`)."""

    document_id: str
    function_code: str | None
    document_group: str | None
    document_type: str | None

    def types(self) -> tuple[str | None, ...]:
        """Its specific and general document types (the general one read from the CDA on demand)."""


@dataclass(frozen=True)
class Candidate:
    """One document the read would return, with what its judgement needs."""

    stored: StoredDocument
    right_tasks: frozenset[str] | None  # the service tasks the register usage right covers (None: no limit)
    content: bool  # its content would be returned (a retrieve)
    asked: bool = False  # the document a retrieve names: a refusal is located at the request's documentId


@dataclass
class ReadContext(Checked):
    kind: str  # "query" | "retrieve": the path the message came to
    interactions: Interactions
    problems: tuple[Problem, ...] = ()  # not a read of this path: TRANSPORT (unpacking), WRONG_ROOT
    request: ReadRequest | None = None
    codes: CodeSystems | None = None
    card: Card | None = None  # with the request
    client_org: str | None = None  # the organisation of the TLS client certificate
    who: Who | None = None
    stored: Stored | None = None  # a retrieve, once who passes
    target: Target | None = None
    world: ReadWorld | None = None  # with the target, by the sandbox clock
    document: Candidate | None = None  # the one document judged (`rules.read.judge`)
    _derived: dict[Callable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _seen: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def interaction(self) -> Interaction:
        return self.interactions[self.kind]
