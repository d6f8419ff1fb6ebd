"""The XHTML display form (näyttömuoto) of a document, after the samples' THL template.

Built as an element tree, so every text is escaped and nothing active (script,
event handler) can get in. Layout [S]: `div.soc-document#OID<document id>` holding
`soc-header` (soc-logo, soc-hdr1 organisation, soc-hdr2 general document type,
soc-hdr3 date), `soc-main-wrapper` (h1.soc-fulltitle, then one
`soc-list > soc-item > h1.soc-title + div.soc-content` per section) and `soc-footer`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree
from lxml.builder import ElementMaker

from mock_kanta.client.coding import fi_date

XHTML_NS = "http://www.w3.org/1999/xhtml"
_E = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS})


@dataclass(frozen=True)
class Section:
    """One titled block of the display form: plain text lines."""

    title: str
    lines: tuple[str, ...]


def _div(css: str, *children) -> etree._Element:
    el = _E.div({"class": css}, *children)
    if not len(el) and el.text is None:
        el.text = ""  # <div></div>, never <div/>: the display form is also read as HTML
    return el


def _paragraph(lines: tuple[str, ...]) -> etree._Element:
    p = _E.p()
    for i, line in enumerate(lines):
        if i == 0:
            p.text = line
        else:
            br = etree.SubElement(p, f"{{{XHTML_NS}}}br")
            br.tail = line
    return p


def _section(section: Section) -> etree._Element:
    return _div("soc-list", _div("soc-item", _E.h1({"class": "soc-title"}, section.title),
                                 _div("soc-content", _paragraph(section.lines))))


def xhtml(document_id: str, *, organisation: str, general_type: str, day: date, title: str,
          sections: list[Section]) -> bytes:
    """The display form as UTF-8 XHTML bytes (no XML declaration, as in the samples)."""
    root = _div(
        "soc-document",
        _div("soc-header", _div("soc-logo"), _div("soc-hdr1", organisation), _div("soc-hdr2", general_type),
             _div("soc-hdr3", fi_date(day))),
        _div("soc-main-wrapper", _E.h1({"class": "soc-fulltitle"}, title), *(_section(s) for s in sections)),
        _div("soc-footer", *(_div(f"soc-ftr{i}") for i in (1, 2, 3))),
    )
    root.set("id", f"OID{document_id}")
    return etree.tostring(root, encoding="UTF-8")


# --- structured content as display text ------------------------------------------------


def humanise(key: str) -> str:
    """A JSON field name as a heading: kuvaus_asiakkaan_tilanteesta -> Kuvaus asiakkaan tilanteesta."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "Kyllä" if value else "Ei"
    if isinstance(value, dict) and "display" in value:
        return str(value["display"])
    if isinstance(value, dict) and "value" in value:
        return str(value["value"])
    return "" if value is None else str(value)


def value_lines(value, label: str | None = None) -> list[str]:
    """Display lines for one JSON value: coded values by their display name, nested objects as 'Field: value'."""
    prefix = f"{label}: " if label else ""
    if isinstance(value, list):
        return [line for item in value for line in value_lines(item, label)]
    if isinstance(value, dict) and not ("display" in value or "value" in value):
        return [line for key, item in value.items() for line in value_lines(item, humanise(key))]
    return [prefix + _scalar(value)]


def content_sections(content: dict) -> list[Section]:
    """One section per top-level field of a structured form's content."""
    return [Section(humanise(key), tuple(value_lines(value)) or ("",)) for key, value in content.items()]
