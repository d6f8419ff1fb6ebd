"""Signatures: the XMLDSig checks of each hl7fi:signature, the signer's certificate, and who signed.

The archive verifies the document once (`mock_kanta.signing.xmldsig.verify_document`)
and checks each certificate against the trust store (`Pki.check`) before the rules
run; the rules read those results from `ctx.extras["signatures"]` and
`ctx.extras["trust"]`, and the arrival time by the sandbox clock from
`ctx.extras["now"]`.
"""
from cryptography.x509.oid import NameOID

from mock_kanta.core.findings import Severity
from mock_kanta.rules.archive.consistency import CLIENT_RELATIONSHIP_GROUP
from mock_kanta.rules.archive.header import group_code
from mock_kanta.rules.registry import Context, Stage, define, hit, rule
from mock_kanta.rules.sources import SIGNATURE
from mock_kanta.wire import cda

PROFESSIONAL, SYSTEM = "1", "3"
REGISTRATION_ROOT = "1.2.246.537.26"  # the professional's registration number (Valvira)
_NEEDS = ("document",)
DVV_SOURCE = "DVV varmennepolitiikka (sote-ammattivarmenteet, palveluvarmenteet); " + SIGNATURE
COLLECTION = cda.local_xpath("signature").rsplit("/", 1)[0] + "/hl7fi:signatureCollection"


def results(ctx: Context):
    return ctx.extras.get("signatures") or ()


def problems(ctx: Context, sig, kind: str):
    """Trust problems of one signature's certificate, filtered by kind."""
    return [p for p in ctx.extras.get("trust", {}).get(sig.index, ()) if p.kind == kind]


def _sig_rule(rid, severity, title, message, fix, source=SIGNATURE, kanta_verified=False):
    """Register a rule whose check is the decorated generator over (ctx, signature result)."""

    def wrap(fn):
        def check(ctx: Context):
            for sig in results(ctx):
                yield from fn(ctx, sig)

        define(rid, severity, Stage.DOCUMENT, needs=_NEEDS, check=check, title=title, message=message, fix=fix,
               source=source, kanta_verified=kanta_verified)
        return fn

    return wrap


@rule(
    "SH-SIG-001",
    Severity.ERROR,
    Stage.DOCUMENT,
    needs=_NEEDS,
    title=("Allekirjoitus puuttuu", "Signatur saknas", "Signature missing"),
    message=(
        "Asiakirjassa ei ole yhtään sähköistä allekirjoitusta (hl7fi:signatureCollection/hl7fi:signature).",
        "Dokumentet har ingen elektronisk signatur (hl7fi:signatureCollection/hl7fi:signature).",
        "The document carries no electronic signature (hl7fi:signatureCollection/hl7fi:signature).",
    ),
    fix=(
        "Allekirjoita asiakirja ammattihenkilön varmennekortilla tai organisaation järjestelmäallekirjoitusvarmenteella.",
        "Signera dokumentet med den yrkesutbildades certifikatkort eller organisationens systemsignaturcertifikat.",
        "Sign the document with the professional's certificate card or the organisation's system signature certificate.",
    ),
    source=SIGNATURE,
    kanta_verified=True,
)
def signature_present(ctx):
    if ctx.extras.get("signatures") is not None and not results(ctx):
        yield hit(COLLECTION)


@_sig_rule(
    "SH-SIG-002",
    Severity.ERROR,
    ("Allekirjoituksen rakenne", "Signaturens struktur", "Signature structure"),
    (
        "Allekirjoitus {n} ei noudata Kannan allekirjoitusprofiilia: {problem}",
        "Signatur {n} följer inte Kantas signaturprofil: {problem}",
        "Signature {n} does not follow Kanta's signature profile: {problem}",
    ),
    (
        "Käytä exc-c14n-kanonisointia, rsa-sha256:ta ja kahta sha256-viittausta: #OID<asiakirjan tunniste> ja #<aikaleiman ID>.",
        "Använd exc-c14n, rsa-sha256 och två sha256-referenser: #OID<dokumentets id> och #<tidsstämpelns ID>.",
        "Use exc-c14n, rsa-sha256 and two sha256 references: #OID<document id> and #<timestamp ID>.",
    ),
    kanta_verified=True,
)
def layout(ctx, sig):
    for problem in sig.layout_problems:
        yield hit(sig.location, n=sig.index, problem=problem)


