"""Rules of the read side: the shape of a query or retrieve message (SH-QRY) and who may read
what (SH-ACC). Raised by `mock_kanta.read.service` with `finding(...)`; no check functions here.

All are the sandbox's model (kanta_verified False): Kanta's read messages and its exact
refusals are not public. The access rules follow the Client Data Act 703/2023 (a
professional may use client data only as their tasks require and within a client
relationship), STM regulation 825/2022 (which data a role may use, by service task), and the
register usage right (kanta.fi: a provider may search and view the organiser's register for
the client relationship the organiser recorded, from the day it begins).
"""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.registry import Stage, define

# A stage of its own if the registry has one; the archive stage otherwise.
ACCESS_STAGE = getattr(Stage, "ACCESS", Stage.ARCHIVE)

MODEL = "[I] mock-kanta read-side model (interactions verified: false, mock_kanta/core/codes/interactions.yaml; docs/read-side.md)"
LAW = "Laki sosiaali- ja terveydenhuollon asiakastietojen käsittelystä 703/2023 (asiakassuhde, käyttöoikeudet)"
REGULATION = "STM:n asetus asiakastietojen käyttöoikeuksista 825/2022 (käyttöoikeus tehtävän ja palvelutehtävän mukaan)"
RIGHT = "kanta.fi: Sosiaalihuollon rekisterinkäyttöoikeus (the provider may search and view the organiser's register for the recorded client relationship)"
CARD = "DVV: sosiaali- ja terveydenhuollon ammattihenkilön varmennekortti (serialNumber = Valvira registration number) [S]; " + MODEL
ROLES = "fixtures/roles.yaml (role profiles, modelled on 825/2022) and <data-dir>/roles.yaml"


def _qry(rid, title, message, fix, source=MODEL, stage=Stage.FRAME):
    define(rid, Severity.ERROR, stage, title=title, message=message, fix=fix, source=source)


def _acc(rid, title, message, fix, source):
    define(rid, Severity.ERROR, ACCESS_STAGE, title=title, message=message, fix=fix, source=source)


# --- message shape -----------------------------------------------------------------------

