"""Whose register: the register usage right (rekisterinkäyttöoikeus), keeping registers apart,
the SOTE organisation register and the organisers' timelines."""
from mock_kanta.core.findings import Severity
from mock_kanta.registers.service import PROVIDER_USAGE, USAGE_SYSTEM, sote_register_from, ts_date
from mock_kanta.rules.archive.header import is_client_document
from mock_kanta.rules.registry import Context, Stage, define
from mock_kanta.rules.registry import hit as _hit
from mock_kanta.rules.sources import SAMPLES
from mock_kanta.wire import cda, hl7v3

NEEDS = ("frame", "document", "world")
RIGHT_SOURCE = ("Laki sosiaali- ja terveydenhuollon asiakastietojen käsittelystä 703/2023; "
                "kanta.fi: Sosiaalihuollon rekisterinkäyttöoikeus (asiakkuusasiakirja names the provider unit and start date)")
KEUSOTE = "[K] Keusote liittymisopas (Kanta-palvelujen käyttöönotto; rekisterien erottaminen)"
SOTERI = "[K] Keusote liittymisopas: Soteri -> SOTE-organisaatiorekisteri once a day; Valvira Soteri"
UNIT_X = cda.xpath("matter", "hl7:encounterParticipant[@typeCode='ADM']/hl7:assignedEntity/hl7:representedOrganization/hl7:id", at="root")
CUSTODIAN_X = cda.xpath("custodian", "hl7:id", at="root")


def _sender_x(ctx):
    return hl7v3.xpath("sender", root=ctx.frame.interaction)


def _usage_x(ctx):
    return hl7v3.reason_xpath(USAGE_SYSTEM, ctx.frame.interaction) + "/@code"


class Situation:
    """Who sends what into whose register, derived once per message."""

    def __init__(self, ctx: Context):
        d, w = ctx.document, ctx.world
        self.sender = ctx.frame.sender
        self.custodian = d.custodian.id.root if d.custodian and d.custodian.id else None
        self.organiser = d.local.outsourcing_service_customer if d.local else None
        self.unit_oid = d.matter.service_unit.id.root if d.matter and d.matter.service_unit and d.matter.service_unit.id else None
        self.client = d.client.id.extension if d.client and d.client.id else None
        self.date = ts_date(d.effective_time) or w.today
        self.sender_kind, self.custodian_kind = w.kind(self.sender), w.kind(self.custodian)
        usage = ctx.frame.reason(USAGE_SYSTEM)
        system = ctx.codes.get(USAGE_SYSTEM)
        provider_code = system.by_meaning(PROVIDER_USAGE) if system else None
        self.provider_code = provider_code.code if provider_code else None
        self.usage = usage.code if usage else None
        self.into_organiser = self.sender_kind == "provider" and self.custodian_kind == "organiser"
        self.own_provider_register = self.sender_kind == "provider" and self.custodian == self.sender


def situation(ctx: Context) -> Situation:
    if "register.situation" not in ctx.extras:
        ctx.extras["register.situation"] = Situation(ctx)
    return ctx.extras["register.situation"]


def _rule(rid, title, message, fix, source=RIGHT_SOURCE, severity=Severity.ERROR):
    def wrap(fn):
        def check(ctx):
            yield from fn(ctx, situation(ctx))

        define(rid, severity, Stage.DOCUMENT, needs=NEEDS, check=check, title=title, message=message, fix=fix, source=source)
        return fn

    return wrap


