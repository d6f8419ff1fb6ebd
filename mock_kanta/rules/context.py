"""What the checks look at, filled by the archive service before they run (`Archive.check`): what was
parsed, the problems met while reading, the decoded body, the signatures and their trust, the register
world, the sandbox time, the TLS client organisation, the validation request, and after a write the
store's answer. A check reads these fields; it sets none, so no check depends on another having run.
(The read side's checks look at `rules.read.context.ReadContext`; both are `Checked`.)"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from mock_kanta.core.body import DecodedBody
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.model import ClinicalDocument, Frame
from mock_kanta.core.registers import Right
from mock_kanta.core.signatures import SignatureResult, TrustProblem

T = TypeVar("T")


class ProblemKind(str, Enum):
    """Why (part of) a submission could not be read. The first five are the XML parser's own kinds
    (`mock_kanta.wire.safexml.XMLInputError.kind`)."""

    EMPTY = "empty"
    MALFORMED = "malformed"
    DTD = "dtd"
    TOO_LARGE = "too-large"
    TOO_DEEP = "too-deep"
    TRANSPORT = "transport"  # the MIME or SOAP packaging could not be unpacked
    NO_DOCUMENT = "missing-document"  # a frame but no CDA document
    WRONG_ROOT = "wrong-root"  # a part's root element is not what its place expects
    BAD_REQUEST = "bad-request"  # the request itself (unknown tenant, not the validation clone's JSON shape)
    CLIENT_CERTIFICATE = "client-certificate"  # the TLS client certificate was refused


@dataclass(frozen=True)
class Problem:
    """One problem met while reading; the transport-stage rules turn each into its finding."""

    kind: ProblemKind
    part: str | None = None  # "HTTP body", "root part", "frame", "document"
    detail: str | None = None
    size: int | None = None
    limit: int | None = None
    found: str | None = None
    expected: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        """The values the rule texts may name ({part}, {detail}, ...)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "kind" and getattr(self, f.name) is not None}

    @classmethod
    def too_large(cls, size: int, limit: int, part: str = "HTTP body") -> Problem:
        return cls(ProblemKind.TOO_LARGE, part, size=size, limit=limit)

    @classmethod
    def bad_request(cls, detail: str) -> Problem:
        return cls(ProblemKind.BAD_REQUEST, detail=detail)

    @classmethod
    def client_certificate(cls, detail: str) -> Problem:
        return cls(ProblemKind.CLIENT_CERTIFICATE, detail=detail)


class RegisterWorld(Protocol):
    """One tenant's organisations, units, usage rights, matters and stored versions at the arrival time, as
    the register and version rules ask them (`mock_kanta.registers.service.World`)."""

    now: datetime

    @property
    def today(self) -> date: ...

    def org(self, oid: str | None) -> dict | None: ...

    def unit(self, oid: str | None) -> dict | None: ...

    def kind(self, oid: str | None) -> str | None: ...

    def rights(self, client_id: str) -> list[Right]: ...

    def provider_rights(self, client_id: str, provider_oid: str) -> list[Right]: ...

    def document(self, document_id: str | None) -> dict | None: ...

    def current_version(self, set_id: str | None) -> dict | None: ...

    def matter(self, matter_id: str | None) -> dict | None: ...


@dataclass(frozen=True)
class Duplicate:
    """The document id is archived already."""

    document_id: str
    received_at: str


@dataclass(frozen=True)
class StaleParent:
    """The version this one replaces was replaced (or voided) by another write first."""

    document_id: str
    version: int
    replaced_by: str | None
    status: str


@dataclass(frozen=True)
class WriteOutcome:
    """Why the store undid an accepted document's write (the archive's own state, not the message's shape)."""

    duplicate: Duplicate | None = None
    stale_parent: StaleParent | None = None


class Checked:
    """A context of checks: its parts are its public fields, a missing part is None (or empty), and a check
    runs only when every part it `needs` is present. What checks derive from it is kept in `_derived`."""

    _derived: dict[Callable, Any]

    def present(self) -> frozenset[str]:
        """The names of the parts that are there (not None, not empty)."""
        return frozenset(name for name in parts(type(self)) if getattr(self, name) not in (None, ()))

    def once(self, derive: Callable[[Any], T]) -> T:
        """`derive(self)`, worked out once per message however many checks ask (keyed by the function)."""
        try:
            return self._derived[derive]
        except KeyError:
            value = self._derived[derive] = derive(self)
            return value


@lru_cache(maxsize=8)
def parts(cls: type) -> tuple[str, ...]:
    """The parts of a context class: its dataclass fields, but the private ones."""
    return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))


@dataclass
class Context(Checked):
    """The archive's checks' context: a submission as read (see the module's docstring)."""

    frame: Frame | None = None
    document: ClinicalDocument | None = None
    codes: CodeSystems | None = None
    problems: tuple[Problem, ...] = ()  # met while reading: transport, XML, wrong root, the request
    body: DecodedBody | None = None  # the document's nonXMLBody decoded (mock_kanta.wire.body)
    signatures: tuple[SignatureResult, ...] | None = None  # None: not verified (no document tree)
    trust: Mapping[int, tuple[TrustProblem, ...]] = field(default_factory=dict)  # by signature index
    world: RegisterWorld | None = None  # archive path with a store only
    now: datetime | None = None  # arrival by the tenant's sandbox clock
    client_org: str | None = None  # the organisation of the TLS client certificate
    requested_service: str | None = None  # the validation clone's palveluPyynto
    write: WriteOutcome | None = None  # set only after the store refused the write
    _derived: dict[Callable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)


PARTS = parts(Context)