_qry(
    "SH-QRY-001",
    ("Hakusanoman kuljetus virheellinen", "Felaktig transport av sökmeddelandet", "Invalid read message transport"),
    (
        "Haku- tai noutosanomaa ei voitu purkaa: {detail}",
        "Sök- eller hämtningsmeddelandet kunde inte packas upp: {detail}",
        "The query or retrieve message could not be unpacked: {detail}",
    ),
    (
        "Lähetä sanoma sellaisenaan (Content-Type text/xml) tai SOAP 1.1 -kirjekuoren Bodyssa; hakusanomassa ei ole liitteitä.",
        "Skicka meddelandet som sådant (Content-Type text/xml) eller i Body i ett SOAP 1.1-kuvert; ett sökmeddelande har inga bilagor.",
        "Send the message as it is (Content-Type text/xml) or inside the Body of a SOAP 1.1 envelope; a read has no attachments.",
    ),
    stage=Stage.TRANSPORT,
)
_qry(
    "SH-QRY-002",
    ("Väärä sanomatyyppi", "Fel meddelandetyp", "Wrong interaction"),
    (
        "Sanoman juurielementti on {found}, tähän osoitteeseen odotettiin {expected} (interactionId {interaction}).",
        "Meddelandets rotelement är {found}, till denna adress förväntades {expected} (interactionId {interaction}).",
        "The message's root element is {found}; this address expects {expected} (interactionId {interaction}).",
    ),
    (
        "Lähetä haut osoitteeseen {query_path} ja noudot osoitteeseen {retrieve_path}; juurielementin ja interactionId:n on oltava samat.",
        "Skicka sökningar till {query_path} och hämtningar till {retrieve_path}; rotelementet och interactionId ska vara samma.",
        "Send queries to {query_path} and retrieves to {retrieve_path}; the root element and interactionId must agree.",
    ),
    stage=Stage.TRANSPORT,
)
_qry(
    "SH-QRY-003",
    ("Palvelupyyntö puuttuu tai on väärä", "Servicebegäran saknas eller är fel", "Service request missing or wrong"),
    (
        "controlActProcess/reasonCode ({system}) on {found}; tälle sanomalle odotettiin {expected}.",
        "controlActProcess/reasonCode ({system}) är {found}; för detta meddelande förväntades {expected}.",
        "controlActProcess/reasonCode ({system}) is {found}; this message expects {expected}.",
    ),
    (
        "Anna palvelupyyntö {expected} koodistossa {system} (mallinnettu arvo, verified: false; ks. interactions.yaml).",
        "Ange servicebegäran {expected} i kodsystemet {system} (modellerat värde, verified: false; se interactions.yaml).",
        "Give the service request {expected} in code system {system} (a modelled value, verified: false; see interactions.yaml).",
    ),
)
_qry(
    "SH-QRY-004",
    ("Käyttötilanne puuttuu tai on tuntematon", "Användningssituationen saknas eller är okänd", "Usage situation missing or unknown"),
    (
        "Käyttötilanne (reasonCode {system}) on {found}; tunnetut arvot: {known}.",
        "Användningssituationen (reasonCode {system}) är {found}; kända värden: {known}.",
        "The usage situation (reasonCode {system}) is {found}; known values: {known}.",
    ),
    (
        "Kerro, luetaanko oman organisaation rekisteriä (1) vai palvelunjärjestäjän rekisteriä palveluntuottajana (hiekkalaatikossa 2).",
        "Ange om organisationens eget register läses (1) eller anordnarens register som producent (i sandlådan 2).",
        "State whether the organisation reads its own register (1) or, as a provider, the organiser's register (2 in the sandbox).",
    ),
    source="[S] usage situation code system 1.2.246.537.6.1289.201901 (code 1); code 2 modelled (verified: false)",
)
_qry(
    "SH-QRY-005",
    ("Pakollinen hakuehto puuttuu", "Obligatoriskt sökvillkor saknas", "Required parameter missing"),
    (
        "Sanomasta puuttuu {parameter}.",
        "Meddelandet saknar {parameter}.",
        "The message has no {parameter}.",
    ),
    (
        "Lisää {parameter} kohtaan {where}.",
        "Lägg till {parameter} i {where}.",
        "Add {parameter} at {where}.",
    ),
)
_qry(
    "SH-QRY-006",
    ("Virheellinen hakuehto", "Felaktigt sökvillkor", "Invalid parameter"),
    (
        "Hakuehto {parameter} on virheellinen: {detail}",
        "Sökvillkoret {parameter} är felaktigt: {detail}",
        "Parameter {parameter} is invalid: {detail}",
    ),
    (
        "Korjaa arvo: henkilötunnus juurella 1.2.246.21, ajat muodossa VVVVKKPP[hhmmss], totuusarvot true tai false, lukumäärä 1-{max}.",
        "Rätta värdet: personbeteckning med rot 1.2.246.21, tider som ÅÅÅÅMMDD[hhmmss], sanningsvärden true eller false, antal 1-{max}.",
        "Correct the value: a henkilötunnus with root 1.2.246.21, times as YYYYMMDD[hhmmss], booleans true or false, a count of 1-{max}.",
    ),
)
_qry(
    "SH-QRY-007",
    ("Väärä vastaanottaja tai lähettäjä", "Fel mottagare eller avsändare", "Wrong receiver or sender"),
    (
        "{field} on {found}: {detail}",
        "{field} är {found}: {detail}",
        "{field} is {found}: {detail}",
    ),
    (
        "Vastaanottaja on Kannan SH-laite 1.2.246.556.18007.2 ja lähettäjä lukevan organisaation OID.",
        "Mottagaren är Kantas SH-enhet 1.2.246.556.18007.2 och avsändaren den läsande organisationens OID.",
        "The receiver is Kanta's SH device 1.2.246.556.18007.2 and the sender the reading organisation's OID.",
    ),
    source="[S] the archive frames' receiver and sender devices; " + MODEL,
)

# --- who reads: the card ---------------------------------------------------------------------

