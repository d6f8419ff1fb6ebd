"""The nonXMLBody: display form (XHTML or PDF/A) and JSON structured form."""
import base64
import binascii
import json
import re

from lxml import etree

from mock_kanta.core.findings import Severity
from mock_kanta.rules.archive.header import is_client_document
from mock_kanta.rules.registry import Context, Stage, define, hit, rule
from mock_kanta.rules.sources import CDA_STANDARD, SAMPLES
from mock_kanta.wire import cda, safexml

XHTML = "application/xhtml+xml"
PDF = "application/pdf"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FORMAT_CODES = {XHTML: "2", PDF: "1"}
JSON_FORMAT = "5"
SRC = f"{CDA_STANDARD}; {SAMPLES}"


def _b64(value: str | None) -> bytes | None:
    """Strict Base64 decode; None when absent or invalid."""
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def decoded(ctx: Context, which: str) -> bytes | None:
    """Decoded display (`display`) or structured (`json`) payload, decoded once per message."""
    key = f"body.{which}"
    if key not in ctx.extras:
        body = ctx.document.body
        ctx.extras[key] = _b64(getattr(body, f"{which}_b64", None)) if body else None
    return ctx.extras[key]


def _body(ctx):
    return ctx.document.body


@rule(
    "SH-BODY-001",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Asiakirjan sisältö puuttuu", "Dokumentets innehåll saknas", "Document body missing"),
    message=(
        "Asiakirjasta puuttuu component/nonXMLBody.",
        "Dokumentet saknar component/nonXMLBody.",
        "The document lacks component/nonXMLBody.",
    ),
    fix=(
        "Lisää nonXMLBody, jossa näyttömuoto (XHTML tai PDF/A, Base64) ja rakenteinen muoto (hl7fi:json, Base64).",
        "Lägg till nonXMLBody med visningsform (XHTML eller PDF/A, Base64) och strukturerad form (hl7fi:json, Base64).",
        "Add nonXMLBody holding the display form (XHTML or PDF/A, Base64) and the structured form (hl7fi:json, Base64).",
    ),
    source=SRC,
    kanta_verified=True,
)
def body_present(ctx):
    if _body(ctx) is None:
        yield hit(cda.xpath("body"))


@rule(
    "SH-BODY-002",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("nonXMLBody-tunniste", "nonXMLBody-id", "nonXMLBody ID"),
    message=(
        'nonXMLBody@ID on {found}; sen on oltava "OID" + asiakirjan tunniste eli {expected}.',
        'nonXMLBody@ID är {found}; det ska vara "OID" + dokumentets id, alltså {expected}.',
        'nonXMLBody@ID is {found}; it must be "OID" + the document id, i.e. {expected}.',
    ),
    fix=(
        "Aseta ID-attribuutti; allekirjoituksen viittaus #OID<tunniste> osoittaa siihen.",
        "Sätt ID-attributet; signaturens referens #OID<id> pekar på det.",
        "Set the ID attribute; the signature's reference #OID<id> points at it.",
    ),
    source=f"{SRC}; Kanta CDA R2 -asiakirjojen sähköinen allekirjoitus",
    kanta_verified=True,
)
def body_id(ctx):
    body, doc_id = _body(ctx), ctx.document.document_id
    if body is not None and doc_id and body.id != f"OID{doc_id}":
        yield hit(cda.body_xpath("id", "ID"), found=body.id or "-", expected=f"OID{doc_id}")


@rule(
    "SH-BODY-003",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Näyttömuodon tyyppi", "Visningsformens typ", "Display form type"),
    message=(
        "Näyttömuoto: mediaType={media}, representation={repr}; sallitut ovat application/xhtml+xml tai application/pdf, B64.",
        "Visningsform: mediaType={media}, representation={repr}; tillåtna är application/xhtml+xml eller application/pdf, B64.",
        "Display form: mediaType={media}, representation={repr}; allowed are application/xhtml+xml or application/pdf, as B64.",
    ),
    fix=(
        'Käytä <text mediaType="application/xhtml+xml" representation="B64">…</text> (tai application/pdf PDF/A-muodolle).',
        'Använd <text mediaType="application/xhtml+xml" representation="B64">…</text> (eller application/pdf för PDF/A).',
        'Use <text mediaType="application/xhtml+xml" representation="B64">…</text> (or application/pdf for PDF/A).',
    ),
    source=SRC,
    kanta_verified=True,
)
def display_type(ctx):
    b = _body(ctx)
    if b is None:
        return
    if b.display_media_type not in (XHTML, PDF) or b.display_representation != "B64":
        yield hit(cda.body_xpath("display_media_type"), media=b.display_media_type or "-", repr=b.display_representation or "-")


