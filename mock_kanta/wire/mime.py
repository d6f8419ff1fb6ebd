"""A small multipart/related (RFC 2387) parser and builder.

Byte-level: the body is split on the boundary delimiter lines, without the stdlib
`email` package. CRLF and bare LF line endings are both accepted; the preamble and
epilogue are ignored; header names are case-insensitive.
"""
from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass

TRANSFER_ENCODINGS = ("7bit", "8bit", "binary", "base64", "quoted-printable")


class MimeError(ValueError):
    """A multipart body that cannot be split. `reason` is a short machine code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        # "no-boundary" | "not-multipart" | "no-closing-delimiter" | "no-parts" | "no-header-separator"
        # | "bad-base64" | "unsupported-transfer-encoding" | "boundary-in-content" (builder)
        self.reason = reason


@dataclass(frozen=True)
class Part:
    """One body part; `content` is already decoded per Content-Transfer-Encoding."""

    headers: dict[str, str]  # lower-cased names
    content: bytes
    content_id: str | None  # without the angle brackets
    content_type: str | None


_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^;]*))')
_QUOTED_PAIR = re.compile(r"\\(.)")
_HEADER_LINE = re.compile(rb"([A-Za-z0-9][A-Za-z0-9!#$%&'*+.^_`|~-]*)[ \t]*:([^\n]*)(?:\n|\Z)")
_FOLDED_LINE = re.compile(rb"[ \t]([^\n]*)\n")
_BLANK_LINE = re.compile(rb"\r?\n")
_BASE64_WHITESPACE = b" \t\r\n"


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into (lower-cased media type, params without quotes)."""
    media = value.partition(";")[0]
    params: dict[str, str] = {}
    for name, quoted, token in _PARAM.findall(value, len(media)):
        if quoted and "\\" in quoted:
            quoted = _QUOTED_PAIR.sub(r"\1", quoted)
        params.setdefault(name.lower(), quoted or token.strip())
    return media.strip().lower(), params


def strip_angle_brackets(value: str) -> str:
    """'<id@host>' -> 'id@host' (Content-ID and the `start` parameter)."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1].strip()
    return value


def split_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart body into its parts, or raise MimeError."""
    boundary = parse_content_type(content_type)[1].get("boundary")
    if not boundary:
        raise MimeError("no-boundary", "the multipart Content-Type has no boundary parameter")
    delimiter = b"--" + boundary.encode("ascii", "replace")
    pos = _first_delimiter(body, delimiter)
    if pos < 0:
        raise MimeError(
            "not-multipart",
            f"the body is not multipart: the boundary delimiter '--{boundary}' does not occur in it",
        )
    parts: list[Part] = []
    while True:
        after = pos + len(delimiter)
        if body.startswith(b"--", after):
            break  # closing delimiter; the epilogue follows
        line_end = body.find(b"\n", after)
        if line_end < 0:
            raise MimeError("no-closing-delimiter", f"the body ends without the closing delimiter '--{boundary}--'")
        start = line_end + 1
        nxt = _next_delimiter(body, delimiter, start - 1)
        if nxt < 0:
            raise MimeError("no-closing-delimiter", f"the body ends without the closing delimiter '--{boundary}--'")
        end = nxt - 1 if nxt > start and body[nxt - 1] == 0x0D else nxt  # drop the CR of CRLF
        parts.append(_parse_part(body, start, max(end, start), len(parts) + 1))
        pos = nxt + 1
    if not parts:
        raise MimeError("no-parts", "the multipart body has no parts")
    return parts


def _first_delimiter(body: bytes, delimiter: bytes) -> int:
    """Offset of the first delimiter line (at the body start or after a LF), or -1."""
    if body.startswith(delimiter) and _is_delimiter_line(body, 0, delimiter):
        return 0
    lf = _next_delimiter(body, delimiter, 0)
    return lf + 1 if lf >= 0 else -1


def _next_delimiter(body: bytes, delimiter: bytes, pos: int) -> int:
    """Offset of the LF that precedes the next delimiter line at or after `pos`, or -1."""
    needle = b"\n" + delimiter
    while True:
        pos = body.find(needle, pos)
        if pos < 0 or _is_delimiter_line(body, pos + 1, delimiter):
            return pos
        pos += 1