@_rule(
    "SH-REG-001",
    ("Rekisterinpitäjä ja palvelunjärjestäjä", "Registeransvarig och anordnare", "Custodian and organiser"),
    (
        "Palveluntuottaja {sender} tallentaa palvelunjärjestäjän rekisteriin: rekisterinpitäjän ({custodian}) ja "
        "outsourcingServiceCustomerin ({organiser}) on oltava sama palvelunjärjestäjä.",
        "Producenten {sender} sparar i anordnarens register: registeransvarig ({custodian}) och "
        "outsourcingServiceCustomer ({organiser}) ska vara samma anordnare.",
        "Provider {sender} stores into an organiser's register: the custodian ({custodian}) and "
        "outsourcingServiceCustomer ({organiser}) must be the same organiser.",
    ),
    (
        "Merkitse sekä custodian että hl7fi:outsourcingServiceCustomer palvelunjärjestäjän (hyvinvointialueen) OID:ksi.",
        "Ange både custodian och hl7fi:outsourcingServiceCustomer som anordnarens (välfärdsområdets) OID.",
        "Set both custodian and hl7fi:outsourcingServiceCustomer to the organiser's (wellbeing county's) OID.",
    ),
)
def custodian_is_organiser(ctx, s):
    if s.into_organiser and s.organiser != s.custodian:
        yield _hit(cda.local_xpath("outsourcing_service_customer", "root"), sender=s.sender, custodian=s.custodian,
                   organiser=s.organiser or "-")


@_rule(
    "SH-REG-002",
    ("Käyttötilanne ja rekisteri", "Användningssituation och register", "Usage situation and register"),
    (
        "Käyttötilanne on {usage}, mutta {case}: odotettiin {expected}.",
        "Användningssituationen är {usage}, men {case}: förväntades {expected}.",
        "The usage situation is {usage}, but {case}: expected {expected}.",
    ),
    (
        "Kun palveluntuottaja tallentaa järjestäjän rekisteriin, käytä rekisterinkäyttöoikeuden käyttötilannetta "
        "(hiekkalaatikossa koodi {provider_code}, mallinnettu); omaan rekisteriin tallennettaessa käytä koodia 1.",
        "När en producent sparar i anordnarens register, använd registeranvändningsrättens användningssituation "
        "(i sandlådan kod {provider_code}, modellerad); i det egna registret används kod 1.",
        "When a provider stores into the organiser's register, use the register usage right situation "
        "(code {provider_code} in the sandbox, modelled); into one's own register use code 1.",
    ),
    source="Sosiaalihuolto - Asiakastiedon arkiston käyttötilanne 1.2.246.537.6.1289.201901 ([S] code 1; the provider code is modelled, verified: false)",
)
def usage_situation(ctx, s):
    if not s.usage or not s.provider_code:
        return
    if s.into_organiser and s.usage != s.provider_code:
        yield _hit(_usage_x(ctx), usage=s.usage, case=f"{s.sender} -> {s.custodian}", expected=s.provider_code,
                   provider_code=s.provider_code)
    elif s.usage == s.provider_code and not s.into_organiser:
        yield _hit(_usage_x(ctx), usage=s.usage, case=f"{s.sender} -> {s.custodian}", expected="1", provider_code=s.provider_code)


@_rule(
    "SH-REG-003",
    ("Palveluyksikkö kuuluu lähettäjälle", "Serviceenheten hör till avsändaren", "Service unit belongs to the sender"),
    (
        "Palveluyksikkö {unit} kuuluu organisaatiolle {owner}, mutta lähettäjä on {sender}.",
        "Serviceenheten {unit} hör till organisationen {owner}, men avsändaren är {sender}.",
        "Service unit {unit} belongs to {owner}, but the sender is {sender}.",
    ),
    (
        "Ilmoita encounterParticipant-kohdassa oma palveluyksikkösi, jossa asiakas on asiakkaana.",
        "Ange din egen serviceenhet, där klienten är klient, i encounterParticipant.",
        "Name your own service unit, where the client is served, in encounterParticipant.",
    ),
    source=RIGHT_SOURCE + "; " + SAMPLES,
)
def unit_belongs_to_sender(ctx, s):
    unit = ctx.world.unit(s.unit_oid)
    if unit and s.sender and unit["organisation_oid"] != s.sender:
        yield _hit(UNIT_X, unit=s.unit_oid, owner=unit["organisation_oid"], sender=s.sender)


def _rights_here(ctx, s):
    return [r for r in ctx.world.rights(s.client) if r.organiser_oid == s.custodian and r.unit_oid == s.unit_oid]