@rule(
    "SH-BODY-004",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Näyttömuodon Base64", "Visningsformens Base64", "Display form Base64"),
    message=(
        "Näyttömuoto puuttuu tai ei ole kelvollista Base64-koodausta.",
        "Visningsformen saknas eller är inte giltig Base64.",
        "The display form is missing or is not valid Base64.",
    ),
    fix=(
        "Koodaa XHTML (UTF-8) tai PDF Base64-muotoon ilman muita merkkejä kuin Base64-aakkosto ja rivinvaihdot.",
        "Koda XHTML (UTF-8) eller PDF som Base64 utan andra tecken än Base64-alfabetet och radbrytningar.",
        "Encode the XHTML (UTF-8) or PDF as Base64, with nothing but the Base64 alphabet and line breaks.",
    ),
    source="RFC 4648; " + SRC,
    kanta_verified=True,
)
def display_b64(ctx):
    b = _body(ctx)
    if b is not None and b.display_media_type in (XHTML, PDF) and not decoded(ctx, "display"):
        yield hit(cda.body_xpath("display_b64"))


@rule(
    "SH-BODY-005",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("XHTML-näyttömuoto ei jäsenny", "XHTML-visningsformen kan inte tolkas", "XHTML display form does not parse"),
    message=(
        "Näyttömuodon XHTML ei ole kelvollista XML:ää: {detail}",
        "Visningsformens XHTML är inte giltig XML: {detail}",
        "The display form's XHTML is not valid XML: {detail}",
    ),
    fix=(
        "Tuota XHTML 1.1 -muotoinen näyttömuoto (juuri <div class=\"soc-document\" xmlns=\"http://www.w3.org/1999/xhtml\">).",
        "Skapa visningsformen som XHTML 1.1 (rot <div class=\"soc-document\" xmlns=\"http://www.w3.org/1999/xhtml\">).",
        "Produce the display form as XHTML 1.1 (root <div class=\"soc-document\" xmlns=\"http://www.w3.org/1999/xhtml\">).",
    ),
    source=SRC,
    kanta_verified=True,
)
def xhtml_parses(ctx):
    b = _body(ctx)
    raw = decoded(ctx, "display") if b is not None and b.display_media_type == XHTML else None
    if raw is None:
        return
    try:
        ctx.extras["body.xhtml"] = safexml.parse(raw)
    except safexml.XMLInputError as exc:
        yield hit(cda.body_xpath("display_b64"), detail=exc.detail)


@rule(
    "SH-BODY-006",
    Severity.WARNING,
    Stage.BODY,
    needs=("document",),
    title=("XHTML-näyttömuodon rakenne", "XHTML-visningsformens struktur", "XHTML display form structure"),
    message=(
        "Näyttömuodon juuri on {found}; odotettiin {expected}.",
        "Visningsformens rot är {found}; förväntades {expected}.",
        "The display form's root is {found}; expected {expected}.",
    ),
    fix=(
        "Noudata THL:n näyttömuotopohjaa (SOSMETA NARRATIVE HEADER): juuri div.soc-document, id = OID<asiakirjan tunniste>.",
        "Följ THL:s mall för visningsformen (SOSMETA NARRATIVE HEADER): rot div.soc-document, id = OID<dokumentets id>.",
        "Follow THL's display form template (SOSMETA NARRATIVE HEADER): root div.soc-document, id = OID<document id>.",
    ),
    source=SAMPLES + " (THL SOSMETA/NARRATIVE HEADER.xmlt, cited in the XHTML comments)",
)
def xhtml_structure(ctx):
    root = ctx.extras.get("body.xhtml")
    if root is None:
        return
    loc = cda.body_xpath("display_b64")
    expected_tag = f"{{{XHTML_NS}}}div"
    classes = (root.get("class") or "").split()
    if root.tag != expected_tag or "soc-document" not in classes:
        yield hit(loc, found=f"{root.tag} class={root.get('class')}", expected='{http://www.w3.org/1999/xhtml}div class="soc-document"')
    doc_id = ctx.document.document_id
    if doc_id and root.get("id") not in (None, f"OID{doc_id}"):
        yield hit(loc, found=f"id={root.get('id')}", expected=f"id=OID{doc_id}")


