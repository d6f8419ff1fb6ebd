"""A plain PDF display form (the standard allows PDF/A besides XHTML).

A small PDF 1.4 writer: the title and sections as text lines in the standard Helvetica
fonts (WinAnsi), paginated on A4. It is a real PDF, but **not PDF/A** (the fonts are
not embedded and there is no XMP identification), so the sandbox warns SH-BODY-008
about it; attach your own PDF/A file when you need one.
"""
from __future__ import annotations

import textwrap

from mock_kanta import __version__
from mock_kanta.client.display import Section

_WIDTH, _HEIGHT, _MARGIN, _LEADING, _SIZE = 595, 842, 50, 14, 10
_LINES_PER_PAGE = (_HEIGHT - 2 * _MARGIN) // _LEADING
_WRAP = 95


def _literal(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _lines(title: str, sections: list[Section]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = [(True, title), (False, "")]
    for section in sections:
        out.append((True, section.title))
        for line in section.lines:
            out += [(False, part) for part in textwrap.wrap(line, _WRAP) or [""]]
        out.append((False, ""))
    return out


def _content(lines: list[tuple[bool, str]]) -> bytes:
    ops = [f"BT {_LEADING} TL {_MARGIN} {_HEIGHT - _MARGIN} Td".encode()]
    for bold, text in lines:
        ops.append(b"/F2 %d Tf " % _SIZE if bold else b"/F1 %d Tf " % _SIZE)
        ops[-1] += _literal(text) + b" Tj T*"
    ops.append(b"ET")
    return b"\n".join(ops)


def simple_pdf(title: str, sections: list[Section]) -> bytes:
    """The title and sections as a PDF document."""
    lines = _lines(title, sections)
    pages = [lines[i:i + _LINES_PER_PAGE] for i in range(0, len(lines), _LINES_PER_PAGE)]
    first_page = 6  # 1 catalog, 2 pages, 3-4 fonts, 5 info; then page and content pairs
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _literal(title) + b" /Producer " + _literal(f"mock-kanta {__version__}") + b" >>",
    ]
    for i, page in enumerate(pages):
        stream = _content(page)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_WIDTH} {_HEIGHT}] /Contents {first_page + 2 * i + 1} 0 R "
                       "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