_acc(
    "SH-ACC-001",
    ("Lukijan varmenne puuttuu", "Läsarens certifikat saknas", "Reader's certificate missing"),
    (
        "Lukijan varmennekortin varmennetta ei ole tai sitä ei voi lukea: {detail}",
        "Läsarens kortcertifikat saknas eller kan inte läsas: {detail}",
        "The reader's card certificate is missing or unreadable: {detail}",
    ),
    (
        "Lisää ammattilaisen varmennekortin varmenne (DER, Base64) elementtiin authorOrPerformer/assignedPerson/hl7fi:authenticationCertificate.",
        "Lägg till yrkesutbildades kortcertifikat (DER, Base64) i authorOrPerformer/assignedPerson/hl7fi:authenticationCertificate.",
        "Put the professional's card certificate (DER, Base64) in authorOrPerformer/assignedPerson/hl7fi:authenticationCertificate.",
    ),
    CARD,
)
_acc(
    "SH-ACC-002",
    ("Lukijan varmenteeseen ei luoteta", "Läsarens certifikat är inte betrott", "Reader's certificate not trusted"),
    (
        "Lukijan varmenne ({subject}) hylättiin: {detail}",
        "Läsarens certifikat ({subject}) avvisades: {detail}",
        "The reader's certificate ({subject}) was refused: {detail}",
    ),
    (
        "Käytä voimassa olevaa hiekkalaatikon ammattilaiskorttia (mock-kanta cards list / cards issue).",
        "Använd ett giltigt yrkeskort från sandlådan (mock-kanta cards list / cards issue).",
        "Use a valid professional card of the sandbox (mock-kanta cards list / cards issue).",
    ),
    CARD,
)
_acc(
    "SH-ACC-003",
    ("Rekisteröintinumero ei vastaa korttia", "Registreringsnumret motsvarar inte kortet", "Registration number does not match the card"),
    (
        "Sanoman lukija on {stated}, mutta varmennekortin serialNumber on {card}.",
        "Meddelandets läsare är {stated}, men kortcertifikatets serialNumber är {card}.",
        "The message names reader {stated}, but the card certificate's serialNumber is {card}.",
    ),
    (
        "Anna lukijaksi kortin haltijan rekisteröintinumero (assignedPerson/id, juuri 1.2.246.537.26) ja hänen korttinsa varmenne.",
        "Ange kortinnehavarens registreringsnummer som läsare (assignedPerson/id, rot 1.2.246.537.26) och hens kortcertifikat.",
        "Name the card holder's registration number as the reader (assignedPerson/id, root 1.2.246.537.26) with their card certificate.",
    ),
    CARD,
)

# --- who reads: role and unit ---------------------------------------------------------------------

_acc(
    "SH-ACC-004",
    ("Ei käyttöoikeusroolia", "Ingen behörighetsroll", "No access role"),
    (
        "Ammattilaisella {person} ei ole käyttöoikeusroolia organisaatiossa {organisation}.",
        "Yrkesutbildade {person} har ingen behörighetsroll i organisationen {organisation}.",
        "Professional {person} has no access role in organisation {organisation}.",
    ),
    (
        "Organisaatio myöntää roolin (hiekkalaatikossa fixtures/roles.yaml tai <data-dir>/roles.yaml, professionals).",
        "Organisationen beviljar rollen (i sandlådan fixtures/roles.yaml eller <data-dir>/roles.yaml, professionals).",
        "The organisation grants the role (in the sandbox: fixtures/roles.yaml or <data-dir>/roles.yaml, professionals).",
    ),
    REGULATION + "; " + ROLES,
)
_acc(
    "SH-ACC-005",
    ("Palveluyksikkö ei ole lukijan organisaation", "Serviceenheten hör inte till läsarens organisation", "Unit not of the reader's organisation"),
    (
        "Palveluyksikkö {unit} ei ole lähettäjäorganisaation {organisation} yksikkö ({detail}).",
        "Serviceenheten {unit} är inte en enhet i den sändande organisationen {organisation} ({detail}).",
        "Service unit {unit} is not a unit of the sending organisation {organisation} ({detail}).",
    ),
    (
        "Anna representedOrganization/id:ksi oman SOTE-organisaatiorekisterissä olevan palveluyksikön OID.",
        "Ange OID för en egen serviceenhet i SOTE-organisationsregistret som representedOrganization/id.",
        "Give your own service unit's OID (from the SOTE organisation register) as representedOrganization/id.",
    ),
    "[S] SOTE organisation register OIDs in the samples; " + MODEL,
)