def _digest_rule(rid, attr, what):
    fi, sv, en = what

    @_sig_rule(
        rid,
        Severity.ERROR,
        (f"Tiiviste ei täsmää: {fi}", f"Kontrollsumman stämmer inte: {sv}", f"Digest mismatch: {en}"),
        (
            f"Allekirjoituksen {{n}} tiiviste ei vastaa kohdetta ({fi}): sisältöä on muutettu allekirjoittamisen jälkeen.",
            f"Signatur {{n}}: kontrollsumman motsvarar inte målet ({sv}); innehållet har ändrats efter signeringen.",
            f"Signature {{n}}: the digest does not match its target ({en}); the content changed after signing.",
        ),
        (
            "Allekirjoita asiakirja uudelleen sen lopullisesta sisällöstä; älä muuta nonXMLBodya tai aikaleimaa allekirjoituksen jälkeen.",
            "Signera dokumentet på nytt över dess slutliga innehåll; ändra inte nonXMLBody eller tidsstämpeln efter signeringen.",
            "Sign the document again over its final content; do not change nonXMLBody or the timestamp after signing.",
        ),
        kanta_verified=True,
    )
    def check(ctx, sig):
        if getattr(sig, attr) is False:
            yield hit(sig.location + "/ds:Signature/ds:SignedInfo", n=sig.index)


_digest_rule("SH-SIG-003", "body_digest_ok", ("asiakirjan sisältö (nonXMLBody)", "dokumentets innehåll (nonXMLBody)", "document body (nonXMLBody)"))
_digest_rule("SH-SIG-004", "timestamp_digest_ok", ("aikaleima", "tidsstämpeln", "signature timestamp"))


@_sig_rule(
    "SH-SIG-005",
    Severity.ERROR,
    ("Allekirjoitusarvo virheellinen", "Ogiltigt signaturvärde", "Invalid signature value"),
    (
        "Allekirjoituksen {n} SignatureValue ei täsmää SignedInfo-osaan varmenteen julkisella avaimella.",
        "Signatur {n}: SignatureValue stämmer inte med SignedInfo med certifikatets publika nyckel.",
        "Signature {n}: the SignatureValue does not verify over SignedInfo with the certificate's public key.",
    ),
    (
        "Allekirjoita SignedInfo exc-c14n-muodossa samalla avaimella, jonka varmenne on KeyInfossa (RSA PKCS#1 v1.5, SHA-256).",
        "Signera SignedInfo i exc-c14n-form med samma nyckel vars certifikat finns i KeyInfo (RSA PKCS#1 v1.5, SHA-256).",
        "Sign SignedInfo (exc-c14n) with the key whose certificate is in KeyInfo (RSA PKCS#1 v1.5, SHA-256).",
    ),
    kanta_verified=True,
)
def signature_value(ctx, sig):
    if sig.value_ok is False:
        yield hit(sig.location + "/ds:Signature/ds:SignatureValue", n=sig.index)


@_sig_rule(
    "SH-SIG-006",
    Severity.ERROR,
    ("Allekirjoituksen kääriminen", "Signaturomslutning", "Signature wrapping"),
    (
        "Allekirjoituksen {n} viittaus on moniselitteinen: {problem}",
        "Signatur {n}: referensen är tvetydig: {problem}",
        "Signature {n}: a reference is ambiguous: {problem}",
    ),
    (
        "Jokaisen ID-arvon on oltava yksilöllinen; viittauksen #OID<tunniste> on osoitettava tämän asiakirjan nonXMLBodyyn.",
        "Varje ID-värde ska vara unikt; referensen #OID<id> ska peka på detta dokuments nonXMLBody.",
        "Every ID value must be unique; the reference #OID<id> must point at this very document's nonXMLBody.",
    ),
    source="W3C XML Signature Best Practices (signature wrapping); " + SIGNATURE,
)
def wrapping(ctx, sig):
    for problem in sig.wrapping_problems:
        yield hit(sig.location, n=sig.index, problem=problem)


