"""The frame and the document must agree with each other."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.archive.frame import SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.rules.registry import Context, Stage, define, hit
from mock_kanta.rules.sources import GROUP, SAMPLES
from mock_kanta.wire import cda, hl7v3

SRC = SAMPLES + " (the validator tool enforces it before sending; Kanta checks it too [I])"
CLIENT_RELATIONSHIP_GROUP = "1"


def _ii(v):
    return v.root if v else None


def _ext(v):
    return v.id.extension if v and v.id else None


# (rule id, what (fi, sv, en), frame getter, document getter, frame xpath, document xpath, severity);
# warnings compare only values the frame states (the frame may leave them out).
_PAIRS = (
    ("SH-CON-001", ("asiakirjan tunniste", "dokumentets id", "document id"),
     lambda f: _ii(f.id), lambda d: _ii(d.id), ("id", "root"), ("id", "root"), Severity.ERROR),
    ("SH-CON-002", ("setId", "setId", "setId"),
     lambda f: _ii(f.set_id), lambda d: _ii(d.set_id), ("set_id", "root"), ("set_id", "root"), Severity.ERROR),
    ("SH-CON-003", ("versio", "version", "version number"),
     lambda f: f.version_number, lambda d: d.version_number, ("version_number", "value"), ("version_number", "value"), Severity.ERROR),
    ("SH-CON-004", ("asiakkaan henkilötunnus", "klientens personbeteckning", "client's identity code"),
     lambda f: _ext(f.client), lambda d: _ext(d.client), ("client", "extension"), ("client", "extension"), Severity.ERROR),
    ("SH-CON-005", ("rekisterinpitäjä", "registeransvarig", "custodian"),
     lambda f: _ii(f.custodian.id) if f.custodian else None, lambda d: _ii(d.custodian.id) if d.custodian else None,
     ("custodian", "root"), ("custodian", "root"), Severity.ERROR),
    ("SH-CON-006", ("rekisteri", "register", "register"),
     lambda f: f.register_code.code if f.register_code else None,
     lambda d: d.local.registry_type.code if d.local and d.local.registry_type else None,
     ("register_code", "code"), None, Severity.ERROR),
    ("SH-CON-007", ("luottamuksellisuus", "sekretessklass", "confidentiality"),
     lambda f: f.confidentiality.code if f.confidentiality else None,
     lambda d: d.confidentiality.code if d.confidentiality else None,
     ("confidentiality", "code"), ("confidentiality", "code"), Severity.WARNING),
    ("SH-CON-008", ("kieli", "språk", "language"),
     lambda f: f.language.lower() if f.language else None, lambda d: d.language.lower() if d.language else None,
     ("language", "code"), ("language", "code"), Severity.WARNING),
)

_SUB = {"client": "hl7:id", "custodian": "hl7:id"}


def _frame_x(ctx: Context, attr: str, at: str) -> str:
    return hl7v3.doc_xpath(attr, _SUB.get(attr), at=at, root=ctx.frame.interaction)


def _doc_x(attr: str, at: str) -> str:
    return cda.xpath(attr, _SUB.get(attr), at=at)


def _pair_check(get_f, get_d, fx, dx, optional_in_frame):
    def check(ctx: Context):
        fd, doc = ctx.frame.document, ctx.document
        if fd is None:
            return
        a, b = get_f(fd), get_d(doc)
        if (a is None and b is None) or (optional_in_frame and a is None):
            return
        if a != b:
            doc_loc = _doc_x(*dx) if dx else cda.local_xpath("registry_type", "code")
            yield hit(f"{_frame_x(ctx, *fx)} | {doc_loc}", frame=a or "-", document=b or "-")

    return check


for rid, (fi, sv, en), get_f, get_d, fx, dx, severity in _PAIRS:
    define(
        rid,
        severity,
        Stage.CONSISTENCY,
        needs=("frame", "document"),
        check=_pair_check(get_f, get_d, fx, dx, optional_in_frame=severity is Severity.WARNING),
        title=(f"Kehys ja asiakirja: {fi}", f"Ram och dokument: {sv}", f"Frame and document: {en}"),
        message=(
            f"Siirtokehyksen ja asiakirjan {fi} eroavat: kehyksessä {{frame}}, asiakirjassa {{document}}.",
            f"Ramens och dokumentets {sv} skiljer sig: i ramen {{frame}}, i dokumentet {{document}}.",
            f"The frame and the document disagree on the {en}: frame {{frame}}, document {{document}}.",
        ),
        fix=(
            "Muodosta siirtokehyksen clinicalDocument samoista tiedoista kuin asiakirjan otsikko.",
            "Bygg ramens clinicalDocument av samma uppgifter som dokumentets huvud.",
            "Build the frame's clinicalDocument from the same data as the document header.",
        ),
        source=SRC,
    )


def _service_request_vs_group(ctx: Context):
    sp = ctx.frame.reason(SERVICE_REQUESTS)
    group = ctx.document.local.document_group if ctx.document.local else None
    if sp is None or group is None or not sp.code or not group.code:
        return
    is_relationship = group.code == CLIENT_RELATIONSHIP_GROUP
    if (sp.code == "SP1") != is_relationship and sp.code in ("SP1", "SP17"):
        expected = "SP1" if is_relationship else "SP17"
        yield hit(
            f"{hl7v3.reason_xpath(SERVICE_REQUESTS, ctx.frame.interaction)}/@code | {cda.local_xpath('document_group', 'code')}",
            request=sp.code,
            group=group.code,
            expected=expected,
        )


define(
    "SH-CON-009",
    Severity.ERROR,
    Stage.CONSISTENCY,
    needs=("frame", "document"),
    check=_service_request_vs_group,
    title=("Palvelupyyntö ja asiakirjaryhmä", "Servicebegäran och dokumentgrupp", "Service request and document group"),
    message=(
        "Palvelupyyntö {request} ei sovi asiakirjaryhmään {group}; odotettiin {expected}.",
        "Servicebegäran {request} passar inte dokumentgrupp {group}; förväntades {expected}.",
        "Service request {request} does not fit document group {group}; expected {expected}.",
    ),
    fix=(
        "SP1 = asiakkuusasiakirjan arkistointi (asiakirjaryhmä 1); SP17 = asiakasasiakirjan arkistointi (muut ryhmät).",
        "SP1 = arkivering av klientrelationsdokument (dokumentgrupp 1); SP17 = arkivering av klientdokument (övriga grupper).",
        "SP1 = archive a client-relationship document (group 1); SP17 = archive a client document (other groups).",
    ),
    source=f"{GROUP}; {SAMPLES}",
    kanta_verified=True,
)


def _sender_is_custodian(ctx: Context):
    usage = ctx.frame.reason(USAGE_SITUATIONS)
    custodian = ctx.document.custodian.id.root if ctx.document.custodian and ctx.document.custodian.id else None
    if usage is None or usage.code != "1" or not ctx.frame.sender or not custodian:
        return
    if ctx.frame.sender != custodian:
        yield hit(hl7v3.xpath("sender", root=ctx.frame.interaction), sender=ctx.frame.sender, custodian=custodian)


define(
    "SH-CON-010",
    Severity.ERROR,
    Stage.CONSISTENCY,
    needs=("frame", "document"),
    check=_sender_is_custodian,
    title=("Oma käyttö: lähettäjä on rekisterinpitäjä", "Eget bruk: avsändaren är registeransvarig", "Own use: sender is the custodian"),
    message=(
        "Käyttötilanne 1 (palvelunjärjestäjän rekisterin oma käyttö), mutta lähettäjä {sender} ei ole rekisterinpitäjä {custodian}.",
        "Användningssituation 1 (anordnarens eget bruk av registret), men avsändaren {sender} är inte registeransvarig {custodian}.",
        "Usage situation 1 (the organiser's own use of its register), but the sender {sender} is not the custodian {custodian}.",
    ),
    fix=(
        "Jos palveluntuottaja tallentaa järjestäjän rekisteriin, käytä rekisterinkäyttöoikeuden käyttötilannetta; muuten lähettäjä = rekisterinpitäjä.",
        "Om en producent sparar i anordnarens register, använd registeranvändningsrättens användningssituation; annars avsändare = registeransvarig.",
        "If a provider stores into the organiser's register, use the register-usage-right situation; otherwise sender = custodian.",
    ),
    source=SAMPLES + " (sender = custodian in both) [I]",
)