@rule(
    "SH-BODY-007",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("PDF-näyttömuoto", "PDF-visningsform", "PDF display form"),
    message=(
        "Näyttömuoto on ilmoitettu PDF:ksi, mutta sisältö ei ala %PDF-otsakkeella.",
        "Visningsformen anges som PDF, men innehållet börjar inte med %PDF.",
        "The display form is declared PDF, but its content does not start with %PDF.",
    ),
    fix=(
        "Liitä PDF/A-tiedosto Base64-koodattuna.",
        "Bifoga PDF/A-filen Base64-kodad.",
        "Attach the PDF/A file, Base64-encoded.",
    ),
    source=SRC,
    kanta_verified=True,
)
def pdf_header(ctx):
    b = _body(ctx)
    raw = decoded(ctx, "display") if b is not None and b.display_media_type == PDF else None
    if raw is not None and not raw.startswith(b"%PDF-"):
        yield hit(cda.body_xpath("display_b64"))


@rule(
    "SH-BODY-008",
    Severity.WARNING,
    Stage.BODY,
    needs=("document",),
    title=("PDF ei ole PDF/A", "PDF är inte PDF/A", "PDF is not PDF/A"),
    message=(
        "PDF-näyttömuodosta puuttuu PDF/A-tunniste (XMP pdfaid:part).",
        "PDF-visningsformen saknar PDF/A-identifiering (XMP pdfaid:part).",
        "The PDF display form has no PDF/A identification (XMP pdfaid:part).",
    ),
    fix=(
        "Tallenna näyttömuoto PDF/A-muodossa (esim. PDF/A-2b) arkistokelpoisuuden vuoksi.",
        "Spara visningsformen som PDF/A (t.ex. PDF/A-2b) för arkivbeständighet.",
        "Save the display form as PDF/A (e.g. PDF/A-2b) so it can be archived.",
    ),
    source="ISO 19005 (PDF/A); " + CDA_STANDARD,
)
def pdf_is_pdfa(ctx):
    b = _body(ctx)
    raw = decoded(ctx, "display") if b is not None and b.display_media_type == PDF else None
    if raw is not None and raw.startswith(b"%PDF-") and b"pdfaid:part" not in raw:
        yield hit(cda.body_xpath("display_b64"))


@rule(
    "SH-BODY-009",
    Severity.WARNING,
    Stage.BODY,
    needs=("document",),
    title=("Formaattikoodi ja näyttömuoto", "Formatkod och visningsform", "Format code and display form"),
    message=(
        "fileFormat on {code}, mutta näyttömuoto on {media} (odotettu koodi {expected}).",
        "fileFormat är {code}, men visningsformen är {media} (förväntad kod {expected}).",
        "fileFormat is {code}, but the display form is {media} (expected code {expected}).",
    ),
    fix=(
        "Ilmoita fileFormat-koodi näyttömuodon mukaan: 2 = XHTML_1.1 (PDF/A:n koodi on mallinnettu).",
        "Ange fileFormat enligt visningsformen: 2 = XHTML_1.1 (koden för PDF/A är modellerad).",
        "Set fileFormat to match the display form: 2 = XHTML_1.1 (the PDF/A code is modelled).",
    ),
    source=SAMPLES + " (code 2 = XHTML_1.1; the PDF/A code is modelled, verified: false)",
)
def format_matches(ctx):
    b, lh = _body(ctx), ctx.document.local
    if b is None or lh is None or lh.file_format is None or b.display_media_type not in FORMAT_CODES:
        return
    expected = FORMAT_CODES[b.display_media_type]
    if lh.file_format.code != expected:
        yield hit(cda.local_xpath("file_format", "code"), code=lh.file_format.code, media=b.display_media_type, expected=expected)


def _structured_declared(ctx) -> bool:
    lh = ctx.document.local
    return bool(lh and lh.structured_file_format and lh.structured_file_format.code == JSON_FORMAT)


