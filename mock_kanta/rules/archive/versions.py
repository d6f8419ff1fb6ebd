"""Versions (korvaaminen) and voids (mitätöinti): a new version keeps setId, raises versionNumber,
points to the current version with relatedDocument RPLC and states its reason; nothing is deleted."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.registry import Stage, define, hit
from mock_kanta.rules.sources import SAMPLES
from mock_kanta.wire import cda

NEEDS = ("document", "world")
SOURCE = ("Kanta: archive a new version / void, each with the document group [V, Liite 7 contents]; "
          "PTA replacement messages: setId kept, versionNumber raised, relatedDocument RPLC, reason [S]; " + SAMPLES)
RELATED_X = cda.xpath("related", "hl7:parentDocument/hl7:id", at="root")
RECORD_STATUS = "1.2.246.537.5.40154.2008"


def replaced(doc):
    """The RPLC relatedDocument, or None."""
    return next((r for r in doc.related if (r.type_code or "RPLC") == "RPLC"), None)


def is_void_document(doc, codes) -> bool:
    """Marked void (mitätöinti) by its recordStatus: the code whose meaning is "void" in the code data."""
    status = doc.local.record_status if doc.local else None
    system = codes.get(RECORD_STATUS)
    entry = system.get(status.code) if system and status else None
    return bool(entry and entry.meaning == "void")


def is_void(ctx) -> bool:
    return is_void_document(ctx.document, ctx.codes)


def _rule(rid, title, message, fix):
    def wrap(fn):
        define(rid, Severity.ERROR, Stage.DOCUMENT, needs=NEEDS, check=fn, title=title, message=message, fix=fix, source=SOURCE)
        return fn

    return wrap


@_rule(
    "SH-VER-001",
    ("Korvattava versio puuttuu", "Den ersatta versionen saknas", "Replaced version unknown"),
    (
        "Asiakirja korvaa version {parent}, jota ei ole rekisterissä {register}.",
        "Dokumentet ersätter versionen {parent}, som inte finns i registret {register}.",
        "The document replaces version {parent}, which is not in register {register}.",
    ),
    (
        "Viittaa relatedDocument/parentDocument-kohdassa rekisterin nykyiseen versioon (id, setId, versionNumber).",
        "Hänvisa i relatedDocument/parentDocument till registrets aktuella version (id, setId, versionNumber).",
        "Point relatedDocument/parentDocument at the register's current version (id, setId, versionNumber).",
    ),
)
def parent_exists(ctx):
    r = replaced(ctx.document)
    parent_id = r.id.root if r and r.id else None
    if r is None:
        return
    parent = ctx.world.document(parent_id)
    register = ctx.document.custodian.id.root if ctx.document.custodian and ctx.document.custodian.id else None
    if parent is None or parent["register_oid"] != register:
        yield hit(RELATED_X, parent=parent_id or "-", register=register or "-")


@_rule(
    "SH-VER-002",
    ("Versio ei jatka asiakirjaa", "Versionen fortsätter inte dokumentet", "Version does not continue the document"),
    (
        "Uusi versio: setId {set_id} ja versio {version}; korvattavan setId on {parent_set} ja versio {parent_version}.",
        "Ny version: setId {set_id} och version {version}; den ersattas setId är {parent_set} och version {parent_version}.",
        "New version: setId {set_id}, version {version}; the replaced one has setId {parent_set}, version {parent_version}.",
    ),
    (
        "Pidä setId samana ja anna uudelle versiolle uusi id ja suurempi versionumero.",
        "Behåll samma setId och ge den nya versionen ett nytt id och ett högre versionsnummer.",
        "Keep the setId, and give the new version a new id and a higher version number.",
    ),
)
def continues_the_set(ctx):
    d, r = ctx.document, replaced(ctx.document)
    parent = ctx.world.document(r.id.root) if r and r.id else None
    if parent is None:
        return
    set_id, version = (d.set_id.root if d.set_id else None), int(d.version_number) if (d.version_number or "").isdigit() else 0
    if set_id != parent["set_id"] or version <= parent["version"]:
        yield hit(cda.xpath("version_number", at="value"), set_id=set_id or "-", version=version,
                  parent_set=parent["set_id"], parent_version=parent["version"])


@_rule(
    "SH-VER-003",
    ("Vanhentunut versio", "Inaktuell version", "Stale version"),
    (
        "Asiakirja korvaa version {parent} (versio {parent_version}), mutta nykyinen versio on {current} (versio {current_version}, tila {status}).",
        "Dokumentet ersätter version {parent} (version {parent_version}), men den aktuella är {current} (version {current_version}, status {status}).",
        "The document replaces {parent} (version {parent_version}), but the current version is {current} (version {current_version}, status {status}).",
    ),
    (
        "Hae asiakirjan nykyinen versio ja korvaa se; mitätöityä asiakirjaa ei voi korvata.",
        "Hämta dokumentets aktuella version och ersätt den; ett makulerat dokument kan inte ersättas.",
        "Fetch the document's current version and replace that one; a voided document cannot be replaced.",
    ),
)
def replaces_current(ctx):
    r = replaced(ctx.document)
    parent = ctx.world.document(r.id.root) if r and r.id else None
    if parent is None:
        return
    current = ctx.world.current_version(parent["set_id"])
    if current is not None and (current["document_id"] != parent["document_id"] or current["status"] != "active"):
        yield hit(RELATED_X, parent=parent["document_id"], parent_version=parent["version"], current=current["document_id"],
                  current_version=current["version"], status=current["status"])


@_rule(
    "SH-VER-004",
    ("Korvauksen syy puuttuu", "Orsak till ersättning saknas", "Reason of replacement missing"),
    (
        "Version {parent} korvaukselta tai mitätöinniltä puuttuu syy (hl7fi:reasonOfCorrection).",
        "Ersättningen eller makuleringen av version {parent} saknar orsak (hl7fi:reasonOfCorrection).",
        "The replacement or void of version {parent} lacks its reason (hl7fi:reasonOfCorrection).",
    ),
    (
        "Anna korvauksen tai mitätöinnin syy koodina (esim. 1 Korjaus) paikallisessa otsikossa.",
        "Ange orsaken till ersättningen eller makuleringen som kod (t.ex. 1 Korjaus) i det lokala huvudet.",
        "Give the reason of the replacement or void as a code (e.g. 1 Korjaus) in the local header.",
    ),
)
def reason_given(ctx):
    d, r = ctx.document, replaced(ctx.document)
    if r is None:
        return
    lh = d.local
    if not (lh and lh.reason_of_correction and lh.reason_of_correction.code):
        yield hit(cda.local_xpath("reason_of_correction", "code"), parent=r.id.root if r.id else "-")


@_rule(
    "SH-VER-005",
    ("Uusi versio ilman viittausta", "Ny version utan hänvisning", "New version without a reference"),
    (
        "Asiakirjan versio on {version} tai sen setId {set_id} on jo käytössä, mutta relatedDocument (RPLC) puuttuu.",
        "Dokumentets version är {version} eller dess setId {set_id} används redan, men relatedDocument (RPLC) saknas.",
        "The document is version {version} or its setId {set_id} is in use already, but relatedDocument (RPLC) is missing.",
    ),
    (
        "Uusi asiakirja on versio 1 ja sen setId = id. Uusi versio viittaa korvattavaan relatedDocument typeCode=\"RPLC\" -elementillä.",
        "Ett nytt dokument är version 1 med setId = id. En ny version hänvisar till den ersatta med relatedDocument typeCode=\"RPLC\".",
        "A new document is version 1 with setId = id. A new version points at the one it replaces with relatedDocument typeCode=\"RPLC\".",
    ),
)
def version_needs_reference(ctx):
    d = ctx.document
    if replaced(d) is not None or ctx.world.document(d.document_id) is not None:  # a resend: SH-ARC-001 answers it
        return
    set_id = d.set_id.root if d.set_id else None
    version = d.version_number or "-"
    current = ctx.world.current_version(set_id) if set_id else None
    if current is not None and current["document_id"] == d.document_id:
        return  # the same id was stored between the two lookups (a racing resend): SH-ARC-001 answers it
    if version != "1" or current is not None:
        yield hit(cda.xpath("version_number", at="value"), version=version, set_id=set_id or "-")


@_rule(
    "SH-VOID-001",
    ("Mitätöinti ilman korvattavaa", "Makulering utan dokument", "Void without a document"),
    (
        "Asiakirja on merkitty mitätöidyksi (recordStatus {code}), mutta se ei viittaa mitätöitävään versioon (relatedDocument RPLC).",
        "Dokumentet är markerat makulerat (recordStatus {code}), men hänvisar inte till versionen som makuleras (relatedDocument RPLC).",
        "The document is marked void (recordStatus {code}) but does not point at the version it voids (relatedDocument RPLC).",
    ),
    (
        "Mitätöinti lähetetään asiakirjan uutena versiona: sama setId, suurempi versio, relatedDocument RPLC, syy ja perustelu.",
        "En makulering skickas som en ny version: samma setId, högre version, relatedDocument RPLC, orsak och motivering.",
        "A void is sent as a new version: same setId, higher version, relatedDocument RPLC, a reason and a justification.",
    ),
)
def void_points_at_version(ctx):
    if is_void(ctx) and replaced(ctx.document) is None:
        yield hit(cda.local_xpath("record_status", "code"), code=ctx.document.local.record_status.code)


@_rule(
    "SH-VOID-002",
    ("Mitätöinnin perustelu puuttuu", "Motivering för makulering saknas", "Void without justification"),
    (
        "Mitätöinnille {parent} ei ole kirjoitettu perustelua (hl7fi:authorizationRestrictionArgument).",
        "Makuleringen av {parent} saknar skriftlig motivering (hl7fi:authorizationRestrictionArgument).",
        "The void of {parent} has no written justification (hl7fi:authorizationRestrictionArgument).",
    ),
    (
        "Kirjoita, miksi asiakirja mitätöidään; mitätöity asiakirja säilyy arkistossa.",
        "Skriv varför dokumentet makuleras; ett makulerat dokument finns kvar i arkivet.",
        "Write why the document is voided; a voided document stays in the archive.",
    ),
)
def void_justified(ctx):
    r = replaced(ctx.document)
    lh = ctx.document.local
    if is_void(ctx) and r is not None and not (lh.authorization_restriction_argument or "").strip():
        yield hit(cda.local_xpath("authorization_restriction_argument"), parent=r.id.root if r.id else "-")
