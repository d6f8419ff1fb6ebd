"""The OIDs the sandbox names in code: code systems the checks and the services look up, identifier roots,
and the `meaning`s of codes in codesystems.yaml that the sandbox acts on. The codes themselves are data
(codesystems.yaml beside this file)."""

# Code systems
SERVICE_REQUESTS = "1.2.246.537.6.1503.201601"  # Arkistosanomien palvelupyynnöt (SP1, SP17, ...)
USAGE_SITUATIONS = "1.2.246.537.6.1289.201901"  # Asiakastiedon arkiston käyttötilanne
DOCUMENT_TYPES = "1.2.246.537.6.1506.201701"  # Asiakasasiakirjatyyppi
DOCUMENT_GROUPS = "1.2.246.537.6.1505.201601"  # Asiakirjaryhmä
SOCIAL_SERVICES = "1.2.246.537.6.1222.201601"  # Sosiaalipalvelu
SERVICE_PROCESS_PHASES = "1.2.246.537.6.1277.201701"  # Sosiaalihuollon palveluprosessi
GUARDIAN_DISCLOSURE = "1.2.246.537.6.1286.201901"  # Alaikäisen asiakastietojen luovuttaminen huoltajille
RECORD_STATUS = "1.2.246.537.5.40154.2008"  # Asiakirjan valmistumisen tila

# Identifier roots
HETU_ROOT = "1.2.246.21"  # henkilötunnus
REGISTRATION_ROOT = "1.2.246.537.26"  # a professional's registration number (Valvira)

# Meanings (codesystems.yaml `meaning:`) the sandbox acts on
PROVIDER_USAGE = "provider-in-organiser-register"  # USAGE_SITUATIONS: a provider under the register usage right
OWN_USAGE = "own-register"  # USAGE_SITUATIONS: the organisation's own register
PROVIDER_PHASE = "provider-phase"  # SERVICE_PROCESS_PHASES: palvelun toteutus
VOID = "void"  # RECORD_STATUS: mitätöity

CLIENT_RELATIONSHIP_GROUP = "1"  # DOCUMENT_GROUPS: asiakkuusasiakirja