@rule(
    "SH-BODY-010",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Rakenteinen muoto puuttuu", "Strukturerad form saknas", "Structured form missing"),
    message=(
        "Asiakirjasta puuttuu rakenteinen muoto (hl7fi:json); se on pakollinen asiakasasiakirjassa ja aina, kun structuredFileFormat on JSON.",
        "Dokumentet saknar strukturerad form (hl7fi:json); den är obligatorisk i klientdokument och alltid när structuredFileFormat är JSON.",
        "The document lacks its structured form (hl7fi:json); it is required in client documents and whenever structuredFileFormat says JSON.",
    ),
    fix=(
        "Lisää Sosmeta-rakenteen mukainen JSON Base64-koodattuna elementtiin hl7fi:json nonXMLBodyn sisään.",
        "Lägg till JSON enligt Sosmeta-strukturen, Base64-kodad, i elementet hl7fi:json i nonXMLBody.",
        "Add the JSON of the Sosmeta structure, Base64-encoded, in hl7fi:json inside nonXMLBody.",
    ),
    source=SRC,
    kanta_verified=True,
)
def structured_present(ctx):
    b = _body(ctx)
    if b is not None and not b.json_b64 and (_structured_declared(ctx) or is_client_document(ctx.document)):
        yield hit(cda.body_xpath("json_b64"))


@rule(
    "SH-BODY-015",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Rakenteisen muodon formaatti puuttuu", "Strukturerade formens format saknas", "Structured form format missing"),
    message=(
        "hl7fi:json on mukana, mutta paikallisesta otsikosta puuttuu structuredFileFormat = 5 (JSON).",
        "hl7fi:json finns, men det lokala huvudet saknar structuredFileFormat = 5 (JSON).",
        "hl7fi:json is present, but the local header lacks structuredFileFormat = 5 (JSON).",
    ),
    fix=(
        'Lisää <hl7fi:structuredFileFormat code="5" codeSystem="1.2.246.537.5.40179.2008" displayName="JSON"/>.',
        'Lägg till <hl7fi:structuredFileFormat code="5" codeSystem="1.2.246.537.5.40179.2008" displayName="JSON"/>.',
        'Add <hl7fi:structuredFileFormat code="5" codeSystem="1.2.246.537.5.40179.2008" displayName="JSON"/>.',
    ),
    source=SRC,
    kanta_verified=True,
)
def structured_declared(ctx):
    b = _body(ctx)
    if b is not None and b.json_b64 and not _structured_declared(ctx):
        yield hit(cda.local_xpath("structured_file_format", "code"))


@rule(
    "SH-BODY-011",
    Severity.ERROR,
    Stage.BODY,
    needs=("document",),
    title=("Rakenteinen muoto ei jäsenny", "Strukturerad form kan inte tolkas", "Structured form does not parse"),
    message=(
        "hl7fi:json: {detail}",
        "hl7fi:json: {detail}",
        "hl7fi:json: {detail}",
    ),
    fix=(
        "Koodaa Sosmeta-rakenteen mukainen JSON (UTF-8) Base64-muotoon.",
        "Koda JSON enligt Sosmeta-strukturen (UTF-8) som Base64.",
        "Encode the JSON of the Sosmeta structure (UTF-8) as Base64.",
    ),
    source="RFC 8259; RFC 4648; " + SRC,
    kanta_verified=True,
)
def structured_parses(ctx):
    b = _body(ctx)
    if b is None or not b.json_b64:
        return
    raw = decoded(ctx, "json")
    if raw is None:
        yield hit(cda.body_xpath("json_b64"), detail="not valid Base64")
        return
    try:
        ctx.extras["body.json"] = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        yield hit(cda.body_xpath("json_b64"), detail=f"not UTF-8 JSON ({exc})")


@rule(
    "SH-BODY-012",
    Severity.WARNING,
    Stage.BODY,
    needs=("document",),
    title=("Rakenteisen muodon juuri", "Strukturerade formens rot", "Structured form root"),
    message=(
        "JSON-rakenteen juuren on oltava olio, jolla on yksi avain (Sosmeta-rakenteen nimi); löytyi {found}.",
        "JSON-strukturens rot ska vara ett objekt med en nyckel (Sosmeta-strukturens namn); hittade {found}.",
        "The JSON root must be an object with one key (the Sosmeta structure name); found {found}.",
    ),
    fix=(
        'Esim. {{"asiakkuusasiakirja": {{…}}}} tai {{"lapsiperheiden_palvelujen_asiakassuunnitelma": {{…}}}}.',
        'T.ex. {{"asiakkuusasiakirja": {{…}}}} eller {{"lapsiperheiden_palvelujen_asiakassuunnitelma": {{…}}}}.',
        'E.g. {{"asiakkuusasiakirja": {{…}}}} or {{"lapsiperheiden_palvelujen_asiakassuunnitelma": {{…}}}}.',
    ),
    source=SAMPLES + "; THL Sosmeta structures",
)
def structured_root(ctx):
    data = ctx.extras.get("body.json")
    if data is None:
        return
    if not (isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), dict)):
        found = f"{type(data).__name__} with keys {sorted(data)[:5]}" if isinstance(data, dict) else type(data).__name__
        yield hit(cda.body_xpath("json_b64"), found=found)