# --- whose register ---------------------------------------------------------------------------------

_acc(
    "SH-ACC-006",
    ("Rekisteri ei ole lukijan", "Registret är inte läsarens", "Register not the reader's"),
    (
        "Organisaatio {organisation} lukee rekisteriä {register} käyttötilanteessa {usage} (oman rekisterin käyttö), mutta rekisteri ei ole sen oma.",
        "Organisationen {organisation} läser registret {register} i användningssituation {usage} (eget register), men registret är inte dess eget.",
        "Organisation {organisation} reads register {register} in usage situation {usage} (own register), but the register is not its own.",
    ),
    (
        "Lue oman rekisterin asiakirjoja, tai palveluntuottajana palvelunjärjestäjän rekisteriä käyttötilanteella {provider_code}.",
        "Läs det egna registrets dokument, eller som producent anordnarens register med användningssituation {provider_code}.",
        "Read your own register, or, as a provider, the organiser's register with usage situation {provider_code}.",
    ),
    LAW,
)
_acc(
    "SH-ACC-007",
    ("Käyttötilanne ei sovi lukijalle", "Användningssituationen passar inte läsaren", "Usage situation does not fit the reader"),
    (
        "Käyttötilanne {usage} (palveluntuottaja palvelunjärjestäjän rekisterissä) vaatii, että lukija on palveluntuottaja ja rekisteri palvelunjärjestäjän: {detail}.",
        "Användningssituation {usage} (producent i anordnarens register) kräver att läsaren är producent och registret en anordnares: {detail}.",
        "Usage situation {usage} (provider in the organiser's register) needs a provider reading an organiser's register: {detail}.",
    ),
    (
        "Käytä omaa rekisteriä luettaessa käyttötilannetta {own_code}.",
        "Använd användningssituation {own_code} när det egna registret läses.",
        "Use usage situation {own_code} when reading your own register.",
    ),
    RIGHT,
)
_acc(
    "SH-ACC-008",
    ("Ei asiakassuhdetta", "Ingen klientrelation", "No client relationship"),
    (
        "Asiakkaalla {client} ei ole asiakkuutta organisaation {organisation} rekisterissä (ei organisaation omia asiakirjoja, asiaa eikä rekisterinkäyttöoikeutta).",
        "Klienten {client} har ingen klientrelation i organisationens {organisation} register (inga egna dokument, ärenden eller registeranvändningsrätt).",
        "Client {client} has no client relationship in organisation {organisation}'s register (no own documents, matter or register usage right).",
    ),
    (
        "Lukeminen edellyttää asiakassuhdetta: kirjaa ensin asiakkuus (asiakkuusasiakirja) tai avaa asia.",
        "Läsning förutsätter en klientrelation: registrera först klientrelationen (klientrelationsdokument) eller öppna ett ärende.",
        "Reading needs a client relationship: record the relationship (client-relationship document) or open a matter first.",
    ),
    LAW + "; " + MODEL,
)

# --- the register usage right -----------------------------------------------------------------------

