"""Coded values and timestamps for the document builders.

Code system names and default display names come from the sandbox's code data
(`mock_kanta/core/codes/codesystems.yaml`), so a built document uses the same words the
rules check against. A code the data does not name must be given as (code, display).
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.model import Coded

try:
    from zoneinfo import ZoneInfo

    HELSINKI = ZoneInfo("Europe/Helsinki")
except Exception:  # no tz database: naive times are then taken as UTC
    from datetime import timezone

    HELSINKI = timezone.utc

DOC_TYPE = "1.2.246.537.6.1506.201701"
DOCUMENT_GROUP = "1.2.246.537.6.1505.201601"
CONFIDENTIALITY = "1.2.246.777.5.99902.2006"
GENDER = "1.2.246.537.5.1.1997"
SERVICE_TASK = "1.2.246.537.6.1221.201601"
SOCIAL_SERVICE = "1.2.246.537.6.1222.201601"
SERVICE_PROCESS = "1.2.246.537.6.1277.201701"
FILE_FORMAT = "1.2.246.537.6.1502.201601"
STRUCTURED_FORMAT = "1.2.246.537.5.40179.2008"
RECORD_STATUS = "1.2.246.537.5.40154.2008"
REGISTER = "1.2.246.537.6.1264.201701"
RETENTION = "1.2.246.537.6.1258.201601"
YES_NO = "1.2.246.537.6.112.2007"
CONSENT = "1.2.246.537.6.1286.201901"
RESTRICTION = "1.2.246.537.6.1288.201901"
SERVICE_REQUESTS = "1.2.246.537.6.1503.201601"
USAGE_SITUATIONS = "1.2.246.537.6.1289.201901"
COMPLETION = "1.2.246.537.5.40115.2006"
STORAGE = "1.2.246.537.5.40116.2006"
TRIGGER_SYSTEM = "2.16.840.1.113883.1.18"
UNIT_REGISTER = "1.2.246.537.6.202.2008"  # SOTE organisation register, as the JSON names units [S]
# [I] The replacement reason list of the healthcare archive (1 = Korjaus); the social welfare
# list is not public (the sample leaves reasonOfCorrection commented out).
CORRECTION = "1.2.246.537.5.40178.2008"
CORRECTION_NAME = "eArkisto - Asiakirjan korvauksen syy"

CodeArg = str | tuple[str, str] | Coded


@lru_cache(maxsize=1)
def code_data() -> CodeSystems:
    return CodeSystems.load()


def coded(system: str, value: CodeArg, *, system_name: str | None = None) -> Coded:
    """A Coded value in `system`: value is a code, (code, display), or a ready Coded (returned as is)."""
    if isinstance(value, Coded):
        return value
    code, display = (value, None) if isinstance(value, str) else value
    known = code_data().get(system)
    if display is None:
        display = code_data().display(system, code)
        if display is None:
            raise ValueError(f"code {code!r} of {system} has no display name in the sandbox's code data; "
                             "give it as (code, display)")
    return Coded(code=code, code_system=system, code_system_name=system_name or (known.name if known else None),
                 display_name=display)


def json_coded(value: Coded) -> dict:
    """A coded value as the structured form (JSON) writes it [S]."""
    return {"system": f"urn:oid:{value.code_system}", "code": value.code, "display": value.display_name}


def hl7_ts(at: datetime) -> str:
    """HL7 TS with seconds and offset, e.g. 20260323105424+0200; a naive time is Helsinki time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=HELSINKI)
    return at.astimezone(HELSINKI).strftime("%Y%m%d%H%M%S%z")


def hl7_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def local_date(at: datetime) -> date:
    """The calendar date of a moment in Helsinki."""
    return (at.replace(tzinfo=HELSINKI) if at.tzinfo is None else at.astimezone(HELSINKI)).date()


def fi_date(day: date) -> str:
    """A date as Finnish display forms write it: 17.07.2026."""
    return day.strftime("%d.%m.%Y")