@_sig_rule(
    "SH-SIG-007",
    Severity.WARNING,
    ("Tyhjätilasiirtymä allekirjoituksessa", "Blanksteg i signaturen", "Whitespace quirk in the signature"),
    (
        "Allekirjoitus {n} on kelvollinen vain, kun pelkkää tyhjätilaa sisältävät tekstisolmut jätetään pois "
        "(.NET XmlDocument PreserveWhitespace=false); tarkka XMLDSig-tarkistaja hylkäisi sen.",
        "Signatur {n} är giltig endast när textnoder med enbart blanksteg utelämnas "
        "(.NET XmlDocument PreserveWhitespace=false); en strikt XMLDSig-verifierare skulle avvisa den.",
        "Signature {n} verifies only when whitespace-only text nodes are dropped "
        "(.NET XmlDocument PreserveWhitespace=false); a strict XMLDSig verifier would reject it.",
    ),
    (
        "Älä sisennä tai muotoile XML:ää allekirjoittamisen jälkeen; allekirjoita täsmälleen lähetettävät tavut.",
        "Indentera eller formatera inte XML efter signeringen; signera exakt de byte som skickas.",
        "Do not indent or reformat the XML after signing; sign exactly the bytes you send.",
    ),
    source="[S] the public samples verify only this way (kanta-samples README); " + SIGNATURE,
)
def whitespace(ctx, sig):
    if sig.whitespace_tolerant:
        yield hit(sig.location, n=sig.index)


@_sig_rule(
    "SH-SIG-008",
    Severity.ERROR,
    ("Varmenne puuttuu tai on viallinen", "Certifikatet saknas eller är felaktigt", "Certificate missing or broken"),
    (
        "Allekirjoituksen {n} KeyInfo/X509Data/X509Certificate puuttuu tai ei ole DER-varmenne: {detail}",
        "Signatur {n}: KeyInfo/X509Data/X509Certificate saknas eller är inget DER-certifikat: {detail}",
        "Signature {n}: KeyInfo/X509Data/X509Certificate is missing or not a DER certificate: {detail}",
    ),
    (
        "Liitä allekirjoittajan varmenne Base64-koodattuna KeyInfo-elementtiin.",
        "Bifoga signerarens certifikat Base64-kodat i KeyInfo.",
        "Put the signer's certificate, Base64-encoded, in KeyInfo.",
    ),
    kanta_verified=True,
)
def certificate_present(ctx, sig):
    if sig.certificate is None:
        yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, detail=sig.certificate_error or "missing")


def _trust_rule(rid, kind, severity, title, message, fix, source=DVV_SOURCE):
    @_sig_rule(rid, severity, title, message, fix, source=source, kanta_verified=False)
    def check(ctx, sig):
        for p in problems(ctx, sig, kind):
            yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, detail=p.detail, subject=_subject(sig))


def _subject(sig) -> str:
    return sig.certificate.subject.rfc4514_string() if sig.certificate is not None else "-"


