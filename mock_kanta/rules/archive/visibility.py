"""OmaKanta visibility (restriction and delay) and a minor's disclosure to guardians."""
from mock_kanta.core.findings import Severity
from mock_kanta.registers.service import CONSENT_SYSTEM, age_on, ts_date
from mock_kanta.rules.registry import Stage, hit, rule
from mock_kanta.wire import cda

OMAKANTA = ("Laki sosiaali- ja terveydenhuollon asiakastietojen käsittelystä 703/2023; [K] Keusote kirjaamisopas: "
            "näkyvyyttä ei saa rajoittaa ilman perusteltuja syitä (Kanta-käsikirja 5.3.3)")
MINORS = ("Laki 703/2023 (alaikäisen kielto-oikeus); [K] Keusote kirjaamisopas: kielto ja perustelut kirjattava aina; "
          "Sosiaalihuolto - Alaikäisen asiakastietojen luovuttaminen huoltajille 1.2.246.537.6.1286.201901")
JUSTIFICATION_X = cda.local_xpath("authorization_restriction_argument")


def _justified(doc) -> bool:
    return bool(doc.local and (doc.local.authorization_restriction_argument or "").strip())


@rule(
    "SH-VIS-001",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Näkyvyyden rajaus ilman perustelua", "Begränsad synlighet utan motivering", "Restriction without justification"),
    message=(
        "Asiakirjan näkyvyyttä OmaKannassa rajataan (syy {code}), mutta kirjallinen perustelu puuttuu.",
        "Dokumentets synlighet i MittKanta begränsas (skäl {code}), men den skriftliga motiveringen saknas.",
        "The document's OmaKanta visibility is restricted (reason {code}), but the written justification is missing.",
    ),
    fix=(
        "Kirjoita perustelu elementtiin hl7fi:authorizationRestrictionArgument.",
        "Skriv motiveringen i elementet hl7fi:authorizationRestrictionArgument.",
        "Write the justification in hl7fi:authorizationRestrictionArgument.",
    ),
    source=OMAKANTA,
)
def restriction_justified(ctx):
    lh = ctx.document.local
    if lh and lh.inaccessible_argument and lh.inaccessible_argument.code and not _justified(ctx.document):
        yield hit(JUSTIFICATION_X, code=lh.inaccessible_argument.code)


@rule(
    "SH-VIS-002",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Viivästys ilman rajauksen syytä", "Fördröjning utan skäl", "Delay without a reason"),
    message=(
        "Asiakirjalle on annettu viivästyksen päättymispäivä {until}, mutta rajauksen syy (hl7fi:inaccessibleArgument) puuttuu.",
        "Dokumentet har ett slutdatum för fördröjning {until}, men skälet (hl7fi:inaccessibleArgument) saknas.",
        "The document has a delay end {until}, but no restriction reason (hl7fi:inaccessibleArgument).",
    ),
    fix=(
        "Valitse syy luokituksesta 1.2.246.537.6.1288.201901 ja kirjoita perustelu.",
        "Välj ett skäl ur klassificeringen 1.2.246.537.6.1288.201901 och skriv en motivering.",
        "Pick a reason from classification 1.2.246.537.6.1288.201901 and write the justification.",
    ),
    source=OMAKANTA + "; the delay period element hl7fi:inaccessibleUntil is modelled (verified: false)",
)
def delay_has_reason(ctx):
    lh = ctx.document.local
    if lh and lh.inaccessible_until and not (lh.inaccessible_argument and lh.inaccessible_argument.code):
        yield hit(cda.local_xpath("inaccessible_until", "value"), until=lh.inaccessible_until)


