#!/usr/bin/env bash
# Sign and archive two Kanta social welfare documents in a mock-kanta sandbox with openssl and curl only:
#   1. a client-relationship document (asiakkuusasiakirja, SP1), signed with the organisation's system key;
#   2. a client plan (asiakassuunnitelma, SP17), signed with a professional's card.
# The keys come as PKCS#12 files exported from the sandbox (mock-kanta cards export ...: TEST MATERIAL).
# Exit status 0 only if both acknowledgements are AA with no SH-SIG finding. See README.md beside this file.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TEMPLATES=$HERE/templates

usage() {
  cat <<'EOF'
usage: sign-and-archive.sh --card CARD.p12 --system SYSTEM.p12 [options]

  --card FILE          the professional's card, PKCS#12 (password in env CARD_P12_PASSWORD)
  --system FILE        the organisation's system signature key, PKCS#12 (password in env SYSTEM_P12_PASSWORD)
  --url URL            the sandbox (default $MOCK_KANTA_URL or http://127.0.0.1:8080)
  --tenant ID          the sandbox tenant (header X-Mock-Kanta-Tenant; default the sandbox's default tenant)
  --unit-oid OID       the organiser's service unit (default 1.2.246.10.1246109.10.2001213)
  --unit-name NAME     its name
  --client-hetu HETU   the client, an artificial henkilötunnus (individual number 900-999; default: a new one
                       born 12.4.2016)
  --out-dir DIR        where the frames, signed documents and acknowledgements are kept (default: a new
                       temporary directory)
The organisation (OID and name) comes from the system key's certificate (serialNumber, O), the professional
(registration number, names, title) from the card's certificate (serialNumber, GN, SN, title).
EOF
}

die() { echo "sign-and-archive: $*" >&2; exit 2; }

URL=${MOCK_KANTA_URL:-http://127.0.0.1:8080}
TENANT=${MOCK_KANTA_TENANT:-}
CARD_P12="" SYSTEM_P12="" OUT_DIR="" CLIENT_HETU=""
UNIT_OID=1.2.246.10.1246109.10.2001213
UNIT_NAME="Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue"
CLIENT_GIVEN=Testi CLIENT_FAMILY=Asiakas
while [ $# -gt 0 ]; do
  case $1 in
    --card) CARD_P12=$2; shift 2 ;;
    --system) SYSTEM_P12=$2; shift 2 ;;
    --url) URL=$2; shift 2 ;;
    --tenant) TENANT=$2; shift 2 ;;
    --unit-oid) UNIT_OID=$2; shift 2 ;;
    --unit-name) UNIT_NAME=$2; shift 2 ;;
    --client-hetu) CLIENT_HETU=$2; shift 2 ;;
    --out-dir) OUT_DIR=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done
[ -f "$CARD_P12" ] || die "give the card's PKCS#12 file with --card (mock-kanta cards export ID --pin PIN -o card.p12)"
[ -f "$SYSTEM_P12" ] || die "give the system key's PKCS#12 file with --system (mock-kanta cards export --system OID -o system.p12)"
[ -n "${CARD_P12_PASSWORD:-}" ] || die "set CARD_P12_PASSWORD to the card file's password"
[ -n "${SYSTEM_P12_PASSWORD:-}" ] || die "set SYSTEM_P12_PASSWORD to the system key file's password"
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/shell-signer.XXXXXX")}
mkdir -p "$OUT_DIR"
umask 077
trap 'rm -f "$OUT_DIR/card-key.pem" "$OUT_DIR/system-key.pem"' EXIT  # the plain keys do not outlive the run

# --- helpers ---------------------------------------------------------------------------------------------

b64() { openssl base64 -A; }
sha256_b64() { openssl dgst -sha256 -binary | openssl base64 -A; }
xml_escape() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
json_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# fill TEMPLATE xml|json: every @@NAME@@ replaced by the shell variable NAME, escaped for the file's kind.
# @@BODY@@ and @@SIGNATURES@@ are XML this script builds; they are put in with `insert`.
fill() {
  local script="" name value
  for name in $(grep -o '@@[A-Z_]*@@' "$1" | sort -u | tr -d @); do
    case $name in BODY|SIGNATURES) continue ;; esac
    [ -n "${!name+set}" ] || die "template $1 names @@$name@@, which this script does not set"
    if [ "$2" = xml ]; then value=$(xml_escape "${!name}"); else value=$(json_escape "${!name}"); fi
    script+="s|@@$name@@|$(sed_escape "$value")|g;"
  done
  sed -e "$script" "$1"
}