_trust_rule(
    "SH-SIG-009", "untrusted", Severity.ERROR,
    ("Varmenteen myöntäjä ei ole luotettu", "Certifikatets utfärdare är inte betrodd", "Untrusted certificate issuer"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) ei ketjuudu hiekkalaatikon varmentajaan eikä lisäluottamukseen: {detail}",
        "Signatur {n}: certifikatet ({subject}) kedjar inte till sandlådans CA eller till extra förtroende: {detail}",
        "Signature {n}: the certificate ({subject}) does not chain to the sandbox CA or to extra trust: {detail}",
    ),
    (
        "Käytä hiekkalaatikon virtuaalikorttia (mock-kanta cards issue) tai lisää varmentajasi tai varmenteesi "
        "PEM-tiedostoon, jonka nimeät ympäristömuuttujassa MOCK_KANTA_EXTRA_TRUST.",
        "Använd sandlådans virtuella kort (mock-kanta cards issue) eller lägg din CA eller ditt certifikat "
        "i en PEM-fil som du anger i miljövariabeln MOCK_KANTA_EXTRA_TRUST.",
        "Use a sandbox virtual card (mock-kanta cards issue), or add your CA or certificate to a PEM bundle "
        "named by the environment variable MOCK_KANTA_EXTRA_TRUST.",
    ),
)
_trust_rule(
    "SH-SIG-010", "invalid-at-signing", Severity.ERROR,
    ("Varmenne ei voimassa allekirjoitettaessa", "Certifikatet inte giltigt vid signering", "Certificate not valid when signing"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) ei ollut voimassa allekirjoitushetkellä: {detail}",
        "Signatur {n}: certifikatet ({subject}) var inte giltigt vid signeringen: {detail}",
        "Signature {n}: the certificate ({subject}) was not valid at the signing time: {detail}",
    ),
    (
        "Allekirjoita voimassa olevalla kortilla; tarkista myös järjestelmän kello (signatureTimestamp).",
        "Signera med ett giltigt kort; kontrollera också systemets klocka (signatureTimestamp).",
        "Sign with a valid card; check the system clock too (signatureTimestamp).",
    ),
)
_trust_rule(
    "SH-SIG-011", "expired", Severity.ERROR,
    ("Varmenne vanhentunut", "Certifikatet har gått ut", "Certificate expired"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) on vanhentunut saapumishetkellä hiekkalaatikon kellon mukaan: {detail}",
        "Signatur {n}: certifikatet ({subject}) har gått ut vid ankomsten enligt sandlådans klocka: {detail}",
        "Signature {n}: the certificate ({subject}) has expired at arrival by the sandbox clock: {detail}",
    ),
    (
        "Uusi kortti (mock-kanta cards issue). Vanhan aineiston harjoitteluun siirrä hiekkalaatikon kelloa (mock-kanta clock set).",
        "Förnya kortet (mock-kanta cards issue). För att öva med äldre material, flytta sandlådans klocka (mock-kanta clock set).",
        "Renew the card (mock-kanta cards issue). To rehearse with older material, move the sandbox clock (mock-kanta clock set).",
    ),
)
_trust_rule(
    "SH-SIG-012", "revoked", Severity.ERROR,
    ("Varmenne sulettu", "Certifikatet är spärrat", "Certificate revoked"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) on sulkulistalla: {detail}",
        "Signatur {n}: certifikatet ({subject}) finns på spärrlistan: {detail}",
        "Signature {n}: the certificate ({subject}) is on the revocation list: {detail}",
    ),
    (
        "Hanki uusi kortti; suljetulla kortilla ei voi allekirjoittaa.",
        "Skaffa ett nytt kort; ett spärrat kort kan inte användas för signering.",
        "Get a new card; a revoked card cannot sign.",
    ),
)
_trust_rule(
    "SH-SIG-013", "lost", Severity.ERROR,
    ("Kortti ilmoitettu kadonneeksi", "Kortet anmält förlorat", "Card reported lost"),
    (
        "Allekirjoituksen {n} kortti ({subject}) on ilmoitettu kadonneeksi ja suljettu: {detail}",
        "Signatur {n}: kortet ({subject}) har anmälts förlorat och spärrats: {detail}",
        "Signature {n}: the card ({subject}) was reported lost and revoked: {detail}",
    ),
    (
        "Kadonneella kortilla tehty allekirjoitus hylätään. Hanki uusi kortti ja allekirjoita uudelleen.",
        "En signatur gjord med ett förlorat kort avvisas. Skaffa ett nytt kort och signera på nytt.",
        "A signature made with a lost card is refused. Get a new card and sign again.",
    ),
)
_trust_rule(
    "SH-SIG-014", "key-usage", Severity.ERROR,
    ("Varmenteen käyttötarkoitus", "Certifikatets användning", "Certificate key usage"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) ei salli allekirjoitusta: {detail}",
        "Signatur {n}: certifikatet ({subject}) tillåter inte signering: {detail}",
        "Signature {n}: the certificate ({subject}) does not allow signing: {detail}",
    ),
    (
        "Käytä allekirjoitusvarmennetta (keyUsage nonRepudiation tai digitalSignature), ei esim. salaus- tai TLS-varmennetta.",
        "Använd ett signaturcertifikat (keyUsage nonRepudiation eller digitalSignature), inte t.ex. ett krypterings- eller TLS-certifikat.",
        "Use a signing certificate (keyUsage nonRepudiation or digitalSignature), not e.g. an encryption or TLS certificate.",
    ),
)


