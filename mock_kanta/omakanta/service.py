"""OmaKanta views: which of a client's archived documents a viewer sees, and why not.

Three viewers, each judged per stored document row by the sandbox clock `now`:

- **client**: the client themself sees their current documents in any register, except
  those restricted for OmaKanta (hidden until the restriction is lifted) or delayed
  (hidden until `visible_from`), and types OmaKanta does not show at all;
- **guardian**: a guardian of a client who is a minor on the day (by henkilötunnus)
  sees what the client would see, minus documents the minor has forbidden to disclose
  to guardians (`guardian_disclosure` 'prohibited'; a refused prohibition,
  'prohibition-refused', is shown); from the client's 18th birthday a guardian sees nothing;
- **professional**: sees every current document of the client in the registers asked for,
  restricted or not (OmaKanta's restrictions do not bind professionals; whether the
  professional may read at all is the access-rights check, elsewhere).

Only 'active' documents are current: 'replaced' and 'voided' (and anything else) are
hidden from every viewer, with the status shown. The decisions are pure functions of the
row, the viewer and the time; the few store reads (the client's documents, guardianships)
are at the end of the module. Texts are given in Finnish, Swedish and English.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from mock_kanta.core.dates import iso_date
from mock_kanta.core.identity import HetuError, age_on, parse_hetu
from mock_kanta.store.queries import omakanta as omakanta_rows
from mock_kanta.store.queries.omakanta import (  # noqa: F401  (the views' reads, the store's)
    client_documents,
    guardianships,
    overlapping_guardianship,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
VIEWERS = ("client", "guardian", "professional")
AGE_OF_MAJORITY = 18
CURRENT = "active"
TYPES_OVERRIDE_FILE = "omakanta-types.yaml"  # in the data directory
DOCUMENT_TYPE_SYSTEM = "1.2.246.537.6.1506.201701"  # Sosiaalihuolto - Asiakasasiakirjatyyppi
DOCUMENT_GROUP_SYSTEM = "1.2.246.537.6.1505.201601"


# --- which document types OmaKanta shows at all (data) ----------------------------------------

# Partially verified. Which kinds OmaKanta shows is [V] (kanta-facts §1.2: the Keski-Suomi
# wellbeing county's release of 15 Jan 2026); which codes make a kind is mostly NOT public:
# only the client plan's codes (the asiakassuunnitelma sample [S]) and the client-relationship
# document's group are known. Kinds without codes match nothing until codes are given in
# <data-dir>/omakanta-types.yaml (same shape; kinds merge by name). Unknown types are shown.
DOCUMENT_TYPES_YAML = """
verified: partial
source: "kanta-facts §1.2 [V]: sttinfo.fi, Keski-Suomen hyvinvointialue, 15.1.2026; codes [S] where given"
default: shown
kinds:
  client-relationship:
    shown: true
    verified: true
    document_groups: ["1"]
    codes_verified: true
    name: {fi: Asiakkuuden alkaminen, sv: Klientrelationens början, en: Start of a client relationship}
  client-plan:
    shown: true
    verified: true
    document_types: ["15", "15007"]
    codes_verified: true
    name: {fi: Asiakassuunnitelma, sv: Klientplan, en: Client plan}
  decision:
    shown: true
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Päätös, sv: Beslut, en: Decision}
  service-need-assessment:
    shown: true
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Palvelutarpeen arviointi, sv: Bedömning av servicebehov, en: Service-need assessment}
  implementation-plan:
    shown: true
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Sosiaalipalvelun toteuttamissuunnitelma, sv: Genomförandeplan för socialservice, en: Social-service implementation plan}
  named-worker:
    shown: true
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Omatyöntekijän yhteystiedot, sv: Kontaktuppgifter till den egna yrkesutbildade personen, en: The named worker's contact details}
  shelter-or-domestic-violence:
    shown: false
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Turvakoti- ja lähisuhdeväkivaltatiedot, sv: Uppgifter om skyddshem och våld i nära relationer, en: Shelter and domestic-violence data}
  payment-commitment:
    shown: false
    verified: true
    document_types: []
    codes_verified: false
    name: {fi: Maksusitoumus, sv: Betalningsförbindelse, en: Payment commitment}
