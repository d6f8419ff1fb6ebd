"""Coded values must come from their code systems (kept as data in mock_kanta/codes)."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.archive.frame import SERVICE_REQUESTS, USAGE_SITUATIONS
from mock_kanta.rules.registry import Context, Stage, hit, rule
from mock_kanta.rules.sources import METADATA
from mock_kanta.wire import cda, hl7v3

DOC_TYPE = "1.2.246.537.6.1506.201701"


def _lh(attr):
    return lambda d: getattr(d.local, attr, None) if d.local else None


# (element label, getter on the document, xpath, expected code system)
DOCUMENT_CODES = (
    ("code", lambda d: d.code, cda.xpath("code"), DOC_TYPE),
    ("confidentialityCode", lambda d: d.confidentiality, cda.xpath("confidentiality"), "1.2.246.777.5.99902.2006"),
    ("administrativeGenderCode", lambda d: d.client.gender if d.client else None,
     cda.xpath("client", "hl7:patient/hl7:administrativeGenderCode"), "1.2.246.537.5.1.1997"),
    ("authorization/consent/code", lambda d: d.consent, cda.xpath("consent"), "1.2.246.537.6.1286.201901"),
    ("specificDocumentType", _lh("specific_document_type"), cda.local_xpath("specific_document_type"), DOC_TYPE),
    ("documentGroup", _lh("document_group"), cda.local_xpath("document_group"), "1.2.246.537.6.1505.201601"),
    ("fileFormat", _lh("file_format"), cda.local_xpath("file_format"), "1.2.246.537.6.1502.201601"),
    ("structuredFileFormat", _lh("structured_file_format"), cda.local_xpath("structured_file_format"), "1.2.246.537.5.40179.2008"),
    ("functionCode", _lh("function_code"), cda.local_xpath("function_code"), "1.2.246.537.6.1221.201601"),
    ("recordStatus", _lh("record_status"), cda.local_xpath("record_status"), "1.2.246.537.5.40154.2008"),
    ("registryType", _lh("registry_type"), cda.local_xpath("registry_type"), "1.2.246.537.6.1264.201701"),
    ("totalRetentionPeriodClass", _lh("total_retention_period_class"), cda.local_xpath("total_retention_period_class"),
     "1.2.246.537.6.1258.201601"),
    ("specialContent", _lh("special_content"), cda.local_xpath("special_content"), "1.2.246.537.6.112.2007"),
    ("serviceProcess/code", lambda d: d.local.service_process.code if d.local and d.local.service_process else None,
     cda.local_xpath("service_process") + "/hl7fi:code", "1.2.246.537.6.1277.201701"),
    ("inaccessibleArgument", _lh("inaccessible_argument"), cda.local_xpath("inaccessible_argument"), "1.2.246.537.6.1288.201901"),
    ("reasonOfCorrection", _lh("reason_of_correction"), cda.local_xpath("reason_of_correction"), "1.2.246.537.5.40178.2008"),
    ("signature/authenticationMethod",
     lambda d: d.local.signature.authentication_method if d.local and d.local.signature else None,
     cda.local_xpath("signature") + "/hl7fi:authenticationMethod", "1.2.246.537.5.40128.2006"),
)


def _frame_codes(frame):
    fd = frame.document
    root = frame.interaction
    yield "reasonCode (palvelupyyntö)", frame.reason(SERVICE_REQUESTS), hl7v3.reason_xpath(SERVICE_REQUESTS, root), SERVICE_REQUESTS
    yield "reasonCode (käyttötilanne)", frame.reason(USAGE_SITUATIONS), hl7v3.reason_xpath(USAGE_SITUATIONS, root), USAGE_SITUATIONS
    if fd is not None:
        yield "clinicalDocument/code", fd.register_code, hl7v3.doc_xpath("register_code", root=root), "1.2.246.537.6.1264.201701"
        yield "completionCode", fd.completion_code, hl7v3.doc_xpath("completion_code", root=root), "1.2.246.537.5.40115.2006"
        yield "storageCode", fd.storage_code, hl7v3.doc_xpath("storage_code", root=root), "1.2.246.537.5.40116.2006"


def coded_values(ctx: Context) -> list:
    """Every (label, Coded, xpath, expected system) present in the message (listed once per message:
    several rules walk it)."""
    found = ctx.extras.get("coded_values")
    if found is None:
        found = ctx.extras["coded_values"] = list(_coded_values(ctx))
    return found


def _coded_values(ctx: Context):
    if ctx.document is not None:
        for label, get, loc, system in DOCUMENT_CODES:
            yield label, get(ctx.document), loc, system
    if ctx.frame is not None:
        yield from _frame_codes(ctx.frame)


def _present(coded) -> bool:
    return coded is not None and coded.code is not None


_FIX_SYSTEM = (
    "Käytä koodistoa {expected} ({name}).",
    "Använd kodsystemet {expected} ({name}).",
    "Use code system {expected} ({name}).",
)


@rule(
    "SH-COD-001",
    Severity.ERROR,
    Stage.CODES,
    title=("Väärä koodisto", "Fel kodsystem", "Wrong code system"),
    message=(
        "{element}: koodisto on {found}, odotettiin {expected}.",
        "{element}: kodsystemet är {found}, förväntades {expected}.",
        "{element}: code system is {found}, expected {expected}.",
    ),
    fix=_FIX_SYSTEM,
    source=METADATA,
    kanta_verified=True,
)
def code_system(ctx):
    for label, coded, loc, expected in coded_values(ctx):
        if _present(coded) and coded.code_system != expected:
            system = ctx.codes.get(expected)
            yield hit(f"{loc}/@codeSystem", element=label, found=coded.code_system or "-", expected=expected,
                      name=system.name if system else expected)


@rule(
    "SH-COD-002",
    Severity.ERROR,
    Stage.CODES,
    title=("Tuntematon koodi", "Okänd kod", "Unknown code"),
    message=(
        "{element}: koodia {code} ei ole koodistossa {system} ({name}).",
        "{element}: koden {code} finns inte i kodsystemet {system} ({name}).",
        "{element}: code {code} is not in code system {system} ({name}).",
    ),
    fix=(
        "Valitse koodi koodistopalvelun luokituksesta {system}. Sallitut: {allowed}.",
        "Välj en kod ur klassificeringen {system} i kodtjänsten. Tillåtna: {allowed}.",
        "Pick a code from classification {system} in the code service. Allowed: {allowed}.",
    ),
    source="Kanta koodistopalvelu; " + METADATA,
    kanta_verified=True,
)
def unknown_code_complete(ctx):
    yield from _unknown(ctx, complete=True)


@rule(
    "SH-COD-003",
    Severity.WARNING,
    Stage.CODES,
    title=("Koodi ei hiekkalaatikon listalla", "Koden finns inte i sandlådans lista", "Code not in the sandbox's list"),
    message=(
        "{element}: koodia {code} ei ole hiekkalaatikon osittaisessa koodistossa {system} ({name}); sitä ei voitu tarkistaa.",
        "{element}: koden {code} finns inte i sandlådans ofullständiga kodsystem {system} ({name}); den kunde inte kontrolleras.",
        "{element}: code {code} is not in the sandbox's partial list of {system} ({name}); it could not be checked.",
    ),
    fix=(
        "Tarkista koodi koodistopalvelusta. Jos se on oikea, lisää se tiedostoon <data-dir>/codes/*.yaml. Tunnetut: {allowed}.",
        "Kontrollera koden i kodtjänsten. Om den är rätt, lägg till den i <data-dir>/codes/*.yaml. Kända: {allowed}.",
        "Check the code in the code service. If it is right, add it to <data-dir>/codes/*.yaml. Known: {allowed}.",
    ),
    source="mock-kanta code data (partial lists, see docs/codes.md)",
)
def unknown_code_partial(ctx):
    yield from _unknown(ctx, complete=False)


def _unknown(ctx, complete: bool):
    for label, coded, loc, expected in coded_values(ctx):
        if not _present(coded) or coded.code_system != expected:
            continue
        system = ctx.codes.get(expected)
        if system is None or system.complete != complete or system.get(coded.code) is not None:
            continue
        yield hit(f"{loc}/@code", element=label, code=coded.code, system=expected, name=system.name,
                  allowed=", ".join(sorted(system.codes)))
