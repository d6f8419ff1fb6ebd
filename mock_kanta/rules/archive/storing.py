"""Rules the archive raises while storing (state, not message shape)."""
from mock_kanta.core.findings import Severity
from mock_kanta.rules.registry import Stage, define
from mock_kanta.rules.sources import SAMPLES

define(
    "SH-ARC-001",
    Severity.ERROR,
    Stage.ARCHIVE,
    title=("Asiakirja on jo arkistossa", "Dokumentet finns redan i arkivet", "Document already archived"),
    message=(
        "Asiakirja {document_id} on jo arkistoitu ({received_at}); samaa tunnistetta ei tallenneta uudelleen.",
        "Dokumentet {document_id} är redan arkiverat ({received_at}); samma id sparas inte igen.",
        "Document {document_id} was already archived ({received_at}); the same id is not stored again.",
    ),
    fix=(
        "Uusi versio saa uuden tunnisteen, saman setId:n ja suuremman versionumeron. Jos lähetys toistui, alkuperäinen on tallessa.",
        "En ny version får ett nytt id, samma setId och ett högre versionsnummer. Om sändningen upprepades är originalet sparat.",
        "A new version gets a new id, the same setId and a higher version number. If the send was repeated, the original is kept.",
    ),
    source="Kanta: a document id is unique in the archive [I]; " + SAMPLES,
)
define(
    "SH-VAL-001",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Palvelupyyntö ja siirtokehys", "Servicebegäran och ramen", "Service request and frame"),
    message=(
        "palveluPyynto on {request}, mutta siirtokehyksen palvelupyyntö on {frame}.",
        "palveluPyynto är {request}, men ramens servicebegäran är {frame}.",
        "palveluPyynto is {request}, but the frame's service request is {frame}.",
    ),
    fix=(
        "Anna palveluPyynto-kentässä sama SP-koodi kuin siirtokehyksen reasonCode.",
        "Ange samma SP-kod i fältet palveluPyynto som i ramens reasonCode.",
        "Put the same SP code in palveluPyynto as in the frame's reasonCode.",
    ),
    source="Kanta validointipalvelu (SHARK-validointi) request shape; " + SAMPLES,
)
define(
    "SH-TRN-005",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("Lähettäjä ei vastaa TLS-varmennetta", "Avsändaren motsvarar inte TLS-certifikatet", "Sender does not match the TLS certificate"),
    message=(
        "Siirtokehyksen lähettäjä {sender} ei ole TLS-asiakasvarmenteen organisaatio {client}.",
        "Ramens avsändare {sender} är inte TLS-klientcertifikatets organisation {client}.",
        "The frame's sender {sender} is not the organisation of the TLS client certificate {client}.",
    ),
    fix=(
        "Lähetä organisaation omalla palvelinvarmenteella, tai korjaa sender/device/id@root.",
        "Skicka med organisationens eget servercertifikat, eller rätta sender/device/id@root.",
        "Connect with the organisation's own certificate, or correct sender/device/id@root.",
    ),
    source="Kanta: mutual TLS with DVV server certificates [I]; DVV palvelinvarmenne (serialNumber = organisation OID)",
)
define(
    "SH-TRN-006",
    Severity.ERROR,
    Stage.TRANSPORT,
    title=("TLS-asiakasvarmenne hylätty", "TLS-klientcertifikatet avvisat", "TLS client certificate refused"),
    message=(
        "TLS-asiakasvarmenne hylättiin: {detail}",
        "TLS-klientcertifikatet avvisades: {detail}",
        "The TLS client certificate was refused: {detail}",
    ),
    fix=(
        "Käytä hiekkalaatikon myöntämää voimassa olevaa asiakasvarmennetta (mock-kanta tls client-cert --org <OID>).",
        "Använd ett giltigt klientcertifikat som sandlådan utfärdat (mock-kanta tls client-cert --org <OID>).",
        "Use a valid client certificate issued by the sandbox (mock-kanta tls client-cert --org <OID>).",
    ),
    source="Kanta: mutual TLS with DVV server certificates [I]",
)