@_rule(
    "SH-REG-004",
    ("Ei rekisterinkäyttöoikeutta", "Ingen registeranvändningsrätt", "No register usage right"),
    (
        "Palvelunjärjestäjä {custodian} ei ole nimennyt palveluyksikköä {unit} asiakkaan {client} asiakkuusasiakirjassa.{others}",
        "Anordnaren {custodian} har inte namngett serviceenheten {unit} i klientens {client} klientrelationsdokument.{others}",
        "Organiser {custodian} has not named service unit {unit} on client {client}'s client-relationship document.{others}",
    ),
    (
        "Pyydä palvelunjärjestäjää merkitsemään palveluyksikkösi ja asiakkuuden alkamispäivä asiakkuusasiakirjaan "
        "(palveluntuottaja / palveluyksikön nimi). Siihen asti tallenna vain paikalliseen järjestelmään.",
        "Be anordnaren ange din serviceenhet och klientrelationens startdatum i klientrelationsdokumentet "
        "(producent / serviceenhetens namn). Till dess spara endast i det lokala systemet.",
        "Ask the organiser to name your service unit and the start date on the client-relationship document "
        "(palveluntuottaja / palveluyksikön nimi). Until then keep the data in your local system only.",
    ),
)
def right_exists(ctx, s):
    if s.into_organiser and s.client and s.unit_oid and not _rights_here(ctx, s):
        others = sorted({r.unit_oid for r in ctx.world.rights(s.client) if r.organiser_oid == s.custodian})
        yield _hit(UNIT_X, custodian=s.custodian, unit=s.unit_oid, client=s.client,
                   others=f" ({', '.join(others)})" if others else "")


def _dated_rule(rid, title, message, fix, test):
    @_rule(rid, title, message, fix)
    def check(ctx, s):
        rights = _rights_here(ctx, s) if s.into_organiser and s.client else []
        if rights and not any(r.in_force(s.date) for r in rights):
            for r in rights:
                if test(r, s.date):
                    yield _hit(cda.xpath("effective_time", at="value"), unit=s.unit_oid, date=s.date.isoformat(),
                               start=r.start.isoformat(), end=r.end.isoformat() if r.end else "-")
                    return


_dated_rule(
    "SH-REG-005",
    ("Rekisterinkäyttöoikeus ei ole vielä alkanut", "Registeranvändningsrätten har inte börjat", "Register usage right not yet started"),
    (
        "Palveluyksikön {unit} rekisterinkäyttöoikeus alkaa {start}; asiakirjan päivä on {date}.",
        "Serviceenhetens {unit} registeranvändningsrätt börjar {start}; dokumentets datum är {date}.",
        "Service unit {unit}'s register usage right starts on {start}; the document is dated {date}.",
    ),
    (
        "Tallenna asiakirja Kantaan vasta asiakkuuden alkamisen jälkeen tai pyydä järjestäjää korjaamaan alkamispäivä.",
        "Spara dokumentet i Kanta först efter att klientrelationen börjat, eller be anordnaren rätta startdatumet.",
        "Archive the document only once the client relationship has begun, or ask the organiser to correct the start date.",
    ),
    lambda r, on: on < r.start,
)
_dated_rule(
    "SH-REG-006",
    ("Rekisterinkäyttöoikeus on päättynyt", "Registeranvändningsrätten har upphört", "Register usage right has ended"),
    (
        "Palveluyksikön {unit} rekisterinkäyttöoikeus päättyi {end}; asiakirjan päivä on {date}.",
        "Serviceenhetens {unit} registeranvändningsrätt upphörde {end}; dokumentets datum är {date}.",
        "Service unit {unit}'s register usage right ended on {end}; the document is dated {date}.",
    ),
    (
        "Asiayhteys on päättynyt. Myöhempi kirjaus vaatii järjestäjän uuden asiakkuusasiakirjan (tai erityisen syyn luokituksen).",
        "Ärendesambandet har upphört. En senare anteckning kräver ett nytt klientrelationsdokument från anordnaren.",
        "The case link has ended. A later entry needs a new client-relationship document from the organiser.",
    ),
    lambda r, on: r.end is not None and on > r.end,
)


