"""JSON from untrusted bytes, bounded: strict UTF-8, no NaN or Infinity, integers of at most `MAX_INT_DIGITS`
digits, at most `MAX_CONTAINERS` arrays and objects nested at most `MAX_DEPTH` deep, and no lone surrogate
(`\\ud800`) in any string or key, so whatever comes out can be validated, stored, dumped and encoded again
without an exception."""
from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_CONTAINERS = 100_000
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[][{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONInputError(ValueError):
    """The bytes are not acceptable JSON; the message says why (for a 400 problem's detail)."""


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, max_int_digits: int = MAX_INT_DIGITS):
    """The parsed value, or JSONInputError."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONInputError(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    _shallow(text, max_depth)

    def number(digits: str) -> int:
        if len(digits.lstrip("-")) > max_int_digits:
            raise JSONInputError(f"an integer has {len(digits.lstrip('-'))} digits; at most {max_int_digits} are read")
        return int(digits)

    def constant(name: str):
        raise JSONInputError(f"{name} is not JSON")

    def real(digits: str) -> float:
        value = float(digits)
        if value in (math.inf, -math.inf):
            raise JSONInputError(f"the number {digits[:40]} is out of range")
        return value

    try:
        value = json.loads(text, parse_int=number, parse_float=real, parse_constant=constant)
    except JSONInputError:
        raise
    except RecursionError:
        raise JSONInputError(f"the JSON is nested more than {max_depth} levels deep") from None
    except ValueError as exc:
        raise JSONInputError(f"the body is not valid JSON ({exc})") from None
    if _SURROGATE_ESCAPE.search(text):  # strict UTF-8 has no surrogates: only a \uD8xx escape makes one
        _check_strings(value)
    return value


def _shallow(text: str, max_depth: int) -> None:
    """Refuse more than MAX_CONTAINERS arrays and objects, or nesting deeper than `max_depth`, before parsing
    (the strings skipped by a C-speed regex, then the brackets counted)."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    rest = _STRING.sub("", text)
    if rest.count("[") + rest.count("{") > MAX_CONTAINERS:
        raise JSONInputError(f"the JSON has more than {MAX_CONTAINERS} arrays and objects")
    depth = 0
    for m in _BRACKET.finditer(rest):
        if m.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONInputError(f"the JSON is nested more than {max_depth} levels deep")
        else:
            depth -= 1


def _check_strings(value) -> None:
    """Refuse a lone surrogate in any string or key (it cannot be encoded as UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _encodable(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                _encodable(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def _encodable(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JSONInputError(f"a string holds a lone surrogate (\\u{ord(text[exc.start]):04x}): not a Unicode "
                             "character") from None