"""


@dataclass(frozen=True)
class DocumentKind:
    key: str
    shown: bool
    verified: bool
    name: dict[str, str]
    document_types: frozenset[str] = frozenset()
    document_groups: frozenset[str] = frozenset()
    codes_verified: bool = False

    def to_json(self) -> dict:
        return {"kind": self.key, "shownInOmaKanta": self.shown, "verified": self.verified, "name": self.name,
                "documentTypes": sorted(self.document_types), "documentGroups": sorted(self.document_groups),
                "codesVerified": self.codes_verified}


@dataclass(frozen=True)
class DocumentTypes:
    """Which kinds of documents OmaKanta shows, and the codes that make each kind."""

    kinds: tuple[DocumentKind, ...]
    source: str = ""
    verified: str = "partial"

    def kind_of(self, row: dict) -> DocumentKind | None:
        """The kind a row belongs to: by its document type code first, then by its document group."""
        doc_type, group = row.get("document_type"), row.get("document_group")
        return (next((k for k in self.kinds if doc_type and doc_type in k.document_types), None)
                or next((k for k in self.kinds if group and group in k.document_groups), None))

    @classmethod
    def from_data(cls, data: dict) -> "DocumentTypes":
        kinds = []
        for key, body in (data.get("kinds") or {}).items():
            body = body or {}
            kinds.append(DocumentKind(
                key=str(key), shown=bool(body.get("shown", True)), verified=bool(body.get("verified", False)),
                name={lang: str((body.get("name") or {}).get(lang, key)) for lang in ("fi", "sv", "en")},
                document_types=frozenset(str(c) for c in body.get("document_types") or ()),
                document_groups=frozenset(str(c) for c in body.get("document_groups") or ()),
                codes_verified=bool(body.get("codes_verified", False)),
            ))
        return cls(tuple(kinds), str(data.get("source", "")), str(data.get("verified", "partial")))


def _merge_types(base: dict, extra: dict) -> dict:
    kinds = dict(base.get("kinds") or {})
    for key, body in (extra.get("kinds") or {}).items():
        kinds[key] = {**(kinds.get(key) or {}), **(body or {})}
    return {**base, **{k: v for k, v in extra.items() if k != "kinds"}, "kinds": kinds}


DEFAULT_TYPES = DocumentTypes.from_data(yaml.safe_load(DOCUMENT_TYPES_YAML))
_types_cache: dict[Path, tuple[float, DocumentTypes]] = {}


def load_types(data_dir: Path | None = None) -> DocumentTypes:
    """The built-in table merged with `<data-dir>/omakanta-types.yaml` when present (re-read when it changes)."""
    path = Path(data_dir) / TYPES_OVERRIDE_FILE if data_dir else None
    if path is None or not path.is_file():
        return DEFAULT_TYPES
    mtime = path.stat().st_mtime
    cached = _types_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    extra = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    types = DocumentTypes.from_data(_merge_types(yaml.safe_load(DOCUMENT_TYPES_YAML), extra))
    _types_cache[path] = (mtime, types)
    return types


# --- reasons --------------------------------------------------------------------------------

REASONS: dict[str, dict[str, str]] = {
    "voided": {
        "fi": "Asiakirja on mitätöity{why}.",
        "sv": "Handlingen har makulerats{why}.",
        "en": "The document has been voided{why}.",
    },
    "replaced": {
        "fi": "Asiakirjasta on uudempi versio{by}; vain voimassa oleva versio näytetään.",
        "sv": "Handlingen har ersatts av en nyare version{by}; endast den gällande versionen visas.",
        "en": "A newer version replaces this document{by}; only the current version is shown.",
    },
    "not-current": {
        "fi": "Asiakirja ei ole voimassa (tila {status}).",
        "sv": "Handlingen är inte gällande (status {status}).",
        "en": "The document is not current (status {status}).",
    },
    "not-shown-in-omakanta": {
        "fi": "Tämän tyyppisiä asiakirjoja ({kind}) ei näytetä Omakannassa.",
        "sv": "Handlingar av den här typen ({kind}) visas inte i MittKanta.",
        "en": "Documents of this kind ({kind}) are not shown in OmaKanta.",
    },
    "restricted": {
        "fi": "Asiakirjan näyttämistä Omakannassa on rajoitettu; se näkyy vasta, kun rajoitus poistetaan.",
        "sv": "Visningen av handlingen i MittKanta är begränsad; den syns först när begränsningen hävs.",
        "en": "Display in OmaKanta is restricted; the document shows only once the restriction is lifted.",
    },
    "delayed": {
        "fi": "Asiakirjan näyttämistä Omakannassa on viivästetty: se näkyy {date_fi} alkaen.",
        "sv": "Visningen av handlingen i MittKanta är fördröjd: den syns från och med {date_fi}.",
        "en": "Display in OmaKanta is delayed: the document shows from {date_en}.",
    },
    "minor-prohibited": {
        "fi": "Alaikäinen on kieltänyt asiakirjan luovuttamisen huoltajilleen.",
        "sv": "Den minderåriga har förbjudit att handlingen lämnas ut till vårdnadshavarna.",
        "en": "The minor has forbidden disclosing the document to their guardians.",
    },
    "not-a-guardian": {
        "fi": "Katsoja ei ole asiakkaan huoltaja {date_fi} (ei voimassa olevaa huoltajuutta).",
        "sv": "Tittaren är inte klientens vårdnadshavare den {date_fi} (ingen gällande vårdnad).",
        "en": "The viewer is not the client's guardian on {date_en} (no guardianship in force).",
    },
    "client-adult": {
        "fi": "Asiakas on täysi-ikäinen ({date_fi} alkaen); huoltaja ei enää näe hänen tietojaan.",
        "sv": "Klienten är myndig (från och med {date_fi}); vårdnadshavaren ser inte längre hans eller hennes uppgifter.",
        "en": "The client has come of age (on {date_en}); a guardian no longer sees their data.",
    },
    "client-age-unknown": {
        "fi": "Asiakkaan ikää ei voi päätellä henkilötunnuksesta, joten huoltajalle ei näytetä mitään.",
        "sv": "Klientens ålder framgår inte av personbeteckningen, så vårdnadshavaren visas ingenting.",
        "en": "The client's age cannot be read from the personal identity code, so a guardian is shown nothing.",
    },
}


@dataclass(frozen=True)
class Reason:
    code: str
    text: dict[str, str]
    until: date | None = None  # a delay's end / the date the fact holds from

    def to_json(self) -> dict:
        body = {"code": self.code, "text": self.text}
        if self.until is not None:
            body["until"] = self.until.isoformat()
        return body


def reason(code: str, *, on: date | None = None, **values) -> Reason:
    fill = {"date_fi": f"{on.day}.{on.month}.{on.year}" if on else "", "date_en": on.isoformat() if on else "", **values}
    return Reason(code, {lang: text.format(**fill) for lang, text in REASONS[code].items()}, on)


@dataclass(frozen=True)
class Decision:
    shown: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def reason(self) -> str | None:
        return self.reasons[0].code if self.reasons else None

    def to_json(self) -> dict:
        return {"shown": self.shown, "reason": self.reason, "reasons": [r.to_json() for r in self.reasons]}


SHOWN = Decision(True)


# --- viewers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who looks. For a guardian: their henkilötunnus and the client's guardianship rows
    (minor_client_id, guardian_id, since, until), of which the one in force decides."""

    kind: str  # client | guardian | professional
    guardian_id: str | None = None
    guardianships: tuple[dict, ...] = field(default=(), compare=False)

    def __post_init__(self):
        if self.kind not in VIEWERS:
            raise ValueError(f"viewer must be one of {VIEWERS}, not {self.kind!r}")
        if self.kind == "guardian" and not self.guardian_id:
            raise ValueError("a guardian viewer needs guardian_id")