@_rule(
    "SH-REG-007",
    ("Palveluyksikkö ei ole SOTE-organisaatiorekisterissä", "Serviceenheten finns inte i SOTE-organisationsregistret",
     "Service unit not in the SOTE organisation register"),
    (
        "Palveluyksikkö {unit} rekisteröitiin Soteriin {registered}; se siirtyy SOTE-organisaatiorekisteriin {available}.",
        "Serviceenheten {unit} registrerades i Soteri {registered}; den förs över till SOTE-organisationsregistret {available}.",
        "Service unit {unit} was registered in Soteri at {registered}; it reaches the SOTE organisation register at {available}.",
    ),
    (
        "Odota seuraavaan päivittäiseen siirtoon (hiekkalaatikon kellon mukaan); siirrä kelloa harjoitellessa.",
        "Vänta till nästa dagliga överföring (enligt sandlådans klocka); flytta klockan när du övar.",
        "Wait for the next daily transfer (by the sandbox clock); move the clock when rehearsing.",
    ),
    source=SOTERI,
)
def unit_in_sote_register(ctx, s):
    unit = ctx.world.unit(s.unit_oid)
    available = sote_register_from(unit["soteri_registered_at"]) if unit else None
    if available and ctx.world.now < available:
        yield _hit(UNIT_X, unit=s.unit_oid, registered=unit["soteri_registered_at"], available=available.isoformat())


@_rule(
    "SH-REG-008",
    ("Järjestäjän rekisteri ei vielä avoin palveluntuottajille", "Anordnarens register ännu inte öppet för producenter",
     "Organiser's register not yet open to providers"),
    (
        "Palvelunjärjestäjän {custodian} rekisteriin voi tallentaa rekisterinkäyttöoikeudella {date} alkaen (nyt {now}).",
        "I anordnarens {custodian} register kan man spara med registeranvändningsrätt från {date} (nu {now}).",
        "Providers may store into organiser {custodian}'s register under the usage right from {date} (now {now}).",
    ),
    (
        "Säilytä järjestäjän asiakkaiden asiakirjat siihen asti vain paikallisessa järjestelmässä; älä tallenna niitä omaan rekisteriisi.",
        "Behåll anordnarens klienters dokument till dess endast i det lokala systemet; spara dem inte i ditt eget register.",
        "Until then keep the organiser's clients' documents in your local system only; do not store them in your own register.",
    ),
    source=KEUSOTE,
)
def organiser_open_for_providers(ctx, s):
    org = ctx.world.org(s.custodian)
    opens = org and (org["providers_from"] or org["kanta_from"])
    if s.into_organiser and opens and ctx.world.today < opens:
        yield _hit(CUSTODIAN_X, custodian=s.custodian, date=opens.isoformat(), now=ctx.world.today.isoformat())


@_rule(
    "SH-REG-009",
    ("Väärä rekisteri: asiakas on järjestäjän asiakas", "Fel register: klienten är anordnarens klient",
     "Wrong register: the client is the organiser's"),
    (
        "Palveluntuottaja {sender} tallentaa omaan rekisteriinsä, mutta asiakkaalla {client} on voimassa oleva asiakkuus "
        "palvelunjärjestäjän {organiser} lukuun (palveluyksikkö {unit}, {start} alkaen): asiakirja kuuluu järjestäjän rekisteriin.",
        "Producenten {sender} sparar i sitt eget register, men klienten {client} har en gällande klientrelation "
        "för anordnaren {organiser} (serviceenhet {unit}, från {start}): dokumentet hör till anordnarens register.",
        "Provider {sender} stores into its own register, but client {client} is served on organiser {organiser}'s behalf "
        "(unit {unit}, from {start}): the document belongs in the organiser's register.",
    ),
    (
        "Tallenna asiakirja palvelunjärjestäjän {organiser} rekisteriin rekisterinkäyttöoikeudella (custodian = järjestäjä).",
        "Spara dokumentet i anordnarens {organiser} register med registeranvändningsrätt (custodian = anordnaren).",
        "Archive it into organiser {organiser}'s register under the register usage right (custodian = the organiser).",
    ),
    source=KEUSOTE + "; " + RIGHT_SOURCE,
)
def keep_registers_apart(ctx, s):
    if s.own_provider_register and s.client and is_client_document(ctx.document):
        for r in ctx.world.provider_rights(s.client, s.sender):
            if r.in_force(s.date):
                yield _hit(CUSTODIAN_X, sender=s.sender, client=s.client, organiser=r.organiser_oid, unit=r.unit_oid,
                           start=r.start.isoformat())
                return