_acc(
    "SH-ACC-009",
    ("Ei rekisterinkäyttöoikeutta", "Ingen registeranvändningsrätt", "No register usage right"),
    (
        "Palvelunjärjestäjä {register} ei ole nimennyt palveluntuottajan {organisation} palveluyksikköä asiakkaan {client} asiakkuusasiakirjassa.",
        "Anordnaren {register} har inte angett någon av producentens {organisation} serviceenheter i klientens {client} klientrelationsdokument.",
        "Organiser {register} has not named any unit of provider {organisation} on client {client}'s client-relationship document.",
    ),
    (
        "Palvelunjärjestäjä kirjaa asiakkuusasiakirjaan palveluntuottajan palveluyksikön ja asiakkuuden alkamispäivän.",
        "Anordnaren registrerar producentens serviceenhet och klientrelationens startdag i klientrelationsdokumentet.",
        "The organiser records the provider's service unit and the relationship's start date on the client-relationship document.",
    ),
    RIGHT,
)
_acc(
    "SH-ACC-010",
    ("Rekisterinkäyttöoikeus on päättynyt", "Registeranvändningsrätten har upphört", "Register usage right ended"),
    (
        "Yksikön {unit} asiakkuus asiakkaalla {client} päättyi {end}; tänään on {today} (hiekkalaatikon kello).",
        "Enhetens {unit} klientrelation för klienten {client} upphörde {end}; i dag är {today} (sandlådans klocka).",
        "Unit {unit}'s client relationship with client {client} ended on {end}; today is {today} (sandbox clock).",
    ),
    (
        "Asiayhteys päättyy asiakkuuden mukana. Jos asiakkuus jatkuu, palvelunjärjestäjä kirjaa uuden version asiakkuusasiakirjasta.",
        "Ärendesambandet upphör med klientrelationen. Om den fortsätter registrerar anordnaren en ny version av klientrelationsdokumentet.",
        "The case link ends with the relationship. If it continues, the organiser records a new version of the client-relationship document.",
    ),
    RIGHT + "; vasso.fi: the case link lasts while the unit relationship is valid",
)
_acc(
    "SH-ACC-011",
    ("Rekisterinkäyttöoikeus ei ole vielä alkanut", "Registeranvändningsrätten har inte börjat", "Register usage right not yet begun"),
    (
        "Yksikön {unit} asiakkuus asiakkaalla {client} alkaa {start}; tänään on {today} (hiekkalaatikon kello).",
        "Enhetens {unit} klientrelation för klienten {client} börjar {start}; i dag är {today} (sandlådans klocka).",
        "Unit {unit}'s client relationship with client {client} begins on {start}; today is {today} (sandbox clock).",
    ),
    (
        "Lue asiakirjoja asiakkuuden alkamispäivästä alkaen.",
        "Läs dokumenten från och med klientrelationens startdag.",
        "Read from the day the client relationship begins.",
    ),
    RIGHT,
)
_acc(
    "SH-ACC-012",
    ("Oikeus on toisella palveluyksiköllä", "Rätten gäller en annan serviceenhet", "The right names another unit"),
    (
        "Asiakkaan {client} asiakkuusasiakirja nimeää palveluntuottajan yksikön {named}, ei lukijan yksikköä {unit}.",
        "Klientens {client} klientrelationsdokument anger producentens enhet {named}, inte läsarens enhet {unit}.",
        "Client {client}'s client-relationship document names the provider's unit {named}, not the reader's unit {unit}.",
    ),
    (
        "Lue siinä palveluyksikössä, jonka palvelunjärjestäjä on nimennyt, tai pyydä palvelunjärjestäjää lisäämään yksikkö.",
        "Läs i den serviceenhet som anordnaren har angett, eller be anordnaren lägga till enheten.",
        "Read in the unit the organiser named, or ask the organiser to add your unit.",
    ),
    RIGHT,
)
_acc(
    "SH-ACC-013",
    ("Rooli ei kata palvelutehtävää", "Rollen omfattar inte serviceuppgiften", "Role does not cover the service task"),
    (
        "Lukijan roolit ({roles}) eivät salli palvelutehtävän {task} asiakirjoja.",
        "Läsarens roller ({roles}) tillåter inte dokument i serviceuppgiften {task}.",
        "The reader's roles ({roles}) do not allow documents of service task {task}.",
    ),
    (
        "Käyttöoikeus määräytyy tehtävän ja palvelutehtävän mukaan; organisaatio voi muuttaa roolia (roles.yaml).",
        "Behörigheten bestäms av uppgiften och serviceuppgiften; organisationen kan ändra rollen (roles.yaml).",
        "Access follows the work task and the service task; the organisation may change the role (roles.yaml).",
    ),
    REGULATION + "; " + ROLES,
)
_acc(
    "SH-ACC-014",
    ("Rooli ei salli asiakirjatyyppiä", "Rollen tillåter inte dokumenttypen", "Role does not allow the document type"),
    (
        "Lukijan roolit ({roles}) eivät salli asiakirjaryhmän {group} / asiakirjatyypin {type} asiakirjoja.",
        "Läsarens roller ({roles}) tillåter inte dokument i dokumentgrupp {group} / dokumenttyp {type}.",
        "The reader's roles ({roles}) do not allow documents of document group {group} / type {type}.",
    ),
    (
        "Roolin asiakirjaryhmät ja -tyypit ovat roolimäärittelyssä (roles.yaml: document_groups, document_types).",
        "Rollens dokumentgrupper och -typer finns i rolldefinitionen (roles.yaml: document_groups, document_types).",
        "A role's document groups and types are in its profile (roles.yaml: document_groups, document_types).",
    ),
    REGULATION + "; " + ROLES,
)
_acc(
    "SH-ACC-015",
    ("Oikeus ei kata palvelutehtävää", "Rätten omfattar inte serviceuppgiften", "Right does not cover the service task"),
    (
        "Rekisterinkäyttöoikeus on palvelutehtäviin {granted}; asiakirja on palvelutehtävästä {task}.",
        "Registeranvändningsrätten gäller serviceuppgifterna {granted}; dokumentet hör till serviceuppgiften {task}.",
        "The register usage right is for service tasks {granted}; the document belongs to service task {task}.",
    ),
    (
        "Palvelunjärjestäjä nimeää yksikön kunkin palvelutehtävän kohdalla erikseen (sosiaalihuollon_palvelutehtava[].palveluntuottaja[]).",
        "Anordnaren anger enheten separat för varje serviceuppgift (sosiaalihuollon_palvelutehtava[].palveluntuottaja[]).",
        "The organiser names the unit under each service task (sosiaalihuollon_palvelutehtava[].palveluntuottaja[]).",
    ),
    RIGHT + "; [S] the asiakkuusasiakirja JSON",
)
_acc(
    "SH-ACC-016",
    ("Rooli näkee vain kuvailutiedot", "Rollen ser bara metadata", "Role sees metadata only"),
    (
        "Lukijan roolit ({roles}) sallivat asiakirjojen kuvailutiedot, eivät sisältöä.",
        "Läsarens roller ({roles}) tillåter dokumentens metadata, inte innehållet.",
        "The reader's roles ({roles}) allow the documents' metadata, not their content.",
    ),
    (
        "Hae kuvailutiedot hakusanomalla; sisällön nouto vaatii roolin, jolle content: true (roles.yaml).",
        "Hämta metadata med ett sökmeddelande; hämtning av innehållet kräver en roll med content: true (roles.yaml).",
        "Use a query for the metadata; fetching content needs a role with content: true (roles.yaml).",
    ),
    REGULATION + "; " + ROLES,
)
_acc(
    "SH-ACC-017",
    ("Asiakirjaa ei löydy", "Dokumentet hittas inte", "Document not found"),
    (
        "Asiakirjaa {document} ei ole arkistossa{detail}.",
        "Dokumentet {document} finns inte i arkivet{detail}.",
        "Document {document} is not in the archive{detail}.",
    ),
    (
        "Tarkista asiakirjan tunniste (haku palauttaa tunnisteet) ja että asiakas- ja rekisteriehto vastaavat sitä.",
        "Kontrollera dokumentets id (sökningen returnerar id:n) och att klient- och registervillkoren motsvarar det.",
        "Check the document id (a query returns ids) and that the client and register parameters match it.",
    ),
    MODEL,
)
_acc(
    "SH-ACC-018",
    ("Rekisteri ei ole vielä palveluntuottajien käytössä", "Registret är inte ännu öppet för producenter", "Register not yet open to providers"),
    (
        "Palvelunjärjestäjän {register} rekisteri on palveluntuottajien käytössä {date} alkaen; tänään on {today}.",
        "Anordnarens {register} register är öppet för producenter från {date}; i dag är {today}.",
        "Organiser {register}'s register is open to providers from {date}; today is {today}.",
    ),
    (
        "Siihen asti asiakastiedot ovat palveluntuottajan omassa järjestelmässä.",
        "Fram till dess finns klientuppgifterna i producentens eget system.",
        "Until then the client data stays in the provider's own system.",
    ),
    "[K] Keusote liittymisopas (providers from 1.11.2026); " + RIGHT,
)