def client_ids_in_json(data) -> set[str]:
    """henkilotunnus values under `asiakas` anywhere in a structured form."""
    found: set[str] = set()

    def walk(node, under_client):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "henkilotunnus" and under_client and isinstance(value, dict) and value.get("value"):
                    found.add(str(value["value"]))
                walk(value, under_client or key == "asiakas")
        elif isinstance(node, list):
            for item in node:
                walk(item, under_client)

    walk(data, False)
    return found


@rule(
    "SH-BODY-013",
    Severity.WARNING,
    Stage.BODY,
    needs=("document",),
    title=("Asiakas rakenteisessa muodossa", "Klienten i strukturerad form", "Client in the structured form"),
    message=(
        "Rakenteisen muodon asiakkaan henkilötunnus {json} ei vastaa otsikon asiakasta {header}.",
        "Den strukturerade formens klient {json} motsvarar inte huvudets klient {header}.",
        "The structured form's client {json} does not match the header's client {header}.",
    ),
    fix=(
        "Muodosta otsikko ja rakenteinen muoto samasta asiakkaasta.",
        "Bygg huvudet och den strukturerade formen av samma klient.",
        "Build the header and the structured form from the same client.",
    ),
    source=SAMPLES,
)
def structured_client(ctx):
    data = ctx.extras.get("body.json")
    client = ctx.document.client
    header = client.id.extension if client and client.id else None
    if data is None or not header:
        return
    ids = client_ids_in_json(data)
    if ids and header not in ids:
        yield hit(cda.body_xpath("json_b64"), json=", ".join(sorted(ids)), header=header)


define(  # keep rule order stable in the catalogue: body rules end here
    "SH-BODY-014",
    Severity.INFO,
    Stage.BODY,
    title=("Näyttömuodon skriptit", "Skript i visningsformen", "Scripts in the display form"),
    message=(
        "Näyttömuodossa on skripti- tai tapahtumakäsittelijäsisältöä ({what}); sitä ei koskaan suoriteta.",
        "Visningsformen innehåller skript eller händelsehanterare ({what}); de körs aldrig.",
        "The display form holds script or event-handler content ({what}); it is never executed.",
    ),
    fix=(
        "Poista skriptit näyttömuodosta; arkistoitava näyttömuoto on staattinen.",
        "Ta bort skripten ur visningsformen; en arkiverad visningsform är statisk.",
        "Remove scripts from the display form; an archived display form is static.",
    ),
    source=SRC + "; mock-kanta UI safety",
    check=lambda ctx: _scripts(ctx),
    needs=("document",),
)


_ACTIVE = etree.XPath(
    "(//*[local-name()='script' or local-name()='iframe' or local-name()='object' or local-name()='embed']"
    " | //*[@*[starts-with(translate(local-name(), 'ON', 'on'), 'on')]])[1]"
)


# A cheap byte scan before the XPath (on the ASCII-lowercased bytes; not for UTF-16): an active tag,
# or an `on...=` attribute after white space. The handler scan looks for the literal "on" first and
# then checks the rest, several times faster than one `\son\w+\s*=` alternation with re.I.
_ACTIVE_TAG = re.compile(rb"<\s*(?:\w+:)?(?:script|iframe|object|embed)\b")
_ON = re.compile(rb"on\w*\s*=")
_HANDLER = re.compile(rb"on\w+\s*=")


def _active_hint(raw: bytes) -> bool:
    low = raw.lower()
    if _ACTIVE_TAG.search(low):
        return True
    return any(m.start() > 0 and low[m.start() - 1:m.start()].isspace() and _HANDLER.match(low, m.start())
               for m in _ON.finditer(low))


def _scripts(ctx):
    root = ctx.extras.get("body.xhtml")
    if root is None:
        return
    raw = decoded(ctx, "display")
    if b"\x00" not in raw[:200] and not _active_hint(raw):  # cheap byte scan (not for UTF-16), XPath confirms
        return
    found = _ACTIVE(root)
    if found:
        el = found[0]
        handlers = [a for a in el.attrib if a.lower().startswith("on")]
        local = etree.QName(el).localname
        yield hit(cda.body_xpath("display_b64"), what=f"{local}@{handlers[0]}" if handlers else local)