@_rule(
    "SH-REG-010",
    ("Järjestäjän rekisteri ei vielä Kannassa", "Anordnarens register ännu inte i Kanta", "Organiser's register not yet in Kanta"),
    (
        "Palvelunjärjestäjän {custodian} rekisteri on Kannassa {date} alkaen (nyt {now}).",
        "Anordnarens {custodian} register finns i Kanta från {date} (nu {now}).",
        "Organiser {custodian}'s register is in Kanta from {date} (now {now}).",
    ),
    (
        "Tallenna vasta järjestäjän käyttöönoton jälkeen; siihen asti tiedot pysyvät paikallisessa järjestelmässä.",
        "Spara först efter anordnarens ibruktagning; till dess stannar uppgifterna i det lokala systemet.",
        "Store only after the organiser's go-live; until then the data stays in the local system.",
    ),
    source=KEUSOTE,
)
def organiser_in_kanta(ctx, s):
    org = ctx.world.org(s.custodian)
    if org and org["kind"] == "organiser" and org["kanta_from"] and ctx.world.today < org["kanta_from"] and not s.into_organiser:
        yield _hit(CUSTODIAN_X, custodian=s.custodian, date=org["kanta_from"].isoformat(), now=ctx.world.today.isoformat())


def _unknown_rule(rid, what, getter, location, lookup):
    fi, sv, en = what

    @_rule(
        rid,
        (f"Tuntematon {fi}", f"Okänd {sv}", f"Unknown {en}"),
        (
            f"{fi.capitalize()} {{oid}} ei ole hiekkalaatikon organisaatiotiedoissa (SOTE-organisaatiorekisteri).",
            f"{sv.capitalize()} {{oid}} finns inte i sandlådans organisationsuppgifter (SOTE-organisationsregistret).",
            f"The {en} {{oid}} is not in the sandbox's organisation data (the SOTE organisation register).",
        ),
        (
            "Lisää organisaatio ja sen palveluyksiköt hiekkalaatikkoon (ohjaus-API /api/v1/organisations, /api/v1/service-units) "
            "tai käytä fixtures/organisations.yaml-tiedoston OID-tunnuksia.",
            "Lägg till organisationen och dess serviceenheter i sandlådan (kontroll-API /api/v1/organisations, /api/v1/service-units) "
            "eller använd OID:erna i fixtures/organisations.yaml.",
            "Add the organisation and its units to the sandbox (control API /api/v1/organisations, /api/v1/service-units), "
            "or use the OIDs in fixtures/organisations.yaml.",
        ),
        source="SOTE-organisaatiorekisteri (THL koodistopalvelu 1.2.246.537.6.202.2008); mock-kanta organisation data",
    )
    def check(ctx, s):
        oid = getter(s)
        if oid and lookup(ctx.world, oid) is None:
            yield _hit(location(ctx), oid=oid)


_unknown_rule("SH-REG-011", ("rekisteri", "register", "register (custodian)"), lambda s: s.custodian, lambda ctx: CUSTODIAN_X,
              lambda world, oid: world.org(oid))
_unknown_rule("SH-REG-012", ("lähettäjä", "avsändare", "sending organisation"), lambda s: s.sender, _sender_x,
              lambda world, oid: world.org(oid))
_unknown_rule("SH-REG-013", ("palveluyksikkö", "serviceenhet", "service unit"), lambda s: s.unit_oid, lambda ctx: UNIT_X,
              lambda world, oid: world.unit(oid))
