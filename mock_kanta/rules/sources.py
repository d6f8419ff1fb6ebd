"""Source citations shared by rules."""

SAMPLES = "[S] public Kanta vendor test messages (GitHub Warc0ck/SH-Kanta-validator)"
MESSAGING = "Kanta HL7 V3 -sanomaliikenteen implementointiopas 2.20.1 (kanta.fi)"
CDA_STANDARD = "Sosiaalihuollon asiakirjastandardi v1.0 (THL 2015); HL7 CDA R2"
METADATA = "Sosiaalihuollon asiakastiedon arkiston metatietomalli (Kanta); " + SAMPLES
GROUP = "Sosiaalihuolto - Asiakirjaryhmä 1.2.246.537.6.1505.201601 (koodistopalvelu.kanta.fi, classificationKey=2303)"
HETU = "Väestötietojärjestelmälaki 661/2009 § 11; VM asetus henkilötunnuksen muutoksesta (2023 välimerkit)"
SANDBOX = "mock-kanta policy: the sandbox holds test identities only"
SIGNATURE = "Kanta CDA R2 -asiakirjojen sähköinen allekirjoitus; " + SAMPLES