_trust_rule(
    "SH-SIG-019", "policy", Severity.ERROR,
    ("Varmenne ei ole tähän allekirjoitukseen", "Certifikatet är inte för denna signatur", "Certificate not for this signature"),
    (
        "Allekirjoituksen {n} varmenne ({subject}) on tarkoitettu muuhun käyttöön: {detail}",
        "Signatur {n}: certifikatet ({subject}) är avsett för annat bruk: {detail}",
        "Signature {n}: the certificate ({subject}) is meant for another use: {detail}",
    ),
    (
        "Ammattihenkilön allekirjoitus tehdään varmennekortilla, järjestelmäallekirjoitus järjestelmäallekirjoitusvarmenteella; "
        "palvelin- tai TLS-varmenne ei kelpaa allekirjoittamiseen.",
        "En yrkespersons signatur görs med certifikatkort, en systemsignatur med systemsignaturcertifikat; "
        "ett server- eller TLS-certifikat duger inte för signering.",
        "A professional signs with a certificate card, a system with a system signature certificate; "
        "a server or TLS certificate cannot sign documents.",
    ),
    source="DVV certificate policies (1.2.246.517.99.10.306.x cards, 308.2 system signature); " + SIGNATURE,
)


def _cert_serial_number(sig) -> str | None:
    attrs = sig.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER) if sig.certificate is not None else []
    return attrs[0].value if attrs else None


@_sig_rule(
    "SH-SIG-015",
    Severity.ERROR,
    ("Allekirjoittaja ei ole laatija", "Signeraren är inte upphovspersonen", "Signer is not the author"),
    (
        "Ammattihenkilön allekirjoituksen {n} varmenteen serialNumber {serial} ei vastaa asiakirjan laatijaa ({author}).",
        "Yrkespersonens signatur {n}: certifikatets serialNumber {serial} motsvarar inte dokumentets upphovsperson ({author}).",
        "Professional signature {n}: the certificate's serialNumber {serial} does not match the document's author ({author}).",
    ),
    (
        "Allekirjoita laatijan omalla kortilla, tai merkitse author/assignedAuthor/id ja hl7fi:assignedAuthorSigner allekirjoittajan rekisteröintinumeroksi.",
        "Signera med upphovspersonens eget kort, eller ange author/assignedAuthor/id och hl7fi:assignedAuthorSigner som signerarens registreringsnummer.",
        "Sign with the author's own card, or set author/assignedAuthor/id and hl7fi:assignedAuthorSigner to the signer's registration number.",
    ),
    source="Kanta: a professional signs with a personal card [I]; " + SIGNATURE,
)
def signer_is_author(ctx, sig):
    d = ctx.document
    author = d.author.id if d.author and d.author.id else None
    if sig.description_code != PROFESSIONAL or sig.certificate is None or not author or author.root != REGISTRATION_ROOT:
        return
    serial = _cert_serial_number(sig)
    if author.extension and serial != author.extension:
        yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, serial=serial or "-", author=author.extension)


