"""Rules on the HL7 V3 archive frame (RCMR_IN200002FI01)."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.registry import Context, Stage, hit, rule
from mock_kanta.rules.sources import MESSAGING, SAMPLES
from mock_kanta.wire import hl7v3
from mock_kanta.wire.hl7v3 import ARCHIVE_INTERACTION, INTERACTION_ID_ROOT, KANTA_SH_DEVICE

SERVICE_REQUESTS = "1.2.246.537.6.1503.201601"
USAGE_SITUATIONS = "1.2.246.537.6.1289.201901"
TRIGGER = "RCMR_TE000102UV01"


def _x(ctx: Context, attr: str, at: str | None = None) -> str:
    return hl7v3.xpath(attr, at=at, root=ctx.frame.interaction)


@rule(
    "SH-FRM-001",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Väärä vuorovaikutus", "Fel interaktion", "Wrong interaction"),
    message=(
        "Siirtokehys on {found}; arkistointirajapinta ottaa vastaan {expected}.",
        "Ramen är {found}; arkiveringsgränssnittet tar emot {expected}.",
        "The frame is {found}; the archive interface takes {expected}.",
    ),
    fix=(
        f"Käytä juurielementtiä {ARCHIVE_INTERACTION} ja interactionId-arvoa root={INTERACTION_ID_ROOT} extension={ARCHIVE_INTERACTION}.",
        f"Använd rotelementet {ARCHIVE_INTERACTION} och interactionId root={INTERACTION_ID_ROOT} extension={ARCHIVE_INTERACTION}.",
        f"Use root element {ARCHIVE_INTERACTION} and interactionId root={INTERACTION_ID_ROOT} extension={ARCHIVE_INTERACTION}.",
    ),
    source=f"{MESSAGING}; {SAMPLES}",
    kanta_verified=True,
)
def interaction(ctx):
    f = ctx.frame
    if f.interaction != ARCHIVE_INTERACTION:
        yield hit(hl7v3.root_path(f.interaction), found=f.interaction, expected=ARCHIVE_INTERACTION)
    iid = f.interaction_id
    if iid is None or iid.extension != f.interaction or iid.root != INTERACTION_ID_ROOT:
        found = f"{iid.root}/{iid.extension}" if iid else "-"
        yield hit(_x(ctx, "interaction_id"), found=f"interactionId {found}", expected=f"{INTERACTION_ID_ROOT}/{f.interaction}")


@rule(
    "SH-FRM-002",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Sanoman tunniste puuttuu", "Meddelandets id saknas", "Message id missing"),
    message=(
        "Siirtokehyksen id puuttuu tai siitä puuttuu root.",
        "Ramens id saknas eller saknar root.",
        "The frame id is missing or has no root.",
    ),
    fix=(
        "Anna sanomalle yksilöivä id: root = lähettäjäjärjestelmän OID, extension = juokseva numero.",
        "Ge meddelandet ett unikt id: root = avsändarsystemets OID, extension = löpnummer.",
        "Give the message a unique id: root = the sending system's OID, extension = a running number.",
    ),
    source=MESSAGING,
    kanta_verified=True,
)
def message_id(ctx):
    if ctx.frame.message_id is None or not ctx.frame.message_id.root:
        yield hit(_x(ctx, "message_id", "root"))


@rule(
    "SH-FRM-003",
    Severity.WARNING,
    Stage.FRAME,
    needs=("frame",),
    title=("Kehyksen ohjauskenttä puuttuu", "Ramens styrfält saknas", "Frame control field missing"),
    message=(
        "Siirtokehyksestä puuttuu {element}.",
        "Ramen saknar {element}.",
        "The frame lacks {element}.",
    ),
    fix=(
        "Lisää {element} (näytteissä: creationTime, processingCode D/T/P, processingModeCode T, acceptAckCode ER).",
        "Lägg till {element} (i exemplen: creationTime, processingCode D/T/P, processingModeCode T, acceptAckCode ER).",
        "Add {element} (samples: creationTime, processingCode D/T/P, processingModeCode T, acceptAckCode ER).",
    ),
    source=MESSAGING,
    kanta_verified=True,
)
def control_fields(ctx):
    for attr, element, at in (
        ("creation_time", "creationTime", "value"),
        ("processing_code", "processingCode", "code"),
        ("processing_mode_code", "processingModeCode", "code"),
        ("accept_ack_code", "acceptAckCode", "code"),
    ):
        if not getattr(ctx.frame, attr):
            yield hit(_x(ctx, attr, at), element=element)


@rule(
    "SH-FRM-004",
    Severity.WARNING,
    Stage.FRAME,
    needs=("frame",),
    title=("Vastaanottaja ei ole Kanta", "Mottagaren är inte Kanta", "Receiver is not Kanta"),
    message=(
        "Vastaanottajan laite on {found}; sosiaalihuollon arkiston laite on {expected}.",
        "Mottagarens enhet är {found}; socialvårdens arkivs enhet är {expected}.",
        "The receiver device is {found}; the social welfare archive's device is {expected}.",
    ),
    fix=(
        f"Käytä receiver/device/id@root = {KANTA_SH_DEVICE}.",
        f"Använd receiver/device/id@root = {KANTA_SH_DEVICE}.",
        f"Use receiver/device/id@root = {KANTA_SH_DEVICE}.",
    ),
    source=SAMPLES + " (the receiver OID is seen in samples, not in a specification)",
)
def receiver(ctx):
    if ctx.frame.receiver != KANTA_SH_DEVICE:
        yield hit(_x(ctx, "receiver"), found=ctx.frame.receiver or "-", expected=KANTA_SH_DEVICE)


@rule(
    "SH-FRM-005",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Lähettäjä puuttuu", "Avsändare saknas", "Sender missing"),
    message=(
        "Siirtokehyksestä puuttuu lähettäjän organisaation OID (sender/device/id@root).",
        "Ramen saknar avsändarorganisationens OID (sender/device/id@root).",
        "The frame lacks the sending organisation's OID (sender/device/id@root).",
    ),
    fix=(
        "Anna lähettäjäksi lähettävän organisaation OID (SOTE-organisaatiorekisteristä).",
        "Ange den sändande organisationens OID (från SOTE-organisationsregistret) som avsändare.",
        "Give the sending organisation's OID (from the SOTE organisation register) as sender.",
    ),
    source=MESSAGING + "; " + SAMPLES,
    kanta_verified=True,
)
def sender(ctx):
    if not ctx.frame.sender:
        yield hit(_x(ctx, "sender"))


@rule(
    "SH-FRM-006",
    Severity.WARNING,
    Stage.FRAME,
    needs=("frame",),
    title=("Laukaisutapahtuma puuttuu", "Utlösande händelse saknas", "Trigger event missing"),
    message=(
        "controlActProcess/code on {found}; arkistointisanomassa odotetaan {expected}.",
        "controlActProcess/code är {found}; i ett arkiveringsmeddelande förväntas {expected}.",
        "controlActProcess/code is {found}; an archive message expects {expected}.",
    ),
    fix=(
        f'Lisää <code code="{TRIGGER}" codeSystem="2.16.840.1.113883.1.18"/>.',
        f'Lägg till <code code="{TRIGGER}" codeSystem="2.16.840.1.113883.1.18"/>.',
        f'Add <code code="{TRIGGER}" codeSystem="2.16.840.1.113883.1.18"/>.',
    ),
    source=SAMPLES + " (the asiakkuusasiakirja frame carries it; the asiakassuunnitelma frame lacks the code)",
)
def trigger(ctx):
    code = ctx.frame.control_act_code
    if code is None or code.code != TRIGGER:
        yield hit(_x(ctx, "control_act_code", "code"), found=(code and code.code) or "-", expected=TRIGGER)


@rule(
    "SH-FRM-007",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Palvelupyyntö puuttuu", "Servicebegäran saknas", "Service request missing"),
    message=(
        f"Siirtokehyksestä puuttuu palvelupyyntö (reasonCode, koodisto {SERVICE_REQUESTS}).",
        f"Ramen saknar servicebegäran (reasonCode, kodsystem {SERVICE_REQUESTS}).",
        f"The frame lacks the service request (reasonCode, code system {SERVICE_REQUESTS}).",
    ),
    fix=(
        "Lisää reasonCode: SP1 asiakkuusasiakirjalle, SP17 asiakasasiakirjalle.",
        "Lägg till reasonCode: SP1 för klientrelationsdokument, SP17 för klientdokument.",
        "Add reasonCode: SP1 for a client-relationship document, SP17 for a client document.",
    ),
    source=SAMPLES,
    kanta_verified=True,
)
def service_request(ctx):
    if ctx.frame.reason(SERVICE_REQUESTS) is None:
        yield hit(hl7v3.reason_xpath(SERVICE_REQUESTS, ctx.frame.interaction))


@rule(
    "SH-FRM-008",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Käyttötilanne puuttuu", "Användningssituation saknas", "Usage situation missing"),
    message=(
        f"Siirtokehyksestä puuttuu arkiston käyttötilanne (reasonCode, koodisto {USAGE_SITUATIONS}).",
        f"Ramen saknar arkivets användningssituation (reasonCode, kodsystem {USAGE_SITUATIONS}).",
        f"The frame lacks the usage situation (reasonCode, code system {USAGE_SITUATIONS}).",
    ),
    fix=(
        "Lisää reasonCode: 1 = palvelunjärjestäjän rekisterin oma käyttö; palveluntuottaja rekisterinkäyttöoikeudella käyttää omaa koodiaan.",
        "Lägg till reasonCode: 1 = anordnarens eget bruk av registret; en producent med registeranvändningsrätt använder sin egen kod.",
        "Add reasonCode: 1 = the organiser's own use of its register; a provider under the register usage right uses its own code.",
    ),
    source=SAMPLES,
    kanta_verified=True,
)
def usage_situation(ctx):
    if ctx.frame.reason(USAGE_SITUATIONS) is None:
        yield hit(hl7v3.reason_xpath(USAGE_SITUATIONS, ctx.frame.interaction))


@rule(
    "SH-FRM-009",
    Severity.ERROR,
    Stage.FRAME,
    needs=("frame",),
    title=("Kehyksen asiakirjatiedot puuttuvat", "Ramens dokumentuppgifter saknas", "Frame document data missing"),
    message=(
        "Siirtokehyksestä puuttuu controlActProcess/subject/clinicalDocument.",
        "Ramen saknar controlActProcess/subject/clinicalDocument.",
        "The frame lacks controlActProcess/subject/clinicalDocument.",
    ),
    fix=(
        "Toista asiakirjan otsikkotiedot kehyksen clinicalDocument-elementissä (id, setId, versio, asiakas, rekisterinpitäjä).",
        "Upprepa dokumentets huvuduppgifter i ramens clinicalDocument (id, setId, version, klient, registeransvarig).",
        "Repeat the document header in the frame's clinicalDocument (id, setId, version, client, custodian).",
    ),
    source=SAMPLES,
    kanta_verified=True,
)
def frame_document(ctx):
    if ctx.frame.document is None:
        yield hit(_x(ctx, "document"))


@rule(
    "SH-FRM-010",
    Severity.WARNING,
    Stage.FRAME,
    needs=("frame",),
    title=("Tekijä puuttuu kehyksestä", "Författare saknas i ramen", "Frame author missing"),
    message=(
        "Siirtokehyksestä puuttuu authorOrPerformer (sanoman tekijä ja organisaatio).",
        "Ramen saknar authorOrPerformer (meddelandets upphovsperson och organisation).",
        "The frame lacks authorOrPerformer (who sends the message, and for which organisation).",
    ),
    fix=(
        "Lisää authorOrPerformer/assignedPerson: henkilön tunniste, nimi ja edustettu organisaatio tai palveluyksikkö.",
        "Lägg till authorOrPerformer/assignedPerson: personens id, namn och representerad organisation eller serviceenhet.",
        "Add authorOrPerformer/assignedPerson: the person's id, name and represented organisation or service unit.",
    ),
    source=SAMPLES,
)
def frame_author(ctx):
    a = ctx.frame.author
    if a is None or a.person is None or a.person.id is None:
        yield hit(_x(ctx, "author"))