@rule(
    "SH-VIS-003",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Viivästyksen jakso virheellinen", "Ogiltig fördröjningsperiod", "Invalid delay period"),
    message=(
        "Viivästyksen päättymispäivä {until} ei ole päivämäärä (VVVVKKPP) tai on ennen asiakirjan päivää {date}.",
        "Fördröjningens slutdatum {until} är inget datum (ÅÅÅÅMMDD) eller ligger före dokumentets datum {date}.",
        "The delay end {until} is not a date (YYYYMMDD) or is before the document's date {date}.",
    ),
    fix=(
        "Anna päivä, jolloin asiakirja tulee näkyviin OmaKannassa, muodossa VVVVKKPP.",
        "Ange dagen då dokumentet blir synligt i MittKanta, i formen ÅÅÅÅMMDD.",
        "Give the day the document becomes visible in OmaKanta, as YYYYMMDD.",
    ),
    source=OMAKANTA + "; the delay period element hl7fi:inaccessibleUntil is modelled (verified: false)",
)
def delay_period(ctx):
    d = ctx.document
    lh = d.local
    if not lh or not lh.inaccessible_until:
        return
    until, on = ts_date(lh.inaccessible_until), ts_date(d.effective_time)
    if until is None or (on is not None and until < on):
        yield hit(cda.local_xpath("inaccessible_until", "value"), until=lh.inaccessible_until, date=on.isoformat() if on else "-")


@rule(
    "SH-MIN-001",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Alaikäisen luovutustieto puuttuu", "Uppgift om utlämnande för minderårig saknas", "Minor's disclosure element missing"),
    message=(
        "Asiakas {client} on asiakirjan päivänä {age}-vuotias, mutta tieto luovuttamisesta huoltajille (authorization/consent) puuttuu.",
        "Klienten {client} är {age} år på dokumentets datum, men uppgiften om utlämnande till vårdnadshavare (authorization/consent) saknas.",
        "Client {client} is {age} on the document's date, but the disclosure-to-guardians element (authorization/consent) is missing.",
    ),
    fix=(
        "Lisää authorization/consent/code koodistosta 1.2.246.537.6.1286.201901 (1 = alaikäinen ei kiellä luovuttamista).",
        "Lägg till authorization/consent/code ur kodsystemet 1.2.246.537.6.1286.201901 (1 = den minderåriga förbjuder inte).",
        "Add authorization/consent/code from 1.2.246.537.6.1286.201901 (1 = the minor does not forbid disclosure).",
    ),
    source=MINORS,
)
def minor_consent_present(ctx):
    d = ctx.document
    hetu = d.client.id.extension if d.client and d.client.id else None
    age = age_on(hetu, ts_date(d.effective_time))
    if age is not None and age < 18 and not (d.consent and d.consent.code):
        yield hit(cda.xpath("consent"), client=hetu, age=age)


@rule(
    "SH-MIN-002",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=("document",),
    title=("Kielto tai sen epääminen ilman perustelua", "Förbud eller avslag utan motivering", "Prohibition or refusal without justification"),
    message=(
        "Luovutustieto {code} ({display}) vaatii kirjallisen perustelun, mutta se puuttuu.",
        "Uppgiften om utlämnande {code} ({display}) kräver en skriftlig motivering, men den saknas.",
        "Disclosure code {code} ({display}) needs a written justification, which is missing.",
    ),
    fix=(
        "Kirjoita perustelu elementtiin hl7fi:authorizationRestrictionArgument (miksi alaikäinen kieltää, tai miksi kielto evätään).",
        "Skriv motiveringen i hl7fi:authorizationRestrictionArgument (varför den minderåriga förbjuder, eller varför förbudet avslås).",
        "Write the justification in hl7fi:authorizationRestrictionArgument (why the minor forbids it, or why the prohibition is refused).",
    ),
    source=MINORS + " (codes for a prohibition and its refusal are modelled, verified: false)",
)
def prohibition_justified(ctx):
    d = ctx.document
    system = ctx.codes.get(CONSENT_SYSTEM)
    entry = system.get(d.consent.code) if system and d.consent else None
    if entry and entry.meaning in ("prohibited", "prohibition-refused") and not _justified(d):
        yield hit(JUSTIFICATION_X, code=entry.code, display=entry.display)