@_sig_rule(
    "SH-SIG-018",
    Severity.ERROR,
    ("Allekirjoittajan tunniste otsikossa", "Signerarens id i huvudet", "Signer in the header"),
    (
        "hl7fi:assignedAuthorSigner on {header}, mutta ammattihenkilön allekirjoituksen {n} kortti on {serial}.",
        "hl7fi:assignedAuthorSigner är {header}, men kortet för yrkespersonens signatur {n} är {serial}.",
        "hl7fi:assignedAuthorSigner is {header}, but professional signature {n} was made with card {serial}.",
    ),
    (
        "Kirjoita hl7fi:assignedAuthorSigner-kenttään allekirjoittaneen kortin rekisteröintinumero (varmenteen serialNumber).",
        "Skriv det signerande kortets registreringsnummer (certifikatets serialNumber) i hl7fi:assignedAuthorSigner.",
        "Put the signing card's registration number (the certificate's serialNumber) in hl7fi:assignedAuthorSigner.",
    ),
    source=SIGNATURE,
)
def header_names_signer(ctx, sig):
    lh = ctx.document.local
    header = lh.signature.assigned_author_signer if lh and lh.signature else None
    if sig.description_code != PROFESSIONAL or sig.certificate is None or not header:
        return
    serial = _cert_serial_number(sig)
    if serial != header:
        yield hit(cda.local_xpath("signature") + "/hl7fi:assignedAuthorSigner", n=sig.index, header=header, serial=serial or "-")


@_sig_rule(
    "SH-SIG-016",
    Severity.ERROR,
    ("Järjestelmäallekirjoitus toiselta organisaatiolta", "Systemsignatur från en annan organisation", "System signature from another organisation"),
    (
        "Järjestelmäallekirjoituksen {n} varmenteen serialNumber {serial} ei ole lähettävä organisaatio {sender}.",
        "Systemsignatur {n}: certifikatets serialNumber {serial} är inte den sändande organisationen {sender}.",
        "System signature {n}: the certificate's serialNumber {serial} is not the sending organisation {sender}.",
    ),
    (
        "Allekirjoita lähettävän organisaation omalla järjestelmäallekirjoitusvarmenteella (serialNumber = organisaation OID).",
        "Signera med den sändande organisationens eget systemsignaturcertifikat (serialNumber = organisationens OID).",
        "Sign with the sending organisation's own system signature certificate (serialNumber = the organisation's OID).",
    ),
    source="DVV palveluvarmenteet (järjestelmäallekirjoitusvarmenne); Kanta [I]; " + SIGNATURE,
)
def system_signer_is_sender(ctx, sig):
    sender = ctx.frame.sender if ctx.frame is not None else None
    if sig.description_code != SYSTEM or sig.certificate is None or not sender:
        return
    serial = _cert_serial_number(sig)
    if serial != sender:
        yield hit(sig.location + "/ds:Signature/ds:KeyInfo", n=sig.index, serial=serial or "-", sender=sender)


@_sig_rule(
    "SH-SIG-017",
    Severity.ERROR,
    ("Allekirjoitustyyppi ei sovi asiakirjalle", "Signaturtypen passar inte dokumentet", "Signature type unsuitable"),
    (
        "Allekirjoitus {n} on tyyppiä {code}, joka ei sovi asiakirjaryhmän {group} asiakirjalle.",
        "Signatur {n} är av typ {code}, som inte passar ett dokument i dokumentgrupp {group}.",
        "Signature {n} is of type {code}, which does not suit a document of document group {group}.",
    ),
    (
        "Asiakkuusasiakirja allekirjoitetaan järjestelmäallekirjoituksella (3); ammattihenkilön allekirjoitus (1) ja järjestelmäallekirjoitus (3) ovat sallitut tyypit.",
        "Klientrelationsdokumentet signeras med systemsignatur (3); yrkespersonens signatur (1) och systemsignatur (3) är tillåtna typer.",
        "The client-relationship document is system-signed (3); professional (1) and system (3) are the allowed types.",
    ),
    source="[S] the asiakkuusasiakirja sample is system-signed; " + SIGNATURE,
)
def signature_type(ctx, sig):
    code, group = sig.description_code, group_code(ctx.document)
    wrong_type = code not in (PROFESSIONAL, SYSTEM)
    if wrong_type or (code == PROFESSIONAL and group == CLIENT_RELATIONSHIP_GROUP):
        yield hit(sig.location + "/hl7fi:signatureDescription/@code", n=sig.index, code=code or "-", group=group or "-")

