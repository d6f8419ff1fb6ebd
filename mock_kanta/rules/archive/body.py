"""Checks of the nonXMLBody: the display form (XHTML or PDF/A) and the JSON structured form: SH-BODY.
They read the body as the document states it (`ctx.document.body`) and as decoded (`ctx.body`,
mock_kanta.wire.body)."""
from mock_kanta.core.structured import client_ids
from mock_kanta.rules.archive.header import is_client_document
from mock_kanta.rules.registry import check, hit
from mock_kanta.wire.paths import cda

XHTML = "application/xhtml+xml"
PDF = "application/pdf"
XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"
FORMAT_CODES = {XHTML: "2", PDF: "1"}
JSON_FORMAT = "5"
_DOCUMENT = ("document",)
_DECODED = ("document", "body")
DISPLAY_X = cda.body_xpath("display_b64")
JSON_X = cda.body_xpath("json_b64")


def _display(ctx, media_type: str) -> bytes | None:
    """The decoded display form when the document declares it `media_type`."""
    return ctx.body.display if ctx.document.body.display_media_type == media_type else None


@check("SH-BODY-001", needs=_DOCUMENT)
def body_present(ctx):
    if ctx.document.body is None:
        yield hit(cda.xpath("body"))


@check("SH-BODY-002", needs=_DOCUMENT)
def body_id(ctx):
    body, doc_id = ctx.document.body, ctx.document.document_id
    if body is not None and doc_id and body.id != f"OID{doc_id}":
        yield hit(cda.body_xpath("id", "ID"), found=body.id or "-", expected=f"OID{doc_id}")


@check("SH-BODY-003", needs=_DOCUMENT)
def display_type(ctx):
    b = ctx.document.body
    if b is not None and (b.display_media_type not in (XHTML, PDF) or b.display_representation != "B64"):
        yield hit(cda.body_xpath("display_media_type"), media=b.display_media_type or "-", repr=b.display_representation or "-")


@check("SH-BODY-004", needs=_DECODED)
def display_b64(ctx):
    if ctx.document.body.display_media_type in (XHTML, PDF) and not ctx.body.display:
        yield hit(DISPLAY_X)


@check("SH-BODY-005", needs=_DECODED)
def xhtml_parses(ctx):
    if ctx.body.xhtml_error is not None:
        yield hit(DISPLAY_X, detail=ctx.body.xhtml_error)


@check("SH-BODY-006", needs=_DECODED)
def xhtml_structure(ctx):
    root = ctx.body.xhtml
    if root is None:
        return
    if root.tag != XHTML_DIV or "soc-document" not in (root.class_attr or "").split():
        yield hit(DISPLAY_X, found=f"{root.tag} class={root.class_attr}", expected='{http://www.w3.org/1999/xhtml}div class="soc-document"')
    doc_id = ctx.document.document_id
    if doc_id and root.id not in (None, f"OID{doc_id}"):
        yield hit(DISPLAY_X, found=f"id={root.id}", expected=f"id=OID{doc_id}")


@check("SH-BODY-007", needs=_DECODED)
def pdf_header(ctx):
    raw = _display(ctx, PDF)
    if raw is not None and not raw.startswith(b"%PDF-"):
        yield hit(DISPLAY_X)


@check("SH-BODY-008", needs=_DECODED)
def pdf_is_pdfa(ctx):
    raw = _display(ctx, PDF)
    if raw is not None and raw.startswith(b"%PDF-") and b"pdfaid:part" not in raw:
        yield hit(DISPLAY_X)


@check("SH-BODY-009", needs=_DOCUMENT)
def format_matches(ctx):
    b, lh = ctx.document.body, ctx.document.local
    if b is None or lh is None or lh.file_format is None or b.display_media_type not in FORMAT_CODES:
        return
    expected = FORMAT_CODES[b.display_media_type]
    if lh.file_format.code != expected:
        yield hit(cda.local_xpath("file_format", "code"), code=lh.file_format.code, media=b.display_media_type, expected=expected)


def _structured_declared(ctx) -> bool:
    lh = ctx.document.local
    return bool(lh and lh.structured_file_format and lh.structured_file_format.code == JSON_FORMAT)


@check("SH-BODY-010", needs=_DOCUMENT)
def structured_present(ctx):
    b = ctx.document.body
    if b is not None and not b.json_b64 and (_structured_declared(ctx) or is_client_document(ctx.document)):
        yield hit(JSON_X)


@check("SH-BODY-011", needs=_DECODED)
def structured_parses(ctx):
    if ctx.body.structured_error is not None:
        yield hit(JSON_X, detail=ctx.body.structured_error)


@check("SH-BODY-012", needs=_DECODED)
def structured_root(ctx):
    data = ctx.body.structured
    if data is None:
        return
    if not (isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), dict)):
        found = f"{type(data).__name__} with keys {sorted(data)[:5]}" if isinstance(data, dict) else type(data).__name__
        yield hit(JSON_X, found=found)


@check("SH-BODY-013", needs=_DECODED)
def structured_client(ctx):
    data = ctx.body.structured
    client = ctx.document.client
    header = client.id.extension if client and client.id else None
    if data is None or not header:
        return
    ids = client_ids(data)
    if ids and header not in ids:
        yield hit(JSON_X, json=", ".join(sorted(ids)), header=header)


@check("SH-BODY-014", needs=_DECODED)
def scripts(ctx):
    if ctx.body.xhtml is not None and ctx.body.xhtml.active:
        yield hit(DISPLAY_X, what=ctx.body.xhtml.active)


@check("SH-BODY-015", needs=_DOCUMENT)
def structured_declared(ctx):
    b = ctx.document.body
    if b is not None and b.json_b64 and not _structured_declared(ctx):
        yield hit(cda.local_xpath("structured_file_format", "code"))