insert() {  # insert TEXT PLACEHOLDER XML: XML spliced in where the placeholder is (no pattern characters)
  local before=${1%%"$2"*} after=${1#*"$2"}
  printf '%s%s%s' "$before" "$3" "$after"
}

subject_field() {  # subject_field CERT FIELD: one field of the certificate's subject (UTF-8)
  openssl x509 -in "$1" -noout -subject -nameopt multiline,utf8,-esc_msb | sed -n "s/^ *$2 *= //p" | head -n 1
}

# --- the keys: out of PKCS#12, checked against the sandbox's CA chain ------------------------------------

openssl pkcs12 -in "$CARD_P12" -passin env:CARD_P12_PASSWORD -nocerts -nodes -out "$OUT_DIR/card-key.pem" 2>/dev/null \
  || die "cannot open $CARD_P12 (wrong CARD_P12_PASSWORD?)"
openssl pkcs12 -in "$CARD_P12" -passin env:CARD_P12_PASSWORD -clcerts -nokeys 2>/dev/null \
  | openssl x509 -out "$OUT_DIR/card-cert.pem"
openssl pkcs12 -in "$SYSTEM_P12" -passin env:SYSTEM_P12_PASSWORD -nocerts -nodes -out "$OUT_DIR/system-key.pem" 2>/dev/null \
  || die "cannot open $SYSTEM_P12 (wrong SYSTEM_P12_PASSWORD?)"
openssl pkcs12 -in "$SYSTEM_P12" -passin env:SYSTEM_P12_PASSWORD -clcerts -nokeys 2>/dev/null \
  | openssl x509 -out "$OUT_DIR/system-cert.pem"

curl -fsS "$URL/pki/ca.pem" -o "$OUT_DIR/sandbox-ca.pem" || die "cannot fetch the sandbox's CA chain from $URL/pki/ca.pem"
for cert in card-cert system-cert; do
  openssl verify -CAfile "$OUT_DIR/sandbox-ca.pem" "$OUT_DIR/$cert.pem" >/dev/null \
    || die "$cert.pem does not chain to the CAs of the sandbox at $URL (exported from another sandbox?)"
done

ORG_OID=$(subject_field "$OUT_DIR/system-cert.pem" serialNumber)
ORG_NAME=$(subject_field "$OUT_DIR/system-cert.pem" organizationName)
PRO_REGISTRATION=$(subject_field "$OUT_DIR/card-cert.pem" serialNumber)
PRO_GIVEN=$(subject_field "$OUT_DIR/card-cert.pem" givenName)
PRO_FAMILY=$(subject_field "$OUT_DIR/card-cert.pem" surname)
PRO_TITLE=$(subject_field "$OUT_DIR/card-cert.pem" title)
PRO_TITLE=${PRO_TITLE:-sosiaalihuollon ammattihenkilö}
[ -n "$ORG_OID" ] && [ -n "$ORG_NAME" ] || die "the system key's certificate names no organisation (serialNumber, O)"
[ -n "$PRO_REGISTRATION" ] || die "the card's certificate has no registration number (serialNumber): use a professional card"

# --- the client: an artificial henkilötunnus (individual number 900-999) -------------------------------

CHECK_CHARS=0123456789ABCDEFHJKLMNPRSTUVWXY
if [ -z "$CLIENT_HETU" ]; then
  number=$(( 900 + 16#$(openssl rand -hex 2) % 100 ))
  CLIENT_HETU=120416A$number${CHECK_CHARS:$(( 10#120416$number % 31 )):1}
fi
[[ $CLIENT_HETU =~ ^([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])(9[0-9]{2})([0-9A-Y])$ ]] \
  || die "$CLIENT_HETU is not an artificial henkilötunnus (individual number 900-999)"
dd=${BASH_REMATCH[1]} mm=${BASH_REMATCH[2]} yy=${BASH_REMATCH[3]} sign=${BASH_REMATCH[4]} individual=${BASH_REMATCH[5]}
[ "${CHECK_CHARS:$(( 10#$dd$mm$yy$individual % 31 )):1}" = "${BASH_REMATCH[6]}" ] || die "$CLIENT_HETU: wrong check character"
case $sign in +) century=18 ;; -|[U-Y]) century=19 ;; *) century=20 ;; esac
BIRTH=$century$yy$mm$dd BIRTH_ISO=$century$yy-$mm-$dd BIRTH_FI=$dd.$mm.$century$yy HETU_MASKED=$dd$mm$yy*****
if (( 10#$individual % 2 )); then GENDER_CODE=1 GENDER_NAME=Mies GENDER_LOWER=mies
else GENDER_CODE=2 GENDER_NAME=Nainen GENDER_LOWER=nainen; fi

# --- identifiers and times --------------------------------------------------------------------------------

ID_BASE=$(printf '%s' "$ORG_OID" | cut -d. -f1-5)  # 1.2.246.10.<business id>: the organisation's local arc
ARC=$(( 100000000 + 16#$(openssl rand -hex 4) % 900000000 ))
RELATIONSHIP_ID=$ID_BASE.95.$(date +%Y).$ARC.1
MATTER_ID=$ID_BASE.95.$(date +%Y).$ARC.2
EFFECTIVE=$(TZ=Europe/Helsinki date +%Y%m%d%H%M%S%z)
TODAY_ISO=$(TZ=Europe/Helsinki date +%Y-%m-%d)
TODAY_FI=$(TZ=Europe/Helsinki date +%d.%m.%Y)

# --- signing in Kanta's layout ------------------------------------------------------------------------------
# Exclusive C14N of an element that uses no other namespace is its own text with the namespace it uses
# declared on it and empty elements written as start and end tags. So each signed part (the nonXMLBody, the
# signatureTimestamp, SignedInfo) is built here in that canonical form and put into the document as it is:
# the digests and the signature are taken over exactly the bytes that are sent, and no canonicaliser is needed.

HL7=urn:hl7-org:v3 HL7FI=urn:hl7finland DSIG=http://www.w3.org/2000/09/xmldsig#
EXC_C14N=http://www.w3.org/2001/10/xml-exc-c14n#
RSA_SHA256=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
SHA256=http://www.w3.org/2001/04/xmlenc#sha256

body() {  # body DOC_ID XHTML_TEMPLATE JSON_TEMPLATE: the canonical nonXMLBody
  printf '<nonXMLBody xmlns="%s" ID="OID%s"><text mediaType="application/xhtml+xml" representation="B64">%s</text>' \
    "$HL7" "$1" "$(fill "$2" xml | b64)"
  printf '<hl7fi:json xmlns:hl7fi="%s">%s</hl7fi:json></nonXMLBody>' "$HL7FI" "$(fill "$3" json | b64)"
}

reference() {  # reference URI DIGEST
  printf '<Reference URI="%s"><Transforms><Transform Algorithm="%s"></Transform></Transforms>' "$1" "$EXC_C14N"
  printf '<DigestMethod Algorithm="%s"></DigestMethod><DigestValue>%s</DigestValue></Reference>' "$SHA256" "$2"
}

signature() {  # signature KIND(1|3) DOC_ID BODY KEY CERT: one hl7fi:signature in a signatureCollection
  local kind=$1 doc_id=$2 body=$3 key=$4 cert=$5 id timestamp signed_info value display
  id=sig_$(openssl rand -hex 16)
  timestamp=$(printf '<signatureTimestamp xmlns="%s" ID="CDA-timestamp.%s">%s</signatureTimestamp>' \
    "$HL7FI" "$id" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
  signed_info=$(printf '<SignedInfo xmlns="%s"><CanonicalizationMethod Algorithm="%s"></CanonicalizationMethod>' \
    "$DSIG" "$EXC_C14N"; printf '<SignatureMethod Algorithm="%s"></SignatureMethod>' "$RSA_SHA256"
    reference "#OID$doc_id" "$(printf '%s' "$body" | sha256_b64)"
    reference "#CDA-timestamp.$id" "$(printf '%s' "$timestamp" | sha256_b64)"
    printf '</SignedInfo>')
  value=$(printf '%s' "$signed_info" | openssl dgst -sha256 -sign "$key" | b64)  # RSA PKCS#1 v1.5
  if [ "$kind" = 1 ]; then display="Ammattihenkilön allekirjoitus"; else display="Järjestelmäallekirjoitus"; fi
  printf '<signatureCollection xmlns="%s"><signature ID="%s">' "$HL7FI" "$id"
  printf '<signatureDescription code="%s" displayName="%s" codeSystem="1.2.246.537.5.40127.2006" ' "$kind" "$display"
  printf 'codeSystemName="KanTa-palvelut - Sähköisen allekirjoituksen tyyppi"/>%s' "$timestamp"
  printf '<Signature xmlns="%s">%s<SignatureValue>%s</SignatureValue>' "$DSIG" "$signed_info" "$value"
  printf '<KeyInfo><X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo></Signature>' \
    "$(openssl x509 -in "$cert" -outform DER | b64)"
  printf '</signature></signatureCollection>'
}

signer_block() {  # the header's hl7fi:signature naming the professional who signed last
  printf '<hl7fi:signature><hl7fi:assignedAuthorSigner>%s</hl7fi:assignedAuthorSigner>' "$(xml_escape "$PRO_REGISTRATION")"
  printf '<hl7fi:signer><hl7fi:name><hl7fi:given>%s</hl7fi:given><hl7fi:family>%s</hl7fi:family></hl7fi:name></hl7fi:signer>' \
    "$(xml_escape "$PRO_GIVEN")" "$(xml_escape "$PRO_FAMILY")"
  printf '<hl7fi:authenticationMethod code="1" codeSystem="1.2.246.537.5.40128.2006" codeSystemName="KanTa-palvelut - '
  printf 'Tunnistautumistapa" displayName="Sosiaali- ja terveydenhuollon ammattihenkilön varmenne"/>'
  printf '<hl7fi:time value="%s"/></hl7fi:signature>' "$(TZ=Europe/Helsinki date +%Y%m%d%H%M%S%z)"
}

# --- sending -----------------------------------------------------------------------------------------------

archive() {  # archive NAME: post NAME-frame.xml and NAME-document.xml as multipart/related, keep the answer
  local name=$1 boundary headers=()
  boundary=MIMEBoundary_$(openssl rand -hex 16)
  {
    printf -- '--%s\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Transfer-Encoding: binary\r\n' "$boundary"
    printf 'Content-ID: <frame>\r\n\r\n'; cat "$OUT_DIR/$name-frame.xml"
    printf -- '\r\n--%s\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Transfer-Encoding: binary\r\n' "$boundary"
    printf 'Content-ID: <document>\r\n\r\n'; cat "$OUT_DIR/$name-document.xml"
    printf -- '\r\n--%s--\r\n' "$boundary"
  } > "$OUT_DIR/$name-request.bin"
  [ -n "$TENANT" ] && headers=(-H "X-Mock-Kanta-Tenant: $TENANT")
  curl -sS "${headers[@]}" -H "Content-Type: multipart/related; boundary=\"$boundary\"; type=\"text/xml\"; start=\"<frame>\"" \
    --data-binary "@$OUT_DIR/$name-request.bin" "$URL/kanta/shark/arkisto" -o "$OUT_DIR/$name-ack.xml" \
    || die "cannot post to $URL/kanta/shark/arkisto"
  local type codes
  type=$(grep -o '<acknowledgement typeCode="[A-Z]*"' "$OUT_DIR/$name-ack.xml" | head -n 1 | sed 's/.*="\(.*\)"/\1/' || true)
  codes=$(grep -o 'code="SH-[A-Z]*-[0-9]*"' "$OUT_DIR/$name-ack.xml" | sed 's/code="\(.*\)"/\1/' | tr '\n' ' ' || true)
  echo "$name: ${type:-no acknowledgement} ${codes:+(findings: $codes)}"
  [ "$type" = AA ] || return 1
  case " $codes" in *" SH-SIG-"*) return 1 ;; esac
}

# 1. The client-relationship document, system-signed.
DOC_ID=$ID_BASE.95.$(date +%Y).$ARC.3 MESSAGE_ID=${ARC}000003
BODY=$(body "$DOC_ID" "$TEMPLATES/relationship.xhtml" "$TEMPLATES/relationship.json")
SIGNATURES=$(signature 3 "$DOC_ID" "$BODY" "$OUT_DIR/system-key.pem" "$OUT_DIR/system-cert.pem")
fill "$TEMPLATES/relationship-frame.xml" xml > "$OUT_DIR/relationship-frame.xml"
document=$(fill "$TEMPLATES/relationship-document.xml" xml)
document=$(insert "$document" @@BODY@@ "$BODY")
insert "$document" @@SIGNATURES@@ "$SIGNATURES" > "$OUT_DIR/relationship-document.xml"
status=0
archive relationship || status=1

# 2. The client plan, signed on the professional's card.
DOC_ID=$ID_BASE.95.$(date +%Y).$ARC.4 MESSAGE_ID=${ARC}000004
BODY=$(body "$DOC_ID" "$TEMPLATES/plan.xhtml" "$TEMPLATES/plan.json")
SIGNATURES=$(signer_block)$(signature 1 "$DOC_ID" "$BODY" "$OUT_DIR/card-key.pem" "$OUT_DIR/card-cert.pem")
fill "$TEMPLATES/plan-frame.xml" xml > "$OUT_DIR/plan-frame.xml"
document=$(fill "$TEMPLATES/plan-document.xml" xml)
document=$(insert "$document" @@BODY@@ "$BODY")
insert "$document" @@SIGNATURES@@ "$SIGNATURES" > "$OUT_DIR/plan-document.xml"
archive plan || status=1

echo "files in $OUT_DIR"
exit $status
