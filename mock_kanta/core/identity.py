"""Finnish personal identity codes (henkilötunnus) and OID syntax."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {
    "+": 1800,
    **{c: 1900 for c in "-YXWVU"},  # Y, X, W, V, U since 2023
    **{c: 2000 for c in "ABCDEF"},  # B-F since 2023
}
_HETU = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")
_OID = re.compile(r"^[0-2](?:\.(?:0|[1-9][0-9]*))+$")


@dataclass(frozen=True)
class Hetu:
    value: str
    birth_date: date
    individual_number: int

    @property
    def is_test(self) -> bool:
        """Individual numbers 900-999 are temporary and test identities."""
        return self.individual_number >= 900


class HetuError(ValueError):
    """Why a henkilötunnus is not valid: `reason` is one of format, date, individual, check."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def check_char(six_digits: str, individual: str) -> str:
    return CHECK_CHARS[int(six_digits + individual) % 31]


def parse_hetu(value: str) -> Hetu:
    """Validate format, date, century sign and check character; raise HetuError."""
    m = _HETU.match(value or "")
    if not m:
        raise HetuError("format", "format is not DDMMYYCZZZQ")
    dd, mm, yy, sign, individual, check = m.groups()
    try:
        born = date(CENTURY[sign] + int(yy), int(mm), int(dd))
    except ValueError:
        raise HetuError("date", f"{dd}.{mm}. is not a valid date") from None
    if int(individual) < 2:
        raise HetuError("individual", "individual number 000-001 is not used")
    expected = check_char(dd + mm + yy, individual)
    if check != expected:
        raise HetuError("check", f"check character is {check}, expected {expected}")
    return Hetu(value, born, int(individual))


def age_on(hetu: str | None, on: date | None) -> int | None:
    """The age in whole years on `on` of the person a henkilötunnus names; None if either is missing or invalid."""
    if not hetu or on is None:
        return None
    try:
        born = parse_hetu(hetu).birth_date
    except HetuError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_oid(value: str | None) -> bool:
    return bool(value) and len(value) <= 256 and _OID.match(value) is not None
