"""Context data every client document states: matter, service task, social service, service
process phase, service unit (kontekstitiedot); and the matter belongs to the organiser and client."""
from mock_kanta.core.findings import Severity
from mock_kanta.registers.service import PHASE_SYSTEM, social_services
from mock_kanta.rules.archive.header import is_client_document
from mock_kanta.rules.archive.register import situation
from mock_kanta.rules.registry import Stage, hit, rule
from mock_kanta.wire import cda

CONTEXT_SOURCE = ("[K] Keusote kirjaamisopas: asiakasasiakirjojen pakolliset kontekstitiedot (asia, palvelutehtävä, "
                  "sosiaalipalvelu, palveluprosessi, palveluyksikkö); THL sosiaalihuollon palveluprosessi")
MATTER_X = cda.xpath("matter", "hl7:id", at="root")
SERVICE_SYSTEM = "1.2.246.537.6.1222.201601"


def _matter_id(doc):
    return doc.matter.id.root if doc.matter and doc.matter.id and doc.matter.id.root else None


def _social_services(ctx, data) -> list[str]:
    """The structured part's sosiaalipalvelu codes, walked once per message (two rules ask)."""
    found = ctx.extras.get("social_services")
    if found is None:
        found = ctx.extras["social_services"] = social_services(data)
    return found


@rule(
    "SH-CTX-001",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Asia puuttuu", "Ärende saknas", "Matter missing"),
    message=(
        "Asiakasasiakirjasta puuttuu asia (componentOf/encompassingEncounter/id@root).",
        "Klientdokumentet saknar ärende (componentOf/encompassingEncounter/id@root).",
        "The client document lacks its matter (componentOf/encompassingEncounter/id@root).",
    ),
    fix=(
        "Anna asiatunnus: palvelunjärjestäjä antaa sen palveluntuottajalle, jotta asiakirjat yhdistyvät samaan asiaan.",
        "Ange ärendenumret: anordnaren ger det till producenten så att dokumenten förenas i samma ärende.",
        "Give the matter id: the organiser gives it to the provider so that the documents join the same matter.",
    ),
    source=CONTEXT_SOURCE,
)
def matter_present(ctx):
    if is_client_document(ctx.document) and not _matter_id(ctx.document):
        yield hit(MATTER_X)


@rule(
    "SH-CTX-002",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Sosiaalipalvelu puuttuu", "Socialservice saknas", "Social service missing"),
    message=(
        "Asiakasasiakirjasta ei löydy sosiaalipalvelua (sosiaalipalvelu, koodisto {system}) otsikosta eikä rakenteisesta osasta.",
        "Klientdokumentet anger ingen socialservice (sosiaalipalvelu, kodsystem {system}) i huvudet eller den strukturerade delen.",
        "The client document states no social service (sosiaalipalvelu, code system {system}) in the header or the structured part.",
    ),
    fix=(
        "Lisää rakenteiseen osaan sosiaalipalvelu-koodi (esim. 45 Sosiaaliohjaus).",
        "Lägg till en sosiaalipalvelu-kod i den strukturerade delen (t.ex. 45 Sosiaaliohjaus).",
        "Add a sosiaalipalvelu code to the structured part (e.g. 45 Sosiaaliohjaus).",
    ),
    source=CONTEXT_SOURCE,
)
def social_service_present(ctx):
    data = ctx.extras.get("body.json")
    if is_client_document(ctx.document) and data is not None and not _social_services(ctx, data):
        yield hit(cda.body_xpath("json_b64"), system=SERVICE_SYSTEM)


@rule(
    "SH-CTX-003",
    Severity.WARNING,
    Stage.CODES,
    needs=("document",),
    title=("Sosiaalipalvelu ei hiekkalaatikon listalla", "Socialservicen finns inte i sandlådans lista", "Social service not in the sandbox's list"),
    message=(
        "Sosiaalipalvelukoodia {code} ei ole hiekkalaatikon osittaisessa koodistossa {system}.",
        "Socialservicekoden {code} finns inte i sandlådans ofullständiga kodsystem {system}.",
        "Social service code {code} is not in the sandbox's partial list of {system}.",
    ),
    fix=(
        "Tarkista koodi koodistopalvelusta; lisää se tarvittaessa tiedostoon <data-dir>/codes/*.yaml.",
        "Kontrollera koden i kodtjänsten; lägg vid behov till den i <data-dir>/codes/*.yaml.",
        "Check the code in the code service; add it to <data-dir>/codes/*.yaml if it is right.",
    ),
    source="Sosiaalihuolto - Sosiaalipalvelu 1.2.246.537.6.1222.201601; mock-kanta code data",
)
def social_service_codes(ctx):
    data, system = ctx.extras.get("body.json"), ctx.codes.get(SERVICE_SYSTEM)
    if data is None or system is None:
        return
    for code in sorted(set(_social_services(ctx, data))):
        if system.get(code) is None:
            yield hit(cda.body_xpath("json_b64"), code=code, system=SERVICE_SYSTEM)


