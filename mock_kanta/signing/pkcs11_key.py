"""Signing keys on SoftHSM tokens through PKCS#11.

python-pkcs11 calls `C_Initialize(NULL)` and releases the GIL, so SoftHSM runs
without mutexes: every PKCS#11 call in this process goes through `PKCS11_LOCK`.
Tokens are chosen by label only (SoftHSM's slot ids are random). One token
directory is active per process at a time (`softhsm_env`).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pkcs11
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.util.rsa import encode_rsa_public_key
from pkcs11.util.x509 import decode_x509_certificate

from mock_kanta.signing.pki import atomic_write

SOFTHSM_LIBRARY = os.environ.get("MOCK_KANTA_PKCS11_LIBRARY", "/usr/lib/softhsm/libsofthsm2.so")
PKCS11_LOCK = threading.RLock()
KEY_ID = b"\x01"
KEY_LABEL = "sign"
SIGNATURE_MECHANISM = Mechanism.SHA256_RSA_PKCS


class TokenError(RuntimeError):
    """A token could not be created or found."""


class _State:
    conf: Path | None = None
    lib = None
    sessions: dict[str, tuple[object, object]] = {}  # label -> (logged-in session, private key)


def softhsm_env(directory: Path) -> Path:
    """Make `directory` this process's SoftHSM store and return its `softhsm2.conf`.

    Writes the config (tokens in `<directory>/tokens`, file object store, log ERROR)
    and sets SOFTHSM2_CONF. Switching from another directory reinitialises the
    library, which ends the sessions open on the previous one.
    """
    directory = Path(directory).resolve()
    conf = directory / "softhsm2.conf"
    with PKCS11_LOCK:
        if _State.conf == conf and os.environ.get("SOFTHSM2_CONF") == str(conf):
            return conf
        (directory / "tokens").mkdir(parents=True, exist_ok=True)
        text = (f"directories.tokendir = {directory / 'tokens'}\n"
                "objectstore.backend = file\n"
                "log.level = ERROR\n")
        if not conf.is_file() or conf.read_text() != text:
            atomic_write(conf, text.encode())
        os.environ["SOFTHSM2_CONF"] = str(conf)
        _State.conf = conf
        if _State.lib is not None:
            reinitialize()
    return conf


def library():
    """The PKCS#11 library, loaded after `softhsm_env`."""
    with PKCS11_LOCK:
        if _State.conf is None:
            raise TokenError("softhsm_env(directory) must be called before the PKCS#11 library is used")
        if _State.lib is None:
            _State.lib = pkcs11.lib(SOFTHSM_LIBRARY)
        return _State.lib


def reinitialize() -> None:
    """Finalise and initialise the library so new tokens become visible; all sessions end."""
    with PKCS11_LOCK:
        _State.sessions.clear()
        library().reinitialize()


def token_labels() -> list[str]:
    """Labels of the initialised tokens."""
    with PKCS11_LOCK:
        labels = []
        for slot in library().get_slots(token_present=True):
            token = slot.get_token()
            if token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED:
                labels.append(token.label)
        return labels


def find_token(label: str):
    """The token labelled `label`, reinitialising once if it is not (yet) visible."""
    with PKCS11_LOCK:
        for attempt in range(2):
            try:
                return library().get_token(token_label=label)
            except pkcs11.NoSuchToken:
                if attempt == 0:
                    reinitialize()
        raise TokenError(f"no token labelled {label!r}")


def create_token(label: str, pin: str, so_pin: str | None = None) -> None:
    """Initialise a free slot as token `label` with `softhsm2-util`, then reinitialise."""
    if len(label.encode()) > 32:
        raise TokenError(f"token label longer than 32 bytes: {label!r}")
    with PKCS11_LOCK:
        if label in token_labels():
            raise TokenError(f"a token labelled {label!r} exists already")
        so_pin = so_pin or secrets.token_hex(8)
        result = subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", pin],
            env={**os.environ, "SOFTHSM2_CONF": str(_State.conf)}, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise TokenError(f"softhsm2-util --init-token failed: {result.stderr.strip() or result.stdout.strip()}")
        reinitialize()