def _is_delimiter_line(body: bytes, pos: int, delimiter: bytes) -> bool:
    """The delimiter at `pos` is followed by '--' or by optional padding and a line end."""
    after = pos + len(delimiter)
    if body.startswith(b"--", after):
        return True
    line_end = body.find(b"\n", after, after + 256)
    padding = body[after : after + 256 if line_end < 0 else line_end]
    return not padding.strip(b" \t\r") and (line_end >= 0 or after == len(body))


def _parse_part(body: bytes, start: int, end: int, number: int) -> Part:
    headers: dict[str, str] = {}
    last = ""
    pos = start
    while m := _HEADER_LINE.match(body, pos, end) or (last and _FOLDED_LINE.match(body, pos, end)):
        if m.re is _FOLDED_LINE:
            headers[last] += " " + m[1].strip().decode("latin-1")
        else:
            last = m[1].decode("ascii").lower()
            headers.setdefault(last, m[2].strip().decode("latin-1"))
        pos = m.end()
    if blank := _BLANK_LINE.match(body, pos, end):
        content = body[blank.end() : end]
    elif headers and not body[pos:end].strip(b"\r"):
        content = b""  # headers only, no content
    else:
        shown = body[pos : min(end, pos + 40)].split(b"\n")[0].rstrip(b"\r").decode("utf-8", "replace")
        raise MimeError(
            "no-header-separator",
            f"part {number}: no blank line separates the headers from the content (not a header: {shown!r})",
        )
    cid = headers.get("content-id")
    return Part(
        headers=headers,
        content=_decode(content, headers.get("content-transfer-encoding"), number),
        content_id=strip_angle_brackets(cid) if cid else None,
        content_type=headers.get("content-type"),
    )


def _decode(content: bytes, encoding: str | None, number: int) -> bytes:
    encoding = (encoding or "binary").strip().lower()
    if encoding in ("binary", "8bit", "7bit"):
        return content
    if encoding == "base64":
        try:
            return binascii.a2b_base64(content.translate(None, _BASE64_WHITESPACE), strict_mode=True)
        except binascii.Error as exc:
            raise MimeError("bad-base64", f"part {number}: the base64 content cannot be decoded ({exc})") from None
    if encoding == "quoted-printable":
        return binascii.a2b_qp(content)
    raise MimeError(
        "unsupported-transfer-encoding",
        f"part {number}: Content-Transfer-Encoding {encoding!r} is not supported "
        f"(use one of: {', '.join(TRANSFER_ENCODINGS)})",
    )


def build_multipart_related(
    parts: list[tuple[bytes, str, str | None]],
    *,
    start: str | None = None,
    type_: str = "text/xml",
    boundary: str | None = None,
    transfer_encodings: list[str] | None = None,
) -> tuple[bytes, str]:
    """Build a multipart/related body from (content, content type, content id) tuples.

    Returns (body, Content-Type header value). Lines end in CRLF. `transfer_encodings`
    gives one Content-Transfer-Encoding per part (default "binary").
    """
    boundary = boundary or f"MIMEBoundary_{uuid.uuid4().hex}"
    delimiter = b"--" + boundary.encode("ascii")
    encodings = transfer_encodings or ["binary"] * len(parts)
    out: list[bytes] = []
    for (content, part_type, cid), encoding in zip(parts, encodings, strict=True):
        encoded = _encode(content, encoding)
        if delimiter in encoded:
            raise MimeError("boundary-in-content", f"the boundary {boundary!r} occurs inside a part")
        head = [f"Content-Type: {part_type}", f"Content-Transfer-Encoding: {encoding}"]
        if cid:
            head.append(f"Content-ID: <{strip_angle_brackets(cid)}>")
        out += [delimiter, b"\r\n", "\r\n".join(head).encode("ascii"), b"\r\n\r\n", encoded, b"\r\n"]
    out += [delimiter, b"--\r\n"]
    header = f'multipart/related; boundary="{boundary}"; type="{type_}"'
    if start:
        header += f'; start="<{strip_angle_brackets(start)}>"'
    return b"".join(out), header


def _encode(content: bytes, encoding: str) -> bytes:
    encoding = encoding.lower()
    if encoding in ("binary", "8bit", "7bit"):
        return content
    if encoding == "base64":
        return base64.encodebytes(content).replace(b"\n", b"\r\n").rstrip(b"\r\n")
    if encoding == "quoted-printable":
        return binascii.b2a_qp(content)
    raise MimeError("unsupported-transfer-encoding", f"Content-Transfer-Encoding {encoding!r} is not supported")