CLIENT = Viewer("client")
PROFESSIONAL = Viewer("professional")


def today_of(now: datetime) -> date:
    """The day in Helsinki at instant `now` (a naive `now` is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(HELSINKI).date()


def coming_of_age(client_id: str | None) -> date | None:
    """The client's 18th birthday (a 29 February birthday comes of age on 1 March), or None."""
    try:
        born = parse_hetu(client_id or "").birth_date
    except HetuError:
        return None
    try:
        return born.replace(year=born.year + AGE_OF_MAJORITY)
    except ValueError:
        return date(born.year + AGE_OF_MAJORITY, 3, 1)


def guardianship_in_force(rows, client_id: str | None, guardian_id: str | None, on: date) -> dict | None:
    """The guardianship row of `guardian_id` for `client_id` in force on `on` (since <= on <= until), or None."""
    for row in rows:
        if row.get("guardian_id") != guardian_id or (client_id and row.get("minor_client_id") != client_id):
            continue
        since, until = iso_date(row.get("since")), iso_date(row.get("until"))
        if (since is None or since <= on) and (until is None or on <= until):
            return row
    return None


def guardian_standing(viewer: Viewer, client_id: str | None, on: date) -> Reason | None:
    """Why a guardian viewer sees nothing of this client on `on`, or None when they may look."""
    age = age_on(client_id, on)
    if age is None:
        return reason("client-age-unknown")
    if age >= AGE_OF_MAJORITY:
        return reason("client-adult", on=coming_of_age(client_id))
    if guardianship_in_force(viewer.guardianships, client_id, viewer.guardian_id, on) is None:
        return reason("not-a-guardian", on=on)
    return None