def delete_token(label: str) -> None:
    """Remove token `label` and its objects with `softhsm2-util`, then reinitialise."""
    with PKCS11_LOCK:
        close_sessions(label)
        result = subprocess.run(["softhsm2-util", "--delete-token", "--token", label],
                                env={**os.environ, "SOFTHSM2_CONF": str(_State.conf)},
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise TokenError(f"softhsm2-util --delete-token failed: {result.stderr.strip() or result.stdout.strip()}")
        reinitialize()


@contextlib.contextmanager
def user_session(label: str, pin: str, *, rw: bool = True) -> Iterator[object]:
    """A logged-in session on `label`, holding `PKCS11_LOCK` throughout (for provisioning)."""
    with PKCS11_LOCK:
        close_sessions(label)
        session = find_token(label).open(user_pin=pin, rw=rw)
        try:
            yield session
        finally:
            session.close()


def generate_signing_key(session, bits: int = 2048) -> rsa.RSAPublicKey:
    """An RSA key pair on the token (private half sensitive, not extractable); the public key."""
    with PKCS11_LOCK:
        public, _ = session.generate_keypair(
            KeyType.RSA, bits, id=KEY_ID, label=KEY_LABEL, store=True,
            public_template={Attribute.VERIFY: True, Attribute.ENCRYPT: False, Attribute.WRAP: False},
            private_template={Attribute.SIGN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                              Attribute.EXTRACTABLE: False, Attribute.DECRYPT: False, Attribute.UNWRAP: False},
        )
        return _public_key(public)


def _public_key(public) -> rsa.RSAPublicKey:
    """PKCS#1 from the token, wrapped as SubjectPublicKeyInfo for cryptography."""
    pkcs1 = encode_rsa_public_key(public)
    spki = asn1_keys.PublicKeyInfo({"algorithm": {"algorithm": "rsa"},
                                    "public_key": asn1_keys.RSAPublicKey.load(pkcs1)}).dump()
    return serialization.load_der_public_key(spki)


def store_certificate(session, certificate: x509.Certificate) -> None:
    """Put `certificate` on the token as an X.509 object with the key's CKA_ID."""
    attrs = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
    attrs.update({Attribute.LABEL: KEY_LABEL, Attribute.ID: KEY_ID, Attribute.TOKEN: True})
    with PKCS11_LOCK:
        session.create_object(attrs)


def token_certificate(label: str) -> x509.Certificate:
    """The X.509 object with the signing key's CKA_ID, read without logging in."""
    with PKCS11_LOCK:
        session = find_token(label).open()
        try:
            objects = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.ID: KEY_ID}))
            if not objects:
                raise TokenError(f"no certificate on token {label!r}")
            der = objects[0][Attribute.VALUE]
        finally:
            session.close()
    return x509.load_der_x509_certificate(der)


def close_sessions(label: str) -> None:
    """Log out of and close the shared signing session on `label`, if any."""
    with PKCS11_LOCK:
        entry = _State.sessions.pop(label, None)
        if entry is not None:
            with contextlib.suppress(pkcs11.PKCS11Error):
                entry[0].close()


def _signing_key(label: str, pin: str):
    entry = _State.sessions.get(label)
    if entry is None:
        session = find_token(label).open(user_pin=pin)
        try:
            key = session.get_key(ObjectClass.PRIVATE_KEY, id=KEY_ID)
        except BaseException:
            session.close()
            raise
        entry = _State.sessions[label] = (session, key)
    return entry[1]


class TokenSigner:
    """Signs on one token with RSA PKCS#1 v1.5 / SHA-256; `.certificate` belongs to the key.

    Signers of the same token share one logged-in session, reopened after a
    reinitialisation (a new token being created) ended it.
    """

    def __init__(self, label: str, pin: str, certificate: x509.Certificate):
        self.label = label
        self.certificate = certificate
        self._pin = pin

    def sign(self, data: bytes) -> bytes:
        with PKCS11_LOCK:
            try:
                return _signing_key(self.label, self._pin).sign(data, mechanism=SIGNATURE_MECHANISM)
            except (pkcs11.SessionHandleInvalid, pkcs11.SessionClosed, pkcs11.KeyHandleInvalid,
                    pkcs11.ObjectHandleInvalid, pkcs11.UserNotLoggedIn):
                _State.sessions.pop(self.label, None)
                return _signing_key(self.label, self._pin).sign(data, mechanism=SIGNATURE_MECHANISM)

    def close(self) -> None:
        """End the shared session (other signers of this token reopen it on demand)."""
        close_sessions(self.label)

    def __repr__(self) -> str:
        return f"TokenSigner({self.label!r}, {self.certificate.subject.rfc4514_string()!r})"


# --- exportable keys (opt-in test material) -------------------------------------------

def generate_exportable_signing_key(session, bits: int = 2048) -> rsa.RSAPublicKey:
    """An RSA key pair on the token whose private half may leave it (not sensitive, extractable).

    Only for cards and system keys issued as exportable: the PKCS#12 export reads it back."""
    with PKCS11_LOCK:
        public, _ = session.generate_keypair(
            KeyType.RSA, bits, id=KEY_ID, label=KEY_LABEL, store=True,
            public_template={Attribute.VERIFY: True, Attribute.ENCRYPT: False, Attribute.WRAP: False},
            private_template={Attribute.SIGN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: False,
                              Attribute.EXTRACTABLE: True, Attribute.DECRYPT: False, Attribute.UNWRAP: False},
        )
        return _public_key(public)


_RSA_PRIVATE_PARTS = (Attribute.MODULUS, Attribute.PUBLIC_EXPONENT, Attribute.PRIVATE_EXPONENT, Attribute.PRIME_1,
                      Attribute.PRIME_2, Attribute.EXPONENT_1, Attribute.EXPONENT_2, Attribute.COEFFICIENT)


def read_private_key(label: str, pin: str) -> rsa.RSAPrivateKey:
    """The signing key of token `label` as a software key; TokenError if the token keeps it (sensitive)."""
    with user_session(label, pin, rw=False) as session:
        key = session.get_key(ObjectClass.PRIVATE_KEY, id=KEY_ID)
        if key[Attribute.SENSITIVE] or not key[Attribute.EXTRACTABLE]:
            raise TokenError(f"the key on token {label!r} was generated non-extractable and cannot leave it")
        n, e, d, p, q, dp, dq, qi = (int.from_bytes(key[a], "big") for a in _RSA_PRIVATE_PARTS)
    numbers = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, rsa.RSAPublicNumbers(e, n))
    return numbers.private_key()


def pkcs11_conf() -> Path | None:
    """This process's SOFTHSM2_CONF (set by `softhsm_env`), None before it."""
    return _State.conf
