"""Rules raised by the transport and the XML parser (no check function of their own)."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.registry import Stage, define

SRC_INTERFACE = "Kanta HL7 V3 -sanomaliikenne (kanta.fi hl7v3-messaging-implementointi 2.20.1); mock-kanta transport model"
SRC_SECURITY = "mock-kanta security policy (OWASP XML External Entity Prevention)"

define(
    "SH-XML-001",
    Severity.ERROR,
    Stage.SYNTAX,
    title=("XML ei ole hyvin muodostettua", "XML är inte välformad", "XML is not well-formed"),
    message=(
        "{part}: XML ei ole hyvin muodostettua: {detail}",
        "{part}: XML är inte välformad: {detail}",
        "{part}: the XML is not well-formed: {detail}",
    ),
    fix=(
        "Muodosta sanoma XML-kirjastolla ja tarkista merkistö (UTF-8) ja sulkevat elementit.",
        "Skapa meddelandet med ett XML-bibliotek och kontrollera teckenkodningen (UTF-8) och sluttaggarna.",
        "Produce the message with an XML library; check the encoding (UTF-8) and closing tags.",
    ),
    source="W3C XML 1.0, section 2.1 (well-formed documents)",
    kanta_verified=True,
)
define(
    "SH-XML-002",
    Severity.ERROR,
    Stage.SYNTAX,
    title=("DTD ja entiteetit kielletty", "DTD och entiteter förbjudna", "DTD and entities not allowed"),
    message=(
        "{part}: sanomassa on DOCTYPE-määrittely tai entiteettejä; niitä ei käsitellä.",
        "{part}: meddelandet innehåller en DOCTYPE-deklaration eller entiteter; de behandlas inte.",
        "{part}: the message carries a DOCTYPE declaration or entities; they are not processed.",
    ),
    fix=(
        "Poista DOCTYPE ja entiteettimäärittelyt. Kanta-sanomat eivät käytä DTD:tä.",
        "Ta bort DOCTYPE och entitetsdeklarationerna. Kanta-meddelanden använder inte DTD.",
        "Remove the DOCTYPE and entity declarations. Kanta messages use no DTD.",
    ),
    source=SRC_SECURITY,
)
define(
    "SH-XML-003",
    Severity.ERROR,
    Stage.SYNTAX,
    title=("Sanoma liian suuri", "Meddelandet är för stort", "Message too large"),
    message=(
        "{part}: koko {size} tavua ylittää rajan {limit} tavua.",
        "{part}: storleken {size} byte överskrider gränsen {limit} byte.",
        "{part}: size {size} bytes exceeds the limit of {limit} bytes.",
    ),
    fix=(
        "Pienennä asiakirjaa (esim. kuvat näyttömuodossa) tai nosta hiekkalaatikon rajaa (MOCK_KANTA_MAX_BODY_BYTES).",
        "Minska dokumentet (t.ex. bilder i visningsformen) eller höj sandlådans gräns (MOCK_KANTA_MAX_BODY_BYTES).",
        "Make the document smaller (e.g. images in the display form) or raise the sandbox limit (MOCK_KANTA_MAX_BODY_BYTES).",
    ),
    source="mock-kanta limit (the real service's limit is not public)",
)
define(
    "SH-XML-004",
    Severity.ERROR,
    Stage.SYNTAX,
    title=("XML liian syvä", "XML för djup", "XML nested too deeply"),
    message=(
        "{part}: elementit ovat sisäkkäin liian syvällä (yli 256 tasoa).",
        "{part}: elementen är nästlade för djupt (över 256 nivåer).",
        "{part}: elements are nested too deeply (over 256 levels).",
    ),
    fix=(
        "Tarkista sanoman rakenne; Kanta-asiakirjat ovat matalia.",
        "Kontrollera meddelandets struktur; Kanta-dokument är grunda.",
        "Check the message structure; Kanta documents are shallow.",
    ),
    source=SRC_SECURITY,
)
define(
    "SH-TRN-001",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Sanoman kuljetus virheellinen", "Felaktig meddelandetransport", "Invalid message transport"),
    message=(
        "Sanoman kuljetusmuotoa ei voitu purkaa: {detail}",
        "Meddelandets transportform kunde inte packas upp: {detail}",
        "The message transport could not be unpacked: {detail}",
    ),
    fix=(
        "Lähetä multipart/related-sanoma (ensin siirtokehys, sitten asiakirja) tai SOAP 1.1 -kirjekuori, "
        "jonka Body sisältää siirtokehyksen ja asiakirja on MIME-liitteenä.",
        "Skicka ett multipart/related-meddelande (först ramen, sedan dokumentet) eller ett SOAP 1.1-kuvert "
        "vars Body innehåller ramen med dokumentet som MIME-bilaga.",
        "Send multipart/related (frame first, then the document) or a SOAP 1.1 envelope whose Body holds "
        "the frame, with the document as a MIME attachment.",
    ),
    source=SRC_INTERFACE + " (transport details modelled, verified: false)",
)
define(
    "SH-TRN-002",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Asiakirja puuttuu", "Dokumentet saknas", "Document missing"),
    message=(
        "Sanomassa on siirtokehys, mutta ei CDA-asiakirjaa.",
        "Meddelandet har en ram men inget CDA-dokument.",
        "The message carries a frame but no CDA document.",
    ),
    fix=(
        "Liitä CDA R2 -asiakirja toiseksi MIME-osaksi (tai SOAP-liitteeksi).",
        "Bifoga CDA R2-dokumentet som andra MIME-del (eller SOAP-bilaga).",
        "Attach the CDA R2 document as the second MIME part (or SOAP attachment).",
    ),
    source=SRC_INTERFACE,
)
define(
    "SH-TRN-003",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Väärä juurielementti", "Fel rotelement", "Wrong root element"),
    message=(
        "{part}: juurielementti on {found}, odotettiin {expected}.",
        "{part}: rotelementet är {found}, förväntades {expected}.",
        "{part}: the root element is {found}, expected {expected}.",
    ),
    fix=(
        "Tarkista osien järjestys: ensin HL7 V3 -siirtokehys, sitten CDA-asiakirja (nimiavaruus urn:hl7-org:v3).",
        "Kontrollera delarnas ordning: först HL7 V3-ramen, sedan CDA-dokumentet (namnrymd urn:hl7-org:v3).",
        "Check the part order: the HL7 V3 frame first, then the CDA document (namespace urn:hl7-org:v3).",
    ),
    source="HL7 V3 Normative Edition; [S] public Kanta samples",
    kanta_verified=True,
)
define(
    "SH-TRN-004",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Pyyntö virheellinen", "Felaktig begäran", "Invalid request"),
    message=(
        "Pyyntöä ei voitu käsitellä: {detail}",
        "Begäran kunde inte behandlas: {detail}",
        "The request could not be processed: {detail}",
    ),
    fix=(
        "Tarkista pyynnön muoto rajapintakuvauksesta (docs/interfaces.md).",
        "Kontrollera begärans form i gränssnittsbeskrivningen (docs/interfaces.md).",
        "Check the request shape in the interface description (docs/interfaces.md).",
    ),
    source="mock-kanta interface description",
)