def decide(row: dict, viewer: Viewer, now: datetime, types: DocumentTypes = DEFAULT_TYPES) -> Decision:
    """Whether `viewer` sees the stored document `row` at `now`, with every reason it is hidden (primary first)."""
    on = today_of(now)
    reasons: list[Reason] = []
    status = row.get("status") or "?"
    if status != CURRENT:
        reasons.append(_not_current(row, status))
    if viewer.kind == "professional":
        return Decision(not reasons, tuple(reasons))
    if viewer.kind == "guardian":
        standing = guardian_standing(viewer, row.get("client_id"), on)
        if standing is not None:
            reasons.append(standing)
    kind = types.kind_of(row)
    if kind is not None and not kind.shown:
        reasons.append(_kind_reason(kind))
    visibility = row.get("visibility") or "visible"
    until = iso_date(row.get("visible_from"))
    if visibility == "delayed" and until is not None:
        if on < until:
            reasons.append(reason("delayed", on=until))
    elif visibility in ("restricted", "delayed"):  # a delay without an end date hides like a restriction
        reasons.append(reason("restricted"))
    if viewer.kind == "guardian" and row.get("guardian_disclosure") == "prohibited":
        reasons.append(reason("minor-prohibited"))
    return Decision(not reasons, tuple(reasons))


def _kind_reason(kind: DocumentKind) -> Reason:
    texts = REASONS["not-shown-in-omakanta"]
    return Reason("not-shown-in-omakanta", {lang: texts[lang].format(kind=kind.name[lang]) for lang in texts})


def _not_current(row: dict, status: str) -> Reason:
    """Replaced or voided (the new columns are read with .get: older rows may lack them)."""
    if status == "voided":
        why = row.get("void_reason")
        return _filled("voided", why=f": {why}" if why else "")
    if status == "replaced":
        by = row.get("replaced_by")
        return _filled("replaced", by=f" ({by})" if by else "")
    return reason("not-current", status=status)


def _filled(code: str, **values) -> Reason:
    return Reason(code, {lang: text.format(**values) for lang, text in REASONS[code].items()})


@dataclass(frozen=True)
class View:
    viewer: Viewer
    on: date
    shown: list[tuple[dict, Decision]]
    hidden: list[tuple[dict, Decision]]


def view(rows: list[dict], viewer: Viewer, now: datetime, types: DocumentTypes = DEFAULT_TYPES) -> View:
    """Split a client's document rows into what `viewer` sees and what is hidden (with reasons)."""
    shown, hidden = [], []
    for row in rows:
        decision = decide(row, viewer, now, types)
        (shown if decision.shown else hidden).append((row, decision))
    return View(viewer, today_of(now), shown, hidden)


# --- store access -------------------------------------------------------------------------------
# client_documents, guardianships and overlapping_guardianship are the store's (mock_kanta.store.queries.omakanta).


def add_guardianship(store, tenant: str, *, minor_client_id: str, guardian_id: str, since: date,
                     until: date | None = None, source: str = "control API") -> dict:
    row = {"tenant_id": tenant, "minor_client_id": minor_client_id, "guardian_id": guardian_id, "since": since,
           "until": until, "source": source,
           "recorded_at": datetime.now(timezone.utc).isoformat(timespec="microseconds")}
    return {"seq": omakanta_rows.add_guardianship(store, row), **row}