@rule(
    "SH-CTX-004",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("frame", "document", "world"),
    title=("Palveluntuottajan palveluprosessin vaihe", "Producentens skede i serviceprocessen", "Provider's service process phase"),
    message=(
        "Palveluntuottajan asiakirjan palveluprosessin vaihe on {found}; palveluntuottaja toimii vaiheessa {expected} ({name}).",
        "Producentens dokument har skedet {found}; producenten verkar i skedet {expected} ({name}).",
        "The provider's document is in phase {found}; providers work in phase {expected} ({name}).",
    ),
    fix=(
        "Käytä palveluprosessin vaihetta 'palvelun toteutus' (hiekkalaatikossa koodi {expected}, mallinnettu).",
        "Använd skedet 'genomförande av tjänsten' (i sandlådan kod {expected}, modellerad).",
        "Use the phase 'palvelun toteutus' (service implementation; code {expected} in the sandbox, modelled).",
    ),
    source=CONTEXT_SOURCE + " (the code of 'palvelun toteutus' is modelled, verified: false)",
)
def provider_phase(ctx):
    s = situation(ctx)
    system = ctx.codes.get(PHASE_SYSTEM)
    expected = system.by_meaning("provider-phase") if system else None
    sp = ctx.document.local.service_process if ctx.document.local else None
    found = sp.code.code if sp and sp.code else None
    if s.into_organiser and expected and found and found != expected.code:
        yield hit(cda.local_xpath("service_process") + "/hl7fi:code/@code", found=found, expected=expected.code,
                  name=expected.display)


_MATTER_FIX = (
    "Käytä palvelunjärjestäjän tälle asiakkaalle antamaa asiatunnusta.",
    "Använd det ärendenummer som anordnaren gett för denna klient.",
    "Use the matter id the organiser gave for this client.",
)
_MATTER_SOURCE = CONTEXT_SOURCE + "; [K] Keusote kirjaamisopas: palvelunjärjestäjä antaa asiatunnuksen"


@rule(
    "SH-CTX-005",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("frame", "document", "world"),
    title=("Järjestäjä ei ole avannut asiaa", "Anordnaren har inte öppnat ärendet", "Matter not opened by the organiser"),
    message=(
        "Palvelunjärjestäjä {custodian} ei ole avannut asiaa {matter}.",
        "Anordnaren {custodian} har inte öppnat ärendet {matter}.",
        "Organiser {custodian} has not opened matter {matter}.",
    ),
    fix=_MATTER_FIX,
    source=_MATTER_SOURCE,
)
def matter_known(ctx):
    s = situation(ctx)
    matter_id = _matter_id(ctx.document)
    if matter_id and s.into_organiser and is_client_document(ctx.document) and ctx.world.matter(matter_id) is None:
        yield hit(MATTER_X, custodian=s.custodian, matter=matter_id)


@rule(
    "SH-CTX-006",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("frame", "document", "world"),
    title=("Asia kuuluu toiselle", "Ärendet hör till någon annan", "Matter belongs elsewhere"),
    message=(
        "Asia {matter} kuuluu järjestäjälle {owner} ja asiakkaalle {owner_client}, ei {custodian} / {client}.",
        "Ärendet {matter} hör till anordnaren {owner} och klienten {owner_client}, inte {custodian} / {client}.",
        "Matter {matter} belongs to organiser {owner} and client {owner_client}, not {custodian} / {client}.",
    ),
    fix=_MATTER_FIX,
    source=_MATTER_SOURCE,
)
def matter_belongs(ctx):
    s = situation(ctx)
    matter = ctx.world.matter(_matter_id(ctx.document)) if is_client_document(ctx.document) else None
    if matter and (matter["organiser_oid"] != s.custodian or matter["client_id"] != s.client):
        yield hit(MATTER_X, matter=matter["matter_id"], owner=matter["organiser_oid"], owner_client=matter["client_id"],
                  custodian=s.custodian, client=s.client)
